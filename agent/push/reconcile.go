package push

import (
	"context"
	"fmt"
	"time"

	"syncagent/connectors"
	"syncagent/queue"
)

// reconciler settles items whose outcome is unknown (a lost answer, an expired batch
// result) by what the marketplace shows: an item showing the values sent is confirmed
// without sending anything; the others are sent again with the current desired values,
// but only once a repeat of the lost request can no longer be refused as a duplicate.
// Until then they are read again, since an asynchronous marketplace may still be applying
// them.
type reconciler struct {
	store
	market *market
	book   *booker
	checks *checkSchedule
	set    *Settings
}

// settle reconciles the rows awaiting ref. It returns only the read-back's error, which
// the result reader handles like any failed read.
func (r *reconciler) settle(ctx context.Context, ref string, rows []queue.Claimed, c *resultCheck, st *cycleStats) error {
	sentAt := rows[0].SentAt
	for _, row := range rows[1:] {
		if row.SentAt.Before(sentAt) {
			sentAt = row.SentAt
		}
	}
	var shown, missing, unlisted []queue.Claimed
	if r.market.canReadBack() {
		st.requests++
		obs, err := r.market.readBack(ctx, rows)
		if err != nil {
			return err
		}
		for _, row := range rows {
			switch o := obs[row.SKU]; {
			case !o.Found:
				unlisted = append(unlisted, row)
			case shows(o, row):
				shown = append(shown, row)
			default:
				missing = append(missing, row)
			}
		}
	} else {
		missing = rows
	}
	if !r.book.confirm(ctx, shown, "recording confirmations failed; the store's state is read again") {
		return nil
	}
	st.confirmed += len(shown)
	if len(unlisted) > 0 {
		// A stock and price update cannot create a listing: sending again (or waiting
		// to) would only be refused the same way.
		reason := fmt.Sprintf("%s does not list this item (found neither by its key when the outcome of a push was read back); create the listing there, then change or requeue the item", r.marketplace)
		r.book.reject(ctx, []string{reason}, map[string][]queue.Claimed{reason: unlisted}, st)
	}
	now := r.set.Now()
	resendAt := sentAt.Add(r.set.DupWindow)
	switch {
	case len(missing) == 0:
	case r.set.DupWindow <= 0 || !now.Before(resendAt):
		reason := fmt.Sprintf("%s does not show the values sent at %s (the outcome was unknown); sending the current values", r.marketplace, sentAt.Format("15:04:05"))
		r.book.retry(ctx, missing, reason, queue.Unknown, st)
	default:
		r.checks.postpone(c, now, resendAt)
	}
	r.log.Info().Str("batch", ref).Int("items", len(rows)).Int("confirmed", len(shown)).Int("not_shown", len(missing)).Int("unlisted", len(unlisted)).
		Msgf("reconciled %d items of %s by what the store shows: %d show the values sent and are confirmed, %d are not listed, %d do not show them%s",
			len(rows), r.name, len(shown), len(unlisted), len(missing), nextStep(len(missing), now, resendAt, c.next, r.set.DupWindow))
	return nil
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
