package ideasoft

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
	"syncagent/connectors/ideasoft/api"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
)

// IdeaSoft's order list filters on the creation date and on ids (sinceId), never on
// updatedAt. So every fetch is one pass over the orders created since the store's
// look-back (OrderQuery.Since), oldest id first, 100 a call, each call from the last id
// of the one before: new orders are the ids the queue does not know, changed ones those
// whose updatedAt, status or payment status differ from the version it holds. Orders
// arriving during a pass come last in it or in the next one. A change to an order older
// than the look-back is not seen: the look-back is the overlap to choose.
const ordersPath = adminPath + "/orders"

// istanbul is Turkey's time (UTC+3 all year): the days of startCreatedAt.
var istanbul = time.FixedZone("+03", 3*60*60)

// scanCursor is a pass in progress; the zero value means "start the next pass".
type scanCursor struct {
	From  string `json:"from,omitempty"`  // startCreatedAt of the pass (yyyy-mm-dd)
	Since int64  `json:"since,omitempty"` // the last order id read in it
}

// FetchOrders implements connectors.OrderFetcher.
func (c *Client) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	var cur scanCursor
	if q.Cursor != "" && json.Unmarshal([]byte(q.Cursor), &cur) != nil {
		cur = scanCursor{}
	}
	if cur.From == "" {
		cur = scanCursor{From: q.Since.In(istanbul).Format("2006-01-02")}
	}
	keep := connectors.OrderPage{Cursor: q.Cursor}
	var page []api.Order
	req := &httpx.Request{Method: http.MethodGet, Path: ordersPath, Query: url.Values{
		"limit": {strconv.Itoa(pageLimit)}, "sort": {"id"}, "sinceId": {strconv.FormatInt(cur.Since, 10)},
		"startCreatedAt": {cur.From}}}
	resp, err := c.http.DoJSON(ctx, req, &page)
	if err != nil {
		return keep, err
	}
	known := map[string]string{}
	if q.Known != nil && len(page) > 0 {
		ids := make([]string, len(page))
		for i := range page {
			ids[i] = page[i].ID.String()
		}
		if known, err = q.Known(ctx, ids); err != nil {
			return keep, err
		}
	}
	out := connectors.OrderPage{}
	for i := range page {
		d := &page[i]
		id, err := d.ID.Int64()
		if err != nil {
			return keep, c.http.Unreadable(req, resp, fmt.Errorf("order id %q", d.ID))
		}
		cur.Since = max(cur.Since, id)
		if v, ok := known[d.ID.String()]; ok && v == version(d) {
			continue
		}
		o, err := c.normalizeOrder(d)
		if err != nil {
			return keep, &connectors.Error{Kind: connectors.Permanent, Err: err,
				Message: fmt.Sprintf("IdeaSoft sent order %s in a form the agent cannot read", d.ID)}
		}
		out.Orders = append(out.Orders, o)
	}
	if len(page) == pageLimit {
		b, _ := json.Marshal(cur)
		out.Cursor, out.More = string(b), true
		return out, nil
	}
	out.Cursor = "{}" // the pass is done; the next fetch starts another
	return out, nil
}

// version is what tells a changed order from one the queue holds: IdeaSoft moves
// updatedAt on changes, and status and payment status are what the agent acts on.
func version(d *api.Order) string { return d.UpdatedAt + "|" + d.Status + "|" + d.PaymentStatus }

// statusOf maps IdeaSoft's status and payment status (ideasoft.md §4). An unknown word
// counts as a new order (the goods are owed) and is kept raw beside it.
func (c *Client) statusOf(status, payment string) order.Status {
	paid := payment == "" || payment == "success"
	switch status {
	case "waiting_for_payment", "on_accumulation":
		return order.Awaiting
	case "waiting_for_approval":
		if !paid {
			return order.Awaiting
		}
		return order.New
	case "approved", "being_prepared":
		return order.Processing
	case "fulfilled":
		return order.Shipped
	case "delivered":
		return order.Delivered
	case "refunded":
		return order.Returned
	case "cancelled", "deleted":
		return order.Cancelled
	case "personal_status_1", "personal_status_2", "personal_status_3":
		return c.personal[status[len(status)-1]-'1']
	}
	return order.New
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

func parseDate(s string) (time.Time, error) {
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, strings.TrimSpace(s), istanbul); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q", s)
}

