// Package order is the normalized order every connector returns, the queue stores and
// every sink writes: one shape for Trendyol's shipment packages, PazarSync's orders,
// Giyim Moda's orders (and later Hepsiburada's lines, N11's packages and ikas's orders).
// It holds no I/O and imports nothing of the agent but money, so connectors, the queue
// and the ERP sinks can all depend on it.
//
// An order is identified per store by ID, the key the marketplace keeps stable for the
// whole life of the order (Trendyol: the orderNumber, because packages are replaced on
// every split or cancellation; PazarSync and Giyim Moda: the order id). It is made of
// packages; a package is what the marketplace changes as one (Trendyol: a shipment
// package; elsewhere the order itself is the one package). The queue merges packages
// of one order by package id (Merge), so a connector may report only the packages that
// changed.
package order

import (
	"sort"
	"strings"
	"time"

	"syncagent/connectors/money"
)

// Status is an order's or a package's state, normalized to what the agent acts on. The
// marketplace's own word is kept beside it (RawStatus).
type Status string

const (
	// Awaiting: the payment is not confirmed (Trendyol Awaiting, Giyim Moda unpaid). The
	// stock is reserved, but the order is not written to the ERP until it is paid.
	Awaiting Status = "awaiting"
	// New: paid and not yet handled by the seller.
	New Status = "new"
	// Processing: the seller is picking or invoicing it.
	Processing Status = "processing"
	// Shipped: handed to the carrier (or waiting at a collection point).
	Shipped Status = "shipped"
	// Delivered: the buyer has it.
	Delivered Status = "delivered"
	// Returned: it came back (or could not be delivered and is on its way back).
	Returned Status = "returned"
	// Cancelled: cancelled or not supplied; its units are free again.
	Cancelled Status = "cancelled"
	// Split: a package the marketplace replaced by others (Trendyol UnPacked); its lines
	// live on in the new packages, so it counts for nothing.
	Split Status = "split"
)

// progress orders the live statuses: an order is as far as its least advanced package.
var progress = map[Status]int{Awaiting: 0, New: 1, Processing: 2, Shipped: 3, Delivered: 4, Returned: 5}

// Live reports whether a package in this status still holds goods for the buyer.
func (s Status) Live() bool { _, ok := progress[s]; return ok }

// HasShipped reports whether the goods have left the warehouse.
func (s Status) HasShipped() bool { return s == Shipped || s == Delivered || s == Returned }

// Order is one order of one store.
type Order struct {
	Store       string `json:"store"`
	Marketplace string `json:"marketplace"`
	// ID is the marketplace's stable key of the order (unique per store).
	ID string `json:"id"`
	// Number is the order number people and the ERP use.
	Number string `json:"number"`
	// Status is derived from the live packages (Derive); RawStatus is the marketplace's
	// word for the order as a whole, or of its newest package.
	Status    Status `json:"status"`
	RawStatus string `json:"raw_status"`
	// OrderedAt is when the buyer ordered, in the store's time zone; UpdatedAt is the
	// marketplace's last change (zero when the marketplace does not say).
	OrderedAt time.Time `json:"ordered_at"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Version is the marketplace's change marker as the connector compares it (PazarSync
	// updated_at, a fingerprint of Giyim Moda's list row); "" when the connector needs none.
	Version  string    `json:"-"` // kept in its own column, so a new marker alone is no change
	Currency string    `json:"currency"`
	Customer Customer  `json:"customer"`
	ShipTo   Address   `json:"ship_to"`
	BillTo   Address   `json:"bill_to"`
	Packages []Package `json:"packages"`
	// Order-level amounts the marketplace states apart from the lines (PazarSync,
	// Giyim Moda): shipping fee, an order discount, the stated tax and grand total.
	// Zero when the marketplace keeps them on the lines only.
	ShippingFee   money.Kurus `json:"shipping_fee"`
	OrderDiscount money.Kurus `json:"order_discount"`
	StatedTax     money.Kurus `json:"stated_tax"`
	StatedTotal   money.Kurus `json:"stated_total"`
	CargoProvider string      `json:"cargo_provider,omitempty"`
	PaymentType   string      `json:"payment_type,omitempty"`
	// Channel is where an aggregator got the order from (PazarSync: trendyol, n11, ...).
	Channel string `json:"channel,omitempty"`
}

// Customer is the buyer. Personal data: never logged at info level.
type Customer struct {
	Name           string `json:"name"`
	Email          string `json:"email,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Company        string `json:"company,omitempty"`
	TaxNumber      string `json:"tax_number,omitempty"`
	TaxOffice      string `json:"tax_office,omitempty"`
	IdentityNumber string `json:"identity_number,omitempty"`
}

