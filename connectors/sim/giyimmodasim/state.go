package giyimmodasim

import (
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Variant is an extra product_stocks row of a product with variants.
type Variant struct {
	Name  string // e.g. "M-Siyah"
	Qty   int64
	Price money.Kurus // zero: the product's unit price
}

// Product is one Giyim Moda product, keyed by its numeric id.
type Product struct {
	ID          int64 // generated when zero
	Name        string
	SKU         string // optional at Giyim Moda
	Barcode     string // optional
	UnitPrice   money.Kurus
	Stock       int64     // the first product_stocks row
	Variants    []Variant // further rows; writes of current_stock touch only the first row
	Status      string    // published (default), pending, unpublished
	OtherSeller bool      // belongs to another seller: never listed, never writable
	CategoryID  int64
	Updates     int // bulk-update items applied
	UpdatedAt   time.Time
}

type stockRow struct {
	id      int64
	variant string
	qty     int64
	price   money.Kurus
}

type product struct {
	Product
	rows    []*stockRow
	created time.Time
}

// state is what the simulator remembers; guarded by Server.mu.
type state struct {
	products  simkit.Table[int64, product] // by id, in the order added
	nextID    int64
	nextRow   int64
	orders    simkit.Table[int64, order] // by id, in the order added
	nextOrder int64
	nextLine  int64
	nextFile  int64
}

func (st *state) init() {
	st.nextID, st.nextRow, st.nextOrder, st.nextLine, st.nextFile = 36556, 900, 122, 182, 455
}

func (p *product) view() Product {
	v := p.Product
	v.Stock = p.rows[0].qty
	v.Variants = nil
	for _, r := range p.rows[1:] {
		v.Variants = append(v.Variants, Variant{Name: r.variant, Qty: r.qty, Price: r.price})
	}
	return v
}

func (p *product) row(variation string) *stockRow {
	if variation == "" {
		return p.rows[0]
	}
	for _, r := range p.rows {
		if r.variant == variation {
			return r
		}
	}
	return nil
}

// DeliveryStatuses are the values PUT /orders/{id}/status accepts.
var DeliveryStatuses = []string{"pending", "confirmed", "picked_up", "on_the_way", "delivered", "cancelled"}

// Customer is an order's buyer and shipping address.
type Customer struct {
	ID                       int64
	Name, Email, Phone       string
	Address, City, Country   string
	PostalCode, TCIdentityNo string
}

// OrderItem is one line of a new order.
type OrderItem struct {
	ProductID    int64
	Quantity     int
	Variation    string      // "" takes the first stock row
	UnitPrice    money.Kurus // zero: the stock row's price
	Tax          money.Kurus // per unit
	ShippingCost money.Kurus // for the line
}

// Order seeds one order.
type Order struct {
	Code           string    // default "YYYYMMDD-HHMMSSnn"
	Date           time.Time // default now
	Customer       Customer
	PaymentType    string      // bank_payment (default), cash_on_delivery, wallet_payment, iyzico
	PaymentStatus  string      // paid (default) or unpaid
	DeliveryStatus string      // pending (default)
	OtherSeller    bool        // an order of another seller: not listed; detail answers ForeignStatus
	CouponDiscount money.Kurus // taken off grand_total
	Items          []OrderItem
}

type detail struct {
	id        int64
	product   Product
	row       *stockRow
	variation string
	quantity  int
	unitPrice money.Kurus
	tax       money.Kurus
	shipping  money.Kurus
	status    string
}

type order struct {
	id                                   int64
	code                                 string
	date                                 time.Time
	customer                             Customer
	paymentType, paymentStatus, delivery string
	trackingCode                         string
	invoiceURL                           string
	otherSeller                          bool
	coupon                               money.Kurus
	details                              []*detail
}

// Line amounts are per line (price = unit price × quantity, tax likewise), as the
// checkout of the platform the seed's data model matches writes order_details; grand_total
// is Σ price + Σ tax + Σ shipping_cost − coupon_discount.
func (d *detail) price() money.Kurus { return d.unitPrice * money.Kurus(d.quantity) }

func (d *detail) taxTotal() money.Kurus {
	return d.tax * money.Kurus(d.quantity)
}

func (o *order) grandTotal() money.Kurus {
	var t money.Kurus
	for _, d := range o.details {
		t += d.price() + d.taxTotal() + d.shipping
	}
	return t - o.coupon
}

// OrderView is a read-back copy of an order.
type OrderView struct {
	ID             int64
	Code           string
	PaymentStatus  string
	DeliveryStatus string
	TrackingCode   string
	InvoiceURL     string
	GrandTotal     money.Kurus
	DetailIDs      []int64
}

func (o *order) view() OrderView {
	v := OrderView{ID: o.id, Code: o.code, PaymentStatus: o.paymentStatus, DeliveryStatus: o.delivery,
		TrackingCode: o.trackingCode, InvoiceURL: o.invoiceURL, GrandTotal: o.grandTotal()}
	for _, d := range o.details {
		v.DetailIDs = append(v.DetailIDs, d.id)
	}
	return v
}

func (s *Server) setDelivery(o *order, status, tracking string) {
	if status == "cancelled" && o.delivery != "cancelled" {
		for _, d := range o.details {
			if d.status != "cancelled" {
				d.row.qty += int64(d.quantity)
			}
		}
	}
	o.delivery = status
	for _, d := range o.details {
		d.status = status
	}
	if tracking != "" {
		o.trackingCode = tracking
	}
}
