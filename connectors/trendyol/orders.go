package trendyol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/trendyol/api"
)

// Orders come from the cursor-based orders/stream, the endpoint Trendyol recommends
// for polling: packages in a lastModifiedDate range of at most 14 days, newest change
// first, paged by an opaque cursor that only works with the query that made it.
//
// The agent's cursor is a watermark: every package changed after it has still to be
// read. One fetch walks one window [watermark − overlap, min(watermark + 14 d, now)]
// page by page (the opaque cursor is kept between calls, so a restart resumes the
// window); once the window is done the watermark moves to its end. Because the order of
// a window is newest first, a package changed while the window is walked moves past the
// window's end and is read by the next window, never lost. The overlap re-reads a few
// minutes, which the queue takes as unchanged.
const (
	streamPath    = "/order/sellers/%s/orders/stream"
	bucketStream  = "orders-stream"
	streamMax     = 14 * 24 * time.Hour
	streamKeep    = 89 * 24 * time.Hour // the stream shows 3 months; stay inside
	streamPage    = 200
	streamOverlap = 5 * time.Minute
	// streamSpacing: Trendyol asks for at least 5 s between calls of the stream.
	streamSpacing = 5 * time.Second
	// orderDateShift: orderDate is epoch ms of the GMT+3 wall clock, not of the instant.
	orderDateShift = 3 * time.Hour
)

// orderStream is the Client's order reading: the stream endpoint asks for calls at
// least streamSpacing apart, which its own pacer keeps.
type orderStream struct {
	clock httpx.Clock
	space *httpx.Pacer
}

func newOrderStream(clock httpx.Clock) orderStream {
	return orderStream{clock: clock, space: httpx.NewPacer(clock, connectors.Rate{Requests: 1, Per: streamSpacing}, nil)}
}

// streamCursor is the agent's cursor: a watermark between windows, the window and the
// marketplace's opaque cursor while one is walked.
type streamCursor struct {
	Mark int64  `json:"mark,omitempty"` // epoch ms: everything changed after it is still to read
	From int64  `json:"from,omitempty"` // the window being walked
	To   int64  `json:"to,omitempty"`
	Next string `json:"next,omitempty"`
}

// FetchOrders implements connectors.OrderFetcher.
func (c *Client) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	now := c.orders.clock.Now()
	var cur streamCursor
	if q.Cursor != "" {
		if err := json.Unmarshal([]byte(q.Cursor), &cur); err != nil {
			cur = streamCursor{} // not ours (an older format): start from Since
		}
	}
	oldest := now.Add(-streamKeep).UnixMilli()
	if cur.Next == "" {
		from := cur.Mark - streamOverlap.Milliseconds()
		if cur.Mark == 0 {
			from = q.Since.UnixMilli()
		}
		from = max(from, oldest)
		cur = streamCursor{From: from, To: min(from+streamMax.Milliseconds()-1, now.UnixMilli())}
	}
	query := map[string][]string{
		"lastModifiedStartDate": {strconv.FormatInt(cur.From, 10)},
		"lastModifiedEndDate":   {strconv.FormatInt(cur.To, 10)},
		"size":                  {strconv.Itoa(streamPage)},
	}
	if cur.Next != "" {
		query["nextCursor"] = []string{cur.Next}
	}
	done, err := c.orders.space.Wait(ctx, bucketStream)
	if err != nil {
		return connectors.OrderPage{Cursor: q.Cursor}, err
	}
	var page api.StreamPage
	req := &httpx.Request{Method: http.MethodGet, Path: fmt.Sprintf(streamPath, c.seller), Query: query, Bucket: bucketStream}
	_, err = c.http.DoJSON(ctx, req, &page)
	done()
	if err != nil {
		var ce *connectors.Error
		if cur.Next != "" && errors.As(err, &ce) && ce.Status == http.StatusBadRequest {
			// The opaque cursor is no longer accepted (expired, or the query changed):
			// walk the window again from its start; the queue ignores what it has seen.
			c.log.Warn().Err(err).Msg("Trendyol refused the stored order stream cursor; reading the window again from its start")
			return connectors.OrderPage{Cursor: mustJSON(streamCursor{Mark: cur.From + streamOverlap.Milliseconds()}), More: true}, nil
		}
		return connectors.OrderPage{Cursor: q.Cursor}, err
	}
	out := connectors.OrderPage{}
	for i := range page.Content {
		o, err := normalizePackage(&page.Content[i], &c.unknown)
		if err != nil {
			return connectors.OrderPage{Cursor: q.Cursor}, &connectors.Error{Kind: connectors.Permanent, Err: err,
				Message: "Trendyol sent an order package the agent cannot read"}
		}
		out.Orders = append(out.Orders, o)
	}
	if page.HasMore && page.NextCursor != "" {
		cur.Next = page.NextCursor
		out.Cursor, out.More = mustJSON(cur), true
		return out, nil
	}
	out.Cursor = mustJSON(streamCursor{Mark: cur.To})
	// A window that ended before now leaves more to read (a first fetch over 30 days,
	// or an agent that was off for weeks).
	out.More = cur.To < now.UnixMilli()-streamOverlap.Milliseconds()
	return out, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// statuses maps Trendyol's package (and line) statuses, every one its documents list:
