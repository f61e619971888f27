package giyimmodasim

import (
	"fmt"
	"slices"
	"strconv"

	"syncagent/connectors/sim/simkit"
)

// AddProduct seeds a product and returns it with its id.
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == 0 {
		s.st.nextID++
		p.ID = s.st.nextID
	}
	if s.st.products.Get(p.ID) != nil {
		return Product{}, fmt.Errorf("product %d: %w", p.ID, simkit.ErrExists)
	}
	if p.Status == "" {
		p.Status = "published"
	}
	if p.Name == "" {
		p.Name = "Ürün " + strconv.FormatInt(p.ID, 10)
	}
	if p.CategoryID == 0 {
		p.CategoryID = 149
	}
	now := s.Now()
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = now
	}
	np := &product{Product: p, created: now}
	s.st.nextRow++
	np.rows = append(np.rows, &stockRow{id: s.st.nextRow, qty: p.Stock, price: p.UnitPrice})
	for _, v := range p.Variants {
		s.st.nextRow++
		price := v.Price
		if price == 0 {
			price = p.UnitPrice
		}
		np.rows = append(np.rows, &stockRow{id: s.st.nextRow, variant: v.Name, qty: v.Qty, price: price})
	}
	np.Variants = nil
	s.st.products.Add(p.ID, np)
	return np.view(), nil
}

// Product returns one product as it is now.
func (s *Server) Product(id int64) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.products.Get(id)
	if p == nil {
		return Product{}, false
	}
	return p.view(), true
}

// Snapshot returns every product by id.
func (s *Server) Snapshot() map[int64]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	return simkit.Snapshot(&s.st.products, (*product).view)
}

// RevokeTokens invalidates every bearer token issued by login.
func (s *Server) RevokeTokens() { s.tokens.RevokeAll() }

// AddOrder creates an order and takes its quantities off stock; nothing changes on error.
func (s *Server) AddOrder(in Order) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(in.Items) == 0 {
		return OrderView{}, fmt.Errorf("add order: no items: %w", simkit.ErrInvalid)
	}
	need := map[*stockRow]int64{}
	for _, it := range in.Items {
		p := s.st.products.Get(it.ProductID)
		if p == nil {
			return OrderView{}, fmt.Errorf("add order: product %d: %w", it.ProductID, simkit.ErrNotFound)
		}
		r := p.row(it.Variation)
		if r == nil {
			return OrderView{}, fmt.Errorf("add order: product %d variation %q: %w", it.ProductID, it.Variation, simkit.ErrNotFound)
		}
		if it.Quantity < 1 {
			return OrderView{}, fmt.Errorf("add order: quantity %d: %w", it.Quantity, simkit.ErrInvalid)
		}
		need[r] += int64(it.Quantity)
		if need[r] > r.qty {
			return OrderView{}, fmt.Errorf("add order: product %d wants %d, %d in stock: %w", it.ProductID, need[r], r.qty, simkit.ErrOutOfStock)
		}
	}
	now := s.Now()
	s.st.nextOrder++
	o := &order{id: s.st.nextOrder, code: in.Code, date: in.Date, customer: in.Customer,
		paymentType: in.PaymentType, paymentStatus: in.PaymentStatus, delivery: in.DeliveryStatus, otherSeller: in.OtherSeller,
		coupon: in.CouponDiscount}
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
		p := s.st.products.Get(it.ProductID)
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
	s.st.orders.Add(o.id, o)
	return o.view(), nil
}

// Order returns one order as it is now.
func (s *Server) Order(id int64) (OrderView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
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
	o := s.st.orders.Get(id)
	if o == nil {
		return fmt.Errorf("order %d: %w", id, simkit.ErrNotFound)
	}
	if !slices.Contains(DeliveryStatuses, status) {
		return fmt.Errorf("delivery status %q: %w", status, simkit.ErrInvalid)
	}
	s.setDelivery(o, status, "")
	return nil
}

// SetPaymentStatus sets paid/unpaid, which only an admin can do on the real platform.
func (s *Server) SetPaymentStatus(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
	if o == nil {
		return fmt.Errorf("order %d: %w", id, simkit.ErrNotFound)
	}
	if status != "paid" && status != "unpaid" {
		return fmt.Errorf("payment status %q: %w", status, simkit.ErrInvalid)
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
	o := s.st.orders.Get(orderID)
	if o == nil {
		return fmt.Errorf("order %d: %w", orderID, simkit.ErrNotFound)
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
		return fmt.Errorf("line %d of order %d: %w", detailID, orderID, simkit.ErrNotFound)
	}
	hit.row.qty += int64(hit.quantity)
	hit.status = "cancelled"
	if live == 1 {
		o.delivery = "cancelled"
	}
	return nil
}
