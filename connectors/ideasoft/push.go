package ideasoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/ideasoft/api"
	"syncagent/connectors/money"
)

const (
	// ReasonNoProduct is the reason for an item whose SKU (or barcode) names no product.
	ReasonNoProduct = "no product with this SKU on the IdeaSoft shop (neither its sku nor its barcode matches); create it there or correct its SKU"
	reasonAmbiguous = "%d IdeaSoft products have this barcode (ids %s) and none has this SKU; give the product its SKU in the panel"
	reasonVariants  = "product %d has %d variants on IdeaSoft and its stock is kept per variant; give each variant its own SKU in the ERP"
	reasonSameID    = "SKU %s in this push is the same IdeaSoft product (id %d)"
	reasonNegative  = "quantity %d is negative; the value was not sent"
	reasonBadPrice  = "price %s is not above zero; the value was not sent"
	reasonCurrency  = "the product's price is in %s on IdeaSoft and the agent's prices are in TL; the price was not sent"
	reasonStale     = "IdeaSoft has no product %d any more (404); the product list is read again before the next push"
	reasonFullBody  = "IdeaSoft refused a partial product update (%s); from now on this store reads each product and sends it whole, and this item goes again"
	reasonTaxMoved  = "the product's VAT settings changed on IdeaSoft (taxIncluded %d, tax %d%%); the price is sent again with them"
	reasonMismatch  = "IdeaSoft shows %s %s after it was set to %s"
	reasonNotSent   = "not sent in this push: %v"
	reasonRekeyed   = "IdeaSoft product %d has the SKU %q now; the product list is read again and the item sent to the product that has this SKU"
)

// update is one product's PUT: the fields that changed and what the reply must show.
type update struct {
	it     connectors.Item
	e      entry
	body   map[string]any
	qty    *int64
	price1 *money.Kurus
	info   connectors.Info
}

// Push sends each item's changed stock and price as one PUT of its product (IdeaSoft
// has no bulk endpoint), confirmed from the reply: the whole product as it now is.
// Items are sent in order; when a request fails for a reason that is no item's own (a
// 429, a 5xx), the items after it are Retry, or the whole push fails when nothing was
// decided yet. A 500 after the change may have been applied: Kind Unknown, so the agent
// reads the product back before it sends again.
func (c *Client) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	out, err := checkBatch(items, c.features.MaxBatch, "push")
	if err != nil {
		return nil, err
	}
	var todo []connectors.Item
	for _, it := range items {
		switch {
		case it.Qty != nil && *it.Qty < 0:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonNegative, *it.Qty)}
		case it.Price != nil && *it.Price <= 0:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonBadPrice, it.Price)}
		case !differs(it.Qty, it.ConfQty) && !differs(it.Price, it.ConfPrice):
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		default:
			todo = append(todo, it)
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	ups, err := c.plan(ctx, todo, out, func(u *update) *connectors.Outcome {
		it, e := u.it, &u.e
		if differs(it.Qty, it.ConfQty) {
			if e.variants > 0 {
				return &connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonVariants, e.id, e.variants)}
			}
			u.qty = it.Qty
			u.body["stockAmount"] = *it.Qty
		}
		if differs(it.Price, it.ConfPrice) {
			if !e.lira() {
				return &connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonCurrency, e.currency)}
			}
			n := e.net(*it.Price)
			u.price1 = &n
			u.body["price1"] = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.apply(ctx, ups, out)
}

// checkBatch refuses a push over max items or with a SKU twice, sending nothing.
func checkBatch(items []connectors.Item, max int, what string) (connectors.Outcomes, error) {
	if len(items) > max {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("a %s of %d items is more than the IdeaSoft connector's maximum of %d; claim at most Features().MaxBatch", what, len(items), max)}
	}
	out := make(connectors.Outcomes, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.SKU] {
			return nil, &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("SKU %q appears twice in one %s; outcomes are keyed by SKU", it.SKU, what)}
		}
		seen[it.SKU] = true
	}
	return out, nil
}

func differs[T comparable](v, conf *T) bool { return v != nil && (conf == nil || *v != *conf) }

