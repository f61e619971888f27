package n11

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/n11/api"
	"syncagent/connectors/order"
)

// Orders come from shipmentPackages, which answers one package status per request, in a
// date range of at most 15 days (wider ranges are clamped silently), sorted by the last
// change, 100 packages a page at most. The agent's cursor keeps, per status, a mark: every
// package of that status changed after it is still to be read. One FetchOrders call is
// one request: a sweep walks the statuses in turn, each over the window from its mark
// (less an overlap) to now, or 15 days on when the mark is older.
//
// Within a window the walk pages by time, not by page number: after a full page it asks
// again from the last change it saw (skipping the packages it has returned at that very
// millisecond), so a package that changes while the window is walked cannot shift
// another past a page boundary. Should n11 not sort as asked, it falls back to page
// numbers.
//
// An empty answer is not trusted to mean "no orders": n11 is reported to answer a 200
// with an empty page when over its limit. So a mark never moves on an empty answer for a
// window that reaches now (the next fetch asks again), an empty answer where packages
// were expected (a page after a full one) leaves the walk where it is for the next
// fetch, and an old window (one that ends before now: a first fetch far back, an agent
// that was off for weeks) is passed only when it came back empty twice, at least
// emptyConfirm apart, longer than n11's rate window.
//
// All of this takes n11's dates (with orderByField=true) to be the last change. Should
// they be the creation date, a mark would pass orders whose status changes later;
// settings.order_sync: rescan then makes every fetch read each status over the whole
// look-back (the marks only chain 15-day windows within one cycle).
const (
	orderWindow    = 15*24*time.Hour - time.Minute
	orderOverlap   = 5 * time.Minute
	emptyConfirm   = 2 * time.Minute
	orderBacklog   = time.Minute // a mark older than now by more than this after a sweep: more to read
	maxBoundarySet = 1000
)

// ordersSince is the oldest date n11 lists orders of (November 2024).
var ordersSince = time.Date(2024, 11, 1, 0, 0, 0, 0, time.FixedZone("TRT", 3*3600))

// orderStatuses are the statuses polled in a sweep, in order.
var orderStatuses = []string{"Created", "Picking", "Shipped", "Delivered", "Cancelled", "UnSupplied", "Unpacked"}

// orderCursor is the agent's cursor for n11.
type orderCursor struct {
	Marks map[string]int64 `json:"marks,omitempty"` // status → epoch ms: everything changed after it is still to read
	Empty map[string]int64 `json:"empty,omitempty"` // status → when its window first came back empty unconfirmed
	I     int              `json:"i,omitempty"`     // the status being walked
	From  int64            `json:"from,omitempty"`  // its window (0: not started)
	To    int64            `json:"to,omitempty"`
	Page  int              `json:"page,omitempty"`  // page-number fallback
	Seen  []string         `json:"seen,omitempty"`  // packages already returned with their last change at From
	Rows  bool             `json:"rows,omitempty"`  // the walk has had rows
	Moved int              `json:"moved,omitempty"` // bit per status whose mark moved in this sweep
}

