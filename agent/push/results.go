package push

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/queue"
	"syncagent/queue/backoff"
)

// resultCheck is when the loop reads an awaiting batch next. It lives in memory only:
// after a restart every awaiting batch is read at the first cycle, which is what a
// restart wants anyway.
type resultCheck struct {
	next  time.Time
	later int // times the check was moved back
}

// lostPrefix marks awaiting rows whose request lost its answer: there is no batch id to
// read, only the marketplace's state to compare with.
const lostPrefix = "lost:"

func lostRef(sentAt time.Time) string { return lostPrefix + strconv.FormatInt(sentAt.UnixNano(), 10) }

func isLost(ref string) bool { return strings.HasPrefix(ref, lostPrefix) }

// checkFor returns the check of ref, creating one due FirstCheck after now.
func (p *Loop) checkFor(ref string, now time.Time) *resultCheck {
	c := p.checks[ref]
	if c == nil {
		c = &resultCheck{next: now.Add(p.set.FirstCheck)}
		p.checks[ref] = c
	}
	return c
}

// later moves a check back, doubling the wait from FirstCheck up to MaxCheck, but never
// past limit (when not zero).
func (p *Loop) later(c *resultCheck, now, limit time.Time) {
	c.later++
	c.next = now.Add(backoff.Policy{Base: p.set.FirstCheck, Max: p.set.MaxCheck}.Nominal(c.later + 1))
	if !limit.IsZero() && limit.Before(c.next) {
		c.next = limit
	}
}

// checkResults reads the results of the awaiting batches that are due. It reports
// whether the cycle may go on to push (false on a hold or pause).
func (p *Loop) checkResults(ctx context.Context, st *cycleStats) bool {
	byRef, refs, err := p.q.ListAwaiting(ctx, p.name)
	if err != nil {
		if ctx.Err() == nil {
			st.fail("listing batches awaiting a result failed: " + err.Error())
			p.log.Error().Err(err).Msg("listing batches awaiting a result failed; trying again at the next cycle")
		}
		return ctx.Err() == nil
	}
	for ref := range p.checks {
		if _, ok := byRef[ref]; !ok {
			delete(p.checks, ref)
		}
	}
	rc, async := p.conn.(connectors.ResultChecker)
	for _, ref := range refs {
		if ctx.Err() != nil || p.paused != "" || p.set.Now().Before(p.holdUntil) {
			return false
		}
		now := p.set.Now()
		c := p.checks[ref]
		if c == nil {
			c = &resultCheck{next: now}
			p.checks[ref] = c
		}
		if c.next.After(now) {
			continue
		}
		rows := byRef[ref]
		if isLost(ref) || !async {
			p.reconcile(ctx, ref, rows, c, st)
			continue
		}
		st.requests++
		out, err := rc.CheckResults(ctx, ref, toItems(rows))
		if err != nil {
			if connectors.KindOf(err) == connectors.Expired {
				p.log.Info().Str("batch", ref).Int("items", len(rows)).
					Msgf("the result of batch %s of %s is no longer kept by %s (%s); reading back what the store shows instead", ref, p.name, p.marketplace, err)
				p.reconcile(ctx, ref, rows, c, st)
				continue
			}
			if !p.readFailed(ctx, "reading the result of batch "+ref, err, c, st) {
				return false
			}
			continue
		}
		p.bookResults(ctx, ref, rows, out, c, st)
	}
	return true
}

// readFailed handles a failed read (batch result or read-back). It reports whether the
// cycle may go on.
func (p *Loop) readFailed(ctx context.Context, what string, err error, c *resultCheck, st *cycleStats) bool {
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
		p.holdUntil = p.set.Now().Add(wait)
		st.held = true
		p.log.Warn().Dur("wait", wait).Msgf("%s of %s throttled: %s; trying again in %s", what, p.name, err, wait)
		return false
	case connectors.Auth:
		p.paused = "credentials"
		st.paused = true
		p.log.Error().Msgf("%s refused the credentials of store %s while %s: %s; paused until the next scheduled push; run 'syncagent test-store %s'", p.marketplace, p.name, what, err, p.name)
		return false
	}
	p.later(c, p.set.Now(), time.Time{})
	p.log.Warn().Msgf("%s of %s failed: %s; trying again at %s", what, p.name, err, c.next.Format("15:04:05"))
	return true
}