// Address is a postal address. Personal data: never logged at info level.
type Address struct {
	Name       string `json:"name,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	District   string `json:"district,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// Package is what the marketplace changes as one: a Trendyol shipment package, or the
// whole order elsewhere (then its ID is the order's ID).
type Package struct {
	ID        string    `json:"id"`
	Status    Status    `json:"status"`
	RawStatus string    `json:"raw_status"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Origin lists the packages this one replaced (Trendyol originPackageIds).
	Origin        []string `json:"origin,omitempty"`
	CargoTracking string   `json:"cargo_tracking,omitempty"`
	Lines         []Line   `json:"lines"`
}

// Line is one product line. Amounts are exact kuruş: UnitPrice is the price of one unit
// before discounts, Discount the seller's and the marketplace's discounts on the whole
// line, Total what the line costs the buyer (UnitPrice × Quantity − Discount), Tax the
// VAT the marketplace states for the line (0 when it states only a rate).
type Line struct {
	ID        string            `json:"id"`
	SKU       string            `json:"sku"`                  // "" when the marketplace's product is not known by SKU
	ProductID string            `json:"product_id,omitempty"` // the marketplace's product id
	Barcode   string            `json:"barcode,omitempty"`
	Name      string            `json:"name,omitempty"`
	Quantity  int64             `json:"quantity"`
	UnitPrice money.Kurus       `json:"unit_price"`
	Discount  money.Kurus       `json:"discount"`
	Total     money.Kurus       `json:"total"`
	Tax       money.Kurus       `json:"tax"`
	VATRate   money.BasisPoints `json:"vat_rate"` // 20 % is 2000
	// Cancelled marks a line the marketplace cancelled inside a package that lives on
	// (Giyim Moda cancels single order_details rows).
	Cancelled bool `json:"cancelled,omitempty"`
}

// LiveLine is a line with the package it belongs to.
type LiveLine struct {
	Line
	PackageID string
}

// LiveLines are the lines still owed to the buyer: those of live packages that are not
// cancelled themselves, in package then line order.
func (o Order) LiveLines() []LiveLine {
	var out []LiveLine
	for _, p := range o.Packages {
		if !p.Status.Live() {
			continue
		}
		for _, l := range p.Lines {
			if !l.Cancelled && l.Quantity > 0 {
				out = append(out, LiveLine{Line: l, PackageID: p.ID})
			}
		}
	}
	return out
}

// Quantities are the live units per SKU: what the order takes from stock.
func (o Order) Quantities() map[string]int64 {
	out := map[string]int64{}
	for _, l := range o.LiveLines() {
		out[l.SKU] += l.Quantity
	}
	return out
}

// Totals are the sums of the live lines plus the order-level amounts.
type Totals struct {
	Gross    money.Kurus // Σ unit price × quantity
	Discount money.Kurus // Σ line discounts + order discount
	Tax      money.Kurus // Σ line tax, or the stated tax when the lines carry none
	Shipping money.Kurus
	Total    money.Kurus // Σ line totals − order discount + shipping
	Units    int64
	Lines    int
}

// Totals computes the order's amounts from its live lines.
func (o Order) Totals() Totals {
	var t Totals
	for _, l := range o.LiveLines() {
		t.Gross += l.UnitPrice * money.Kurus(l.Quantity)
		t.Discount += l.Discount
		t.Tax += l.Tax
		t.Total += l.Total
		t.Units += l.Quantity
		t.Lines++
	}
	if t.Tax == 0 {
		t.Tax = o.StatedTax
	}
	t.Discount += o.OrderDiscount
	t.Shipping = o.ShippingFee
	t.Total += o.ShippingFee - o.OrderDiscount
	if t.Lines == 0 {
		t.Total, t.Shipping, t.Tax = 0, 0, 0
	}
	return t
}

// PackageIDs lists the ids of the live packages (all packages when none is live).
func (o Order) PackageIDs() []string {
	var live, all []string
	for _, p := range o.Packages {
		all = append(all, p.ID)
		if p.Status.Live() {
			live = append(live, p.ID)
		}
	}
	if len(live) == 0 {
		return all
	}
	return live
}

// Derive sets the order's Status from its packages: the least advanced live package,
// or Cancelled when no package is live. Connectors call it after filling Packages; Merge
// calls it again.
func (o *Order) Derive() {
	best := -1
	var st Status
	for _, p := range o.Packages {
		if n, ok := progress[p.Status]; ok && (best < 0 || n < best) {
			best, st = n, p.Status
		}
	}
	if best < 0 {
		st = Cancelled
	}
	o.Status = st
}

// Merge returns the order as known after an update: the packages of upd replace those
// with the same id in old (an older copy of a package never replaces a newer one), the
// packages upd does not mention are kept, and the order-level fields come from upd.
// Neither argument is changed.
func Merge(old, upd *Order) Order {
	out := *upd
	byID := map[string]int{}
	var pk []Package
	for _, p := range old.Packages {
		byID[p.ID] = len(pk)
		pk = append(pk, p)
	}
	for _, p := range upd.Packages {
		i, ok := byID[p.ID]
		switch {
		case !ok:
			byID[p.ID] = len(pk)
			pk = append(pk, p)
		case !p.UpdatedAt.IsZero() && !pk[i].UpdatedAt.IsZero() && p.UpdatedAt.Before(pk[i].UpdatedAt):
			// a stale copy (pages of one window overlap): keep the newer one
		default:
			pk[i] = p
		}
	}
	sort.SliceStable(pk, func(i, j int) bool { return lessID(pk[i].ID, pk[j].ID) })
	out.Packages = pk
	if out.UpdatedAt.Before(old.UpdatedAt) {
		out.UpdatedAt = old.UpdatedAt
	}
	if out.OrderedAt.IsZero() {
		out.OrderedAt = old.OrderedAt
	}
	out.Derive()
	return out
}

// lessID sorts numeric ids by value and others by text, so packages keep the
// marketplace's creation order.
func lessID(a, b string) bool {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return len(a) < len(b)
	}
	return a < b
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// In returns the order with its dates in loc (the store's time zone).
func (o Order) In(loc *time.Location) Order {
	if loc == nil {
		return o
	}
	o.OrderedAt = o.OrderedAt.In(loc)
	if !o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.UpdatedAt.In(loc)
	}
	pk := make([]Package, len(o.Packages))
	for i, p := range o.Packages {
		if !p.UpdatedAt.IsZero() {
			p.UpdatedAt = p.UpdatedAt.In(loc)
		}
		pk[i] = p
	}
	o.Packages = pk
	return o
}