// the getShipmentPackages filter, the stream's packageItemStatuses and the older guides
// (Repack). Verified and Repack have no documented meaning; both come before the goods
// leave (verified at the seller's, packed again), so they count as Processing.
var statuses = map[string]order.Status{
	"Awaiting": order.Awaiting, "Created": order.New,
	"Picking": order.Processing, "Invoiced": order.Processing, "Verified": order.Processing, "Repack": order.Processing,
	"Shipped": order.Shipped, "AtCollectionPoint": order.Shipped, "Delivered": order.Delivered,
	"UnDelivered": order.Returned, "Returned": order.Returned,
	"Cancelled": order.Cancelled, "UnSupplied": order.Cancelled, "UnPacked": order.Split,
}

// statusOf maps a status word; an unknown one counts as New (the goods are still owed,
// so its units stay reserved) and known is false.
func statusOf(raw string) (st order.Status, known bool) {
	if s, ok := statuses[raw]; ok {
		return s, true
	}
	return order.New, false
}

// unknownStatuses logs each status word the connector does not know, once per word for
// the life of the connector, with the order and package it first came with, so an
// operator learns that Trendyol added a status without a log line per fetch.
type unknownStatuses struct {
	log  zerolog.Logger
	mu   sync.Mutex
	seen map[string]bool
}

func (u *unknownStatuses) note(raw, orderNumber, pkg string) {
	u.mu.Lock()
	first := !u.seen[raw]
	if first {
		if u.seen == nil {
			u.seen = map[string]bool{}
		}
		u.seen[raw] = true
	}
	u.mu.Unlock()
	if first {
		u.log.Warn().Str("order", orderNumber).Str("package", pkg).Str("status", raw).
			Msgf("Trendyol sent the unknown status %q (order %s, package %s); the agent treats it as a new order whose goods are still owed; this is logged once", raw, orderNumber, pkg)
	}
}

