package pazarsync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/pazarsync/api"
)

const (
	reasonPrice    = "PazarSync has no price endpoint; prices are not synced to this store (rules.scope must be stock)"
	reasonNegative = "quantity %d is negative; the value was not sent"
	reasonUnknown  = "no product with this SKU on PazarSync (%q)"
	reasonUnsure   = "PazarSync reported %d failed item(s) but named only %d; whether this item was applied is not known, so it is sent again (%s)"
	reasonUnnamed  = "PazarSync refused %d items of the batch without naming which (%s); none of them was applied"
)

// transientText marks per-item failures that pass by themselves.
var transientText = regexp.MustCompile(`(?i)locked|try again|tekrar deneyin|temporar|geçici|busy|timeout|rate limit`)

// notFoundText marks a per-item failure for a SKU PazarSync does not have.
var notFoundText = regexp.MustCompile(`(?i)not found|bulunamad|unknown|does not exist`)

// Push sends the changed quantities in one stocks/batch request. The reply is
// synchronous: items PazarSync names in errors[] are Rejected (or Retry when the reason
// passes by itself); the rest are Confirmed, unless PazarSync counts more failures than
// it names, in which case the unnamed items are Retry: an item is never judged by its
// position in the batch.
func (c *Client) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("a push of %d items is more than PazarSync's batch maximum of %d; claim at most Features().MaxBatch", len(items), c.features.MaxBatch)}
	}
	out := make(connectors.Outcomes, len(items))
	var wire []api.StockItem
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("SKU %q appears twice in one push; outcomes are keyed by SKU", it.SKU)}
		}
		switch {
		case it.Price != nil || it.ListPrice != nil:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reasonPrice}
		case it.Qty == nil || (it.ConfQty != nil && *it.ConfQty == *it.Qty):
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		case *it.Qty < 0:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonNegative, *it.Qty)}
		default:
			wire = append(wire, api.StockItem{SKU: it.SKU, Stock: *it.Qty})
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending}
		}
	}
	if len(wire) == 0 {
		return out, nil
	}
	var reply api.StockBatchReply
	if _, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: "/api/v1/stocks/batch",
		JSON: api.StockBatch{Items: wire}}, &reply); err != nil {
		return nil, err
	}
	sent := make(map[string]bool, len(wire))
	for _, w := range wire {
		sent[w.SKU] = true
	}
	named, unmatched := c.namedFailures(ctx, reply.Errors, sent)
	unnamedSent := len(wire) - len(named)
	unnamedFailed := reply.Failed - len(named)
	allFailed := unnamedSent > 0 && unnamedFailed >= unnamedSent && reply.Updated+reply.Failed == len(wire)
	if allFailed && unnamedSent == 1 && len(unmatched) > 0 {
		// One item unnamed and one failure unaccounted for: the message is that item's.
		for _, w := range wire {
			if _, ok := named[w.SKU]; !ok {
				named[w.SKU] = strings.Join(unmatched, "; ")
			}
		}
		unnamedSent, unnamedFailed, allFailed, unmatched = 0, 0, false, nil
	}
	unsure := !allFailed && (unnamedFailed > 0 || reply.Updated+len(named) < len(wire))
	said := "errors[] named nothing more"
	if len(unmatched) > 0 {
		said = "PazarSync said: " + strings.Join(unmatched, "; ")
	}
	if unsure || allFailed {
		c.log.Warn().Int("failed", reply.Failed).Int("named", len(named)).Int("updated", reply.Updated).Int("sent", len(wire)).
			Str("errors", strings.Join(unmatched, "; ")).
			Msg("PazarSync's stock batch reply does not tie every failure to an item; the unnamed items will be sent again, until the queue's max_attempts dead-letters them with PazarSync's words")
	}
	for _, w := range wire {
		msg, failed := named[w.SKU]
		switch {
		case failed && notFoundText.MatchString(msg):
			out[w.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonUnknown, msg)}
		case failed && transientText.MatchString(msg):
			out[w.SKU] = connectors.Outcome{Status: connectors.Retry, Reason: msg}
		case failed:
			out[w.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: msg}
		case allFailed:
			out[w.SKU] = connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonUnnamed, unnamedSent, said)}
		case unsure:
			out[w.SKU] = connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonUnsure, reply.Failed, len(named), said)}
		default:
			out[w.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		}
	}
	return out, nil
}

// namedFailures reads errors[] whatever its elements look like: objects naming a sku or
// a product id with a message in one of several fields. A product id the connector has
// not learned from a list is looked up once (GET /api/v1/products/{id}). Elements that
// tie to no item of this batch (a bare string, an id of another product, an object
// naming nothing) come back as unmatched, in PazarSync's own words (the raw element,
// shortened), for the reason the unnamed items are retried with.
func (c *Client) namedFailures(ctx context.Context, raw []json.RawMessage, sent map[string]bool) (named map[string]string, unmatched []string) {
	named = map[string]string{}
	lookups := 0
	for _, r := range raw {
		var m map[string]any
		if json.Unmarshal(r, &m) != nil {
			unmatched = append(unmatched, rawText(r))
			continue
		}
		sku := firstString(m, "sku", "SKU", "stock_code")
		if sku == "" {
			if id := firstString(m, "product_id", "productId", "id"); id != "" {
				c.mu.Lock()
				sku = c.idToSK[id]
				c.mu.Unlock()
				if sku == "" && lookups < maxLookups {
					lookups++
					sku = c.lookupSKU(ctx, id)
				}
			}
		}
		if !sent[sku] {
			unmatched = append(unmatched, rawText(r))
			continue
		}
		msg := firstString(m, "message", "error", "reason", "detail")
		if msg == "" {
			msg = flatten(m["errors"])
		}
		if msg == "" {
			msg = "refused by PazarSync without a reason"
		}
		if prev := named[sku]; prev != "" && prev != msg {
			msg = prev + "; " + msg
		}
		named[sku] = msg
	}
	return named, unmatched
}

// maxLookups bounds the product lookups one push may make for ids it has not learned.
const maxLookups = 5

// lookupSKU reads one product to learn its SKU ("" when that fails: the error element
// then stays unmatched).
func (c *Client) lookupSKU(ctx context.Context, id string) string {
	var p api.Product
	if _, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/v1/products/" + url.PathEscape(id)}, &p); err != nil {
		c.log.Debug().Err(err).Str("product_id", id).Msg("looking up a product PazarSync named in errors[] failed")
		return ""
	}
	if p.SKU == "" {
		return ""
	}
	c.mu.Lock()
	c.idToSK[id] = p.SKU
	c.mu.Unlock()
	return p.SKU
}

// rawText is an errors[] element as PazarSync wrote it, compacted and shortened.
func rawText(r json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, r) != nil {
		b.Reset()
		b.Write(r)
	}
	s := b.String()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			return fmt.Sprint(v)
		}
	}
	return ""
}

// flatten turns {"stock":["must be ..."]} or ["..."] into words.
func flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var parts []string
		for _, e := range x {
			if s := flatten(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			if s := flatten(x[k]); s != "" {
				parts = append(parts, k+": "+s)
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}
