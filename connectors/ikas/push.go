package ikas

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/ikas/api"
	"syncagent/connectors/money"
)

const pricesDoc = `mutation updateVariantPrices($input: UpdateVariantPricesInput!) {
  updateVariantPrices(input: $input) { errors { errorCode inputArrayIndex } }
}`

const stocksDoc = `mutation saveVariantStocks($input: SaveVariantStocksInput!) {
  saveVariantStocks(input: $input) { errors { errorCode inputArrayIndex } }
}`

// Reasons an item is refused or retried.
const (
	// ReasonNoVariant is the reason for an item whose SKU (and barcode) matches no variant.
	ReasonNoVariant   = "no variant with this SKU on ikas (neither its sku nor a barcode matches); create it in the ikas panel or give the variant the ERP's stock code"
	reasonAmbiguous   = "%d ikas variants have this SKU (%s); give each a unique SKU in the ikas panel"
	reasonSameVariant = "SKU %s in this push is the same ikas variant (%s)"
	reasonNegative    = "quantity %d is negative; the value was not sent"
	reasonBadPrice    = "price %s is not above zero; the value was not sent"
	reasonListBelow   = "list price %s is below sale price %s; the values were not sent"
	reasonStale       = "ikas no longer has variant %s of product %s under this SKU (%s); the product list is read again before the next push"
	reasonRefused     = "ikas refused the %s of variant %s: %s"
	reasonUnverified  = "ikas listed failed entries in the same %s request and does not show this one applied; it is sent again"
	reasonNotSent     = "not sent: an earlier request of the same push failed (%s)"
)

// pending is one item with what is to be sent for it.
type pending struct {
	it        connectors.Item
	v         *variantInfo
	qty       *int64
	price     *api.PriceValue
	priceFate fate
	stockFate fate
}

// fate is what became of one part (price or stock) of an item.
type fate struct {
	done           bool
	reject, retry  string
	awaitingVerify bool
}

// Push maps the items' SKUs to ikas variants and sends what changed: one
// updateVariantPrices for the prices (at most 3000, the batch maximum) and
// saveVariantStocks in chunks of Tuning.StockBatch for the quantities at the store's
// stock location. Both answer synchronously with the failed inputs by index, which map
// back to SKUs; an item is Confirmed when every part sent for it was applied.
func (c *Client) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("a push of %d items is more than ikas's batch maximum of %d; claim at most Features().MaxBatch", len(items), c.features.MaxBatch)}
	}
	out := make(connectors.Outcomes, len(items))
	var work []*pending
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, &connectors.Error{Kind: connectors.Permanent, Message: fmt.Sprintf("SKU %q appears twice in one push; outcomes are keyed by SKU", it.SKU)}
		}
		p, reason := c.plan(it)
		switch {
		case reason != "":
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
		case p == nil:
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		default:
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending}
			work = append(work, p)
		}
	}
	if len(work) == 0 {
		return out, nil
	}
	loc := ""
	for _, p := range work {
		if p.qty != nil {
			var err error
			if loc, err = c.stockLocation(ctx); err != nil {
				return nil, err
			}
			break
		}
	}
	work, err := c.resolve(ctx, work, out)
	if err != nil || len(work) == 0 {
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	if err := c.send(ctx, work, loc); err != nil {
		return nil, err
	}
	if err := c.verify(ctx, work, loc); err != nil {
		return nil, err
	}
	for _, p := range work {
		out[p.it.SKU] = p.outcome()
		if p.price != nil && p.priceFate.done && out[p.it.SKU].Status == connectors.Confirmed {
			c.ids.setPrice(p.v.variantID, api.Price{SellPrice: p.price.SellPrice, DiscountPrice: p.price.DiscountPrice, BuyPrice: p.price.BuyPrice})
		}
	}
	return out, nil
}

// plan decides what is to be sent for an item: nil when nothing differs from what was
// confirmed, a reason when the values must not be sent.
func (c *Client) plan(it connectors.Item) (*pending, string) {
	p := &pending{it: it}
	if it.Qty != nil {
		if *it.Qty < 0 {
			return nil, fmt.Sprintf(reasonNegative, *it.Qty)
		}
		if it.ConfQty == nil || *it.ConfQty != *it.Qty {
			p.qty = it.Qty
		}
	}
	if it.Price != nil {
		if *it.Price <= 0 {
			return nil, fmt.Sprintf(reasonBadPrice, it.Price)
		}
		list := it.ListPrice
		if c.manage && list != nil && *list < *it.Price {
			return nil, fmt.Sprintf(reasonListBelow, list, it.Price)
		}
		changed := it.ConfPrice == nil || *it.ConfPrice != *it.Price
		if c.manage && list != nil && (it.ConfListPrice == nil || *it.ConfListPrice != *list) {
			changed = true
		}
		if changed {
			p.price = &api.PriceValue{} // filled in resolve, from what ikas holds now
		}
	}
	if p.qty == nil && p.price == nil {
		return nil, ""
	}
	return p, ""
}