// FetchOrders implements connectors.OrderFetcher.
func (c *Client) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	now := c.clock.Now()
	cur := orderCursor{}
	if q.Cursor != "" && json.Unmarshal([]byte(q.Cursor), &cur) != nil || cur.I < 0 || cur.I >= len(orderStatuses) {
		cur = orderCursor{} // not ours (an older format): start from Since
	}
	if cur.Marks == nil {
		cur.Marks = map[string]int64{}
	}
	if cur.Empty == nil {
		cur.Empty = map[string]int64{}
	}
	status := orderStatuses[cur.I]
	if cur.From == 0 && cur.To == 0 {
		mark := q.Since
		if m, ok := cur.Marks[status]; ok {
			mark = time.UnixMilli(m)
		}
		// The overlap covers clock skew and, as large as n11's "GMT+3" shift, a wrong
		// reading of what n11's dates count (settings.order_dates).
		from := mark.Add(-orderOverlap - c.dateShift)
		if from.Before(ordersSince) {
			from = ordersSince
		}
		to := now
		if end := from.Add(orderWindow); end.Before(to) {
			to = end
		}
		cur.From, cur.To = from.UnixMilli(), to.UnixMilli()
	}
	page, err := c.packagePage(ctx, status, cur.From, cur.To, cur.Page)
	if err != nil {
		return connectors.OrderPage{Cursor: q.Cursor}, err
	}
	var fresh []api.Package
	seen := map[string]bool{}
	for _, id := range cur.Seen {
		seen[id] = true
	}
	for _, p := range page.Content {
		if !(cur.Page == 0 && seen[string(p.ID)] && c.instant(p.LastModifiedDate).UnixMilli() == cur.From) {
			fresh = append(fresh, p)
		}
	}
	orders, err := c.normalizePage(fresh)
	if err != nil {
		return connectors.OrderPage{Cursor: q.Cursor}, err
	}
	out := connectors.OrderPage{Orders: orders}
	bit := 1 << cur.I
	endWalk := func() {
		cur.I, cur.From, cur.To, cur.Page, cur.Seen, cur.Rows = cur.I+1, 0, 0, 0, nil, false
	}
	switch {
	case len(page.Content) == 0:
		expected := cur.Rows || cur.Page > 0
		old := cur.To < now.UnixMilli()-orderOverlap.Milliseconds()
		first, recorded := cur.Empty[status]
		confirmed := recorded && now.UnixMilli()-first >= emptyConfirm.Milliseconds()
		switch {
		case confirmed && (expected || old):
			if !c.rescan {
				// A rescan meets the same old window every cycle; once confirmed empty it
				// stays passed until it shows rows.
				delete(cur.Empty, status)
			}
			cur.Marks[status], cur.Moved = cur.To, cur.Moved|bit
			endWalk()
		case expected:
			// Packages were expected: keep the walk where it is for the next fetch.
			if !recorded {
				cur.Empty[status] = now.UnixMilli()
			}
			c.log.Warn().Str("status", status).Msgf("n11 answered an empty page of %s packages where more were expected; it may be throttling this account, so the orders cursor stays and the page is asked for again at the next fetch", status)
			out.Cursor = mustJSON(cur)
			return out, nil
		case old:
			if !recorded {
				cur.Empty[status] = now.UnixMilli()
			}
			endWalk()
		default:
			// A window that reaches now: nothing is passed, the next fetch asks again.
			delete(cur.Empty, status)
			endWalk()
		}
	default:
		delete(cur.Empty, status)
		cur.Rows = true
		if len(page.Content) < ordersMax {
			cur.Marks[status], cur.Moved = cur.To, cur.Moved|bit
			endWalk()
			break
		}
		last := c.instant(page.Content[len(page.Content)-1].LastModifiedDate).UnixMilli()
		if cur.Page > 0 || !ascending(page.Content) || last <= cur.From {
			cur.Page++ // n11 did not sort as asked, or a whole page shares one millisecond
			break
		}
		var boundary []string
		if last == cur.From {
			boundary = cur.Seen
		}
		for _, p := range page.Content {
			if c.instant(p.LastModifiedDate).UnixMilli() == last && len(boundary) < maxBoundarySet {
				boundary = append(boundary, string(p.ID))
			}
		}
		cur.From, cur.Seen = last, boundary
	}
	if cur.I < len(orderStatuses) {
		out.More = true
	} else {
		// The sweep is over; more is to read at once when a mark moved and is still behind.
		behind := false
		for i, s := range orderStatuses {
			if cur.Moved&(1<<i) != 0 && cur.Marks[s] < now.Add(-orderBacklog).UnixMilli() {
				behind = true
			}
		}
		cur.I, cur.Moved, out.More = 0, 0, behind
		if c.rescan && !behind {
			cur.Marks = nil // the next fetch reads the whole look-back again
		}
	}
	out.Cursor = mustJSON(cur)
	return out, nil
}

