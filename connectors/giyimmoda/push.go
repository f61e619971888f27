package giyimmoda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/giyimmoda/api"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
)

const (
	// ReasonNoProduct is the reason for an item whose SKU (or barcode) matches no product.
	ReasonNoProduct = "no product with this SKU on Giyim Moda (neither its sku nor its barcode matches); create it there or set its SKU"
	reasonAmbiguous = "%d products on Giyim Moda match this SKU (ids %s); give each a unique SKU"
	reasonVariants  = "product %d has %d variants on Giyim Moda and its bulk update sets only the first variant's stock; stock is not synced for it"
	reasonSameID    = "SKU %s in this push is the same Giyim Moda product (id %d)"
	reasonNegative  = "quantity %d is negative; the value was not sent"
	reasonBadPrice  = "price %s is not above zero; the value was not sent"
	reasonUnsure    = "Giyim Moda reported %d failed item(s) but named only %d; whether this item was applied is not known, so it is sent again"
	reasonOthers    = "Giyim Moda refused the whole update because of other items in it; not applied, send again"
	reasonStale     = "Giyim Moda no longer has product %d under this SKU (%q); the product list is read again before the next push"
)

// staleText marks an id that is no longer the seller's product.
var staleText = regexp.MustCompile(`(?i)not found|does not belong|bulunamad`)

// fieldIndex finds the item index in a Laravel field name ("products.3.unit_price").
var fieldIndex = regexp.MustCompile(`^products\.(\d+)\.`)

type pending struct {
	it    connectors.Item
	qty   *int64
	price *money.Kurus
}

// Push maps the items' SKUs to Giyim Moda product ids and sends the changed fields in
// one bulk update. The update is synchronous with partial success: items named in its
// errors (by id, or by their index in the request) are Rejected or Retry, the others
// Confirmed unless Giyim Moda counts more failures than it names.
func (c *Client) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("a push of %d items is more than Giyim Moda's batch maximum of %d; claim at most Features().MaxBatch", len(items), c.features.MaxBatch)}
	}
	out := make(connectors.Outcomes, len(items))
	var waiting []pending
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("SKU %q appears twice in one push; outcomes are keyed by SKU", it.SKU)}
		}
		p := pending{it: it}
		switch {
		case it.Qty != nil && *it.Qty < 0:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonNegative, *it.Qty)}
			continue
		case it.Price != nil && *it.Price <= 0:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonBadPrice, it.Price)}
			continue
		}
		// Giyim Moda has one price per product: a list price has nowhere to go.
		if it.Qty != nil && (it.ConfQty == nil || *it.ConfQty != *it.Qty) {
			p.qty = it.Qty
		}
		if it.Price != nil && (it.ConfPrice == nil || *it.ConfPrice != *it.Price) {
			p.price = it.Price
		}
		if p.qty == nil && p.price == nil {
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
			continue
		}
		out[it.SKU] = connectors.Outcome{Status: connectors.Pending}
		waiting = append(waiting, p)
	}
	if len(waiting) == 0 {
		return out, nil
	}
	wire, skuAt, err := c.resolve(ctx, waiting, out)
	if err != nil || len(wire) == 0 {
		return outOrNil(out, err)
	}
	var env api.Envelope
	resp, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: bulkPath,
		JSON: api.BulkRequest{Products: wire}}, &env)
	if err != nil {
		if named := indexErrors(resp, len(wire)); named != nil {
			for i, sku := range skuAt {
				if r, ok := named[i]; ok {
					out[sku] = connectors.Outcome{Status: connectors.Rejected, Reason: r}
				} else {
					out[sku] = connectors.Outcome{Status: connectors.Retry, Reason: reasonOthers}
				}
			}
			return out, nil
		}
		return nil, err
	}
	var res api.BulkResult
	if err := json.Unmarshal(env.Data, &res); err != nil {
		return nil, c.http.Unreadable(&httpx.Request{Method: http.MethodPost, Path: bulkPath}, resp, err)
	}
	c.settle(wire, skuAt, res, out)
	return out, nil
}

