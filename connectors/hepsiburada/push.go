package hepsiburada

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/hepsiburada/api"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
)

// Reasons for items refused before anything is sent.
const (
	reasonNegative = "quantity %d is negative; the value was not sent"
	reasonMaxStock = "quantity %d is above %d, the largest Hepsiburada stores (int32); the value was not sent"
	reasonBadPrice = "price %s is not above zero; the value was not sent"
	reasonNoList   = "Hepsiburada has no listing with merchant SKU %s (the listings were read at %s); create or match the listing in the merchant panel, then change or requeue the item"
	reasonSplit    = "Hepsiburada refused the %s upload of this push (%s); sent again later"
)

// row is one row of an upload.
type row struct {
	sku, hbSku string
	qty        *int64
	price      *money.Kurus
}

func (r row) wire() api.UploadRow {
	return api.UploadRow{HepsiburadaSku: r.hbSku, MerchantSku: r.sku, AvailableStock: r.qty, Price: r.price}
}

// notices are what the connector tells the log once, and counts for Report.
type notices struct {
	fbhOnce    sync.Once
	fbhSkipped atomic.Int64
}

// Push sends the items that changed in one inventory upload (in split mode: a stock and a
// price upload) and returns them Pending under its id. Items with nothing changed are
// Confirmed without a request; items that break a documented rule, or have no listing,
// are Rejected unsent. The stock of a listing Hepsiburada fulfils itself is never sent.
// A push the limit of pending uploads would refuse is not sent: Kind RetryAfter.
func (c *Client) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("a push of %d items is more than Hepsiburada's upload maximum of %d; claim at most Features().MaxBatch", len(items), c.features.MaxBatch)}
	}
	out := make(connectors.Outcomes, len(items))
	var want []row
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("SKU %q appears twice in one push; outcomes are keyed by SKU", it.SKU)}
		}
		r, reason := changes(it)
		switch {
		case reason != "":
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
		case r.qty == nil && r.price == nil:
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		default:
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending}
			want = append(want, r)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	skus := make([]string, len(want))
	for i, r := range want {
		skus[i] = r.sku
	}
	if err := c.skus.ensure(ctx, skus); err != nil {
		return nil, err
	}
	now := c.clock.Now()
	var rows, lost []row
	var fbh []string
	for _, r := range want {
		info, ok := c.skus.lookup(r.sku)
		if !ok {
			out[r.sku] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonNoList, r.sku, c.skus.readTime().Format("15:04:05"))}
			continue
		}
		r.hbSku = info.hbSku
		if info.fbh && r.qty != nil {
			fbh = append(fbh, r.sku)
			r.qty = nil
			if r.price == nil {
				out[r.sku] = connectors.Outcome{Status: connectors.Confirmed}
				continue
			}
		}
		if v, ok := c.lost.pending(r.sku, now); ok {
			if v.same(r.qty, r.price) {
				lost = append(lost, r)
				continue
			}
			c.lost.forget(r.sku) // other values now: uploads apply in order, the newer wins
		}
		rows = append(rows, r)
	}
	c.noteFulfilled(fbh)
	if len(lost) > 0 {
		if err := c.reconcileLost(ctx, lost, out); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return out, nil
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].sku < rows[j].sku })
	if err := c.upload(ctx, rows, out); err != nil {
		return nil, err
	}
	return out, nil
}

// changes is the row of an item: only the fields that differ from what Hepsiburada last
// confirmed (nil both: nothing to send), or the reason it cannot be sent. The list price
// has no place at Hepsiburada (one price per listing) and is never sent.
func changes(it connectors.Item) (row, string) {
	r := row{sku: it.SKU}
	if it.Qty != nil {
		switch q := *it.Qty; {
		case q < 0:
			return r, fmt.Sprintf(reasonNegative, q)
		case q > maxStock:
			return r, fmt.Sprintf(reasonMaxStock, q, int64(maxStock))
		}
		if it.ConfQty == nil || *it.ConfQty != *it.Qty {
			r.qty = it.Qty
		}
	}
	if it.Price != nil {
		if *it.Price <= 0 {
			return r, fmt.Sprintf(reasonBadPrice, it.Price)
		}
		if it.ConfPrice == nil || *it.ConfPrice != *it.Price {
			r.price = it.Price
		}
	}
	return r, ""
}

// noteFulfilled counts stock changes skipped for listings Hepsiburada fulfils and says
// why in the log, once.
func (c *Client) noteFulfilled(skus []string) {
	if len(skus) == 0 {
		return
	}
	c.notices.fbhSkipped.Add(int64(len(skus)))
	c.notices.fbhOnce.Do(func() {
		c.log.Info().Int("items", len(skus)).Str("example", skus[0]).
			Msgf("Hepsiburada fulfils %s (and possibly others) from its own warehouse (isFulfilledByHB), so it manages their stock: "+
				"the agent never sends stock for such listings and counts them in status; their prices are still sent", sample(skus))
	})
}

