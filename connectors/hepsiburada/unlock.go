package hepsiburada

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/hepsiburada/api"
	"syncagent/connectors/httpx"
)

// unlockChunk hbSkus go into one bulk-unlock request (no maximum is documented).
const unlockChunk = 100

// Unlock lifts Hepsiburada's locks on the listings of skus with the documented
// bulk-unlock. Each SKU's listing is read first, so only locked listings are sent and
// the result names the reasons that were lifted. Only the unlock command calls it.
func (c *Client) Unlock(ctx context.Context, skus []string) (map[string]connectors.UnlockResult, error) {
	out := make(map[string]connectors.UnlockResult, len(skus))
	found := map[string]api.Listing{}
	if err := c.readListings(ctx, uniq(skus), func(l api.Listing) { found[l.MerchantSku] = l }); err != nil {
		return nil, err
	}
	var hb, locked []string
	for _, sku := range uniq(skus) {
		l, ok := found[sku]
		switch {
		case !ok:
			out[sku] = connectors.UnlockResult{Message: "Hepsiburada has no listing with this merchant SKU; nothing to unlock"}
		case !l.IsLocked:
			out[sku] = connectors.UnlockResult{Message: "the listing is not locked; nothing to unlock"}
		default:
			hb = append(hb, l.HepsiburadaSku)
			locked = append(locked, sku)
		}
	}
	for len(hb) > 0 {
		chunk := hb[:min(unlockChunk, len(hb))]
		hb = hb[len(chunk):]
		if _, err := c.listing.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: c.listingsPath("/bulk-unlock"),
			JSON: api.UnlockRequest{HBSkuList: chunk}, Bucket: bucket}); err != nil {
			return nil, err
		}
	}
	for _, sku := range locked {
		l := found[sku]
		reasons := append([]string(nil), l.LockReasons...)
		msg := "unlocked (was locked: " + strings.Join(reasons, ", ") + ")"
		for _, r := range reasons {
			if r == "OrderCancellation" {
				msg += "; Hepsiburada set its stock to 0 when it locked it, so send the stock again"
			}
		}
		l.IsLocked, l.LockReasons = false, nil
		c.skus.note(l)
		out[sku] = connectors.UnlockResult{Unlocked: true, Reasons: reasons, Message: msg}
	}
	if len(locked) > 0 {
		c.log.Info().Int("items", len(locked)).Msgf("lifted Hepsiburada's lock on %s at the operator's request", sample(locked))
	}
	return out, nil
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// Report tells what the listings say that the queue cannot: the listings Hepsiburada
// fulfils (never sent stock), the locked ones and their reasons, and the uploads in flight.
func (c *Client) Report() map[string]string {
	out := map[string]string{}
	fbh, locked, reasons := c.skus.counts()
	if len(fbh) > 0 {
		out["fulfilled_by_hepsiburada"] = fmt.Sprintf("%d listings are fulfilled by Hepsiburada from its own warehouse, so their stock is never sent "+
			"(%d stock changes skipped since the agent started): %s", len(fbh), c.notices.fbhSkipped.Load(), sample(fbh))
	}
	if len(locked) > 0 {
		ex := make([]string, 0, min(3, len(locked)))
		for _, sku := range locked[:min(3, len(locked))] {
			ex = append(ex, sku+" ("+strings.Join(reasons[sku], ", ")+")")
		}
		more := ""
		if len(locked) > 3 {
			more = fmt.Sprintf(" and %d more", len(locked)-3)
		}
		sort.Strings(ex)
		out["locked"] = fmt.Sprintf("%d listings are locked by Hepsiburada and not on sale: %s%s; once the price is right, lift a lock with 'syncagent unlock %s SKU…'",
			len(locked), strings.Join(ex, ", "), more, c.store)
	}
	if n := c.slots.count(); n > 0 {
		out["uploads_pending"] = fmt.Sprintf("%d of at most %d uploads are processing at Hepsiburada", n, c.set.maxPending)
	}
	return out
}
