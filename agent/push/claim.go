package push

import (
	"context"
	"fmt"
	"sort"
	"time"

	"syncagent/connectors"
	"syncagent/queue"
)

// sender claims the store's dirty rows batch by batch and sends them, several requests in
// flight at once; it hands every answer to the booker and asks the gate before each
// request. claim.go readies batches, send.go flies them.
type sender struct {
	store
	q      Queue
	market *market
	book   *booker
	gate   *gate
	recent *recentRequests
	set    *Settings
	// retryAt is when the earliest dirty row that is not claimable yet comes due (zero:
	// none), as of the end of the last cycle.
	retryAt time.Time
}

// findNextDue looks up when the earliest dirty row comes due, for the loop's next wake-up.
func (s *sender) findNextDue(ctx context.Context) {
	if t, ok, err := s.q.NextDue(ctx, s.name, s.set.Now()); err == nil && ok {
		s.retryAt = t
	} else {
		s.retryAt = time.Time{}
	}
}

// nextDue is when the loop has rows to claim again without a signal (zero: never).
func (s *sender) nextDue() time.Time { return s.retryAt }

// flight is one claimed batch on its way to the marketplace.
type flight struct {
	claimed []queue.Claimed
	items   []connectors.Item
	key     string // its fingerprint when the marketplace has a duplicate window
	sentAt  time.Time
	took    time.Duration
	out     connectors.Outcomes
	err     error
}

// next claims and readies the next batch; nil when there is none to send now. It sets
// empty when nothing claimable is left or the claim failed.
func (s *sender) next(ctx context.Context, st *cycleStats, empty *bool) *flight {
	claimed, err := s.q.Claim(ctx, s.name, s.set.Batch)
	if err != nil {
		if ctx.Err() == nil {
			st.fail("claiming items from the outbox failed: " + err.Error())
			s.log.Error().Err(err).Msg("claiming items from the outbox failed; trying again at the next cycle")
		}
		*empty = true
		return nil
	}
	if len(claimed) == 0 {
		*empty = true
		return nil
	}
	return s.ready(ctx, claimed)
}

// readyAll readies the parts of a batch the marketplace refused for its content.
func (s *sender) readyAll(ctx context.Context, parts [][]queue.Claimed) []*flight {
	var out []*flight
	for _, p := range parts {
		if f := s.ready(ctx, p); f != nil {
			out = append(out, f)
		}
	}
	return out
}

// ready turns claimed rows into a batch to send, or books them to wait and returns nil
// when the marketplace would refuse the request as a repeat of one it saw within its
// duplicate window: waiting out the window is the only way to send the same values again.
func (s *sender) ready(ctx context.Context, claimed []queue.Claimed) *flight {
	sort.Slice(claimed, func(i, j int) bool { return claimed[i].SKU < claimed[j].SKU })
	f := &flight{claimed: claimed, items: toItems(claimed), sentAt: s.set.Now()}
	f.key = s.recent.key(f.items)
	if f.key == "" {
		return f
	}
	at, ok := s.recent.sentAt(f.key, f.sentAt)
	if !ok {
		return f
	}
	wait := at.Add(s.set.DupWindow).Sub(f.sentAt)
	reason := fmt.Sprintf("the same request was sent at %s; %s refuses a repeat within %s", at.Format("15:04:05"), s.marketplace, s.set.DupWindow)
	s.book.holdBack(ctx, claimed, reason, wait, f.sentAt.Add(wait))
	return nil
}
