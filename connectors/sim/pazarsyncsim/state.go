package pazarsyncsim

import (
	"fmt"
	"strconv"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Product is one PazarSync product.
type Product struct {
	ID          string // "prod_123456"; generated when empty
	SKU         string
	Name        string
	Description string
	Stock       int64
	Price       money.Kurus
	Status      string // active (default), draft, inactive
	CreatedAt   time.Time
	UpdatedAt   time.Time
	StockWrites int // stock updates applied through the API
}

// state is what the simulator remembers; guarded by Server.mu.
type state struct {
	products simkit.Table[string, Product] // by SKU, in the order added
	byID     map[string]*Product
	nextID   int
	orders   simkit.Table[string, order] // by id, in the order added
	nextOrd  int
}

func (st *state) init() {
	st.byID = map[string]*Product{}
	st.nextID = 123455
	st.nextOrd = 789011
}

func (s *Server) addLocked(p Product, now time.Time) (*Product, error) {
	if p.SKU == "" {
		return nil, fmt.Errorf("product without sku: %w", simkit.ErrNotFound)
	}
	if s.st.products.Get(p.SKU) != nil {
		return nil, fmt.Errorf("sku %q: %w", p.SKU, simkit.ErrExists)
	}
	if p.ID == "" {
		s.st.nextID++
		p.ID = "prod_" + strconv.Itoa(s.st.nextID)
	}
	if s.st.byID[p.ID] != nil {
		return nil, fmt.Errorf("product %q: %w", p.ID, simkit.ErrExists)
	}
	if p.Status == "" {
		p.Status = "active"
	}
	if p.Name == "" {
		p.Name = "Ürün " + p.SKU
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now.Add(time.Duration(s.st.products.Len()) * time.Millisecond)
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	cp := p
	s.st.products.Add(cp.SKU, &cp)
	s.st.byID[cp.ID] = &cp
	return &cp, nil
}

func (s *Server) setStock(p *Product, n int64, now time.Time) {
	p.Stock = n
	p.StockWrites++
	simkit.Touch(&p.UpdatedAt, now, time.Second) // updated_at has whole seconds; it must still move
}

// Customer and Address are an order's buyer and shipping address.
type Customer struct{ Name, Email, Phone string }

// Address is the shipping address; State holds the district (e.g. Kadıköy).
type Address struct{ Line1, Line2, City, State, PostalCode, Country string }

// OrderItem is one line of a new order, by SKU.
type OrderItem struct {
	SKU       string
	Quantity  int
	UnitPrice money.Kurus // zero: the product's price
}

// Order seeds one order.
type Order struct {
	OrderNumber    string // default generated
	Marketplace    string // the channel PazarSync got it from (default trendyol)
	Status         string // default processing
	Customer       Customer
	Address        Address
	Items          []OrderItem
	ShippingFee    money.Kurus
	TaxAmount      money.Kurus // default 18 % of the total, rounded down, like the seed's example
	DiscountAmount money.Kurus
	CreatedAt      time.Time // default now
}

type orderItem struct {
	id        string
	product   Product
	quantity  int
	unitPrice money.Kurus
}

type order struct {
	id, number, marketplace, status string
	customer                        Customer
	address                         Address
	items                           []*orderItem
	shipping, tax, discount         money.Kurus
	created, updated                time.Time
}

func (o *order) total() money.Kurus {
	var t money.Kurus
	for _, it := range o.items {
		t += it.unitPrice * money.Kurus(it.quantity)
	}
	return t + o.shipping - o.discount
}

func (o *order) count() int {
	n := 0
	for _, it := range o.items {
		n += it.quantity
	}
	return n
}

func (o *order) touch(now time.Time) { simkit.Touch(&o.updated, now, time.Second) }

// OrderView is a read-back copy of an order.
type OrderView struct {
	ID, OrderNumber, Status string
	Total                   money.Kurus
	Items                   map[string]int // quantity by item id
	ItemSKUs                map[string]string
	UpdatedAt               time.Time
}

func (o *order) view() OrderView {
	v := OrderView{ID: o.id, OrderNumber: o.number, Status: o.status, Total: o.total(),
		Items: map[string]int{}, ItemSKUs: map[string]string{}, UpdatedAt: o.updated}
	for _, it := range o.items {
		v.Items[it.id] = it.quantity
		v.ItemSKUs[it.id] = it.product.SKU
	}
	return v
}

func (s *Server) restock(items []*orderItem, qty map[string]int) {
	for _, it := range items {
		n := it.quantity
		if qty != nil {
			n = qty[it.id]
		}
		if p := s.st.products.Get(it.product.SKU); p != nil {
			p.Stock += int64(n)
		}
	}
}
