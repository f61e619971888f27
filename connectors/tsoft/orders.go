package tsoft

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/tsoft/api"
)

// T-Soft's order list filters on the order date only (OrderDateTimeStart/End); there
// is no filter on the last change. So every fetch is a scan of the orders placed in the
// store's look-back window, page by page, oldest id first, and an order comes back
// whenever its row differs from the one the queue holds (a fingerprint of the row is
// its Version): a status change, a cancellation, a return. The scan's end is fixed when
// it starts, so the pages cannot shift under it; orders placed meanwhile are read by the
// next scan. A change to an order older than the look-back window is not seen.
const orderPage = 100

// fixedStatuses are the two status ids T-Soft fixes in every shop; the others are the
// shop's own and are read from settings.order_statuses or the status text.
var fixedStatuses = map[string]order.Status{"9": order.Cancelled, "10": order.Returned}

// scanCursor is a scan in progress; the zero value starts the next one.
type scanCursor struct {
	From  string `json:"from,omitempty"` // RFC 3339, UTC
	To    string `json:"to,omitempty"`
	Start int    `json:"start,omitempty"`
}

// orderCall is one page of the order list. order/get takes dates as
// "YYYY-MM-DD HH:MM:SS" without a zone, and which zone the shop reads them in is not
// documented (the verified client writes Turkey time, another client UTC): the start is
// written in UTC and the end in Turkey time, so read either way the window covers
// [from, to] and at most three hours more, never less. order2/getOrders takes ISO dates
// with a Z.
func (c *Client) orderCall(from, to time.Time, start, limit int) call {
	if c.set.order2 {
		return call{method: "order2/getOrders", form: formOf(
			"OrderDateTimeStart", from.UTC().Format("2006-01-02T15:04:05Z"),
			"OrderDateTimeEnd", to.UTC().Format("2006-01-02T15:04:05Z"),
			"start", strconv.Itoa(start), "limit", strconv.Itoa(limit), "FetchInvoiceDetails", "true")}
	}
	return call{method: "order/get", form: formOf(
		"OrderDateTimeStart", from.UTC().Format("2006-01-02 15:04:05"),
		"OrderDateTimeEnd", to.In(turkey).Format("2006-01-02 15:04:05"),
		"orderby", "OrderId ASC", "start", strconv.Itoa(start), "limit", strconv.Itoa(limit),
		"FetchProductData", "true", "FetchCustomerData", "true", "FetchInvoiceAddress", "true",
		"FetchDeliveryAddress", "true", "FetchCargoDetail", "true")}
}

// FetchOrders implements connectors.OrderFetcher.
func (c *Client) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	keep := connectors.OrderPage{Cursor: q.Cursor}
	var cur scanCursor
	if q.Cursor != "" && json.Unmarshal([]byte(q.Cursor), &cur) != nil {
		cur = scanCursor{}
	}
	from, errF := time.Parse(time.RFC3339, cur.From)
	to, errT := time.Parse(time.RFC3339, cur.To)
	if errF != nil || errT != nil || cur.Start < 0 {
		from, to = q.Since.UTC(), c.clock.Now().UTC()
		cur = scanCursor{From: from.Format(time.RFC3339), To: to.Format(time.RFC3339)}
	}
	env, err := c.do(ctx, c.orderCall(from, to, cur.Start, orderPage))
	if err != nil {
		var r *refusal
		if errors.As(err, &r) {
			err = r.asError()
		}
		return keep, err
	}
	rows, err := dataRows(env.Data)
	if err != nil {
		return keep, &connectors.Error{Kind: connectors.Transient, Err: err, Message: "T-Soft's order list could not be read"}
	}
	orders := make([]order.Order, 0, len(rows))
	ids := make([]string, 0, len(rows))
	for _, raw := range rows {
		var row api.Order
		if err := json.Unmarshal(raw, &row); err != nil {
			return keep, &connectors.Error{Kind: connectors.Permanent, Err: err, Message: "T-Soft sent an order row the agent cannot read"}
		}
		o, err := c.normalizeOrder(&row)
		if err != nil {
			return keep, &connectors.Error{Kind: connectors.Permanent, Err: err,
				Message: fmt.Sprintf("T-Soft sent order %s in a form the agent cannot read", firstOf(row.OrderCode, row.OrderID))}
		}
		o.Version = fingerprint(raw)
		orders = append(orders, o)
		ids = append(ids, o.ID)
	}
	known := map[string]string{}
	if q.Known != nil && len(ids) > 0 {
		if known, err = q.Known(ctx, ids); err != nil {
			return keep, err
		}
	}
	out := connectors.OrderPage{}
	for _, o := range orders {
		if v, ok := known[o.ID]; ok && v == o.Version {
			continue // unchanged since the queue stored it
		}
		out.Orders = append(out.Orders, o)
	}
	next := cur.Start + len(rows)
	total, hasTotal := 0, false
	if env.Summary != nil {
		if n, err := strconv.Atoi(env.Summary.TotalRecordCount.String()); err == nil {
			total, hasTotal = n, true
		}
	}
	if len(rows) > 0 && ((hasTotal && next < total) || (!hasTotal && len(rows) >= orderPage)) {
		cur.Start = next
		b, _ := json.Marshal(cur)
		out.Cursor, out.More = string(b), true
		return out, nil
	}
	out.Cursor = "{}" // scan done; the next fetch starts a new one
	return out, nil
}

