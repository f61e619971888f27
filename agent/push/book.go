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

// cycleStats count what one cycle did, for its health record.
type cycleStats struct {
	requests, items                     int
	confirmed, pending, retry, rejected int
	lastError                           string
	held, paused                        bool
}

func (s *cycleStats) fail(msg string) { s.lastError = msg }

func (s *cycleStats) state(p *Loop) string {
	switch {
	case p.paused != "":
		return "paused until the next scheduled push"
	case s.held:
		return "waiting until " + p.holdUntil.Format("15:04:05")
	default:
		return "retrying"
	}
}

func (s *cycleStats) summary() string {
	return fmt.Sprintf("last cycle: %d items in %d requests: %d confirmed, %d awaiting the marketplace's result, %d to retry, %d rejected",
		s.items, s.requests, s.confirmed, s.pending, s.retry, s.rejected)
}

// requestFailed books a batch whose request failed as a whole, by the error's kind.
func (p *Loop) requestFailed(ctx context.Context, claimed []queue.Claimed, err error, sentAt time.Time, st *cycleStats) bool {
	bc, cancel := bookCtx(ctx)
	defer cancel()
	var ce *connectors.Error
	errors.As(err, &ce)
	kind := connectors.KindOf(err)
	if ctx.Err() != nil && kind != connectors.Unknown && kind != connectors.Auth {
		// Stopping cut a request that had not gone out (it waited for the rate limit or
		// for a connection): nothing happened to the items and no attempt is counted.
		p.release(claimed)
		return true
	}
	msg := err.Error()
	st.fail(msg)
	switch kind {
	case connectors.RetryAfter:
		wait := time.Second
		if ce != nil && ce.RetryAfter > 0 {
			wait = ce.RetryAfter
		}
		if e := p.q.RetryAfter(bc, claimed, msg, wait); e != nil {
			p.log.Error().Err(e).Msg("recording the marketplace's wait failed; the items become claimable when their lease ends")
		}
		p.holdUntil = p.set.Now().Add(wait)
		st.held = true
		p.log.Warn().Int("items", len(claimed)).Dur("wait", wait).
			Msgf("push of %d items to %s throttled: %s; sending again in %s, nothing counted against the items", len(claimed), p.name, msg, wait.Round(time.Millisecond))
		return true
	case connectors.Auth:
		p.release(claimed)
		p.paused = "credentials"
		st.paused = true
		p.log.Error().Int("items", len(claimed)).
			Msgf("%s refused the credentials of store %s: %s; pushes are paused until the next scheduled push; check the store's credentials in the config and run 'syncagent test-store %s'", p.marketplace, p.name, msg, p.name)
		return true
	case connectors.Permanent:
		return p.refused(ctx, claimed, ce, msg, st)
	case connectors.Unknown:
		p.lost(bc, claimed, sentAt, msg, st)
	default: // Transient, and Expired (which a push should not return)
		p.retry(bc, claimed, msg, queue.NotApplied, st)
	}
	p.failures++
	if p.failures >= p.set.FailStop {
		wait := p.storeBackoff(p.failures)
		p.holdUntil = p.set.Now().Add(wait)
		st.held = true
		p.log.Warn().Int("failures", p.failures).Dur("wait", wait).
			Msgf("%s failed %d requests in a row; treating it as down and trying store %s again in %s", p.marketplace, p.failures, p.name, wait)
		return true
	}
	return false
}

// retry books items for another attempt after the queue's backoff.
func (p *Loop) retry(ctx context.Context, rows []queue.Claimed, reason string, outcome queue.Outcome, st *cycleStats) {
	attempt := 0
	for _, r := range rows {
		attempt = max(attempt, r.Attempts+1)
	}
	st.retry += len(rows)
	dead, err := p.q.Retry(ctx, rows, reason, outcome)
	if err != nil {
		p.log.Error().Err(err).Int("items", len(rows)).Msg("recording a retry failed; the items become claimable when their lease ends")
		return
	}
	p.log.Warn().Int("items", len(rows)).Int("attempt", attempt).
		Msgf("push of %d items to %s failed: %s; retrying in about %s (attempt %d/%d)", len(rows), p.name, reason, p.itemBackoff(attempt), attempt, p.set.MaxAttempts)
	if dead > 0 {
		p.log.Error().Int("items", dead).
			Msgf("gave up on %d items of %s after %d attempts (%s); they wait in dead letters until their values change or they are requeued", dead, p.name, p.set.MaxAttempts, reason)
	}
}