// resolve finds each item's variant, reading the products changed since the map's last
// read when it is older than MapMaxAge or misses an item, and fills the price objects.
func (c *Client) resolve(ctx context.Context, work []*pending, out connectors.Outcomes) ([]*pending, error) {
	items := make([]connectors.Item, len(work))
	for i, p := range work {
		items[i] = p.it
	}
	if err := c.ids.findAll(ctx, items); err != nil {
		return nil, err
	}
	var keep []*pending
	used := map[string]string{}
	for _, p := range work {
		vs := c.ids.lookup(p.it.SKU, p.it.Barcode)
		var reason string
		switch {
		case len(vs) == 0:
			reason = ReasonNoVariant
		case len(vs) > 1:
			var ids []string
			for _, v := range vs {
				ids = append(ids, fmt.Sprintf("variant %s of %q", v.variantID, v.product))
			}
			reason = fmt.Sprintf(reasonAmbiguous, len(vs), strings.Join(ids, ", "))
		case used[vs[0].variantID] != "":
			reason = fmt.Sprintf(reasonSameVariant, used[vs[0].variantID], vs[0].variantID)
		}
		if reason != "" {
			out[p.it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
			continue
		}
		p.v = vs[0]
		used[p.v.variantID] = p.it.SKU
		if p.price != nil {
			*p.price = c.priceValue(p.it, p.v.price)
		}
		keep = append(keep, p)
	}
	return keep, nil
}

// priceValue is the whole price object to send: updateVariantPrices replaces the stored
// one, so what the agent does not manage (buyPrice always; discountPrice with
// settings.discount_price: keep) goes back as ikas holds it.
func (c *Client) priceValue(it connectors.Item, cur *api.Price) api.PriceValue {
	var pv api.PriceValue
	if cur != nil {
		pv.BuyPrice = cur.BuyPrice
		pv.DiscountPrice = cur.DiscountPrice
	}
	sale := *it.Price
	if !c.manage {
		pv.SellPrice = number(sale)
		return pv
	}
	list := sale
	if it.ListPrice != nil && *it.ListPrice > sale {
		list = *it.ListPrice
	}
	pv.SellPrice = number(list)
	pv.DiscountPrice = nil
	if list > sale {
		d := number(sale)
		pv.DiscountPrice = &d
	}
	return pv
}

func number(k money.Kurus) json.Number { return json.Number(k.String()) }

// send runs the price call, then the stock calls. The first call failing as a whole
// ends the push with its error (nothing was applied); a lost reply (Unknown) still lets
// the other calls go, and the push ends Unknown. A later call failing stops the rest:
// what was applied is Confirmed, the others Retry.
func (c *Client) send(ctx context.Context, work []*pending, loc string) error {
	var unknown error
	applied := false
	var prices []*pending
	for _, p := range work {
		if p.price != nil {
			prices = append(prices, p)
		}
	}
	if len(prices) > 0 {
		in := api.UpdateVariantPricesInput{VariantPriceInputs: make([]api.VariantPriceInput, len(prices))}
		for i, p := range prices {
			in.VariantPriceInputs[i] = api.VariantPriceInput{ProductID: p.v.productID, VariantID: p.v.variantID, Price: *p.price}
		}
		var r struct {
			Res api.MutationResult `json:"updateVariantPrices"`
		}
		listed, err := c.call(ctx, "updateVariantPrices", pricesDoc, map[string]any{"input": in}, true, &r)
		switch {
		case err == nil:
			applied = true
			c.settle(prices, r.Res.Errors, listed, "price", func(p *pending) *fate { return &p.priceFate })
		case connectors.KindOf(err) == connectors.Unknown:
			unknown = err
		default:
			return err
		}
	}
	var stocks []*pending
	for _, p := range work {
		if p.qty != nil {
			stocks = append(stocks, p)
		}
	}
	for start := 0; start < len(stocks); start += c.tune.StockBatch {
		part := stocks[start:min(start+c.tune.StockBatch, len(stocks))]
		in := api.SaveVariantStocksInput{StockInputs: make([]api.StockInput, len(part))}
		for i, p := range part {
			in.StockInputs[i] = api.StockInput{ProductID: p.v.productID, VariantID: p.v.variantID, StockLocationID: loc,
				StockCount: json.Number(strconv.FormatInt(*p.qty, 10))}
		}
		var r struct {
			Res api.MutationResult `json:"saveVariantStocks"`
		}
		listed, err := c.call(ctx, "saveVariantStocks", stocksDoc, map[string]any{"input": in}, true, &r)
		switch {
		case err == nil:
			applied = true
			c.settle(part, r.Res.Errors, listed, "stock", func(p *pending) *fate { return &p.stockFate })
			continue
		case connectors.KindOf(err) == connectors.Unknown:
			if unknown == nil {
				unknown = err
			}
			continue
		case !applied && unknown == nil:
			return err
		}
		for _, p := range stocks[start:] {
			p.stockFate.retry = fmt.Sprintf(reasonNotSent, err.Error())
		}
		break
	}
	return unknown
}

// settle books one call's answer: listed inputs by their code, the others applied
// (or, when the call listed any and VerifyPartial is on, to be read back).
func (c *Client) settle(part []*pending, errs []api.InputError, listed bool, what string, f func(*pending) *fate) {
	named := map[int]string{}
	for _, e := range errs {
		if e.InputArrayIndex != nil && *e.InputArrayIndex >= 0 && *e.InputArrayIndex < len(part) {
			named[*e.InputArrayIndex] = e.ErrorCode
		}
	}
	unnamed := listed && len(named) < len(errs) // an error naming no input of ours
	for i, p := range part {
		code, bad := named[i]
		fp := f(p)
		switch {
		case bad && (code == "INVALID_VARIANT_ID" || code == "INVALID_PRODUCT_ID"):
			c.ids.invalidate()
			fp.retry = fmt.Sprintf(reasonStale, p.v.variantID, p.v.productID, code)
		case bad:
			fp.reject = fmt.Sprintf(reasonRefused, what, p.v.variantID, code)
		case (listed && c.tune.VerifyPartial) || unnamed:
			fp.awaitingVerify = true
		default:
			fp.done = true
		}
	}
}

// verify reads back the items of calls that listed failures, and counts as applied
// those that ikas shows with the values sent.
func (c *Client) verify(ctx context.Context, work []*pending, loc string) error {
	var ids []string
	seen := map[string]bool{}
	for _, p := range work {
		if (p.priceFate.awaitingVerify || p.stockFate.awaitingVerify) && !seen[p.v.productID] {
			seen[p.v.productID] = true
			ids = append(ids, p.v.productID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	got, err := c.ids.readProducts(ctx, ids)
	if err != nil {
		return err
	}
	for _, p := range work {
		v, found := got[p.v.variantID]
		if p.priceFate.awaitingVerify {
			p.priceFate.awaitingVerify = false
			dp := defaultPrice(v.Prices)
			if found && dp != nil && samePrice(*dp, *p.price) {
				p.priceFate.done = true
			} else {
				p.priceFate.retry = fmt.Sprintf(reasonUnverified, "price")
			}
		}
		if p.stockFate.awaitingVerify {
			p.stockFate.awaitingVerify = false
			if q := stockAt(v, loc); found && q != nil && *q == *p.qty {
				p.stockFate.done = true
			} else {
				p.stockFate.retry = fmt.Sprintf(reasonUnverified, "stock")
			}
		}
	}
	return nil
}

func samePrice(a api.Price, b api.PriceValue) bool {
	return sameNumber(&a.SellPrice, &b.SellPrice) && sameNumber(a.DiscountPrice, b.DiscountPrice) && sameNumber(a.BuyPrice, b.BuyPrice)
}

func sameNumber(a, b *json.Number) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	x, e1 := kurus(*a)
	y, e2 := kurus(*b)
	return e1 == nil && e2 == nil && x == y
}

// kurus reads a Float amount exactly.
func kurus(n json.Number) (money.Kurus, error) { return money.Parse(string(n)) }

// stockAt is a variant's count at loc: 0 when it has no record there, nil when the
// count is not a number.
func stockAt(v api.Variant, loc string) *int64 {
	var q int64
	for _, s := range v.Stocks {
		if s.StockLocationID == loc {
			f, err := strconv.ParseFloat(string(s.StockCount), 64)
			if err != nil {
				return nil
			}
			q = int64(math.Floor(f))
		}
	}
	return &q
}

func (p *pending) outcome() connectors.Outcome {
	parts := []fate{}
	if p.price != nil {
		parts = append(parts, p.priceFate)
	}
	if p.qty != nil {
		parts = append(parts, p.stockFate)
	}
	for _, f := range parts {
		if f.reject != "" {
			return connectors.Outcome{Status: connectors.Rejected, Reason: f.reject}
		}
	}
	for _, f := range parts {
		if f.retry != "" {
			return connectors.Outcome{Status: connectors.Retry, Reason: f.retry}
		}
		if !f.done {
			return connectors.Outcome{Status: connectors.Retry, Reason: "ikas did not answer for this part of the item; it is sent again"}
		}
	}
	return connectors.Outcome{Status: connectors.Confirmed}
}