func ascending(ps []api.Package) bool {
	for i := 1; i < len(ps); i++ {
		if ps[i].LastModifiedDate < ps[i-1].LastModifiedDate {
			return false
		}
	}
	return true
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// packagePage asks for one page of one status's packages changed in [from, to] (true
// epoch ms), oldest change first.
func (c *Client) packagePage(ctx context.Context, status string, from, to int64, page int) (api.PackagePage, error) {
	shift := c.dateShift.Milliseconds()
	q := map[string][]string{
		"status":           {status},
		"startDate":        {strconv.FormatInt(from+shift, 10)},
		"endDate":          {strconv.FormatInt(to+shift, 10)},
		"page":             {strconv.Itoa(page)},
		"size":             {strconv.Itoa(ordersMax)},
		"orderByField":     {"true"}, // "true: lastModifiedDate'e göre sorgula" (n11's docs as [TP1] summarises them)
		"orderByDirection": {"ASC"},
	}
	var p api.PackagePage
	err := c.get(ctx, pathPackages, q, &p)
	return p, err
}

// instant turns one of n11's epoch-ms dates into a true instant.
func (c *Client) instant(ms int64) time.Time { return time.UnixMilli(ms).Add(-c.dateShift) }

// normalizePage turns packages into orders keyed by orderNumber, one per order on the
// page with all its packages (splits and cancellations put several packages under one
// order number; the queue merges them by package id).
func (c *Client) normalizePage(ps []api.Package) ([]order.Order, error) {
	var out []order.Order
	at := map[string]int{}
	for i := range ps {
		o, warns, err := c.normalizePackage(&ps[i])
		for _, w := range warns {
			c.log.Warn().Str("order", ps[i].OrderNumber).Str("package", string(ps[i].ID)).Msg(w)
		}
		if err != nil {
			return nil, &connectors.Error{Kind: connectors.Permanent, Err: err,
				Message: "n11 sent an order package the agent cannot read"}
		}
		if j, ok := at[o.ID]; ok {
			out[j] = order.Merge(&out[j], &o)
			continue
		}
		at[o.ID] = len(out)
		out = append(out, o)
	}
	return out, nil
}

// packageStatus maps n11's package statuses (compared without case and spaces: the docs
// write " Shipped" and both Unpacked and UnPacked).
func (c *Client) packageStatus(raw string, returned bool) order.Status {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "created":
		return order.New
	case "picking":
		return order.Processing
	case "shipped":
		return order.Shipped
	case "delivered":
		if returned {
			return order.Returned
		}
		return order.Delivered
	case "cancelled", "unsupplied":
		return order.Cancelled
	case "unpacked":
		if c.liveSplit {
			return order.Processing // the new packages of a split (settings.split_packages)
		}
		return order.Split
	}
	return order.New // an unknown (new) status: the goods are still owed
}

// normalizePackage turns one package into an order of one package, with warnings about
// what did not add up (never personal data).
func (c *Client) normalizePackage(p *api.Package) (order.Order, []string, error) {
	if p.OrderNumber == "" || p.ID == "" {
		return order.Order{}, nil, fmt.Errorf("a package without orderNumber or id")
	}
	raw := strings.TrimSpace(p.Status)
	updated := c.instant(p.LastModifiedDate)
	st := c.packageStatus(raw, p.IsReturned)
	pk := order.Package{ID: string(p.ID), Status: st, RawStatus: raw, UpdatedAt: updated,
		CargoTracking: strings.Trim(strings.TrimSpace(string(p.CargoTrackingNumber)), `"`)}
	if pk.CargoTracking == "null" {
		pk.CargoTracking = ""
	}
	var warns []string
	for i := range p.Lines {
		l, warn, err := normalizeLine(&p.Lines[i], st)
		if err != nil {
			return order.Order{}, nil, fmt.Errorf("package %s line %d: %w", p.ID, i+1, err)
		}
		if warn != "" {
			warns = append(warns, fmt.Sprintf("n11 order %s, line %s: %s", p.OrderNumber, l.ID, warn))
		}
		pk.Lines = append(pk.Lines, l)
	}
	ordered := updated
	for _, h := range p.PackageHistories {
		if t := c.instant(h.CreatedDate); h.CreatedDate > 0 && t.Before(ordered) {
			ordered = t
		}
	}
	o := order.Order{
		Marketplace: Marketplace, ID: p.OrderNumber, Number: p.OrderNumber, RawStatus: raw,
		OrderedAt: ordered, UpdatedAt: updated, Currency: "TRY", // n11 sends no currency: lira
		Customer: order.Customer{Name: strings.TrimSpace(p.CustomerFullName), Email: p.CustomerEmail,
			IdentityNumber: p.TCIdentityNumber, TaxNumber: p.TaxID, TaxOffice: p.TaxOffice},
		Packages: []order.Package{pk}, CargoProvider: p.CargoProviderName,
	}
	bill, ship := address(p.BillingAddress), address(p.ShippingAddress)
	o.BillTo, o.ShipTo = bill, ship
	if ship.Name == "" && ship.Line1 == "" {
		o.ShipTo = bill
	}
	o.Customer.Phone = bill.Phone
	if isPickupPoint(p.DeliveryAddressType) {
		// The shipping address is the pick-up point's; the buyer is only in billing.
		if o.Customer.Name == "" {
			o.Customer.Name = bill.Name
		}
	} else if ship.Phone != "" {
		o.Customer.Phone = ship.Phone
	}
	if o.Customer.Name == "" {
		o.Customer.Name = bill.Name
	}
	if o.Customer.TaxNumber == "" && p.BillingAddress != nil {
		o.Customer.TaxNumber, o.Customer.TaxOffice = p.BillingAddress.TaxID, p.BillingAddress.TaxHouse
	}
	o.Derive()
	return o, warns, nil
}

