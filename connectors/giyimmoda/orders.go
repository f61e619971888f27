package giyimmoda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/giyimmoda/api"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
)

// Giyim Moda's order list has no updated-since filter and no updated_at, so every fetch
// re-scans the orders dated inside the store's look-back window and diffs each list row
// against what the queue holds: the row's payment status, delivery status and grand
// total make a fingerprint, and an order is read in detail when its fingerprint
// changed. A single cancelled line (an order_details row) changes none of those, so an
// order that is still open is read again when its last detail read is older than
// refreshOpen. Lines name Giyim Moda's product id; the SKU comes from the connector's
// SKU → id map (the product list), read again once when an id is not in it.
const (
	ordersPath  = "/api/seller/orders"
	orderPage   = 100
	refreshOpen = time.Hour
)

// turkey is Giyim Moda's time: dates are "Y-m-d H:i:s" in Turkey time (UTC+3, no DST
// since 2016); a fixed zone needs no tzdata.
var turkey = time.FixedZone("TRT", 3*3600)

const laravelDate = "2006-01-02 15:04:05"

type orderFetcher struct {
	c     *Client
	clock httpx.Clock

	mu    sync.Mutex
	byCat *catalogue       // the catalogue skus was built from
	skus  map[int64]string // product id → SKU (or barcode when the product has no SKU)
}

// FetchOrders implements connectors.OrderFetcher.
func (c *Client) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	return c.orders.fetch(ctx, q)
}

type scanCursor struct {
	From string `json:"from,omitempty"` // Y-m-d, Turkey time
	Page int    `json:"page,omitempty"`
}

func (f *orderFetcher) fetch(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	var cur scanCursor
	if q.Cursor != "" && json.Unmarshal([]byte(q.Cursor), &cur) != nil {
		cur = scanCursor{}
	}
	if cur.Page < 1 || cur.From == "" {
		cur = scanCursor{From: q.Since.In(turkey).Format("2006-01-02"), Page: 1}
	}
	keep := connectors.OrderPage{Cursor: q.Cursor}
	var env api.Envelope
	req := &httpx.Request{Method: http.MethodGet, Path: ordersPath, Query: url.Values{
		"page": {strconv.Itoa(cur.Page)}, "per_page": {strconv.Itoa(orderPage)}, "date_from": {cur.From}}}
	resp, err := f.c.http.DoJSON(ctx, req, &env)
	if err != nil {
		return keep, err
	}
	var rows []api.OrderSummary
	if err := json.Unmarshal(env.Data, &rows); err != nil {
		return keep, f.c.http.Unreadable(req, resp, err)
	}
	known := map[string]string{}
	if q.Known != nil && len(rows) > 0 {
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = string(r.ID)
		}
		if known, err = q.Known(ctx, ids); err != nil {
			return keep, err
		}
	}
	now := f.clock.Now()
	out := connectors.OrderPage{}
	for _, r := range rows {
		if !f.stale(known[string(r.ID)], &r, now) {
			continue
		}
		o, err := f.detail(ctx, string(r.ID), now)
		if err != nil {
			return keep, err
		}
		out.Orders = append(out.Orders, o)
	}
	last := 0
	if env.Pagination != nil {
		if n, err := env.Pagination.LastPage.Int(); err == nil {
			last = int(n)
		}
	}
	if cur.Page < last && len(rows) > 0 {
		cur.Page++
		b, _ := json.Marshal(cur)
		out.Cursor, out.More = string(b), true
		return out, nil
	}
	out.Cursor = "{}" // scan done; the next fetch starts a new one
	return out, nil
}

// fingerprint is what the list row says about an order's state.
func fingerprint(r *api.OrderSummary) string {
	return r.PaymentStatus + "|" + r.DeliveryStatus + "|" + string(r.GrandTotal)
}

// stale reports whether an order must be read in detail, given the version the queue
// holds ("fingerprint|unix seconds of the detail read").
func (f *orderFetcher) stale(version string, r *api.OrderSummary, now time.Time) bool {
	i := strings.LastIndexByte(version, '|')
	if i < 0 || version[:i] != fingerprint(r) {
		return true
	}
	if r.DeliveryStatus == "delivered" || r.DeliveryStatus == "cancelled" {
		return false
	}
	at, err := strconv.ParseInt(version[i+1:], 10, 64)
	return err != nil || now.Sub(time.Unix(at, 0)) >= refreshOpen
}

