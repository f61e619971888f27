package push

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/queue"
)

// booker records the fate of claimed items in the outbox, with one log line per batch:
// confirmed, awaiting a batch result, to retry, rejected, given back unsent, or held back.
// Every part that learns an item's fate (a push's answer, a batch result, a read-back)
// books it here. A failed request is booked by its error's kind, which may also shut the
// gate.
type booker struct {
	store
	q      Queue
	gate   *gate
	checks *checkSchedule
	set    *Settings
}

// verdict is what a failed request means for the rest of the cycle.
type verdict struct {
	stop bool // send nothing more: a hold or a pause began, or the marketplace looks down
	// split: the marketplace refused the content of the request; these parts are sent
	// on their own to find the items at fault.
	split [][]queue.Claimed
}

// pushed books a push that got an answer: every item by its outcome.
func (b *booker) pushed(ctx context.Context, claimed []queue.Claimed, out connectors.Outcomes, sentAt time.Time, took time.Duration, st *cycleStats) {
	g := groupOutcomes(claimed, out)
	st.items += len(claimed)
	if len(g.confirmed) > 0 {
		b.confirm(ctx, g.confirmed, "recording confirmations failed; the items are pushed again")
	}
	st.confirmed += len(g.confirmed)
	for _, ref := range g.refs {
		rows := g.pending[ref]
		b.awaiting(ctx, rows, ref, b.checks.sent(ref, b.set.Now()).next,
			"recording a batch awaiting its result failed; the items become claimable when their lease ends")
		st.pending += len(rows)
	}
	bt := &cycleStats{}
	for _, reason := range g.retryReasons {
		b.retry(ctx, g.retry[reason], reason, queue.NotApplied, bt)
	}
	if len(g.missing) > 0 {
		b.lost(ctx, g.missing, sentAt, "the connector reported no outcome for these items", bt)
	}
	st.retry += bt.retry
	b.reject(ctx, g.rejectReasons, g.rejected, st)
	b.log.Info().Int("items", len(claimed)).Int("confirmed", len(g.confirmed)).Int("pending", g.pendingCount()).
		Int("retry", bt.retry).Int("rejected", len(g.rejectedAll)).Dur("took", took).
		Msgf("pushed %d items to %s: %d confirmed, %d awaiting the result, %d to retry, %d rejected, in %s",
			len(claimed), b.name, len(g.confirmed), g.pendingCount(), bt.retry, len(g.rejectedAll), took.Round(time.Millisecond))
}

// failed books a batch whose request failed as a whole, by the error's kind.
func (b *booker) failed(ctx context.Context, claimed []queue.Claimed, err error, sentAt time.Time, st *cycleStats) verdict {
	var ce *connectors.Error
	errors.As(err, &ce)
	kind := connectors.KindOf(err)
	if ctx.Err() != nil && kind != connectors.Unknown && kind != connectors.Auth {
		// Stopping cut a request that had not gone out (it waited for the rate limit or
		// for a connection): nothing happened to the items and no attempt is counted.
		b.release(claimed)
		return verdict{stop: true}
	}
	msg := err.Error()
	st.fail(msg)
	switch kind {
	case connectors.RetryAfter:
		wait := time.Second
		if ce != nil && ce.RetryAfter > 0 {
			wait = ce.RetryAfter
		}
		bc, cancel := queue.BookingContext(ctx)
		defer cancel()
		if e := b.q.RetryAfter(bc, claimed, msg, wait); e != nil {
			b.log.Error().Err(e).Msg("recording the marketplace's wait failed; the items become claimable when their lease ends")
		}
		b.gate.hold(wait)
		st.held = true
		b.log.Warn().Int("items", len(claimed)).Dur("wait", wait).
			Msgf("push of %d items to %s throttled: %s; sending again in %s, nothing counted against the items", len(claimed), b.name, msg, wait.Round(time.Millisecond))
		return verdict{stop: true}
	case connectors.Auth:
		b.release(claimed)
		b.gate.pause("credentials")
		b.log.Error().Int("items", len(claimed)).
			Msgf("%s refused the credentials of store %s: %s; pushes are paused until the next scheduled push; check the store's credentials in the config and run 'syncagent test-store %s'", b.marketplace, b.name, msg, b.name)
		return verdict{stop: true}
	case connectors.Permanent:
		return b.refused(ctx, claimed, ce, msg, st)
	case connectors.Unknown:
		b.lost(ctx, claimed, sentAt, msg, st)
	default: // Transient, and Expired (which a push should not return)
		b.retry(ctx, claimed, msg, queue.NotApplied, st)
	}
	if n, wait, down := b.gate.failed(); down {
		st.held = true
		b.log.Warn().Int("failures", n).Dur("wait", wait).
			Msgf("%s failed %d requests in a row; treating it as down and trying store %s again in %s", b.marketplace, n, b.name, wait)
		return verdict{stop: true}
	}
	return verdict{}
}