// normalizePackage turns one shipment package into an order of one package, keyed by
// orderNumber: splits and cancellations replace packages under the same order number,
// and the queue merges them by package id, so no unit is counted twice.
func normalizePackage(p *api.Package, unknown *unknownStatuses) (order.Order, error) {
	pkgID := string(p.ShipmentPackageID)
	if pkgID == "" {
		pkgID = string(p.OldID)
	}
	if p.OrderNumber == "" || pkgID == "" {
		return order.Order{}, fmt.Errorf("a package without orderNumber or shipmentPackageId")
	}
	raw := p.Status
	if raw == "" {
		raw = p.PackageStatus
	}
	updated := time.UnixMilli(p.LastModifiedDate)
	st, known := statusOf(raw)
	if !known {
		unknown.note(raw, p.OrderNumber, pkgID)
	}
	pk := order.Package{ID: pkgID, Status: st, RawStatus: raw, UpdatedAt: updated,
		CargoTracking: strings.Trim(string(p.CargoTracking), `"`)}
	if pk.CargoTracking == "null" {
		pk.CargoTracking = ""
	}
	for _, id := range p.OriginPackageIDs {
		pk.Origin = append(pk.Origin, string(id))
	}
	for i := range p.Lines {
		if ls := p.Lines[i].StatusName; ls != "" {
			if _, known := statusOf(ls); !known {
				unknown.note(ls, p.OrderNumber, pkgID)
			}
		}
		l, err := normalizeLine(&p.Lines[i], pk.Status)
		if err != nil {
			return order.Order{}, fmt.Errorf("package %s line %d: %w", pkgID, i+1, err)
		}
		pk.Lines = append(pk.Lines, l)
	}
	currency := p.CurrencyCode
	if currency == "" {
		currency = "TRY"
	}
	o := order.Order{
		Marketplace: Marketplace, ID: p.OrderNumber, Number: p.OrderNumber, RawStatus: raw,
		OrderedAt: time.UnixMilli(p.OrderDate).Add(-orderDateShift), UpdatedAt: updated, Currency: currency,
		Customer: order.Customer{Name: strings.TrimSpace(p.CustomerFirstName + " " + p.CustomerLastName),
			Email: p.CustomerEmail, IdentityNumber: p.IdentityNumber},
		ShipTo: address(p.ShipmentAddress), BillTo: address(p.InvoiceAddress),
		Packages: []order.Package{pk}, CargoProvider: p.CargoProviderName,
	}
	if p.Commercial {
		o.Customer.Company = p.InvoiceAddress.Company
		o.Customer.TaxNumber, o.Customer.TaxOffice = p.InvoiceAddress.TaxNumber, p.InvoiceAddress.TaxOffice
		if o.Customer.TaxNumber == "" {
			o.Customer.TaxNumber = p.TaxNumber
		}
	}
	o.Customer.Phone = p.ShipmentAddress.Phone
	o.Derive()
	return o, nil
}

func normalizeLine(l *api.Line, pkgStatus order.Status) (order.Line, error) {
	id := string(l.LineID)
	if id == "" {
		id = string(l.OldID)
	}
	sku := l.StockCode
	if sku == "" {
		sku = l.MerchantSKU
	}
	if sku == "" {
		sku = l.Barcode // a listing without a stock code: the barcode is the key Trendyol has
	}
	gross, err := amount(l.LineGrossAmount)
	if err != nil {
		return order.Line{}, err
	}
	disc, err := amount(l.LineTotalDiscount)
	if err != nil {
		return order.Line{}, err
	}
	if len(l.LineTotalDiscount) == 0 {
		s, err1 := amount(l.LineSellerDiscount)
		t, err2 := amount(l.LineTyDiscount)
		if err := errors.Join(err1, err2); err != nil {
			return order.Line{}, err
		}
		disc = s + t
	}
	unitRaw := l.LineUnitPrice
	if len(unitRaw) == 0 {
		unitRaw = l.OldPrice
	}
	unit, err := amount(unitRaw)
	if err != nil {
		return order.Line{}, err
	}
	if len(l.LineGrossAmount) == 0 {
		gross = unit + disc
	}
	vat, err := order.Rate(string(l.VatRate))
	if err != nil {
		return order.Line{}, err
	}
	q := money.Kurus(l.Quantity)
	line := order.Line{ID: id, SKU: strings.TrimSpace(sku), Barcode: l.Barcode, Name: l.ProductName, Quantity: l.Quantity,
		UnitPrice: gross, Discount: disc * q, Total: unit * q, VATRate: vat}
	if st, ok := statuses[l.StatusName]; ok && st == order.Cancelled && pkgStatus.Live() {
		line.Cancelled = true
	}
	return line, nil
}

func amount(raw json.RawMessage) (money.Kurus, error) { return order.Amount(string(raw)) }

func address(a api.Address) order.Address {
	name := a.FullName
	if name == "" {
		name = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
	line2 := strings.TrimSpace(strings.Join([]string{a.Address2, a.Neighborhood}, " "))
	return order.Address{Name: name, Line1: a.Address1, Line2: line2, District: a.District, City: a.City,
		PostalCode: a.PostalCode, Country: a.CountryCode, Phone: a.Phone}
}
