package tsoft

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/tsoft/api"
)

const updateMethod = "product/updateProducts"

const (
	reasonNegative    = "quantity %d is negative; the value was not sent"
	reasonPrice       = "price %s is not above zero; the value was not sent"
	reasonList        = "list price %s is below sale price %s; the values were not sent"
	reasonVarPrice    = "variant %s has one price in T-Soft (SellingPrice), so settings.prices: discounted cannot give it a sale and a list price; the values were not sent"
	reasonUnknown     = "no product with code %q on the T-Soft shop (T-Soft: %q)"
	reasonNoVar       = "; if it is a variant (alt ürün), variants are written only with settings.variants: on"
	reasonNoSubMethod = "the shop has no %s method (404), which settings.variants: on assumes; variants cannot be written this way (ask T-Soft which method writes a variant's stock, or set settings.variants: off)"
)

// pending is an item with something to send.
type pending struct {
	sku string
	upd api.ProductUpdate
}

// Push writes the changed fields of each item by its ProductCode, synchronously. In
// update_mode single (the default) every product is its own product/updateProducts
// call with one object, the form the verified client uses, and its reply confirms it.
// In update_mode array the main products go in one call as a JSON array; T-Soft's reply
// to an array is not documented per product, so every product of it is read back and
// confirmed by what the shop shows. Variants are sent one by one.
//
// When a request fails part-way through a single-mode push, the items already answered
// keep their outcomes and the rest are Retry; when the first request fails, the error
// is the push's.
func (c *Client) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("a push of %d items is more than the %d this store takes at once; claim at most Features().MaxBatch", len(items), c.features.MaxBatch)}
	}
	out := make(connectors.Outcomes, len(items))
	var todo []pending
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("SKU %q appears twice in one push; outcomes are keyed by SKU", it.SKU)}
		}
		upd, reason := c.update(it)
		switch {
		case reason != "":
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
		case upd.Stock == nil && upd.SellingPrice == nil && upd.DiscountedPrice == nil:
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		default:
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending}
			todo = append(todo, pending{sku: it.SKU, upd: upd})
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	var vars map[string]variant
	if c.variants != nil {
		var err error
		if vars, err = c.variants.get(ctx, mapTTL); err != nil {
			return nil, err
		}
	}
	var mains, subs []pending
	for _, p := range todo {
		if _, ok := vars[p.sku]; ok {
			subs = append(subs, p)
		} else {
			mains = append(mains, p)
		}
	}
	one := todo
	if c.set.array && len(mains) > 0 {
		if err := c.pushArray(ctx, mains, out); err != nil {
			return nil, err
		}
		one = subs
	}
	for i, p := range one {
		o, err := c.pushOne(ctx, p, vars)
		if err == nil {
			out[p.sku] = o
			continue
		}
		if i == 0 && !(c.set.array && len(mains) > 0) {
			return nil, err
		}
		for _, q := range one[i:] {
			out[q.sku] = connectors.Outcome{Status: connectors.Retry, Reason: notSent(err, p.sku, q.sku)}
		}
		break
	}
	return out, nil
}

// notSent is the reason of an item left over when a request of its push failed.
func notSent(err error, failed, sku string) string {
	msg := err.Error()
	if connectors.KindOf(err) == connectors.Unknown {
		msg += " (T-Soft takes absolute values, so sending it again is harmless)"
	}
	if sku == failed {
		return msg
	}
	return fmt.Sprintf("not sent: the request for %s before it failed (%s)", failed, msg)
}

// update builds the fields of an item that differ from what the shop last confirmed,
// or the reason the item is refused without a request.
func (c *Client) update(it connectors.Item) (api.ProductUpdate, string) {
	u := api.ProductUpdate{ProductCode: it.SKU}
	if it.Qty != nil && (it.ConfQty == nil || *it.ConfQty != *it.Qty) {
		if *it.Qty < 0 {
			return u, fmt.Sprintf(reasonNegative, *it.Qty)
		}
		q := *it.Qty
		u.Stock = &q
	}
	for _, p := range []*money.Kurus{it.Price, it.ListPrice} {
		if p != nil && *p <= 0 {
			return u, fmt.Sprintf(reasonPrice, *p)
		}
	}
	changed := func(v, conf *money.Kurus) *money.Kurus {
		if v == nil || (conf != nil && *conf == *v) {
			return nil
		}
		x := *v
		return &x
	}
	if !c.set.discount {
		// SellingPrice is the sale price; a list price is not pushed (Features.ListPrice
		// is false, so the agent sends none).
		u.SellingPrice = changed(it.Price, it.ConfPrice)
		return u, ""
	}
	sale, list := orConf(it.Price, it.ConfPrice), orConf(it.ListPrice, it.ConfListPrice)
	if sale != nil && list != nil && *list < *sale && (it.Price != nil || it.ListPrice != nil) {
		return u, fmt.Sprintf(reasonList, *list, *sale)
	}
	u.DiscountedPrice = changed(it.Price, it.ConfPrice)
	u.SellingPrice = changed(it.ListPrice, it.ConfListPrice)
	return u, ""
}

func orConf(v, conf *money.Kurus) *money.Kurus {
	if v != nil {
		return v
	}
	return conf
}

