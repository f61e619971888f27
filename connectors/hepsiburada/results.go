package hepsiburada

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/hepsiburada/api"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
)

// retryReasons are row errors that pass by themselves. Hepsiburada publishes no code
// list; every other reason is a rejection.
var retryReasons = regexp.MustCompile(`(?i)try again|tekrar deneyin|geçici|temporar|timeout|zaman aşımı|too many`)

// CheckResults reads the result of ref for items: the upload(s) of a push, the listings
// for items whose submit lost its answer, or a product-information ticket.
func (c *Client) CheckResults(ctx context.Context, ref string, items []connectors.Item) (connectors.Outcomes, error) {
	switch {
	case strings.HasPrefix(ref, "r:"):
		return c.checkLost(ctx, ref, items)
	case strings.HasPrefix(ref, "t:"):
		return c.checkTicket(ctx, strings.TrimPrefix(ref, "t:"), items)
	}
	parts, ok := parseParts(ref)
	if !ok {
		return nil, &connectors.Error{Kind: connectors.Expired, Message: fmt.Sprintf("%q is no Hepsiburada upload reference; reading back the items instead", ref)}
	}
	// Each item's fate over the uploads it went into: rejected beats retry beats
	// pending beats confirmed.
	fate := map[string]connectors.Outcome{}
	for _, p := range parts {
		got, err := c.checkUpload(ctx, p, items)
		if err != nil {
			return nil, err
		}
		for sku, o := range got {
			fate[sku] = worse(fate[sku], o, ref)
		}
	}
	out := make(connectors.Outcomes, len(items))
	for _, it := range items {
		o, ok := fate[it.SKU]
		if !ok {
			o = connectors.Outcome{Status: connectors.Confirmed}
		}
		out[it.SKU] = o
	}
	return out, nil
}

var severity = map[connectors.Status]int{connectors.Confirmed: 0, connectors.Pending: 1, connectors.Retry: 2, connectors.Rejected: 3}

func worse(a, b connectors.Outcome, ref string) connectors.Outcome {
	if a.Status == b.Status && a.Reason != "" && b.Reason != "" && a.Reason != b.Reason {
		a.Reason += "; " + b.Reason
		return a
	}
	if severity[b.Status] > severity[a.Status] || (a == connectors.Outcome{}) {
		if b.Status == connectors.Pending {
			b.Ref = ref
		}
		return b
	}
	return a
}

// checkUpload reads one upload's result and gives the items in it their outcome.
func (c *Client) checkUpload(ctx context.Context, p refPart, items []connectors.Item) (map[string]connectors.Outcome, error) {
	var res api.UploadResult
	_, err := c.listing.DoJSON(ctx, &httpx.Request{Method: http.MethodGet,
		Path: c.listingsPath(uploadPath(p.kind) + "/id/" + url.PathEscape(p.id)), Bucket: bucket}, &res)
	if err != nil {
		var ce *connectors.Error
		if errors.As(err, &ce) && ce.Status == http.StatusNotFound {
			c.slots.release(p.id, false)
			return nil, &connectors.Error{Kind: connectors.Expired, Status: ce.Status, Err: err,
				Message: fmt.Sprintf("Hepsiburada no longer has the result of upload %s; reading the listings instead", p.id)}
		}
		return nil, err
	}
	order, known := c.rowOrder(p, items)
	in := map[string]bool{}
	for _, sku := range order {
		in[sku] = true
	}
	out := map[string]connectors.Outcome{}
	status := strings.ToLower(res.Status)
	if status != "done" && status != "failed" && status != "completed" {
		for sku := range in {
			out[sku] = connectors.Outcome{Status: connectors.Pending}
		}
		return out, nil
	}
	c.slots.release(p.id, true)
	if res.Total != nil && known && *res.Total != len(order) {
		c.log.Warn().Str("upload", p.id).Int("total", *res.Total).Int("rows", len(order)).
			Msg("Hepsiburada counts another number of rows in an upload than were sent; row errors are matched by the SKUs they name first")
	}
	hbOf := map[string]string{} // hepsiburadaSku → SKU, for rows named that way
	for sku := range in {
		if l, ok := c.skus.lookup(sku); ok && l.hbSku != "" {
			hbOf[l.hbSku] = sku
		}
	}
	resolve := func(n *int, hb, merchant *string) string {
		if merchant != nil && in[*merchant] {
			return *merchant
		}
		if hb != nil && hbOf[*hb] != "" {
			return hbOf[*hb]
		}
		if n != nil && known {
			if i := *n - c.set.elementBase; i >= 0 && i < len(order) {
				return order[i]
			}
		}
		return ""
	}
	reasons := map[string][]string{}
	var unmatched []string
	for _, e := range res.Errors {
		text := strings.Join(e.Errors, "; ")
		if text == "" {
			text = "Hepsiburada refused the row without a reason"
		}
		if sku := resolve(e.ElementNo, e.HepsiburadaSku, e.MerchantSku); sku != "" {
			reasons[sku] = append(reasons[sku], text)
		} else {
			unmatched = append(unmatched, text)
		}
	}
	for _, v := range res.PriceValidations {
		sku := resolve(v.ElementNo, v.HepsiburadaSku, v.MerchantSku)
		if sku == "" {
			unmatched = append(unmatched, "price validation "+v.Type+": "+v.Description)
			continue
		}
		lock := lockReason(v)
		c.skus.locked(sku, lock)
		out[sku] = connectors.Outcome{Status: connectors.Rejected, Reason: c.lockText(sku, items, v, lock)}
	}
	for sku := range in {
		if _, done := out[sku]; done {
			continue
		}
		switch {
		case len(reasons[sku]) > 0:
			out[sku] = rowOutcome(reasons[sku])
		case status == "failed":
			out[sku] = connectors.Outcome{Status: connectors.Retry,
				Reason: fmt.Sprintf("Hepsiburada marked upload %s as Failed without naming this row; sent again", p.id)}
		case len(unmatched) > 0:
			// An error that cannot be matched to a SKU might be this row's: safer to send
			// the row again (absolute values) than to record it as confirmed.
			out[sku] = connectors.Outcome{Status: connectors.Retry,
				Reason: fmt.Sprintf("Hepsiburada reported errors in upload %s that name no row the agent can match (%s); sent again", p.id, strings.Join(unmatched, "; "))}
		default:
			out[sku] = connectors.Outcome{Status: connectors.Confirmed}
		}
	}
	return out, nil
}