func isPickupPoint(t string) bool {
	return slices.Contains([]string{"KTN", "EASYPOINT", "PUP"}, strings.ToUpper(strings.TrimSpace(t)))
}

// normalizeLine reads one line exactly. price is the unit price before discounts; the
// seller's discount, the seller's coupon and n11's own mallDiscount are amounts for the
// whole line, and together they are the line's Discount, so Total is what the buyer
// pays. sellerInvoiceAmount (price × quantity − the seller's two discounts, as n11's docs
// define it) is checked against the parts; a line that does not add up keeps the parts
// and comes with a warning, since one odd line must not stop every order after it.
func normalizeLine(l *api.Line, pkgStatus order.Status) (order.Line, string, error) {
	if l.Quantity < 1 {
		return order.Line{}, "", fmt.Errorf("quantity %d", l.Quantity)
	}
	var unit, seller, coupon, mall money.Kurus
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *money.Kurus
	}{{"price", l.Price, &unit}, {"sellerDiscount", l.SellerDiscount, &seller},
		{"sellerCouponDiscount", l.SellerCouponDiscount, &coupon}, {"mallDiscount", l.MallDiscount, &mall}} {
		k, err := order.Amount(string(f.raw))
		if err != nil {
			return order.Line{}, "", fmt.Errorf("%s: %w", f.name, err)
		}
		*f.dst = k
	}
	q := money.Kurus(l.Quantity)
	warn := ""
	if s := strings.TrimSpace(string(l.SellerInvoiceAmount)); s != "" && s != "null" {
		inv, err := order.Amount(s)
		if err != nil {
			return order.Line{}, "", fmt.Errorf("sellerInvoiceAmount: %w", err)
		}
		if want := unit*q - seller - coupon; inv != want {
			warn = fmt.Sprintf("sellerInvoiceAmount %s is not price %s × %d − sellerDiscount %s − sellerCouponDiscount %s = %s; the line keeps the parts",
				inv, unit, l.Quantity, seller, coupon, want)
		}
	}
	vat, err := order.Rate(string(l.VatRate))
	if err != nil {
		return order.Line{}, "", fmt.Errorf("vatRate: %w", err)
	}
	sku := strings.TrimSpace(l.StockCode)
	if sku == "" {
		sku = strings.TrimSpace(l.Barcode)
	}
	disc := seller + coupon + mall
	line := order.Line{ID: string(l.OrderLineID), SKU: sku, ProductID: string(l.ProductID), Barcode: l.Barcode,
		Name: l.ProductName, Quantity: l.Quantity, UnitPrice: unit, Discount: disc, Total: unit*q - disc, VATRate: vat}
	switch strings.ToLower(strings.TrimSpace(l.StatusName)) {
	case "cancelled", "unsupplied":
		line.Cancelled = pkgStatus.Live()
	}
	return line, warn, nil
}

func address(a *api.Address) order.Address {
	if a == nil {
		return order.Address{}
	}
	return order.Address{Name: a.FullName, Line1: a.Address, Line2: a.Neighborhood, District: a.District, City: a.City,
		PostalCode: a.PostalCode, Country: a.CountryCode, Phone: a.GSM}
}