func (c *Client) normalizeOrder(d *api.Order) (order.Order, error) {
	created, err := parseDate(d.CreatedAt)
	if err != nil {
		return order.Order{}, fmt.Errorf("createdAt: %w", err)
	}
	updated, err := parseDate(d.UpdatedAt)
	if err != nil {
		updated = created
	}
	st := c.statusOf(d.Status, d.PaymentStatus)
	raw := d.Status
	if d.PaymentStatus != "" {
		raw += " (payment " + d.PaymentStatus + ")"
	}
	pk := order.Package{ID: d.ID.String(), Status: st, RawStatus: raw, UpdatedAt: updated, CargoTracking: d.ShippingTracking}
	for _, it := range d.OrderItems {
		l, err := c.line(d, &it)
		if err != nil {
			return order.Order{}, err
		}
		pk.Lines = append(pk.Lines, l)
	}
	number := strings.Trim(strings.TrimSpace(string(d.TransactionID)), `"`)
	if number == "" || number == "null" {
		number = d.ID.String()
	}
	o := order.Order{
		Marketplace: Marketplace, ID: d.ID.String(), Number: number, RawStatus: raw,
		OrderedAt: created, UpdatedAt: updated, Version: version(d), Currency: currency(d.Currency),
		Customer: order.Customer{Name: strings.TrimSpace(d.CustomerFirstname + " " + d.CustomerSurname),
			Email: d.CustomerEmail, Phone: d.CustomerPhone},
		Packages:      []order.Package{pk},
		CargoProvider: d.ShippingCompany, PaymentType: d.PaymentTypeName,
	}
	if a := d.ShippingAddress; a != nil {
		o.ShipTo = address(a)
	}
	o.BillTo = o.ShipTo
	if a := d.BillingAddress; a != nil {
		o.BillTo = address(a)
	}
	var coupon, promo money.Kurus
	for _, f := range []struct {
		raw json.RawMessage
		dst *money.Kurus
		n   string
	}{{d.ShippingAmount, &o.ShippingFee, "shippingAmount"}, {d.TaxAmount, &o.StatedTax, "taxAmount"},
		{d.FinalAmount, &o.StatedTotal, "finalAmount"}, {d.CouponDiscount, &coupon, "couponDiscount"},
		{d.PromotionDiscount, &promo, "promotionDiscount"}} {
		if *f.dst, err = order.Amount(string(f.raw)); err != nil {
			return order.Order{}, fmt.Errorf("%s: %w", f.n, err)
		}
	}
	o.OrderDiscount = coupon + promo
	o.Derive()
	return o, nil
}

// line reads one order item. productQuantity may have decimals (1.5 kg); the agent
// counts whole units, so a fraction is rounded up (the stock it holds back is never too
// little) and logged; the line's total stays what the buyer pays, the rounding shown as
// its discount so that price × units − discount = total.
func (c *Client) line(d *api.Order, it *api.OrderItem) (order.Line, error) {
	q, err := order.Amount(string(it.ProductQuantity))
	if err != nil {
		return order.Line{}, fmt.Errorf("item %s productQuantity: %w", it.ID, err)
	}
	unit, err := order.Amount(string(it.ProductPrice))
	if err != nil {
		return order.Line{}, fmt.Errorf("item %s productPrice: %w", it.ID, err)
	}
	vat, err := order.Rate(string(it.ProductTax))
	if err != nil {
		return order.Line{}, fmt.Errorf("item %s productTax: %w", it.ID, err)
	}
	units := int64((q + 99) / 100)
	if q%100 != 0 {
		c.log.Warn().Str("order", d.ID.String()).Str("sku", it.ProductSKU).Str("quantity", q.String()).Int64("units", units).
			Msg("IdeaSoft order line has a fractional quantity; the agent counts it as whole units, rounded up")
	}
	total := (unit*q + 50) / 100 // what the buyer pays for the exact quantity
	l := order.Line{ID: it.ID.String(), SKU: strings.TrimSpace(it.ProductSKU), Barcode: it.ProductBarcode, Name: it.ProductName,
		Quantity: units, UnitPrice: unit, Discount: max(unit*money.Kurus(units)-total, 0), Total: total, VATRate: vat}
	if it.Product != nil && it.Product.ID != 0 {
		l.ProductID = strconv.FormatInt(it.Product.ID, 10)
	}
	return l, nil
}

func currency(c string) string {
	switch strings.ToUpper(strings.TrimSpace(c)) {
	case "", "TL", "TRY", "₺":
		return "TRY"
	}
	return strings.ToUpper(c)
}

func address(a *api.Address) order.Address {
	return order.Address{Name: strings.TrimSpace(a.Firstname + " " + a.Surname), Line1: a.Address, District: a.SubLocation,
		City: a.Location, PostalCode: a.PostalCode, Country: a.Country, Phone: a.PhoneNumber}
}
