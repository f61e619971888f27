package push

import (
	"context"
	"errors"
	"time"

	"syncagent/connectors"
	"syncagent/queue"
)

// resultReader finds out what became of the awaiting batches as their checks come due:
// from the marketplace's batch result where it keeps one, else (a lost answer, an expired
// result, a marketplace without batch results) from the reconciler's read-back. What it
// learns goes to the booker; a read that fails moves the check back or shuts the gate.
type resultReader struct {
	store
	q         Queue
	market    *market
	book      *booker
	reconcile *reconciler
	checks    *checkSchedule
	gate      *gate
	now       func() time.Time
}

// nextDue is when the next awaiting batch is to be read (zero: none).
func (r *resultReader) nextDue() time.Time { return r.checks.earliest() }

// checkDue reads the results of the awaiting batches that are due. It reports whether
// the cycle may go on to push (false on a hold or pause).
func (r *resultReader) checkDue(ctx context.Context, st *cycleStats) bool {
	byRef, refs, err := r.q.ListAwaiting(ctx, r.name)
	if err != nil {
		if ctx.Err() == nil {
			st.fail("listing batches awaiting a result failed: " + err.Error())
			r.log.Error().Err(err).Msg("listing batches awaiting a result failed; trying again at the next cycle")
		}
		return ctx.Err() == nil
	}
	r.checks.keep(byRef)
	for _, ref := range refs {
		if ctx.Err() != nil || !r.gate.open() {
			return false
		}
		now := r.now()
		c := r.checks.of(ref, now)
		if c.next.After(now) {
			continue
		}
		if !r.read(ctx, ref, byRef[ref], c, st) {
			return false
		}
	}
	return true
}

// read settles one due batch. It reports whether the cycle may go on.
func (r *resultReader) read(ctx context.Context, ref string, rows []queue.Claimed, c *resultCheck, st *cycleStats) bool {
	if isLost(ref) || !r.market.async() {
		return r.readBack(ctx, ref, rows, c, st)
	}
	st.requests++
	out, err := r.market.checkResults(ctx, ref, rows)
	if err != nil {
		if connectors.KindOf(err) == connectors.Expired {
			r.log.Info().Str("batch", ref).Int("items", len(rows)).
				Msgf("the result of batch %s of %s is no longer kept by %s (%s); reading back what the store shows instead", ref, r.name, r.marketplace, err)
			return r.readBack(ctx, ref, rows, c, st)
		}
		return r.readFailed(ctx, "reading the result of batch "+ref, err, c, st)
	}
	if processing, ok := r.book.batchResult(ctx, ref, rows, out, st); ok && processing > 0 {
		r.checks.postpone(c, r.now(), time.Time{})
	}
	return true
}

// readBack settles a batch by what the store shows.
func (r *resultReader) readBack(ctx context.Context, ref string, rows []queue.Claimed, c *resultCheck, st *cycleStats) bool {
	if err := r.reconcile.settle(ctx, ref, rows, c, st); err != nil {
		return r.readFailed(ctx, "reading back what the store shows", err, c, st)
	}
	return true
}

// readFailed handles a failed read (batch result or read-back). It reports whether the
// cycle may go on.
func (r *resultReader) readFailed(ctx context.Context, what string, err error, c *resultCheck, st *cycleStats) bool {
	if ctx.Err() != nil {
		return false
	}
	st.fail(what + " failed: " + err.Error())
	var ce *connectors.Error
	switch connectors.KindOf(err) {
	case connectors.RetryAfter:
		wait := time.Second
		if errors.As(err, &ce) && ce.RetryAfter > 0 {
			wait = ce.RetryAfter
		}
		r.gate.hold(wait)
		st.held = true
		r.log.Warn().Dur("wait", wait).Msgf("%s of %s throttled: %s; trying again in %s", what, r.name, err, wait)
		return false
	case connectors.Auth:
		r.gate.pause("credentials")
		r.log.Error().Msgf("%s refused the credentials of store %s while %s: %s; paused until the next scheduled push; run 'syncagent test-store %s'", r.marketplace, r.name, what, err, r.name)
		return false
	}
	r.checks.postpone(c, r.now(), time.Time{})
	r.log.Warn().Msgf("%s of %s failed: %s; trying again at %s", what, r.name, err, c.next.Format("15:04:05"))
	return true
}
