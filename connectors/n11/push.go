package n11

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/n11/api"
)

// Reasons for items refused before anything is sent. The agent caps quantities and keeps
// list prices at or above sale prices; an item that breaks a rule anyway is refused
// here rather than altered, so that what the agent records as confirmed is what n11
// shows.
const (
	reasonNoSKU     = "no SKU; n11 updates stock and price by stockCode"
	reasonMaxStock  = "quantity %d is above the %d n11 accepts; the value was not sent (set rules.stock_cap)"
	reasonNegative  = "quantity %d is negative; the value was not sent"
	reasonBadPrice  = "%s %s is not above zero; the value was not sent"
	reasonListBelow = "list price %s is below sale price %s, which n11 refuses (listPrice ≥ salePrice); the values were not sent (check rules.list_price)"
	reasonNoSale    = "n11 takes the sale and list price together, and the sale price to go with list price %s is not known; the value was not sent"
	reasonOthers    = "n11 refused the whole task because of other items in it (%s); not applied, send again"
)

// Push sends the items that changed in one price-stock-update task and returns them
// Pending under the task. Items with nothing changed are Confirmed without a request;
// items that break a documented rule are Rejected without being sent. A task n11
// answers REJECT (with HTTP 200) is refused as a whole: the items its reasons name are
// Rejected with n11's words and the others are to be sent again; when the reasons name
// no item, the push fails as Permanent, which the agent narrows down.
func (c *Client) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("a push of %d items is more than n11's task maximum of %d; claim at most Features().MaxBatch", len(items), c.features.MaxBatch)}
	}
	out, wire, sent, err := prepare(items, wireItem)
	if err != nil || len(wire) == 0 {
		return out, err
	}
	body := api.TaskRequest[api.PriceStockItem]{Payload: api.TaskPayload[api.PriceStockItem]{Integrator: c.integrator, SKUs: wire}}
	if err := c.submit(ctx, pathPriceStock, "stock and price", body, sent, out); err != nil {
		return nil, err
	}
	return out, nil
}

// prepare books the items that need no request (refused by a rule: Rejected; nothing
// changed: Confirmed) and builds the task items of the others, with their SKUs. A SKU
// given twice is a Permanent error: outcomes are keyed by SKU.
func prepare[T any](items []connectors.Item, build func(connectors.Item) (*T, string)) (connectors.Outcomes, []T, []string, error) {
	out := make(connectors.Outcomes, len(items))
	var wire []T
	var sent []string
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, nil, nil, &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("SKU %q appears twice in one request; outcomes are keyed by SKU", it.SKU)}
		}
		w, reason := build(it)
		switch {
		case reason != "":
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
		case w == nil:
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		default:
			wire = append(wire, *w)
			sent = append(sent, it.SKU)
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending}
		}
	}
	return out, wire, sent, nil
}

