package giyimmodasim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
)

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
	PaymentType    string // bank_payment (default), cash_on_delivery, wallet_payment, iyzico
	PaymentStatus  string // paid (default) or unpaid
	DeliveryStatus string // pending (default)
	OtherSeller    bool   // an order of another seller: not listed; detail answers ForeignStatus
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
	details                              []*detail
}

// Line amounts are per line (price = unit price × quantity), as order_details rows
// are written by Laravel e-commerce backends of this kind (assumed; UNSPECIFIED).
func (d *detail) price() money.Kurus { return d.unitPrice * money.Kurus(d.quantity) }
func (d *detail) taxTotal() money.Kurus {
	return d.tax * money.Kurus(d.quantity)
}

func (o *order) grandTotal() money.Kurus {
	var t money.Kurus
	for _, d := range o.details {
		t += d.price() + d.taxTotal() + d.shipping
	}
	return t
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

// AddOrder creates an order and takes its quantities off stock; nothing changes on error.
func (s *Server) AddOrder(in Order) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(in.Items) == 0 {
		return OrderView{}, fmt.Errorf("add order: no items: %w", ErrInvalid)
	}
	need := map[*stockRow]int64{}
	for _, it := range in.Items {
		p := s.st.byID[it.ProductID]
		if p == nil {
			return OrderView{}, fmt.Errorf("add order: product %d: %w", it.ProductID, ErrNotFound)
		}
		r := p.row(it.Variation)
		if r == nil {
			return OrderView{}, fmt.Errorf("add order: product %d variation %q: %w", it.ProductID, it.Variation, ErrNotFound)
		}
		if it.Quantity < 1 {
			return OrderView{}, fmt.Errorf("add order: quantity %d: %w", it.Quantity, ErrInvalid)
		}
		need[r] += int64(it.Quantity)
		if need[r] > r.qty {
			return OrderView{}, fmt.Errorf("add order: product %d wants %d, %d in stock: %w", it.ProductID, need[r], r.qty, ErrOutOfStock)
		}
	}
	now := s.opt.Clock.Now()
	s.st.nextOrder++
	o := &order{id: s.st.nextOrder, code: in.Code, date: in.Date, customer: in.Customer,
		paymentType: in.PaymentType, paymentStatus: in.PaymentStatus, delivery: in.DeliveryStatus, otherSeller: in.OtherSeller}
	if o.date.IsZero() {
		o.date = now
	}
	if o.code == "" {
		o.code = o.date.In(istanbul).Format("20060102-150405") + fmt.Sprintf("%02d", o.id%100)
	}
	if o.paymentType == "" {
		o.paymentType = "bank_payment"
	}
	if o.paymentStatus == "" {
		o.paymentStatus = "paid"
	}
	if o.delivery == "" {
		o.delivery = "pending"
	}
	if o.customer.Name == "" {
		o.customer = Customer{ID: 45, Name: "Ahmet Yılmaz", Email: "ahmet@example.com", Phone: "05551234567",
			Address: "Atatürk Cad. No:123", City: "İstanbul", Country: "Türkiye", PostalCode: "34000"}
	}
	for _, it := range in.Items {
		p := s.st.byID[it.ProductID]
		r := p.row(it.Variation)
		r.qty -= int64(it.Quantity)
		price := it.UnitPrice
		if price == 0 {
			price = r.price
		}
		s.st.nextLine++
		o.details = append(o.details, &detail{id: s.st.nextLine, product: p.view(), row: r, variation: it.Variation,
			quantity: it.Quantity, unitPrice: price, tax: it.Tax, shipping: it.ShippingCost, status: o.delivery})
	}
	s.st.orders = append(s.st.orders, o)
	s.st.ordByID[o.id] = o
	return o.view(), nil
}

// Order returns one order as it is now.
func (s *Server) Order(id int64) (OrderView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.ordByID[id]
	if o == nil {
		return OrderView{}, false
	}
	return o.view(), true
}

// SetDeliveryStatus changes an order's (and all its lines') delivery status as the
// platform would; "cancelled" gives the stock back once.
func (s *Server) SetDeliveryStatus(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.ordByID[id]
	if o == nil {
		return fmt.Errorf("order %d: %w", id, ErrNotFound)
	}
	if !slices.Contains(DeliveryStatuses, status) {
		return fmt.Errorf("delivery status %q: %w", status, ErrInvalid)
	}
	s.setDelivery(o, status, "")
	return nil
}

// SetPaymentStatus sets paid/unpaid, which only an admin can do on the real platform.
func (s *Server) SetPaymentStatus(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.ordByID[id]
	if o == nil {
		return fmt.Errorf("order %d: %w", id, ErrNotFound)
	}
	if status != "paid" && status != "unpaid" {
		return fmt.Errorf("payment status %q: %w", status, ErrInvalid)
	}
	o.paymentStatus = status
	return nil
}

// CancelOrder cancels the order and gives its stock back, as POST /orders/{id}/cancel does.
func (s *Server) CancelOrder(id int64) error { return s.SetDeliveryStatus(id, "cancelled") }

// CancelLine cancels one order line (order_details row) and gives its stock back; the
// order itself stays as it is unless no live line is left.
func (s *Server) CancelLine(orderID, detailID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.ordByID[orderID]
	if o == nil {
		return fmt.Errorf("order %d: %w", orderID, ErrNotFound)
	}
	live := 0
	var hit *detail
	for _, d := range o.details {
		if d.id == detailID {
			hit = d
		}
		if d.status != "cancelled" {
			live++
		}
	}
	if hit == nil || hit.status == "cancelled" {
		return fmt.Errorf("line %d of order %d: %w", detailID, orderID, ErrNotFound)
	}
	hit.row.qty += int64(hit.quantity)
	hit.status = "cancelled"
	if live == 1 {
		o.delivery = "cancelled"
	}
	return nil
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

func idString(id int64) string { return strconv.FormatInt(id, 10) }

type bytesReadCloser struct{ *strings.Reader }

func (bytesReadCloser) Close() error { return nil }

// readCloser gives the already-read body back to net/http's multipart parser.
func readCloser(b []byte) bytesReadCloser { return bytesReadCloser{strings.NewReader(string(b))} }
