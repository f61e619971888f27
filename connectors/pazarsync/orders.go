package pazarsync

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/pazarsync/api"
)

// PazarSync's order list filters on the creation date (assumed; the seed does not say)
// and on status, and has no lines. So a fetch scans orders by creation date, page by
// page, newest first; an order whose updated_at differs from the one the queue holds
// (OrderQuery.Known) is read in detail, the others cost nothing more. A scan's end
// (to_date) is fixed when it starts, so orders arriving meanwhile cannot shift the
// pages; they are read by the next scan.
//
// Scanning the whole look-back window on every fetch costs a page per 100 orders each
// time; on a plan with a daily budget (Temel: 10 000 requests) a busy store would spend
// much of it on unchanged list pages. So a fetch scans:
//   - once every fullScan, the whole window: every change of every order in it;
//   - otherwise the orders created in the last recentScan (new orders, also those an
//     aggregator passes on late with their channel's order time, and the changes that
//     soon follow them), then the window's cancelled orders (status=cancelled): a
//     cancellation frees stock, so it must not wait for the next full scan.
//
// Other changes of older orders (shipped, delivered) arrive at most fullScan late. A
// change of an order older than the look-back window is not seen: the window is the
// overlap.
const (
	ordersPath = "/api/v1/orders"
	orderPage  = 100
	recentScan = 24 * time.Hour
	fullScan   = time.Hour
)

// Scan kinds.
const (
	scanFull      = "full"
	scanRecent    = "recent"
	scanCancelled = "cancelled"
)