// plan maps items to their products and builds their updates with fill, which may
// refuse an item; items without a product, or two items of one product, are Rejected.
func (c *Client) plan(ctx context.Context, items []connectors.Item, out connectors.Outcomes, fill func(*update) *connectors.Outcome) ([]*update, error) {
	cat, err := c.ids.resolve(ctx, items)
	if err != nil {
		return nil, err
	}
	var ups []*update
	byID := map[int64]string{}
	for _, it := range items {
		es := c.ids.find(cat, it.SKU, it.Barcode)
		switch {
		case len(es) == 0:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: ReasonNoProduct}
			continue
		case len(es) > 1:
			ids := make([]string, len(es))
			for i, e := range es {
				ids[i] = strconv.FormatInt(e.id, 10)
			}
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonAmbiguous, len(es), strings.Join(ids, ", "))}
			continue
		}
		e := es[0]
		if other, dup := byID[e.id]; dup {
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonSameID, other, e.id)}
			continue
		}
		byID[e.id] = it.SKU
		u := &update{it: it, e: e, body: map[string]any{}}
		if o := fill(u); o != nil {
			out[it.SKU] = *o
			continue
		}
		if len(u.body) == 0 {
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
			continue
		}
		ups = append(ups, u)
	}
	return ups, nil
}

// apply sends the updates one by one. A failure that is no item's own ends the push: the
// items not decided are Retry, or, before any was decided, the push fails as a whole; an
// unknown outcome or refused credentials fail it as a whole too, so the agent reads back
// or stops.
func (c *Client) apply(ctx context.Context, ups []*update, out connectors.Outcomes) (connectors.Outcomes, error) {
	for i, u := range ups {
		o, err := c.put(ctx, u)
		if err != nil {
			if kind := connectors.KindOf(err); i == 0 || kind == connectors.Unknown || kind == connectors.Auth {
				return nil, err
			}
			for _, rest := range ups[i:] {
				out[rest.it.SKU] = connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonNotSent, err)}
			}
			return out, nil
		}
		out[u.it.SKU] = o
	}
	return out, nil
}

// put sends one update (whole, read first, when the store sends full bodies) and judges
// the reply.
func (c *Client) put(ctx context.Context, u *update) (connectors.Outcome, error) {
	path := adminPath + "/products/" + strconv.FormatInt(u.e.id, 10)
	var body any = u.body
	if c.putBody == "full" || (c.putBody == "auto" && c.fullPut.Load()) {
		whole, o, err := c.wholeBody(ctx, u, path)
		if o != nil || err != nil {
			return deref(o), err
		}
		body = whole
	}
	var reply api.Product
	req := &httpx.Request{Method: http.MethodPut, Path: path, JSON: body}
	resp, err := c.http.DoJSON(ctx, req, &reply)
	if err != nil {
		return c.refused(u, path, resp, err)
	}
	e, perr := entryOf(&reply)
	if perr != nil {
		return connectors.Outcome{}, c.http.Unreadable(req, resp, perr)
	}
	if e.sku != u.e.sku {
		// The product's SKU was changed in the panel since the map was read: this
		// update went to a product the SKU no longer names.
		c.ids.invalidate()
		c.log.Warn().Int64("product", e.id).Str("sku", u.e.sku).Str("now", e.sku).
			Msg("an IdeaSoft product's SKU changed since the product list was read; reading it again")
		return connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonRekeyed, e.id, e.sku)}, nil
	}
	c.ids.update(e)
	return u.verify(e), nil
}

func deref(o *connectors.Outcome) connectors.Outcome {
	if o == nil {
		return connectors.Outcome{}
	}
	return *o
}

// wholeBody reads the product and puts the update's fields into it, so a PUT that
// replaces the product keeps everything else. Tax settings read now win over the map's.
func (c *Client) wholeBody(ctx context.Context, u *update, path string) (map[string]json.RawMessage, *connectors.Outcome, error) {
	resp, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: path})
	if err != nil {
		if resp != nil && resp.Status == http.StatusNotFound {
			c.ids.invalidate()
			return nil, &connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonStale, u.e.id)}, nil
		}
		return nil, nil, err
	}
	var whole map[string]json.RawMessage
	var p api.Product
	if json.Unmarshal(resp.Body, &whole) != nil || json.Unmarshal(resp.Body, &p) != nil {
		return nil, nil, c.http.Unreadable(&httpx.Request{Method: http.MethodGet, Path: path}, resp, errors.New("not a product"))
	}
	fresh, err := entryOf(&p)
	if err != nil {
		return nil, nil, c.http.Unreadable(&httpx.Request{Method: http.MethodGet, Path: path}, resp, err)
	}
	if fresh.sku != u.e.sku { // re-keyed in the panel: nothing is written to it
		c.ids.invalidate()
		return nil, &connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonRekeyed, fresh.id, fresh.sku)}, nil
	}
	if u.price1 != nil && (fresh.taxIncluded != u.e.taxIncluded || fresh.tax != u.e.tax) {
		c.ids.update(fresh)
		n := fresh.net(*u.it.Price)
		u.price1 = &n
		u.body["price1"] = n
		u.e.taxIncluded, u.e.tax = fresh.taxIncluded, fresh.tax
	}
	for k, v := range u.body {
		b, _ := json.Marshal(v)
		whole[k] = b
	}
	return whole, nil, nil
}

