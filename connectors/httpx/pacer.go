package httpx

import (
	"context"
	"fmt"
	"sync"
	"time"

	"syncagent/connectors"
)

// Pacer spaces the requests of one store. Each bucket (an endpoint or a group of
// endpoints that share a budget, as the marketplace counts them) remembers its last
// Requests sends, and a new request goes only when the one Requests back lies more than
// Per in the past: a sliding window, the way the marketplaces' gateways count, so a
// burst at the end of one window and the start of the next cannot overshoot.
//
// A send is dated by when its reply came back, not when it left: the server counts a
// request when it arrives, which is after we sent it and before it answered, and on a
// busy machine or network that gap is no constant a margin could cover. So a request
// waits, if need be, for the reply to the one Requests back, and counts from there.
//
// The pacer is also where the server's word lands: Retry-After and an exhausted
// X-RateLimit-Remaining hold the bucket until the given time, and a lower
// X-RateLimit-Limit lowers the budget (a higher one never raises it: that takes the
// store's limits.requests, set on the marketplace's word) unless its reset shows a far
// shorter window than the bucket's.
//
// A second, long window (SetQuota: a plan's daily budget, PazarSync's 10 000 requests a
// day) counts every request of every bucket the same way. Its waits can be hours, which
// no caller should sleep through: a request that would wait longer than QuotaMaxWait
// for it is not made, and Wait returns a *QuotaError saying when the budget has room.
type Pacer struct {
	clock Clock
	def   connectors.Rate

	mu      sync.Mutex
	rates   map[string]connectors.Rate
	buckets map[string]*bucket
	quota   *bucket // nil: no long window
	reserve int     // the last requests of the long window, kept for UseQuotaReserve
}

// QuotaMaxWait is the longest a request waits for room in the long window before Wait
// gives up with a *QuotaError: long enough to smooth the edge of a spent budget, short
// enough that a push or an order fetch never hangs for hours holding its leases.
const QuotaMaxWait = time.Minute

// QuotaError is Wait's refusal when the long window (SetQuota) has no room within
// QuotaMaxWait: nothing was sent.
type QuotaError struct {
	Reserved int             // of Rate.Requests, the last ones kept for UseQuotaReserve
	Rate     connectors.Rate // the budget
	Used     int             // requests counted in the last Rate.Per
	Until    time.Time       // when the next request may go
	Wait     time.Duration   // Until less now
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("the budget of %d requests per %s is spent (%d in the last %s); the next request may go in %s",
		e.Rate.Requests, e.Rate.Per, e.Used, e.Rate.Per, e.Wait.Round(time.Second))
}

// SetQuota sets the long window over every request (Requests <= 0: none). Call it before
// the first request.
func (p *Pacer) SetQuota(r connectors.Rate) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Requests <= 0 || r.Per <= 0 {
		p.quota = nil
		return
	}
	p.quota = &bucket{rate: r, margin: Margin(r.Per)}
}

// SetQuotaReserve keeps the last n requests of the long window for requests whose
// context carries UseQuotaReserve: the others see a budget n smaller. A connector keeps
// its order fetches alive this way when pushes could spend a plan's whole day (an order
// not fetched is stock every other store still sells).
func (p *Pacer) SetQuotaReserve(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reserve = max(n, 0)
}

type reserveKey struct{}

// UseQuotaReserve marks the requests made with ctx as ones that may spend the long
// window's reserve (SetQuotaReserve).
func UseQuotaReserve(ctx context.Context) context.Context {
	return context.WithValue(ctx, reserveKey{}, true)
}

func usesReserve(ctx context.Context) bool {
	v, _ := ctx.Value(reserveKey{}).(bool)
	return v
}

// QuotaUsage is the long window as the pacer counts it: the budget, the requests sent in
// its last Per, and when the next request may go (now while there is room). ok is false
// without a long window. The count starts when the pacer does: requests of an earlier
// run of the agent are not in it.
func (p *Pacer) QuotaUsage() (rate connectors.Rate, used int, next time.Time, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quota == nil {
		return connectors.Rate{}, 0, time.Time{}, false
	}
	now := p.clock.Now()
	next, _ = p.quota.earliest(now)
	if next.IsZero() {
		next = now
	}
	return p.quota.rate, p.quota.usedSince(now.Add(-p.quota.rate.Per)), next, true
}