func outOrNil(out connectors.Outcomes, err error) (connectors.Outcomes, error) {
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resolve finds the product id of every pending item, reading the product list when
// the map is stale or misses an item, and builds the request. Items that cannot be
// sent get their outcome in out. skuAt[i] is the SKU of wire[i].
func (c *Client) resolve(ctx context.Context, waiting []pending, out connectors.Outcomes) ([]api.BulkItem, []string, error) {
	cat, err := c.ids.get(ctx, mapTTL)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range waiting {
		if len(cat.lookup(p.it.SKU, p.it.Barcode)) == 0 {
			if cat, err = c.ids.get(ctx, missRefresh); err != nil {
				return nil, nil, err
			}
			break
		}
	}
	var wire []api.BulkItem
	var skuAt []string
	used := map[int64]string{}
	for _, p := range waiting {
		sku := p.it.SKU
		es := cat.lookup(sku, p.it.Barcode)
		var reason string
		switch {
		case len(es) == 0:
			reason = ReasonNoProduct
		case len(es) > 1:
			ids := make([]string, len(es))
			for i, e := range es {
				ids[i] = strconv.FormatInt(e.id, 10)
			}
			sort.Strings(ids)
			reason = fmt.Sprintf(reasonAmbiguous, len(es), strings.Join(ids, ", "))
		case p.qty != nil && es[0].rows > 1:
			reason = fmt.Sprintf(reasonVariants, es[0].id, es[0].rows)
		case used[es[0].id] != "":
			reason = fmt.Sprintf(reasonSameID, used[es[0].id], es[0].id)
		}
		if reason != "" {
			out[sku] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
			continue
		}
		used[es[0].id] = sku
		wire = append(wire, api.BulkItem{ID: es[0].id, CurrentStock: p.qty, UnitPrice: p.price})
		skuAt = append(skuAt, sku)
	}
	return wire, skuAt, nil
}

// settle gives each sent item its outcome from the bulk result.
func (c *Client) settle(wire []api.BulkItem, skuAt []string, res api.BulkResult, out connectors.Outcomes) {
	byID := make(map[int64]int, len(wire))
	for i, w := range wire {
		byID[w.ID] = i
	}
	named := map[int]string{}
	for _, raw := range res.Errors {
		i, msg, ok := failure(raw, byID, len(wire))
		if !ok {
			continue
		}
		if prev := named[i]; prev != "" && prev != msg {
			msg = prev + "; " + msg
		}
		named[i] = msg
	}
	failed, _ := res.FailedCount.Int()
	updated, _ := res.UpdatedCount.Int()
	unsure := int(failed) > len(named) || int(updated)+len(named) < len(wire)
	if unsure {
		c.log.Warn().Int64("failed", failed).Int("named", len(named)).Int64("updated", updated).Int("sent", len(wire)).
			Msg("Giyim Moda's bulk update reply does not account for every item; the unnamed items will be sent again")
	}
	for i, sku := range skuAt {
		msg, bad := named[i]
		switch {
		case bad && staleText.MatchString(msg):
			c.ids.invalidate()
			out[sku] = connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonStale, wire[i].ID, msg)}
		case bad:
			out[sku] = connectors.Outcome{Status: connectors.Rejected, Reason: msg}
		case unsure:
			out[sku] = connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonUnsure, failed, len(named))}
		default:
			out[sku] = connectors.Outcome{Status: connectors.Confirmed}
		}
	}
}

// failure reads one errors[] element: the item it names (by product id, else by its
// explicit index in the request) and the message. An element naming nothing of ours
// is not guessed at.
func failure(raw json.RawMessage, byID map[int64]int, n int) (int, string, bool) {
	var e struct {
		ID      *api.Number     `json:"id"`
		PID     *api.Number     `json:"product_id"`
		Index   *api.Number     `json:"index"`
		Message string          `json:"message"`
		Errors  json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return 0, "", false
	}
	i, ok := -1, false
	for _, idn := range []*api.Number{e.ID, e.PID} {
		if idn == nil {
			continue
		}
		if id, err := idn.Int(); err == nil {
			if i, ok = byID[id]; ok {
				break
			}
		}
	}
	if !ok && e.Index != nil {
		if x, err := e.Index.Int(); err == nil && x >= 0 && int(x) < n {
			i, ok = int(x), true
		}
	}
	if !ok {
		return 0, "", false
	}
	msg := e.Message
	if f := fieldErrors(e.Errors); len(f) > 0 {
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, strings.Join(f[k], " "))
		}
		msg = strings.TrimSpace(msg + " " + strings.Join(parts, "; "))
	}
	if msg == "" {
		msg = "refused by Giyim Moda without a reason"
	}
	return i, msg, true
}

// indexErrors reads a 422 that refused the whole update with Laravel field errors
// ("products.3.unit_price"): item index → reason. Nil when it names no item.
func indexErrors(resp *httpx.Response, n int) map[int]string {
	if resp == nil || resp.Status != http.StatusUnprocessableEntity {
		return nil
	}
	var env api.Envelope
	if json.Unmarshal(resp.Body, &env) != nil {
		return nil
	}
	named := map[int]string{}
	for field, msgs := range fieldErrors(env.Errors) {
		m := fieldIndex.FindStringSubmatch(field)
		if m == nil {
			continue
		}
		i, err := strconv.Atoi(m[1])
		if err != nil || i >= n {
			continue
		}
		named[i] = strings.TrimSpace(named[i] + " " + strings.Join(msgs, " "))
	}
	if len(named) == 0 {
		return nil
	}
	return named
}