func (f *orderFetcher) detail(ctx context.Context, id string, now time.Time) (order.Order, error) {
	var env api.Envelope
	req := &httpx.Request{Method: http.MethodGet, Path: ordersPath + "/" + url.PathEscape(id)}
	resp, err := f.c.http.DoJSON(ctx, req, &env)
	if err != nil {
		return order.Order{}, err
	}
	var d api.OrderDetail
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return order.Order{}, f.c.http.Unreadable(req, resp, err)
	}
	o, err := f.normalize(ctx, &d, now)
	switch {
	case errors.Is(err, errNoLines):
		return order.Order{}, &connectors.Error{Kind: connectors.Permanent, Err: err,
			Message: fmt.Sprintf("Giyim Moda order %s (id %s) came without lines: its detail has no order_details (nor details or items); an order is never imported without its lines, so this fetch stops here and the next one tries again (if every order says this, Giyim Moda changed the detail's shape)", d.Code, id)}
	case err != nil:
		return order.Order{}, &connectors.Error{Kind: connectors.Permanent, Err: err,
			Message: fmt.Sprintf("Giyim Moda sent order %s in a form the agent cannot read", d.Code)}
	}
	return o, nil
}

// errNoLines: an order detail without any line.
var errNoLines = errors.New("the order detail has no lines")

// deliveryStatuses maps delivery_status. payment_status unpaid makes an order Awaiting
// (reserved, not written to the ERP), except cash on delivery: that is paid when it is
// delivered, so it must be shipped first.
var deliveryStatuses = map[string]order.Status{
	"pending": order.New, "confirmed": order.Processing, "picked_up": order.Shipped, "on_the_way": order.Shipped,
	"delivered": order.Delivered, "cancelled": order.Cancelled,
}

func statusOf(delivery, payment, paymentType string) order.Status {
	st, ok := deliveryStatuses[delivery]
	if !ok {
		st = order.New
	}
	if payment == "unpaid" && paymentType != "cash_on_delivery" && st != order.Cancelled {
		return order.Awaiting
	}
	return st
}

func (f *orderFetcher) normalize(ctx context.Context, d *api.OrderDetail, now time.Time) (order.Order, error) {
	id := string(d.ID)
	if id == "" {
		return order.Order{}, fmt.Errorf("an order without id")
	}
	at, err := time.ParseInLocation(laravelDate, d.Date, turkey)
	if err != nil {
		return order.Order{}, fmt.Errorf("date %q: %w", d.Date, err)
	}
	total, err := d.GrandTotal.Kurus()
	if err != nil {
		return order.Order{}, fmt.Errorf("grand_total: %w", err)
	}
	var coupon money.Kurus
	if d.CouponDiscount != "" {
		if coupon, err = d.CouponDiscount.Kurus(); err != nil {
			return order.Order{}, fmt.Errorf("coupon_discount: %w", err)
		}
	}
	rows, _ := d.Lines()
	if len(rows) == 0 {
		return order.Order{}, errNoLines
	}
	amounts := make([]lineAmounts, len(rows))
	for i := range rows {
		if amounts[i], err = amountsOf(&rows[i]); err != nil {
			return order.Order{}, fmt.Errorf("line %s: %w", rows[i].ID, err)
		}
	}
	unit, fits := perUnit(amounts, total, coupon)
	if !fits {
		f.c.log.Warn().Str("order", d.Code).
			Msgf("Giyim Moda order %s: its lines add up to grand_total %s neither as line totals nor as unit prices; they are read as line totals, the platform's own behaviour (check the order in the seller panel)", d.Code, total)
	}
	raw := d.DeliveryStatus
	if d.PaymentStatus == "unpaid" {
		raw += " (unpaid)"
	}
	pk := order.Package{ID: id, Status: statusOf(d.DeliveryStatus, d.PaymentStatus, d.PaymentType), RawStatus: raw}
	if d.TrackingCode != nil {
		pk.CargoTracking = *d.TrackingCode
	}
	a := d.ShippingAddress
	o := order.Order{
		Marketplace: Marketplace, ID: id, Number: d.Code, RawStatus: raw, OrderedAt: at, Currency: "TRY",
		Version:  fingerprint(&d.OrderSummary) + "|" + strconv.FormatInt(now.Unix(), 10),
		Customer: order.Customer{Name: d.Customer.Name, Email: firstOf(d.Customer.Email, a.Email), Phone: d.Customer.Phone, IdentityNumber: a.TCIdentity},
		ShipTo: order.Address{Name: firstOf(a.Name, d.Customer.Name), Line1: a.Address,
			City: firstOf(a.City, a.State), PostalCode: a.PostalCode, Country: a.Country,
			Phone: firstOf(a.Phone, d.Customer.Phone)},
		StatedTotal: total, OrderDiscount: coupon, PaymentType: d.PaymentType,
	}
	o.BillTo = o.ShipTo
	for i := range rows {
		line, err := f.line(ctx, &rows[i], amounts[i], unit)
		if err != nil {
			return order.Order{}, fmt.Errorf("line %s: %w", rows[i].ID, err)
		}
		o.ShippingFee += amounts[i].ship
		pk.Lines = append(pk.Lines, line)
	}
	o.Packages = []order.Package{pk}
	o.Derive()
	return o, nil
}