// dataRows is data as a list of rows: T-Soft sends a list, sometimes a single object.
func dataRows(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "[]" || string(raw) == "{}" || string(raw) == `""` {
		return nil, nil
	}
	if raw[0] == '{' {
		return []json.RawMessage{raw}, nil
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	return rows, nil
}

func fingerprint(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

func firstOf(vs ...api.Value) string {
	for _, v := range vs {
		if v != "" {
			return string(v)
		}
	}
	return ""
}

// Status words in the shop's own status texts, folded (foldTR), in the order the
// verified client tries them.
var statusText = []struct {
	re *regexp.Regexp
	st order.Status
}{
	{regexp.MustCompile(`iptal|cancel`), order.Cancelled},
	{regexp.MustCompile(`iade|return|refund`), order.Returned},
	{regexp.MustCompile(`teslim|delivered`), order.Delivered},
	{regexp.MustCompile(`kargoya|kargoda|gonderildi|shipped`), order.Shipped},
	{regexp.MustCompile(`hazir|paket|tedarik|prepar`), order.Processing},
	{regexp.MustCompile(`onaylandi|approved`), order.New},
	{regexp.MustCompile(`odeme|payment`), order.Awaiting},
}

// statusOf maps a status: 9 and 10 as T-Soft fixes them, then the store's
// order_statuses, then the words of the status text; anything else is a new order (the
// goods are owed), its own words kept as RawStatus.
func (c *Client) statusOf(id, text string) order.Status {
	id = strings.TrimLeft(strings.TrimSpace(id), "0")
	if st, ok := fixedStatuses[id]; ok {
		return st
	}
	if st, ok := c.set.statuses[id]; ok {
		return st
	}
	f := foldTR(text)
	for _, s := range statusText {
		if s.re.MatchString(f) {
			return s.st
		}
	}
	return order.New
}

func (c *Client) normalizeOrder(r *api.Order) (order.Order, error) {
	id := firstOf(r.OrderID, r.OrderCode)
	if id == "" {
		return order.Order{}, errors.New("an order without OrderId")
	}
	ordered, err := instant(api.Value(firstOf(r.OrderDateTimeStamp, r.OrderDate)))
	if err != nil {
		return order.Order{}, fmt.Errorf("order date: %w", err)
	}
	var updated time.Time
	if u := firstOf(r.UpdateDateTimeStamp, r.UpdateDate); u != "" {
		if updated, err = instant(api.Value(u)); err != nil {
			return order.Order{}, fmt.Errorf("update date: %w", err)
		}
	}
	raw := strings.TrimSpace(r.OrderStatus.String())
	if raw == "" {
		raw = "status " + r.OrderStatusID.String()
	}
	st := c.statusOf(r.OrderStatusID.String(), r.OrderStatus.String())
	details, err := orderDetails(r.OrderDetails)
	if err != nil {
		return order.Order{}, fmt.Errorf("OrderDetails: %w", err)
	}
	pk := order.Package{ID: id, Status: st, RawStatus: raw, UpdatedAt: updated, CargoTracking: r.CargoTrackingCode.String()}
	for i, d := range details {
		l, err := orderLine(id, i, &d)
		if err != nil {
			return order.Order{}, err
		}
		pk.Lines = append(pk.Lines, l)
	}
	o := order.Order{
		Marketplace: Marketplace, ID: id, Number: firstOf(r.OrderCode, r.OrderID), RawStatus: raw,
		OrderedAt: ordered, UpdatedAt: updated, Currency: currency(r.Currency.String()),
		CargoProvider: r.Cargo.String(), PaymentType: r.PaymentType.String(),
		Packages: []order.Package{pk},
	}
	if o.StatedTotal, err = amount(r.OrderTotalPrice); err != nil {
		return order.Order{}, fmt.Errorf("OrderTotalPrice: %w", err)
	}
	email := r.Email.String()
	if email == "" && strings.Contains(r.CustomerUsername.String(), "@") {
		email = r.CustomerUsername.String()
	}
	o.Customer = order.Customer{Name: r.CustomerName.String(), Email: email, Phone: firstOf(r.CustomerPhone, r.DeliveryMobile),
		Company: r.InvoiceCompanyName.String(), TaxNumber: r.InvoiceTaxNumber.String(), TaxOffice: r.InvoiceTaxOffice.String(),
		IdentityNumber: r.InvoiceIdentityNo.String()}
	o.ShipTo = order.Address{Name: firstOf(r.DeliveryName, r.CustomerName), Line1: r.DeliveryAddress.String(),
		District: firstOf(r.DeliveryTown, r.DeliveryDistrict), City: r.DeliveryCity.String(), PostalCode: r.DeliveryPostalCode.String(),
		Country: r.DeliveryCountry.String(), Phone: firstOf(r.DeliveryMobile, r.CustomerPhone)}
	o.BillTo = order.Address{Name: firstOf(r.InvoiceCompanyName, r.InvoiceName, r.CustomerName), Line1: r.InvoiceAddress.String(),
		District: r.InvoiceTown.String(), City: r.InvoiceCity.String(), PostalCode: r.InvoicePostalCode.String(),
		Country: r.InvoiceCountry.String(), Phone: firstOf(r.InvoicePhone, r.CustomerPhone)}
	if o.BillTo.Line1 == "" && o.BillTo.City == "" {
		o.BillTo = o.ShipTo
	}
	o.Derive()
	return o, nil
}

// orderDetails reads OrderDetails in each form it is seen in: an array, a JSON string
// holding one, or {"OrderDetail": an array or one object}.
func orderDetails(raw json.RawMessage) ([]api.OrderDetail, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		return orderDetails(json.RawMessage(s))
	}
	if raw[0] == '{' {
		var w struct {
			OrderDetail json.RawMessage `json:"OrderDetail"`
		}
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, err
		}
		if len(w.OrderDetail) == 0 {
			var one api.OrderDetail
			if err := json.Unmarshal(raw, &one); err != nil {
				return nil, err
			}
			return []api.OrderDetail{one}, nil
		}
		return orderDetails(w.OrderDetail)
	}
	var list []api.OrderDetail
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// orderLine is one line: SellingPrice is the price of one unit and Discount the
// discount on the whole line (neither is documented further; the verified client reads
// them so).
func orderLine(orderID string, i int, d *api.OrderDetail) (order.Line, error) {
	code := firstOf(d.SubProductCode, d.ProductCode)
	qty, err := whole(d.Quantity)
	if err != nil {
		return order.Line{}, fmt.Errorf("line %d (%s) Quantity: %w", i+1, code, err)
	}
	unit, err := amount(d.SellingPrice)
	if err != nil {
		return order.Line{}, fmt.Errorf("line %d (%s) SellingPrice: %w", i+1, code, err)
	}
	disc, err := amount(d.Discount)
	if err != nil {
		return order.Line{}, fmt.Errorf("line %d (%s) Discount: %w", i+1, code, err)
	}
	vat, err := vatRate(d.Vat)
	if err != nil {
		return order.Line{}, fmt.Errorf("line %d (%s) Vat: %w", i+1, code, err)
	}
	id := d.OrderProductID.String()
	if id == "" {
		id = orderID + "-" + strconv.Itoa(i+1)
	}
	gross := unit * money.Kurus(qty)
	return order.Line{ID: id, SKU: code, ProductID: firstOf(d.SubProductID, d.ProductID), Barcode: d.Barcode.String(),
		Name: d.ProductName.String(), Quantity: qty, UnitPrice: unit, Discount: min(disc, gross), Total: max(gross-disc, 0), VATRate: vat}, nil
}

// currency turns T-Soft's "TL" into ISO "TRY"; other codes are kept.
func currency(c string) string {
	switch strings.ToUpper(strings.TrimSpace(c)) {
	case "", "TL", "TRY", "YTL":
		return "TRY"
	default:
		return strings.ToUpper(strings.TrimSpace(c))
	}
}
