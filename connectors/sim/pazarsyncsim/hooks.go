package pazarsyncsim

import (
	"fmt"
	"strconv"

	"syncagent/connectors/sim/simkit"
)

// AddProduct seeds the catalogue and returns the product with its id.
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	np, err := s.addLocked(p, s.Now())
	if err != nil {
		return Product{}, err
	}
	return *np, nil
}

// Product returns a product by id or SKU.
func (s *Server) Product(idOrSKU string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.st.byID[idOrSKU]; p != nil {
		return *p, true
	}
	if p := s.st.products.Get(idOrSKU); p != nil {
		return *p, true
	}
	return Product{}, false
}

// Snapshot returns every product by SKU.
func (s *Server) Snapshot() map[string]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	return simkit.Snapshot(&s.st.products, func(p *Product) Product { return *p })
}

// RevokeTokens invalidates every issued token at once, as a credential rotation in the
// PazarSync panel would: the next call of a connector mid-sync gets 401.
func (s *Server) RevokeTokens() { s.tokens.RevokeAll() }

// AddOrder creates an order and takes its quantities off stock; nothing changes on error.
func (s *Server) AddOrder(in Order) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if len(in.Items) == 0 {
		return OrderView{}, fmt.Errorf("add order: no items: %w", simkit.ErrNotFound)
	}
	need := map[string]int{}
	for _, it := range in.Items {
		p := s.st.products.Get(it.SKU)
		if p == nil {
			return OrderView{}, fmt.Errorf("add order: sku %q: %w", it.SKU, simkit.ErrNotFound)
		}
		if it.Quantity < 1 {
			return OrderView{}, fmt.Errorf("add order: sku %q quantity %d: %w", it.SKU, it.Quantity, simkit.ErrInvalid)
		}
		need[it.SKU] += it.Quantity
		if int64(need[it.SKU]) > p.Stock {
			return OrderView{}, fmt.Errorf("add order: sku %q wants %d, %d in stock: %w", it.SKU, need[it.SKU], p.Stock, simkit.ErrOutOfStock)
		}
	}
	s.st.nextOrd++
	o := &order{id: "ord_" + strconv.Itoa(s.st.nextOrd), number: in.OrderNumber, marketplace: in.Marketplace,
		status: in.Status, customer: in.Customer, address: in.Address,
		shipping: in.ShippingFee, discount: in.DiscountAmount, created: in.CreatedAt}
	if o.number == "" {
		o.number = "ORD" + strconv.Itoa(s.st.nextOrd+100000)
	}
	if o.marketplace == "" {
		o.marketplace = "trendyol"
	}
	if o.status == "" {
		o.status = "processing"
	}
	if o.customer.Name == "" {
		o.customer = Customer{Name: "Ahmet Yılmaz", Email: "ahmet@example.com", Phone: "+905551234567"}
	}
	if o.address.Line1 == "" {
		o.address = Address{Line1: "Örnek Mahallesi, 123 Sokak No:45", Line2: "Daire 5", City: "İstanbul",
			State: "Kadıköy", PostalCode: "34000", Country: "TR"}
	}
	if o.created.IsZero() {
		o.created = now
	}
	o.updated = o.created
	for i, it := range in.Items {
		p := s.st.products.Get(it.SKU)
		p.Stock -= int64(it.Quantity)
		price := it.UnitPrice
		if price == 0 {
			price = p.Price
		}
		o.items = append(o.items, &orderItem{id: "item_" + strconv.Itoa(s.st.nextOrd*100+i), product: *p, quantity: it.Quantity, unitPrice: price})
	}
	o.tax = in.TaxAmount
	if o.tax == 0 {
		o.tax = o.total() * 18 / 100
	}
	s.st.orders.Add(o.id, o)
	return o.view(), nil
}

// Order returns one order as it is now.
func (s *Server) Order(id string) (OrderView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
	if o == nil {
		return OrderView{}, false
	}
	return o.view(), true
}

// SetOrderStatus changes an order's status and moves its updated_at, as a change on
// the marketplace behind PazarSync would. "cancelled" gives the stock back.
func (s *Server) SetOrderStatus(id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
	if o == nil {
		return fmt.Errorf("order %s: %w", id, simkit.ErrNotFound)
	}
	if status == "cancelled" && o.status != "cancelled" {
		s.restock(o.items, nil)
	}
	o.status = status
	o.touch(s.Now())
	return nil
}

// CancelOrder is SetOrderStatus(id, "cancelled").
func (s *Server) CancelOrder(id string) error { return s.SetOrderStatus(id, "cancelled") }

// CancelLine takes qty units off one item (the item goes when none are left), gives
// them back to stock and moves updated_at.
func (s *Server) CancelLine(orderID, itemID string, qty int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(orderID)
	if o == nil {
		return fmt.Errorf("order %s: %w", orderID, simkit.ErrNotFound)
	}
	for i, it := range o.items {
		if it.id != itemID {
			continue
		}
		if qty < 1 || qty > it.quantity {
			return fmt.Errorf("item %s: cancel %d of %d: %w", itemID, qty, it.quantity, simkit.ErrInvalid)
		}
		s.restock([]*orderItem{it}, map[string]int{it.id: qty})
		it.quantity -= qty
		if it.quantity == 0 {
			o.items = append(o.items[:i], o.items[i+1:]...)
		}
		o.touch(s.Now())
		return nil
	}
	return fmt.Errorf("item %s of order %s: %w", itemID, orderID, simkit.ErrNotFound)
}