// refused handles a request the marketplace refused as a whole. A refusal of the content
// (400, 413, 422) is narrowed down by halving the batch, so one bad item does not take
// 999 good ones with it; a lone item is then rejected with the marketplace's words. Any
// other refusal (404 for a wrong base_url, 405) is a setup problem: the items are given
// back and the store waits for the next scheduled push.
func (b *booker) refused(ctx context.Context, claimed []queue.Claimed, ce *connectors.Error, msg string, st *cycleStats) verdict {
	status := 0
	if ce != nil {
		status = ce.Status
	}
	content := status == 0 || status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge || status == http.StatusUnprocessableEntity
	if !content {
		b.release(claimed)
		b.gate.pause("refused")
		b.log.Error().Int("status", status).
			Msgf("%s refused every push of store %s: %s; pushes are paused until the next scheduled push; check base_url and test_mode, and run 'syncagent test-store %s'", b.marketplace, b.name, msg, b.name)
		return verdict{stop: true}
	}
	if len(claimed) == 1 {
		bc, cancel := queue.BookingContext(ctx)
		defer cancel()
		st.rejected++
		if err := b.q.Reject(bc, claimed, msg); err != nil {
			b.log.Error().Err(err).Msg("recording a rejection failed; the item becomes claimable when its lease ends")
		}
		b.log.Warn().Str("sku", claimed[0].SKU).
			Msgf("%s refused SKU %s of %s: %s; it waits in dead letters until its values change", b.marketplace, claimed[0].SKU, b.name, msg)
		return verdict{}
	}
	half := len(claimed) / 2
	b.log.Debug().Int("items", len(claimed)).Msgf("request refused as a whole (%s); sending it in two halves to find the items at fault", msg)
	return verdict{split: [][]queue.Claimed{claimed[:half], claimed[half:]}}
}

// lost books items whose request may or may not have been applied. Where a repeat of the
// same body would be refused (Trendyol's 15 minutes), the items wait for reconciliation:
// the marketplace's state is read back and only what it does not show is sent again, once
// the window has passed or with other values. Elsewhere the values are sent again, which
// is harmless because every push sets absolute values.
func (b *booker) lost(ctx context.Context, claimed []queue.Claimed, sentAt time.Time, msg string, st *cycleStats) {
	if b.set.DupWindow <= 0 {
		b.retry(ctx, claimed, msg, queue.Unknown, st)
		return
	}
	ref := lostRef(sentAt)
	c := b.checks.sent(ref, b.set.Now())
	if !b.awaiting(ctx, claimed, ref, c.next, "recording a lost answer failed; the items become claimable when their lease ends") {
		return
	}
	b.log.Warn().Int("items", len(claimed)).
		Msgf("the answer of %s to a push of %d items to %s was lost (%s); it may have been applied, so what the store shows is read back at %s before anything is sent again",
			b.marketplace, len(claimed), b.name, msg, c.next.Format("15:04:05"))
}