// bookResults records a batch result: confirmed, retried and rejected items leave the
// batch; pending ones are read again later.
func (p *Loop) bookResults(ctx context.Context, ref string, rows []queue.Claimed, out connectors.Outcomes, c *resultCheck, st *cycleStats) {
	bc, cancel := bookCtx(ctx)
	defer cancel()
	var confirmed, pending []queue.Claimed
	retry := map[string][]queue.Claimed{}
	var retryReasons []string
	rejected := map[string][]queue.Claimed{}
	var rejectReasons []string
	for _, r := range rows {
		o, ok := out[r.SKU]
		if !ok {
			pending = append(pending, r)
			continue
		}
		switch o.Status {
		case connectors.Confirmed:
			confirmed = append(confirmed, r)
		case connectors.Retry:
			reason := nonEmpty(o.Reason, "the marketplace asked to try again later")
			if _, seen := retry[reason]; !seen {
				retryReasons = append(retryReasons, reason)
			}
			retry[reason] = append(retry[reason], r)
		case connectors.Rejected:
			reason := nonEmpty(o.Reason, "rejected by the marketplace without a reason")
			if _, seen := rejected[reason]; !seen {
				rejectReasons = append(rejectReasons, reason)
			}
			rejected[reason] = append(rejected[reason], r)
		default:
			pending = append(pending, r)
		}
	}
	if err := p.q.Confirm(bc, confirmed); err != nil {
		p.log.Error().Err(err).Msg("recording confirmations failed; the batch result is read again")
		return
	}
	st.confirmed += len(confirmed)
	for _, reason := range retryReasons {
		p.retry(bc, retry[reason], reason, queue.NotApplied, st)
	}
	p.rejectGroups(bc, rejectReasons, rejected, st)
	if len(pending) > 0 {
		p.later(c, p.set.Now(), time.Time{})
	}
	p.log.Info().Str("batch", ref).Int("items", len(rows)).Int("confirmed", len(confirmed)).Int("pending", len(pending)).
		Msgf("result of batch %s of %s: %d confirmed, %d still processing, %d to retry, %d rejected",
			ref, p.name, len(confirmed), len(pending), countAll(retry), countAll(rejected))
}

func countAll(m map[string][]queue.Claimed) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

// reconcile settles items whose outcome is unknown (lost answer, expired result) by what
// the marketplace shows: an item showing the values sent is confirmed without sending
// anything; the others are sent again with the current desired values, but only once a
// repeat of the lost request can no longer be refused as a duplicate. Until then they
// are read again, since an asynchronous marketplace may still be applying them.
func (p *Loop) reconcile(ctx context.Context, ref string, rows []queue.Claimed, c *resultCheck, st *cycleStats) {
	sentAt := rows[0].SentAt
	for _, r := range rows[1:] {
		if r.SentAt.Before(sentAt) {
			sentAt = r.SentAt
		}
	}
	var shown, missing, unlisted []queue.Claimed
	if rb, ok := p.conn.(connectors.ReadBacker); ok {
		st.requests++
		obs, err := rb.ReadBack(ctx, toItems(rows))
		if err != nil {
			p.readFailed(ctx, "reading back what the store shows", err, c, st)
			return
		}
		for _, r := range rows {
			switch o := obs[r.SKU]; {
			case !o.Found:
				unlisted = append(unlisted, r)
			case shows(o, r):
				shown = append(shown, r)
			default:
				missing = append(missing, r)
			}
		}
	} else {
		missing = rows
	}
	bc, cancel := bookCtx(ctx)
	defer cancel()
	if err := p.q.Confirm(bc, shown); err != nil {
		p.log.Error().Err(err).Msg("recording confirmations failed; the store's state is read again")
		return
	}
	st.confirmed += len(shown)
	if len(unlisted) > 0 {
		// A stock and price update cannot create a listing: sending again (or waiting
		// to) would only be refused the same way.
		reason := fmt.Sprintf("%s does not list this item (found neither by its key when the outcome of a push was read back); create the listing there, then change or requeue the item", p.marketplace)
		p.rejectGroups(bc, []string{reason}, map[string][]queue.Claimed{reason: unlisted}, st)
	}
	now := p.set.Now()
	resendAt := sentAt.Add(p.set.DupWindow)
	switch {
	case len(missing) == 0:
	case p.set.DupWindow <= 0 || !now.Before(resendAt):
		reason := fmt.Sprintf("%s does not show the values sent at %s (the outcome was unknown); sending the current values", p.marketplace, sentAt.Format("15:04:05"))
		p.retry(bc, missing, reason, queue.Unknown, st)
	default:
		p.later(c, now, resendAt)
	}
	p.log.Info().Str("batch", ref).Int("items", len(rows)).Int("confirmed", len(shown)).Int("not_shown", len(missing)).Int("unlisted", len(unlisted)).
		Msgf("reconciled %d items of %s by what the store shows: %d show the values sent and are confirmed, %d are not listed, %d do not show them%s",
			len(rows), p.name, len(shown), len(unlisted), len(missing), nextStep(len(missing), now, resendAt, c.next, p.set.DupWindow))
}

func nextStep(missing int, now, resendAt, next time.Time, window time.Duration) string {
	if missing == 0 {
		return ""
	}
	if window <= 0 || !now.Before(resendAt) {
		return " and are sent again"
	}
	return fmt.Sprintf(" yet; reading again at %s, sending them again from %s at the latest", next.Format("15:04:05"), resendAt.Format("15:04:05"))
}

// shows reports whether the marketplace shows every value that was sent for r.
func shows(o connectors.Observed, r queue.Claimed) bool {
	if !o.Found {
		return false
	}
	if r.Qty != nil && (o.Qty == nil || *o.Qty != *r.Qty) {
		return false
	}
	if r.Price != nil && (o.Price == nil || *o.Price != *r.Price) {
		return false
	}
	if r.ListPrice != nil && (o.ListPrice == nil || *o.ListPrice != *r.ListPrice) {
		return false
	}
	return true
}