// pushOne sends one product in its own call: a variant by the sub-product method, a
// main product by product/updateProducts; a main code T-Soft does not know is looked up
// among the variants (read again when older than a minute) before it is refused.
func (c *Client) pushOne(ctx context.Context, p pending, vars map[string]variant) (connectors.Outcome, error) {
	if _, isVar := vars[p.sku]; isVar {
		return c.pushVariant(ctx, p)
	}
	_, err := c.do(ctx, call{method: updateMethod, data: p.upd, write: true})
	if err == nil {
		return connectors.Outcome{Status: connectors.Confirmed}, nil
	}
	var r *refusal
	if !errors.As(err, &r) {
		return connectors.Outcome{}, err
	}
	if r.kind == msgNotFound && c.variants != nil {
		fresh, err := c.variants.get(ctx, missRefresh)
		if err != nil {
			return connectors.Outcome{}, err
		}
		if _, isVar := fresh[p.sku]; isVar {
			return c.pushVariant(ctx, p)
		}
	}
	return c.refused(p.sku, r.kind, r.text), nil
}

func (c *Client) pushVariant(ctx context.Context, p pending) (connectors.Outcome, error) {
	if p.upd.DiscountedPrice != nil || (c.set.discount && p.upd.SellingPrice != nil) {
		return connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonVarPrice, p.sku)}, nil
	}
	_, err := c.do(ctx, call{method: subUpdateMethod, write: true,
		data: api.SubProductUpdate{SubProductCode: p.sku, Stock: p.upd.Stock, SellingPrice: p.upd.SellingPrice}})
	if err == nil {
		return connectors.Outcome{Status: connectors.Confirmed}, nil
	}
	if noMethod(err) {
		// The assumed method does not exist on this shop: the variant cannot be written,
		// the main products can.
		return connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonNoSubMethod, subUpdateMethod)}, nil
	}
	var r *refusal
	if !errors.As(err, &r) {
		return connectors.Outcome{}, err
	}
	return c.refused(p.sku, r.kind, r.text), nil
}

// refused is the outcome of a product T-Soft refused, in its own words.
func (c *Client) refused(sku string, kind msgKind, text string) connectors.Outcome {
	switch kind {
	case msgNotFound:
		reason := fmt.Sprintf(reasonUnknown, sku, text)
		if c.variants == nil {
			reason += reasonNoVar
		}
		return connectors.Outcome{Status: connectors.Rejected, Reason: reason}
	case msgTransient:
		return connectors.Outcome{Status: connectors.Retry, Reason: "T-Soft: " + text}
	}
	if text == "" {
		text = "refused without a message"
	}
	return connectors.Outcome{Status: connectors.Rejected, Reason: "T-Soft: " + text}
}

// pushArray sends the main products of a push as one JSON array and confirms each by
// reading it back: what the shop shows is the outcome. A product the shop does not show
// with the sent values carries the reply's words that name it (or all of them).
func (c *Client) pushArray(ctx context.Context, ps []pending, out connectors.Outcomes) error {
	data := make([]api.ProductUpdate, len(ps))
	codes := make([]string, len(ps))
	for i, p := range ps {
		data[i], codes[i] = p.upd, p.sku
	}
	env, err := c.do(ctx, call{method: updateMethod, data: data, write: true})
	var r *refusal
	if err != nil && !errors.As(err, &r) {
		return err
	}
	texts := messageList(env.Message)
	rows, err := c.readProducts(ctx, codes)
	if err != nil {
		return &connectors.Error{Kind: connectors.Unknown, Err: err, Message: fmt.Sprintf(
			"T-Soft answered the update of %d products, but reading them back to confirm failed; they are read back again before anything is sent", len(ps))}
	}
	for _, p := range ps {
		row, found := rows[p.sku]
		named := namedIn(texts, p.sku)
		switch {
		case found && shows(row, p.upd):
			out[p.sku] = connectors.Outcome{Status: connectors.Confirmed}
		case !found:
			why := named
			if why == "" {
				why = "not listed by product/get"
			}
			out[p.sku] = c.refused(p.sku, msgNotFound, why)
		case named != "":
			out[p.sku] = c.refused(p.sku, classify(named), named)
		case r != nil && r.text != "":
			out[p.sku] = connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(
				"T-Soft refused the update of several products (%q) and does not show this one's new values; it is sent again", r.text)}
		default:
			out[p.sku] = connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(
				"T-Soft accepted the update but shows stock %s, price %s; it is sent again", row.Stock, row.SellingPrice)}
		}
	}
	return nil
}

// namedIn joins the texts that name code.
func namedIn(texts []string, code string) string {
	var hit []string
	for _, t := range texts {
		if strings.Contains(t, code) {
			hit = append(hit, t)
		}
	}
	return strings.Join(hit, " | ")
}

// shows reports whether a product row holds every value of an update.
func shows(row api.Product, u api.ProductUpdate) bool {
	if u.Stock != nil {
		if q, err := whole(row.Stock); err != nil || q != *u.Stock {
			return false
		}
	}
	if u.SellingPrice != nil {
		if p, err := price(row.SellingPrice); err != nil || p != *u.SellingPrice {
			return false
		}
	}
	if u.DiscountedPrice != nil {
		if p, err := price(row.DiscountedPrice); err != nil || p != *u.DiscountedPrice {
			return false
		}
	}
	return true
}

// noMethod reports a 404 for a method on a shop whose web service answers others: the
// method does not exist there.
func noMethod(err error) bool {
	var ce *connectors.Error
	return errors.As(err, &ce) && ce.Status == http.StatusNotFound
}