// lineAmounts are one order_details row's figures as sent.
type lineAmounts struct {
	qty              int64
	price, tax, ship money.Kurus
}

func amountsOf(l *api.OrderLine) (lineAmounts, error) {
	qty, err := l.Quantity.Int()
	if err != nil || qty < 1 {
		return lineAmounts{}, fmt.Errorf("quantity %q", string(l.Quantity))
	}
	price, err1 := order.Amount(string(l.Price))
	tax, err2 := order.Amount(string(l.Tax))
	ship, err3 := order.Amount(string(l.ShippingCost))
	if err1 != nil || err2 != nil || err3 != nil {
		return lineAmounts{}, fmt.Errorf("amounts price %q, tax %q, shipping_cost %q", string(l.Price), string(l.Tax), string(l.ShippingCost))
	}
	return lineAmounts{qty: qty, price: price, tax: tax, ship: ship}, nil
}

// perUnit decides what a line's price and tax are. On the platform the seed's data model
// matches, checkout writes order_details.price = unit price × quantity and tax likewise,
// and grand_total = Σ price + Σ tax + Σ shipping_cost − coupon_discount: line totals,
// the reading taken unless the grand total says otherwise. Per unit is taken only when
// the amounts add up to grand_total that way and not as line totals (with every
// quantity 1 the two readings are the same). fits is false when neither adds up.
func perUnit(ls []lineAmounts, grand, coupon money.Kurus) (unit, fits bool) {
	var asLine, asUnit money.Kurus
	for _, l := range ls {
		asLine += l.price + l.tax + l.ship
		asUnit += (l.price+l.tax)*money.Kurus(l.qty) + l.ship
	}
	switch {
	case asLine-coupon == grand:
		return false, true
	case asUnit-coupon == grand:
		return true, true
	}
	return false, false
}

func (f *orderFetcher) line(ctx context.Context, l *api.OrderLine, a lineAmounts, unit bool) (order.Line, error) {
	pid, err := l.ProductID.Int()
	if err != nil {
		return order.Line{}, fmt.Errorf("product_id %q", string(l.ProductID))
	}
	q := money.Kurus(a.qty)
	line := order.Line{ID: string(l.ID), ProductID: string(l.ProductID), Quantity: a.qty, Total: a.price, Tax: a.tax,
		UnitPrice: a.price / q, Cancelled: l.DeliveryStatus == "cancelled"}
	if unit {
		line.UnitPrice, line.Total, line.Tax = a.price, a.price*q, a.tax*q
	}
	if l.Product != nil {
		line.Name = l.Product.Name
	}
	if line.SKU, err = f.sku(ctx, pid); err != nil {
		return order.Line{}, err
	}
	if line.SKU == "" && l.Product != nil && l.Product.SKU != nil {
		line.SKU = strings.TrimSpace(*l.Product.SKU)
	}
	if l.Variation != "" {
		line.Name = strings.TrimSpace(line.Name + " " + l.Variation)
	}
	return line, nil
}

// sku maps a product id to the merchant's SKU through the connector's product map, read
// again (at most once a minute) when the id is not in it. "" when the product is not
// on the list at all.
func (f *orderFetcher) sku(ctx context.Context, id int64) (string, error) {
	for _, maxAge := range []time.Duration{mapTTL, missRefresh} {
		cat, err := f.c.ids.get(ctx, maxAge)
		if err != nil {
			return "", err
		}
		if s, ok := f.skuIn(cat, id); ok {
			return s, nil
		}
	}
	return "", nil
}

func (f *orderFetcher) skuIn(cat *catalogue, id int64) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byCat != cat {
		f.byCat, f.skus = cat, map[int64]string{}
		for code, es := range cat.byBarcode {
			for _, e := range es {
				f.skus[e.id] = code
			}
		}
		for code, es := range cat.bySKU { // a SKU wins over a barcode
			for _, e := range es {
				f.skus[e.id] = code
			}
		}
	}
	s, ok := f.skus[id]
	return s, ok
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
