package trendyol

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
	"syncagent/connectors/trendyol/api"
)

// Reasons for items refused before anything is sent. The agent caps quantities at
// MaxStock and keeps list prices at or above sale prices; when an item breaks a rule
// anyway, it is refused here rather than altered, so that what the agent records as
// confirmed is always what Trendyol shows.
const (
	ReasonNoBarcode = "no barcode; Trendyol updates stock and price by barcode"
	reasonMaxStock  = "quantity %d is above Trendyol's maximum of %d per product; the value was not sent (set rules.stock_cap)"
	reasonNegative  = "quantity %d is negative; the value was not sent"
	// reasonBadPrice is the agent's own safety rule, not Trendyol's: Trendyol accepts a
	// price of zero (production captures show salePrice 0 answered SUCCESS), which would
	// put the item on sale for nothing.
	reasonBadPrice  = "%s %s is not above zero; the agent's own safety rule keeps prices of zero or less from being sent (Trendyol itself would accept it and sell the item for that); the value was not sent, check the ERP's price"
	reasonListBelow = "list price %s is below sale price %s, which Trendyol refuses; the values were not sent (check rules.list_price)"
	reasonSameCode  = "barcode %s is also given for SKU %s in this push; Trendyol keys results by barcode, so one SKU per barcode"
	reasonOthers    = "Trendyol refused the whole request because of other items in it; not applied, send again"
)

// Push sends the items that changed in one price-and-inventory request and returns them
// Pending under its batchRequestId. Items with nothing changed are Confirmed without a
// request; items that break a documented rule are Rejected without being sent.
func (c *Client) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("a push of %d items is more than Trendyol's batch maximum of %d; claim at most Features().MaxBatch", len(items), c.features.MaxBatch)}
	}
	out := make(connectors.Outcomes, len(items))
	skuOf := map[string]string{} // barcode → SKU of the items sent
	var wire []api.PriceInventoryItem
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("SKU %q appears twice in one push; outcomes are keyed by SKU", it.SKU)}
		}
		w, reason := wireItem(it)
		switch {
		case reason != "":
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
		case w == nil:
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		case skuOf[it.Barcode] != "":
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonSameCode, it.Barcode, skuOf[it.Barcode])}
		default:
			skuOf[it.Barcode] = it.SKU
			wire = append(wire, *w)
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending}
		}
	}
	if len(wire) == 0 {
		return out, nil
	}
	var reply api.PriceInventoryReply
	resp, err := c.http.DoJSON(ctx, &httpx.Request{
		Method: http.MethodPost, Path: "/inventory/sellers/" + c.seller + "/products/price-and-inventory",
		JSON: api.PriceInventoryRequest{Items: wire}, Bucket: bucketPush,
	}, &reply)
	if err != nil {
		if named := c.itemErrors(resp, skuOf); named != nil {
			for bc, sku := range skuOf {
				if r, ok := named[bc]; ok {
					out[sku] = connectors.Outcome{Status: connectors.Rejected, Reason: r}
				} else {
					out[sku] = connectors.Outcome{Status: connectors.Retry, Reason: reasonOthers}
				}
			}
			return out, nil
		}
		return nil, err
	}
	if reply.BatchRequestID == "" {
		return nil, &connectors.Error{Kind: connectors.Unknown, Status: resp.Status,
			Message: "Trendyol accepted the update but sent no batchRequestId; its outcome must be read back"}
	}
	for _, sku := range skuOf {
		out[sku] = connectors.Outcome{Status: connectors.Pending, Ref: reply.BatchRequestID}
	}
	c.log.Debug().Int("items", len(wire)).Str("batch", reply.BatchRequestID).Msg("stock and price update accepted")
	return out, nil
}

// wireItem builds the request item of it: only the fields that differ from what
// Trendyol last confirmed (a price change counts against a per-barcode limit of 30 a
// minute), nil when nothing differs, or the reason the item cannot be sent.
func wireItem(it connectors.Item) (*api.PriceInventoryItem, string) {
	if it.Barcode == "" {
		return nil, ReasonNoBarcode
	}
	w := api.PriceInventoryItem{Barcode: it.Barcode}
	send := false
	if it.Qty != nil {
		switch q := *it.Qty; {
		case q < 0:
			return nil, fmt.Sprintf(reasonNegative, q)
		case q > maxStock:
			return nil, fmt.Sprintf(reasonMaxStock, q, maxStock)
		}
		if it.ConfQty == nil || *it.ConfQty != *it.Qty {
			w.Quantity, send = it.Qty, true
		}
	}
	for _, p := range []struct {
		name string
		v    *money.Kurus
	}{{"sale price", it.Price}, {"list price", it.ListPrice}} {
		if p.v != nil && *p.v <= 0 {
			return nil, fmt.Sprintf(reasonBadPrice, p.name, p.v)
		}
	}
	sale, list := orConf(it.Price, it.ConfPrice), orConf(it.ListPrice, it.ConfListPrice)
	if (it.Price != nil || it.ListPrice != nil) && sale != nil && list != nil && *list < *sale {
		return nil, fmt.Sprintf(reasonListBelow, list, sale)
	}
	if changed(it.Price, it.ConfPrice) || changed(it.ListPrice, it.ConfListPrice) {
		// Both prices go together when both are known, so Trendyol checks the pair as
		// the agent means it.
		w.SalePrice, w.ListPrice, send = it.Price, it.ListPrice, true
	}
	if !send {
		return nil, ""
	}
	return &w, ""
}

func orConf(v, conf *money.Kurus) *money.Kurus {
	if v != nil {
		return v
	}
	return conf
}

func changed(v, conf *money.Kurus) bool { return v != nil && (conf == nil || *conf != *v) }

// itemErrors reads a 400 whose errors[] name barcodes of the request (a synchronous
// validation of item rules): barcode → Trendyol's reason. Nil when the refusal is not
// about named items.
func (c *Client) itemErrors(resp *httpx.Response, sent map[string]string) map[string]string {
	if resp == nil || resp.Status != http.StatusBadRequest {
		return nil
	}
	var r api.ErrorReply
	if json.Unmarshal(resp.Body, &r) != nil {
		return nil
	}
	named := map[string]string{}
	for _, e := range r.Errors {
		if _, ok := sent[e.Key]; ok && e.Message != "" {
			if prev := named[e.Key]; prev != "" {
				named[e.Key] = prev + "; " + e.Message
			} else {
				named[e.Key] = e.Message
			}
		}
	}
	if len(named) == 0 {
		return nil
	}
	return named
}