func rowOutcome(reasons []string) connectors.Outcome {
	text := strings.Join(reasons, "; ")
	for _, r := range reasons {
		if !retryReasons.MatchString(r) {
			return connectors.Outcome{Status: connectors.Rejected, Reason: text}
		}
	}
	return connectors.Outcome{Status: connectors.Retry, Reason: text}
}

// rowOrder is the upload's rows in order: remembered since the submit, or, after a
// restart, rebuilt from the items the way push builds it, if its fingerprint matches.
func (c *Client) rowOrder(p refPart, items []connectors.Item) ([]string, bool) {
	if rows := c.slots.rowsOf(p.id); rows != nil {
		return rows, true
	}
	var skus []string
	for _, it := range items {
		r, reason := changes(it)
		if reason != "" {
			continue
		}
		switch p.kind {
		case "s":
			if r.qty == nil {
				continue
			}
		case "p":
			if r.price == nil {
				continue
			}
		}
		skus = append(skus, it.SKU)
	}
	sort.Strings(skus)
	return skus, rowsHash(skus) == p.hash
}

func lockReason(v api.PriceValidation) string {
	switch {
	case strings.Contains(strings.ToLower(v.Type), "max"):
		return "PriceIsHigherThanThreshold"
	case strings.Contains(strings.ToLower(v.Type), "min"):
		return "PriceIsLessThanThreshold"
	case v.Type != "":
		return v.Type
	}
	return "price validation"
}

// lockText is the dead-letter reason of a row whose price locked its listing.
func (c *Client) lockText(sku string, items []connectors.Item, v api.PriceValidation, lock string) string {
	price := "the price sent"
	for _, it := range items {
		if it.SKU == sku && it.Price != nil {
			price = it.Price.String()
		}
	}
	band := "outside its category's band"
	lo, hi := bandEnd(v.MinPrice), bandEnd(v.MaxPrice)
	if v.Regulative != nil {
		if lo == "" {
			lo = bandEnd(v.Regulative.MinAmount)
		}
		if hi == "" {
			hi = bandEnd(v.Regulative.MaxAmount)
		}
	}
	if lo != "" || hi != "" {
		band = fmt.Sprintf("outside the band %s–%s", orDash(lo), orDash(hi))
	}
	if v.Regulative != nil && v.Regulative.CategoryName != "" {
		band += fmt.Sprintf(" of category %q", v.Regulative.CategoryName)
	}
	said := ""
	if v.Description != "" {
		said = fmt.Sprintf(" (%q)", v.Description)
	}
	return fmt.Sprintf("Hepsiburada locked the listing (%s): price %s is %s%s; the listing is not on sale. Correct the price in the ERP, then lift the lock with: syncagent unlock %s %s",
		lock, price, band, said, c.store, sku)
}