// wireItem builds the task item of it: only the fields that differ from what n11 last
// confirmed (both prices whenever either changed), nil when nothing differs, or the
// reason the item cannot be sent.
func wireItem(it connectors.Item) (*api.PriceStockItem, string) {
	if it.SKU == "" {
		return nil, reasonNoSKU
	}
	w := api.PriceStockItem{StockCode: it.SKU}
	send := false
	if it.Qty != nil {
		switch q := *it.Qty; {
		case q < 0:
			return nil, fmt.Sprintf(reasonNegative, q)
		case q > maxQuantity:
			return nil, fmt.Sprintf(reasonMaxStock, q, maxQuantity)
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
	if changed(it.Price, it.ConfPrice) || changed(it.ListPrice, it.ConfListPrice) {
		sale, list := orConf(it.Price, it.ConfPrice), orConf(it.ListPrice, it.ConfListPrice)
		switch {
		case sale == nil:
			return nil, fmt.Sprintf(reasonNoSale, list)
		case list == nil || (it.ListPrice == nil && *list < *sale):
			// No list price known (or the old one is below the new sale price): the sale
			// price is the list price, as the agent sends it when it has none.
			list = sale
		case *list < *sale:
			return nil, fmt.Sprintf(reasonListBelow, list, sale)
		}
		w.SalePrice, w.ListPrice, w.CurrencyType, send = sale, list, currency, true
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

// submit posts a task for the SKUs sent and books its answer into out: every sent SKU
// Pending under the task's Ref, or, for a REJECT, Rejected/Retry by what the reasons
// name. A REJECT naming none of them is a Permanent error.
func (c *Client) submit(ctx context.Context, path, what string, body any, sent []string, out connectors.Outcomes) error {
	sentAt := c.clock.Now()
	var reply api.TaskReply
	if err := c.post(ctx, path, body, &reply); err != nil {
		return err
	}
	switch strings.ToUpper(strings.TrimSpace(reply.Status)) {
	case api.TaskInQueue:
		if reply.ID == "" {
			return &connectors.Error{Kind: connectors.Unknown,
				Message: fmt.Sprintf("n11 queued the %s task but sent no task id; its outcome must be read back", what)}
		}
		ref := makeRef(string(reply.ID), sentAt)
		for _, sku := range sent {
			out[sku] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
		}
		c.log.Debug().Int("items", len(sent)).Str("task", string(reply.ID)).Strs("reasons", reply.Reasons).Msgf("%s task queued", what)
		return nil
	case api.TaskReject:
		all := strings.Join(reply.Reasons, "; ")
		if all == "" {
			all = "no reason given"
		}
		named := rejectedSKUs(reply.Reasons, sent)
		if len(named) == 0 {
			// Status 0: the refusal is about the content, which the agent narrows down by
			// sending halves; the HTTP status (200) says nothing.
			return &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("n11 rejected the whole %s task of %d items (REJECT): %s", what, len(sent), all)}
		}
		for _, sku := range sent {
			if r, ok := named[sku]; ok {
				out[sku] = connectors.Outcome{Status: connectors.Rejected, Reason: r}
			} else {
				out[sku] = connectors.Outcome{Status: connectors.Retry, Reason: fmt.Sprintf(reasonOthers, all)}
			}
		}
		return nil
	}
	return &connectors.Error{Kind: connectors.Unknown,
		Message: fmt.Sprintf("n11 answered the %s task with status %q (id %q); its outcome must be read back", what, reply.Status, reply.ID)}
}

// rejectedSKUs maps each sent SKU that a reason names (as a whole word) to the reasons
// that name it.
func rejectedSKUs(reasons, sent []string) map[string]string {
	out := map[string]string{}
	for _, sku := range sent {
		var mine []string
		for _, r := range reasons {
			if namesWord(r, sku) {
				mine = append(mine, r)
			}
		}
		if len(mine) > 0 {
			out[sku] = strings.Join(mine, "; ")
		}
	}
	return out
}

// namesWord reports whether text holds word with no letter, digit or SKU punctuation
// right before or after it (so "A1" is not found in "A10").
func namesWord(text, word string) bool {
	if word == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if (start == 0 || !skuRune(text[start-1])) && (end == len(text) || !skuRune(text[end])) {
			return true
		}
		i = start + 1
	}
}

func skuRune(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '_' || b == '.' || b == '/' || b >= 0x80
}

// A Ref is the task id and when it was sent ("1092@1788300000000"): the age decides how
// long an unfinished or vanished task is waited for, and it survives an agent restart.
func makeRef(id string, sent time.Time) string {
	return id + "@" + strconv.FormatInt(sent.UnixMilli(), 10)
}

func parseRef(ref string) (id string, sent time.Time, ok bool) {
	id, ms, found := strings.Cut(ref, "@")
	if !found {
		return ref, time.Time{}, false
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return id, time.Time{}, false
	}
	return id, time.UnixMilli(n), true
}