// scanCursor is a scan in progress, or, between fetches (Page 0), when the last full
// scan started (LastFull, Unix seconds).
type scanCursor struct {
	Kind     string `json:"kind,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	Page     int    `json:"page,omitempty"`
	LastFull int64  `json:"last_full,omitempty"`
}

// FetchOrders implements connectors.OrderFetcher.
func (c *Client) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	ctx = httpx.UseQuotaReserve(ctx)
	var cur scanCursor
	if q.Cursor != "" && json.Unmarshal([]byte(q.Cursor), &cur) != nil {
		cur = scanCursor{}
	}
	if cur.Page < 1 || cur.From == "" || cur.Kind == "" {
		now := c.clock.Now()
		cur = scanCursor{Kind: scanRecent, From: q.Since.UTC().Format(time.RFC3339), To: now.UTC().Format(time.RFC3339), Page: 1, LastFull: cur.LastFull}
		if cur.LastFull == 0 || now.Sub(time.Unix(cur.LastFull, 0)) >= fullScan {
			cur.Kind, cur.LastFull = scanFull, now.Unix()
		} else if recent := now.Add(-recentScan); recent.After(q.Since) {
			cur.From = recent.UTC().Format(time.RFC3339)
		}
	}
	keep := connectors.OrderPage{Cursor: q.Cursor}
	var page api.OrderPage
	query := url.Values{"page": {strconv.Itoa(cur.Page)}, "limit": {strconv.Itoa(orderPage)},
		"from_date": {cur.From}, "to_date": {cur.To}}
	if cur.Kind == scanCancelled {
		query.Set("status", "cancelled")
	}
	if _, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: ordersPath, Query: query}, &page); err != nil {
		return keep, err
	}
	known := map[string]string{}
	if q.Known != nil && len(page.Data) > 0 {
		ids := make([]string, len(page.Data))
		for i, it := range page.Data {
			ids[i] = it.ID
		}
		var err error
		if known, err = q.Known(ctx, ids); err != nil {
			return keep, err
		}
	}
	out := connectors.OrderPage{}
	for _, it := range page.Data {
		if v, ok := known[it.ID]; ok && v == it.UpdatedAt {
			continue // unchanged since the queue stored it
		}
		var d api.Order
		dreq := &httpx.Request{Method: http.MethodGet, Path: ordersPath + "/" + url.PathEscape(it.ID)}
		if _, err := c.http.DoJSON(ctx, dreq, &d); err != nil {
			return keep, err
		}
		o, err := normalizeOrder(&d)
		if err != nil {
			return keep, &connectors.Error{Kind: connectors.Permanent, Err: err,
				Message: fmt.Sprintf("PazarSync sent order %s in a form the agent cannot read", it.OrderNumber)}
		}
		out.Orders = append(out.Orders, o)
	}
	switch {
	case cur.Page < page.Meta.TotalPages && len(page.Data) > 0:
		cur.Page++
	case cur.Kind == scanRecent:
		// The recent orders are read; now the window's cancellations.
		cur = scanCursor{Kind: scanCancelled, From: q.Since.UTC().Format(time.RFC3339), To: cur.To, Page: 1, LastFull: cur.LastFull}
	default:
		// Done; the next fetch starts anew, knowing when the last full scan began.
		b, _ := json.Marshal(scanCursor{LastFull: cur.LastFull})
		out.Cursor = string(b)
		return out, nil
	}
	b, _ := json.Marshal(cur)
	out.Cursor, out.More = string(b), true
	return out, nil
}

// statuses maps the status words PazarSync may pass through from its channels. The seed
// shows only "processing"; other words are the usual ones of the channels behind it.
// An unknown word counts as a new, paid order (the goods are owed) and is kept raw.
var statuses = map[string]order.Status{
	"awaiting": order.Awaiting, "awaiting_payment": order.Awaiting, "payment_pending": order.Awaiting, "unpaid": order.Awaiting,
	"new": order.New, "created": order.New, "pending": order.New, "processing": order.New, "confirmed": order.New, "approved": order.New,
	"picking": order.Processing, "preparing": order.Processing, "packed": order.Processing, "invoiced": order.Processing, "ready_to_ship": order.Processing,
	"shipped": order.Shipped, "in_transit": order.Shipped, "on_the_way": order.Shipped, "at_collection_point": order.Shipped,
	"delivered": order.Delivered, "completed": order.Delivered,
	"returned": order.Returned, "undelivered": order.Returned, "refunded": order.Returned,
	"cancelled": order.Cancelled, "canceled": order.Cancelled, "unsupplied": order.Cancelled, "rejected": order.Cancelled,
}

func statusOf(raw string) order.Status {
	if s, ok := statuses[strings.ToLower(strings.TrimSpace(raw))]; ok {
		return s
	}
	return order.New
}

func normalizeOrder(d *api.Order) (order.Order, error) {
	if d.ID == "" {
		return order.Order{}, fmt.Errorf("an order without id")
	}
	created, err := time.Parse(time.RFC3339, d.CreatedAt)
	if err != nil {
		return order.Order{}, fmt.Errorf("created_at %q: %w", d.CreatedAt, err)
	}
	updated, err := time.Parse(time.RFC3339, d.UpdatedAt)
	if err != nil {
		return order.Order{}, fmt.Errorf("updated_at %q: %w", d.UpdatedAt, err)
	}
	st := statusOf(d.Status)
	pk := order.Package{ID: d.ID, Status: st, RawStatus: d.Status, UpdatedAt: updated}
	for _, it := range d.Items {
		unit, err := order.Amount(string(it.UnitPrice))
		if err != nil {
			return order.Order{}, fmt.Errorf("item %s unit_price: %w", it.ID, err)
		}
		total := unit * money.Kurus(it.Quantity)
		if len(it.TotalPrice) > 0 {
			if total, err = order.Amount(string(it.TotalPrice)); err != nil {
				return order.Order{}, fmt.Errorf("item %s total_price: %w", it.ID, err)
			}
		}
		pk.Lines = append(pk.Lines, order.Line{ID: it.ID, SKU: strings.TrimSpace(it.SKU), ProductID: it.ProductID, Name: it.Name,
			Quantity: it.Quantity, UnitPrice: unit, Discount: max(unit*money.Kurus(it.Quantity)-total, 0), Total: total})
	}
	o := order.Order{
		Marketplace: Marketplace, ID: d.ID, Number: d.OrderNumber, RawStatus: d.Status,
		OrderedAt: created, UpdatedAt: updated, Version: d.UpdatedAt, Currency: "TRY", Channel: d.Marketplace,
		Customer: order.Customer{Name: d.Customer.Name, Email: d.Customer.Email, Phone: d.Customer.Phone},
		Packages: []order.Package{pk},
	}
	a := d.ShippingAddress
	o.ShipTo = order.Address{Name: d.Customer.Name, Line1: a.Line1, Line2: a.Line2, District: a.State, City: a.City,
		PostalCode: a.PostalCode, Country: a.Country, Phone: d.Customer.Phone}
	o.BillTo = o.ShipTo
	for _, f := range []struct {
		raw json.RawMessage
		dst *money.Kurus
		n   string
	}{{d.ShippingFee, &o.ShippingFee, "shipping_fee"}, {d.TaxAmount, &o.StatedTax, "tax_amount"},
		{d.DiscountAmount, &o.OrderDiscount, "discount_amount"}, {d.TotalAmount, &o.StatedTotal, "total_amount"}} {
		if *f.dst, err = order.Amount(string(f.raw)); err != nil {
			return order.Order{}, fmt.Errorf("%s: %w", f.n, err)
		}
	}
	o.Derive()
	return o, nil
}