// usedSince counts the sends dated after t (in flight ones included).
func (b *bucket) usedSince(t time.Time) int {
	n := 0
	for _, s := range b.slots {
		if s.at.After(t) {
			n++
		}
	}
	return n
}

// NewPacer returns a pacer whose buckets get rates[name], or def for names not listed.
// A Rate with Requests <= 0 is unlimited.
func NewPacer(clock Clock, def connectors.Rate, rates map[string]connectors.Rate) *Pacer {
	r := make(map[string]connectors.Rate, len(rates))
	for k, v := range rates {
		r[k] = v
	}
	return &Pacer{clock: clock, def: def, rates: r, buckets: map[string]*bucket{}}
}

// Margin is the extra time left after a window before the send Requests later may go:
// timer granularity and a server clock that ticks a little differently. One thousandth
// of the window, at least 10 ms and at most 250 ms.
func Margin(per time.Duration) time.Duration {
	return min(max(per/1000, 10*time.Millisecond), 250*time.Millisecond)
}

// sendSlot is one send of a bucket.
type sendSlot struct {
	at   time.Time     // when it was let go; once done, when its reply (or failure) came
	done chan struct{} // closed when the exchange is over
}

type bucket struct {
	rate     connectors.Rate
	margin   time.Duration
	slots    []*sendSlot // the last rate.Requests sends, in order
	lastSend time.Time
	hold     time.Time // nothing is sent before this

	srvKnown     bool // the server's own count, from the last reply with headers
	srvRemaining int
	srvReset     time.Time
	inflight     int
}

func (p *Pacer) bucket(name string) *bucket {
	b := p.buckets[name]
	if b == nil {
		rate, ok := p.rates[name]
		if !ok {
			rate = p.def
		}
		b = &bucket{rate: rate, margin: Margin(rate.Per)}
		p.buckets[name] = b
	}
	return b
}

// earliest is when the next send of b may go, at or after now. When the send Requests
// back is still waiting for its reply, it returns that send's done channel instead: the
// caller waits for it and asks again. It changes nothing; commit takes the send.
func (b *bucket) earliest(now time.Time) (time.Time, <-chan struct{}) {
	return b.earliestWithin(now, b.rate.Requests)
}

// earliestWithin is earliest with at most lim requests in any window.
func (b *bucket) earliestWithin(now time.Time, lim int) (time.Time, <-chan struct{}) {
	t := now
	n := len(b.slots)
	if lim > 0 && n >= lim {
		old := b.slots[n-lim]
		select {
		case <-old.done:
		default:
			return time.Time{}, old.done
		}
		if free := old.at.Add(b.rate.Per + b.margin); free.After(t) {
			t = free
		}
	}
	if b.hold.After(t) {
		t = b.hold
	}
	if b.lastSend.After(t) { // first come, first served
		t = b.lastSend
	}
	if b.srvKnown && t.Before(b.srvReset) && b.srvRemaining <= 0 {
		t = b.srvReset.Add(b.margin)
	}
	return t, nil
}

// commit takes a send of b at t (no earlier than earliest said).
func (b *bucket) commit(t time.Time) *sendSlot {
	if b.srvKnown {
		switch {
		case !t.Before(b.srvReset):
			b.srvKnown = false // the server's window has turned over by then
		default:
			b.srvRemaining--
		}
	}
	s := &sendSlot{at: t, done: make(chan struct{})}
	if lim, n := b.rate.Requests, len(b.slots); lim > 0 {
		if n >= lim {
			copy(b.slots, b.slots[n-lim+1:])
			b.slots = b.slots[:lim-1]
		}
		b.slots = append(b.slots, s)
	}
	b.lastSend = t
	b.inflight++
	return s
}

// release ends a send: it is dated by when its reply (or failure) came, now.
func (b *bucket) release(s *sendSlot, now time.Time) {
	if now.After(s.at) {
		s.at = now
	}
	b.inflight--
	close(s.done)
}