// batchResult books the result of an awaiting batch: confirmed, retried and rejected
// items leave the batch; it returns how many are still processing (to be read again),
// and ok false when nothing could be recorded (the result is read again).
func (b *booker) batchResult(ctx context.Context, ref string, rows []queue.Claimed, out connectors.Outcomes, st *cycleStats) (processing int, ok bool) {
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
	if !b.confirm(ctx, confirmed, "recording confirmations failed; the batch result is read again") {
		return 0, false
	}
	st.confirmed += len(confirmed)
	for _, reason := range retryReasons {
		b.retry(ctx, retry[reason], reason, queue.NotApplied, st)
	}
	b.reject(ctx, rejectReasons, rejected, st)
	b.log.Info().Str("batch", ref).Int("items", len(rows)).Int("confirmed", len(confirmed)).Int("pending", len(pending)).
		Msgf("result of batch %s of %s: %d confirmed, %d still processing, %d to retry, %d rejected",
			ref, b.name, len(confirmed), len(pending), countAll(retry), countAll(rejected))
	return len(pending), true
}

// confirm books rows as confirmed; on failure it logs failMsg and reports false.
func (b *booker) confirm(ctx context.Context, rows []queue.Claimed, failMsg string) bool {
	bc, cancel := queue.BookingContext(ctx)
	defer cancel()
	if err := b.q.Confirm(bc, rows); err != nil {
		b.log.Error().Err(err).Msg(failMsg)
		return false
	}
	return true
}

// awaiting books rows as awaiting the result of ref, to be read at checkAt; on failure it
// logs failMsg and reports false.
func (b *booker) awaiting(ctx context.Context, rows []queue.Claimed, ref string, checkAt time.Time, failMsg string) bool {
	bc, cancel := queue.BookingContext(ctx)
	defer cancel()
	if err := b.q.MarkAwaiting(bc, rows, ref, checkAt); err != nil {
		b.log.Error().Err(err).Str("batch", ref).Msg(failMsg)
		return false
	}
	return true
}

// retry books items for another attempt after the queue's backoff.
func (b *booker) retry(ctx context.Context, rows []queue.Claimed, reason string, outcome queue.Outcome, st *cycleStats) {
	bc, cancel := queue.BookingContext(ctx)
	defer cancel()
	attempt := 0
	for _, r := range rows {
		attempt = max(attempt, r.Attempts+1)
	}
	st.retry += len(rows)
	dead, err := b.q.Retry(bc, rows, reason, outcome)
	if err != nil {
		b.log.Error().Err(err).Int("items", len(rows)).Msg("recording a retry failed; the items become claimable when their lease ends")
		return
	}
	b.log.Warn().Int("items", len(rows)).Int("attempt", attempt).
		Msgf("push of %d items to %s failed: %s; retrying in about %s (attempt %d/%d)", len(rows), b.name, reason, b.set.retryPolicy().Nominal(attempt), attempt, b.set.MaxAttempts)
	if dead > 0 {
		b.log.Error().Int("items", dead).
			Msgf("gave up on %d items of %s after %d attempts (%s); they wait in dead letters until their values change or they are requeued", dead, b.name, b.set.MaxAttempts, reason)
	}
}

// reject dead-letters rejected items, one transaction and one log line per reason.
func (b *booker) reject(ctx context.Context, reasons []string, byReason map[string][]queue.Claimed, st *cycleStats) {
	bc, cancel := queue.BookingContext(ctx)
	defer cancel()
	for _, reason := range reasons {
		rows := byReason[reason]
		st.rejected += len(rows)
		if err := b.q.Reject(bc, rows, reason); err != nil {
			b.log.Error().Err(err).Msg("recording rejections failed; the items become claimable when their lease ends")
			continue
		}
		for _, r := range rows {
			b.log.Debug().Str("sku", r.SKU).Str("reason", reason).Msg("item rejected by the marketplace")
		}
		b.log.Warn().Int("items", len(rows)).Str("reason", reason).
			Msgf("%s rejected %d items of %s (%s): %q; they wait in dead letters until their values change", b.marketplace, len(rows), b.name, skuSample(rows), reason)
	}
}