// refused handles a request the marketplace refused as a whole. A refusal of the content
// (400, 413, 422) is narrowed down by halving the batch, so one bad item does not take
// 999 good ones with it; a lone item is then rejected with the marketplace's words. Any
// other refusal (404 for a wrong base_url, 405) is a setup problem: the items are given
// back and the store waits for the next scheduled push.
func (p *Loop) refused(ctx context.Context, claimed []queue.Claimed, ce *connectors.Error, msg string, st *cycleStats) bool {
	status := 0
	if ce != nil {
		status = ce.Status
	}
	content := status == 0 || status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge || status == http.StatusUnprocessableEntity
	if !content {
		p.release(claimed)
		p.paused = "refused"
		st.paused = true
		p.log.Error().Int("status", status).
			Msgf("%s refused every push of store %s: %s; pushes are paused until the next scheduled push; check base_url and test_mode, and run 'syncagent test-store %s'", p.marketplace, p.name, msg, p.name)
		return true
	}
	if len(claimed) == 1 {
		bc, cancel := bookCtx(ctx)
		defer cancel()
		st.rejected++
		if err := p.q.Reject(bc, claimed, msg); err != nil {
			p.log.Error().Err(err).Msg("recording a rejection failed; the item becomes claimable when its lease ends")
		}
		p.log.Warn().Str("sku", claimed[0].SKU).
			Msgf("%s refused SKU %s of %s: %s; it waits in dead letters until its values change", p.marketplace, claimed[0].SKU, p.name, msg)
		return false
	}
	half := len(claimed) / 2
	parts := [][]queue.Claimed{claimed[:half], claimed[half:]}
	p.log.Debug().Int("items", len(claimed)).Msgf("request refused as a whole (%s); sending it in two halves to find the items at fault", msg)
	for i, part := range parts {
		if p.send(ctx, part, st) {
			for _, rest := range parts[i+1:] {
				p.release(rest)
			}
			return true
		}
	}
	return false
}

// lost books items whose request may or may not have been applied. Where a repeat of the
// same body would be refused (Trendyol's 15 minutes), the items wait for reconciliation:
// the marketplace's state is read back and only what it does not show is sent again, once
// the window has passed or with other values. Elsewhere the values are sent again, which
// is harmless because every push sets absolute values.
func (p *Loop) lost(ctx context.Context, claimed []queue.Claimed, sentAt time.Time, msg string, st *cycleStats) {
	if p.set.DupWindow <= 0 {
		p.retry(ctx, claimed, msg, queue.Unknown, st)
		return
	}
	ref := lostRef(sentAt)
	c := p.checkFor(ref, p.set.Now())
	if err := p.q.MarkAwaiting(ctx, claimed, ref, c.next); err != nil {
		p.log.Error().Err(err).Msg("recording a lost answer failed; the items become claimable when their lease ends")
		return
	}
	p.log.Warn().Int("items", len(claimed)).
		Msgf("the answer of %s to a push of %d items to %s was lost (%s); it may have been applied, so what the store shows is read back at %s before anything is sent again",
			p.marketplace, len(claimed), p.name, msg, c.next.Format("15:04:05"))
}

// bookOutcomes records the fate of every item of a push and logs the batch in one line.
func (p *Loop) bookOutcomes(ctx context.Context, claimed []queue.Claimed, out connectors.Outcomes, sentAt time.Time, took time.Duration, st *cycleStats) {
	bc, cancel := bookCtx(ctx)
	defer cancel()
	g := groupOutcomes(claimed, out)
	st.items += len(claimed)
	if len(g.confirmed) > 0 {
		if err := p.q.Confirm(bc, g.confirmed); err != nil {
			p.log.Error().Err(err).Msg("recording confirmations failed; the items are pushed again")
		}
	}
	st.confirmed += len(g.confirmed)
	for _, ref := range g.refs {
		rows := g.pending[ref]
		c := p.checkFor(ref, p.set.Now())
		if err := p.q.MarkAwaiting(bc, rows, ref, c.next); err != nil {
			p.log.Error().Err(err).Str("batch", ref).Msg("recording a batch awaiting its result failed; the items become claimable when their lease ends")
		}
		st.pending += len(rows)
	}
	bt := &cycleStats{}
	for _, reason := range g.retryReasons {
		p.retry(bc, g.retry[reason], reason, queue.NotApplied, bt)
	}
	if len(g.missing) > 0 {
		p.lost(bc, g.missing, sentAt, "the connector reported no outcome for these items", bt)
	}
	st.retry += bt.retry
	p.rejectGroups(bc, g.rejectReasons, g.rejected, st)
	p.log.Info().Int("items", len(claimed)).Int("confirmed", len(g.confirmed)).Int("pending", g.pendingCount()).
		Int("retry", bt.retry).Int("rejected", len(g.rejectedAll)).Dur("took", took).
		Msgf("pushed %d items to %s: %d confirmed, %d awaiting the result, %d to retry, %d rejected, in %s",
			len(claimed), p.name, len(g.confirmed), g.pendingCount(), bt.retry, len(g.rejectedAll), took.Round(time.Millisecond))
}

func (g outcomeGroups) pendingCount() int {
	n := 0
	for _, rows := range g.pending {
		n += len(rows)
	}
	return n
}

// rejectGroups dead-letters rejected items, one transaction and one log line per reason.
func (p *Loop) rejectGroups(ctx context.Context, reasons []string, byReason map[string][]queue.Claimed, st *cycleStats) {
	for _, reason := range reasons {
		rows := byReason[reason]
		st.rejected += len(rows)
		if err := p.q.Reject(ctx, rows, reason); err != nil {
			p.log.Error().Err(err).Msg("recording rejections failed; the items become claimable when their lease ends")
			continue
		}
		for _, r := range rows {
			p.log.Debug().Str("sku", r.SKU).Str("reason", reason).Msg("item rejected by the marketplace")
		}
		p.log.Warn().Int("items", len(rows)).Str("reason", reason).
			Msgf("%s rejected %d items of %s (%s): %q; they wait in dead letters until their values change", p.marketplace, len(rows), p.name, skuSample(rows), reason)
	}
}

func skuSample(rows []queue.Claimed) string {
	var b strings.Builder
	for i, r := range rows {
		if i == 3 {
			fmt.Fprintf(&b, ", … %d more", len(rows)-3)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.SKU)
	}
	return b.String()
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

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