func bandEnd(raw []byte) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	k, err := amount(raw)
	if err != nil || k == 0 {
		return ""
	}
	return k.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// reconcileLost settles rows whose earlier submit lost its answer, by what the listings
// show: confirmed when they show the values, else awaiting the listings (ref r:…).
func (c *Client) reconcileLost(ctx context.Context, rows []row, out connectors.Outcomes) error {
	skus := make([]string, len(rows))
	for i, r := range rows {
		skus[i] = r.sku
	}
	shown, err := c.showing(ctx, skus)
	if err != nil {
		return err
	}
	for _, r := range rows {
		v, _ := c.lost.get(r.sku)
		if shows(shown[r.sku], v.qty, v.price) {
			c.lost.forget(r.sku)
			out[r.sku] = c.settledLost(r.sku, shown[r.sku], v.price)
			continue
		}
		out[r.sku] = connectors.Outcome{Status: connectors.Pending, Ref: unixRef(v.at)}
	}
	return nil
}

// checkLost reads the listings for items awaiting them after a lost submit: confirmed
// once they show the values sent; after lostGrace without them, sent again.
func (c *Client) checkLost(ctx context.Context, ref string, items []connectors.Item) (connectors.Outcomes, error) {
	ns, err := strconv.ParseInt(strings.TrimPrefix(ref, "r:"), 10, 64)
	if err != nil {
		return nil, &connectors.Error{Kind: connectors.Expired, Message: fmt.Sprintf("%q is no Hepsiburada reference; reading back the items instead", ref)}
	}
	at := time.Unix(0, ns)
	skus := make([]string, len(items))
	for i, it := range items {
		skus[i] = it.SKU
	}
	shown, err := c.showing(ctx, skus)
	if err != nil {
		return nil, err
	}
	now := c.clock.Now()
	out := make(connectors.Outcomes, len(items))
	for _, it := range items {
		v, ok := c.lost.get(it.SKU)
		if !ok { // forgotten (a restart): compare with the values the item carries
			r, _ := changes(it)
			v = sentValues{at: at, qty: r.qty, price: r.price}
		}
		switch {
		case shows(shown[it.SKU], v.qty, v.price):
			c.lost.forget(it.SKU)
			out[it.SKU] = c.settledLost(it.SKU, shown[it.SKU], v.price)
		case now.Sub(at) >= lostGrace:
			c.lost.forget(it.SKU)
			out[it.SKU] = connectors.Outcome{Status: connectors.Retry,
				Reason: fmt.Sprintf("the upload sent at %s whose answer was lost does not show on Hepsiburada after %s; sending the values again", at.In(time.Local).Format("15:04:05"), lostGrace)}
		default:
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
		}
	}
	return out, nil
}

// listingView is what a listing shows, for reconciliation.
type listingView struct {
	found   bool
	qty     *int64
	price   *money.Kurus
	locked  bool
	reasons []string
}

func (c *Client) showing(ctx context.Context, skus []string) (map[string]listingView, error) {
	out := make(map[string]listingView, len(skus))
	var bad error
	err := c.readListings(ctx, skus, func(l api.Listing) {
		v := listingView{found: true, qty: l.AvailableStock, locked: l.IsLocked, reasons: l.LockReasons}
		if len(l.Price) > 0 && string(l.Price) != "null" {
			p, err := amount(l.Price)
			if err != nil {
				bad = err
				return
			}
			v.price = &p
		}
		out[l.MerchantSku] = v
	})
	if err == nil && bad != nil {
		err = &connectors.Error{Kind: connectors.Transient, Err: bad, Message: "Hepsiburada sent a listing price the agent cannot read"}
	}
	return out, err
}

// settledLost is the outcome of a row of a lost submit whose values the listing shows:
// confirmed, unless the price sent locked the listing (no result told of the band, the
// listing does), which is a rejection like the one a result gives.
func (c *Client) settledLost(sku string, v listingView, price *money.Kurus) connectors.Outcome {
	if price != nil && v.locked {
		for _, r := range v.reasons {
			if strings.HasPrefix(r, "PriceIs") {
				return connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(
					"Hepsiburada locked the listing (%s): price %s is outside its category's band; the listing is not on sale. Correct the price in the ERP, then lift the lock with: syncagent unlock %s %s",
					strings.Join(v.reasons, ", "), price, c.store, sku)}
			}
		}
	}
	return connectors.Outcome{Status: connectors.Confirmed}
}

func shows(v listingView, qty *int64, price *money.Kurus) bool {
	if !v.found {
		return false
	}
	if qty != nil && (v.qty == nil || *v.qty != *qty) {
		return false
	}
	if price != nil && (v.price == nil || *v.price != *price) {
		return false
	}
	return true
}
