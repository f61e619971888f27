package push

import "time"

// debouncer decides when an on-change push runs: debounce after changes stop arriving,
// but no later than maxDelay after the first change of a burst, and no sooner than
// maxDelay after the previous on-change push, so a steady trickle of changes makes one
// push per maxDelay instead of one per change. It holds no timer; the push loop asks Due
// and sleeps until then. Not safe for concurrent use: only the loop's goroutine uses it.
type debouncer struct {
	debounce, maxDelay time.Duration
	first, last        time.Time // of the pending burst; zero when nothing is pending
	lastFire           time.Time
}

// enabled reports whether on-change pushes are configured (debounce 0: schedule only).
func (d *debouncer) enabled() bool { return d.debounce > 0 }

// Note records a committed change at now.
func (d *debouncer) Note(now time.Time) {
	if !d.enabled() {
		return
	}
	if d.first.IsZero() {
		d.first = now
	}
	d.last = now
}

// Due returns when the pending changes should be pushed; ok is false when none are pending.
func (d *debouncer) Due() (at time.Time, ok bool) {
	if d.first.IsZero() {
		return time.Time{}, false
	}
	at = d.last.Add(d.debounce)
	if d.maxDelay > 0 {
		if limit := d.first.Add(d.maxDelay); limit.Before(at) {
			at = limit
		}
		if !d.lastFire.IsZero() {
			if earliest := d.lastFire.Add(d.maxDelay); earliest.After(at) {
				at = earliest
			}
		}
	}
	return at, true
}

// Fired records that an on-change push started at now: the changes noted so far are
// part of it.
func (d *debouncer) Fired(now time.Time) {
	d.first, d.last = time.Time{}, time.Time{}
	d.lastFire = now
}

// Covered records that another push (a scheduled one) started at now and takes the
// pending changes along; it does not count against the on-change rate.
func (d *debouncer) Covered() {
	d.first, d.last = time.Time{}, time.Time{}
}