func sample(skus []string) string {
	if len(skus) <= 3 {
		return strings.Join(skus, ", ")
	}
	return strings.Join(skus[:3], ", ") + fmt.Sprintf(" and %d more", len(skus)-3)
}

// upload sends rows (sorted by SKU) and books every row's item Pending under the ref of
// the upload(s) it went into.
func (c *Client) upload(ctx context.Context, rows []row, out connectors.Outcomes) error {
	if !c.set.split {
		keys, wait := c.slots.reserve(1)
		if keys == nil {
			return c.waitForSlots(wait, "")
		}
		part, err := c.submit(ctx, "i", keys[0], rows)
		if err != nil {
			return err
		}
		for _, r := range rows {
			out[r.sku] = connectors.Outcome{Status: connectors.Pending, Ref: part.String()}
		}
		return nil
	}
	var stock, price []row
	for _, r := range rows {
		if r.qty != nil {
			stock = append(stock, row{sku: r.sku, hbSku: r.hbSku, qty: r.qty})
		}
		if r.price != nil {
			price = append(price, row{sku: r.sku, hbSku: r.hbSku, price: r.price})
		}
	}
	groups := []struct {
		kind, name string
		rows       []row
	}{{"s", "stock", stock}, {"p", "price", price}}
	n := 0
	for _, g := range groups {
		if len(g.rows) > 0 {
			n++
		}
	}
	keys, wait := c.slots.reserve(n)
	if keys == nil {
		return c.waitForSlots(wait, "")
	}
	var parts []refPart
	failed := map[string]string{} // SKU → why its other upload was refused
	for _, g := range groups {
		if len(g.rows) == 0 {
			continue
		}
		key := keys[0]
		keys = keys[1:]
		part, err := c.submit(ctx, g.kind, key, g.rows)
		if err != nil {
			if len(parts) == 0 {
				for _, k := range keys {
					c.slots.release(k, false)
				}
				return err
			}
			for _, r := range g.rows {
				failed[r.sku] = fmt.Sprintf(reasonSplit, g.name, err)
			}
			continue
		}
		parts = append(parts, part)
	}
	ref := joinParts(parts)
	for _, r := range rows {
		if why, ok := failed[r.sku]; ok {
			out[r.sku] = connectors.Outcome{Status: connectors.Retry, Reason: why}
			continue
		}
		out[r.sku] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
	}
	return nil
}

// submit sends one upload under the reservation key. A lost answer keeps the slot (the
// upload may exist) and remembers the rows, so their next push reads the listings
// instead of uploading them again.
func (c *Client) submit(ctx context.Context, kind, key string, rows []row) (refPart, error) {
	wire := make([]api.UploadRow, len(rows))
	skus := make([]string, len(rows))
	for i, r := range rows {
		wire[i] = r.wire()
		skus[i] = r.sku
	}
	sentAt := c.clock.Now()
	var reply api.UploadReply
	_, err := c.listing.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: c.listingsPath(uploadPath(kind)), JSON: wire, Bucket: bucket}, &reply)
	if err != nil {
		if connectors.KindOf(err) == connectors.Unknown {
			c.lost.record(rows, sentAt)
			c.log.Warn().Int("rows", len(rows)).Str("upload", uploadPath(kind)).
				Msg("the answer to a Hepsiburada upload was lost; it may have been created, so these rows are reconciled by reading the listings, not uploaded again")
		} else {
			c.slots.release(key, false)
		}
		return refPart{}, err
	}
	if reply.ID == "" {
		c.slots.release(key, false)
		if reply.Message != "" {
			return refPart{}, c.waitForSlots(c.slots.wait(), reply.Message)
		}
		c.lost.record(rows, sentAt)
		return refPart{}, &connectors.Error{Kind: connectors.Unknown,
			Message: "Hepsiburada accepted the upload but sent no upload id; its rows are reconciled by reading the listings"}
	}
	c.slots.bind(key, reply.ID, skus)
	c.log.Debug().Int("rows", len(rows)).Str("upload", reply.ID).Str("kind", kind).Msg("Hepsiburada upload accepted")
	return refPart{kind: kind, id: reply.ID, hash: rowsHash(skus)}, nil
}

// waitForSlots is the "wait" of the pending-upload limit: not a failure of the items.
func (c *Client) waitForSlots(wait time.Duration, said string) error {
	msg := fmt.Sprintf("Hepsiburada allows %d uploads pending at once and this store's are still processing; sending again in %s", c.set.maxPending, wait.Round(time.Second))
	if said != "" {
		msg = fmt.Sprintf("Hepsiburada has too many uploads pending for this merchant (%q); sending again in %s", said, wait.Round(time.Second))
	}
	return &connectors.Error{Kind: connectors.RetryAfter, RetryAfter: wait, Message: msg}
}

// readTime is when the map was last read whole.
func (m *skuMap) readTime() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.readAt
}

// unixRef is the Ref of items awaiting the listings after a lost submit.
func unixRef(at time.Time) string { return "r:" + strconv.FormatInt(at.UnixNano(), 10) }