// holdBack books a batch that must not go before wait has passed (the duplicate rule).
func (b *booker) holdBack(ctx context.Context, claimed []queue.Claimed, reason string, wait time.Duration, sendAt time.Time) {
	bc, cancel := queue.BookingContext(ctx)
	defer cancel()
	if err := b.q.RetryAfter(bc, claimed, reason, wait); err != nil {
		b.log.Error().Err(err).Msg("recording a wait for the duplicate rule failed; the items become claimable when their lease ends")
	}
	b.log.Info().Int("items", len(claimed)).Dur("wait", wait).
		Msgf("push of %d items to %s held back: %s; sending them at %s", len(claimed), b.name, reason, sendAt.Format("15:04:05"))
}

// release gives claimed rows back unsent.
func (b *booker) release(rows []queue.Claimed) {
	bc, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := b.q.Release(bc, rows); err != nil {
		b.log.Error().Err(err).Int("items", len(rows)).Msg("giving back unsent items failed; they become claimable when their lease ends")
	}
}

func skuSample(rows []queue.Claimed) string {
	var s strings.Builder
	for i, r := range rows {
		if i == 3 {
			fmt.Fprintf(&s, ", … %d more", len(rows)-3)
			break
		}
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(r.SKU)
	}
	return s.String()
}

func countAll(m map[string][]queue.Claimed) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

// outcomeGroups sorts a batch by fate; reasons and refs keep first-seen order.
type outcomeGroups struct {
	confirmed                   []queue.Claimed
	pending                     map[string][]queue.Claimed
	refs                        []string
	retry, rejected             map[string][]queue.Claimed
	retryReasons, rejectReasons []string
	rejectedAll                 []queue.Claimed
	missing                     []queue.Claimed
}

func groupOutcomes(rows []queue.Claimed, out connectors.Outcomes) outcomeGroups {
	g := outcomeGroups{pending: map[string][]queue.Claimed{}, retry: map[string][]queue.Claimed{}, rejected: map[string][]queue.Claimed{}}
	for _, r := range rows {
		o, ok := out[r.SKU]
		if !ok {
			g.missing = append(g.missing, r)
			continue
		}
		switch o.Status {
		case connectors.Confirmed:
			g.confirmed = append(g.confirmed, r)
		case connectors.Pending:
			if o.Ref == "" {
				// Nothing to check the result by: reconcile as if the answer were lost.
				g.missing = append(g.missing, r)
				continue
			}
			if _, seen := g.pending[o.Ref]; !seen {
				g.refs = append(g.refs, o.Ref)
			}
			g.pending[o.Ref] = append(g.pending[o.Ref], r)
		case connectors.Retry:
			reason := nonEmpty(o.Reason, "the marketplace asked to try again later")
			if _, seen := g.retry[reason]; !seen {
				g.retryReasons = append(g.retryReasons, reason)
			}
			g.retry[reason] = append(g.retry[reason], r)
		case connectors.Rejected:
			reason := nonEmpty(o.Reason, "rejected by the marketplace without a reason")
			if _, seen := g.rejected[reason]; !seen {
				g.rejectReasons = append(g.rejectReasons, reason)
			}
			g.rejected[reason] = append(g.rejected[reason], r)
			g.rejectedAll = append(g.rejectedAll, r)
		default:
			g.missing = append(g.missing, r)
		}
	}
	return g
}

func (g outcomeGroups) pendingCount() int {
	n := 0
	for _, rows := range g.pending {
		n += len(rows)
	}
	return n
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