// refused judges a PUT that failed: a 404 is a stale id, a 400/422 the item's own
// refusal (or, once, IdeaSoft asking for whole bodies), a 500 an unknown outcome.
func (c *Client) refused(u *update, path string, resp *httpx.Response, err error) (connectors.Outcome, error) {
	if resp == nil {
		return connectors.Outcome{}, err
	}
	switch resp.Status {
	case http.StatusNotFound:
		c.ids.invalidate()
		return connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonStale, u.e.id)}, nil
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		text := c.http.ErrorText(resp.Body)
		if text == "" {
			text = fmt.Sprintf("IdeaSoft refused the update of product %d (%d)", u.e.id, resp.Status)
		}
		if c.putBody == "auto" && !c.fullPut.Load() && asksForMore(resp.Body, u.body) {
			c.fullPut.Store(true)
			c.log.Warn().Int64("product", u.e.id).Str("reason", text).
				Msg("IdeaSoft refused a partial product update; sending whole products (read, change, send) from now on")
			return connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonFullBody, text)}, nil
		}
		return connectors.Outcome{Status: connectors.Rejected, Reason: text}, nil
	case http.StatusInternalServerError:
		return connectors.Outcome{}, &connectors.Error{Kind: connectors.Unknown, Status: resp.Status, Err: err,
			Message: fmt.Sprintf("IdeaSoft answered 500 to PUT %s%s; the change may have been applied, so the product is read back before it is sent again",
				path, quoted(c.http.ErrorText(resp.Body)))}
	}
	return connectors.Outcome{}, err
}

// asksForMore reports whether a 422 is about fields the update did not carry: IdeaSoft
// wants the product's required fields in every PUT.
func asksForMore(body []byte, sent map[string]any) bool {
	var r api.ErrorReply
	if json.Unmarshal(body, &r) != nil || len(r.Errors) == 0 {
		return false
	}
	var byField map[string]json.RawMessage
	if json.Unmarshal(r.Errors, &byField) != nil {
		return false
	}
	for f := range byField {
		if _, ok := sent[f]; !ok && f != "product" {
			return true
		}
	}
	return false
}

// verify confirms an update from the product IdeaSoft answered with.
func (u *update) verify(e entry) connectors.Outcome {
	if u.qty != nil && (e.qty == nil || *e.qty != *u.qty) {
		return connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonMismatch, "stock", show(e.qty), strconv.FormatInt(*u.qty, 10))}
	}
	if u.price1 != nil {
		if e.taxIncluded != u.e.taxIncluded || e.tax != u.e.tax {
			return connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonTaxMoved, flag(e.taxIncluded), e.tax)}
		}
		if e.price1 == nil || *e.price1 != *u.price1 {
			return connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonMismatch, "price1", show(e.price1), u.price1.String())}
		}
	}
	if u.info.Title != nil && e.name != *u.info.Title {
		return connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonMismatch, "name", strconv.Quote(e.name), strconv.Quote(*u.info.Title))}
	}
	if u.info.Active != nil && e.active != *u.info.Active {
		return connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonMismatch, "status", strconv.Itoa(flag(e.active)), strconv.Itoa(flag(*u.info.Active)))}
	}
	if u.info.VATRate != nil && e.tax != *u.info.VATRate {
		return connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonMismatch, "tax", strconv.Itoa(e.tax), strconv.Itoa(*u.info.VATRate))}
	}
	return connectors.Outcome{Status: connectors.Confirmed}
}

func show[T any](p *T) string {
	if p == nil {
		return "nothing"
	}
	return fmt.Sprint(*p)
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}