// Wait blocks until the bucket (and the long window, when set) allows one more request
// and counts it as sent. The returned done must be called once the reply (or the
// failure) is in: that moment is what the windows count from. When the long window
// has no room within QuotaMaxWait, Wait returns a *QuotaError at once and counts nothing.
func (p *Pacer) Wait(ctx context.Context, name string) (done func(), err error) {
	for {
		p.mu.Lock()
		b := p.bucket(name)
		now := p.clock.Now()
		t, busy := b.earliest(now)
		if busy == nil && p.quota != nil {
			lim := p.quota.rate.Requests
			if !usesReserve(ctx) {
				lim = max(lim-p.reserve, 1)
			}
			var qt time.Time
			qt, busy = p.quota.earliestWithin(now, lim)
			if busy == nil && qt.Sub(now) > QuotaMaxWait {
				e := &QuotaError{Rate: p.quota.rate, Used: p.quota.usedSince(now.Add(-p.quota.rate.Per)), Until: qt, Wait: qt.Sub(now)}
				if lim < p.quota.rate.Requests {
					e.Reserved = p.quota.rate.Requests - lim
				}
				p.mu.Unlock()
				return nil, e
			}
			if qt.After(t) {
				t = qt
			}
		}
		if busy != nil {
			p.mu.Unlock()
			select {
			case <-busy:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		s := b.commit(t)
		var qs *sendSlot
		q := p.quota
		if q != nil {
			qs = q.commit(t)
		}
		p.mu.Unlock()
		var once sync.Once
		done = func() {
			once.Do(func() {
				p.mu.Lock()
				now := p.clock.Now()
				b.release(s, now)
				if qs != nil {
					q.release(qs, now)
				}
				p.mu.Unlock()
			})
		}
		if d := t.Sub(now); d > 0 {
			if err := p.clock.Sleep(ctx, d); err != nil {
				done()
				return nil, err
			}
		} else if err := ctx.Err(); err != nil {
			done()
			return nil, err
		}
		return done, nil
	}
}

// Observe takes in what a reply said about the rate limit. It returns how long the
// caller should be told to wait when the reply was a refusal (429): Retry-After when
// given, else the server's reset, else one window of the bucket.
func (p *Pacer) Observe(name string, ri RateInfo, refused bool) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.bucket(name)
	now := p.clock.Now()
	// A reset sooner than a tenth of the bucket's window shows a server counting a far
	// shorter window (Hepsiburada's per-second limit beside its per-minute one): its
	// Limit is no figure for this window, and Remaining and Reset alone keep it.
	shorter := ri.HasReset && ri.Reset < b.rate.Per/10
	if ri.HasLimit && ri.Limit > 0 && !shorter && (b.rate.Requests <= 0 || ri.Limit < b.rate.Requests) && b.rate.Per > 0 {
		b.rate.Requests = ri.Limit
		if len(b.slots) > ri.Limit {
			b.slots = append(b.slots[:0], b.slots[len(b.slots)-ri.Limit:]...)
		}
	}
	if ri.HasRemaining && ri.HasReset {
		// Requests of ours still in flight are not in the server's count yet.
		b.srvKnown = true
		b.srvRemaining = ri.Remaining - max(b.inflight-1, 0)
		b.srvReset = now.Add(ri.Reset)
	}
	if !refused {
		if ri.HasRetryAfter && ri.RetryAfter > 0 { // some servers announce a pause on a 503
			b.holdUntil(now.Add(ri.RetryAfter))
		}
		return 0
	}
	var wait time.Duration
	switch {
	case ri.HasRetryAfter:
		wait = ri.RetryAfter
	case ri.HasReset:
		wait = ri.Reset
	default:
		wait = b.rate.Per
	}
	if wait > 0 {
		b.holdUntil(now.Add(wait))
	}
	return wait
}

func (b *bucket) holdUntil(t time.Time) {
	if t.After(b.hold) {
		b.hold = t
	}
}

// Rate returns the budget a bucket works with now (after any lowering by the server).
func (p *Pacer) Rate(name string) connectors.Rate {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bucket(name).rate
}

// HeldFor returns how long the pacer holds bucket from now because the server asked for
// a pause (0: not held), for status pages.
func (p *Pacer) HeldFor(name string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.bucket(name).hold.Sub(p.clock.Now()), 0)
}
