package pazarsyncsim

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

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

func (o *order) touch(now time.Time) {
	if !now.After(o.updated) {
		now = o.updated.Add(time.Second)
	}
	o.updated = now
}

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

// AddOrder creates an order and takes its quantities off stock; nothing changes on error.
func (s *Server) AddOrder(in Order) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Clock.Now()
	if len(in.Items) == 0 {
		return OrderView{}, fmt.Errorf("add order: no items: %w", ErrNotFound)
	}
	need := map[string]int{}
	for _, it := range in.Items {
		p := s.st.bySKU[it.SKU]
		if p == nil {
			return OrderView{}, fmt.Errorf("add order: sku %q: %w", it.SKU, ErrNotFound)
		}
		if it.Quantity < 1 {
			return OrderView{}, fmt.Errorf("add order: sku %q quantity %d: %w", it.SKU, it.Quantity, ErrInvalid)
		}
		need[it.SKU] += it.Quantity
		if int64(need[it.SKU]) > p.Stock {
			return OrderView{}, fmt.Errorf("add order: sku %q wants %d, %d in stock: %w", it.SKU, need[it.SKU], p.Stock, ErrOutOfStock)
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
		p := s.st.bySKU[it.SKU]
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
	s.st.orders = append(s.st.orders, o)
	s.st.ordByID[o.id] = o
	return o.view(), nil
}

// Order returns one order as it is now.
func (s *Server) Order(id string) (OrderView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.ordByID[id]
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
	o := s.st.ordByID[id]
	if o == nil {
		return fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	if status == "cancelled" && o.status != "cancelled" {
		s.restock(o.items, nil)
	}
	o.status = status
	o.touch(s.opt.Clock.Now())
	return nil
}

// CancelOrder is SetOrderStatus(id, "cancelled").
func (s *Server) CancelOrder(id string) error { return s.SetOrderStatus(id, "cancelled") }

// CancelLine takes qty units off one item (the item goes when none are left), gives
// them back to stock and moves updated_at.
func (s *Server) CancelLine(orderID, itemID string, qty int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.ordByID[orderID]
	if o == nil {
		return fmt.Errorf("order %s: %w", orderID, ErrNotFound)
	}
	for i, it := range o.items {
		if it.id != itemID {
			continue
		}
		if qty < 1 || qty > it.quantity {
			return fmt.Errorf("item %s: cancel %d of %d: %w", itemID, qty, it.quantity, ErrInvalid)
		}
		s.restock([]*orderItem{it}, map[string]int{it.id: qty})
		it.quantity -= qty
		if it.quantity == 0 {
			o.items = append(o.items[:i], o.items[i+1:]...)
		}
		o.touch(s.opt.Clock.Now())
		return nil
	}
	return fmt.Errorf("item %s of order %s: %w", itemID, orderID, ErrNotFound)
}

func (s *Server) restock(items []*orderItem, qty map[string]int) {
	for _, it := range items {
		n := it.quantity
		if qty != nil {
			n = qty[it.id]
		}
		if p := s.st.bySKU[it.product.SKU]; p != nil {
			p.Stock += int64(n)
		}
	}
}

// parseISO accepts the ISO 8601 forms a client is likely to send: a full timestamp
// with zone, or a date (midnight UTC).
func parseISO(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// handleListOrders serves GET /api/v1/orders: newest first (assumed), filtered on
// created_at (assumed) by from_date/to_date, and on status.
func (s *Server) handleListOrders(c *simkit.Call) simkit.Reply {
	page, limit, rep := s.paging(c)
	if rep != nil {
		return *rep
	}
	q := c.R.URL.Query()
	var from, to time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from_date", &from}, {"to_date", &to}} {
		if v := q.Get(f.name); v != "" {
			t, ok := parseISO(v)
			if !ok {
				b := errBody("validation_failed", "the given data was invalid")
				b["errors"] = map[string][]string{f.name: {"must be an ISO 8601 date"}}
				return simkit.JSON(http.StatusUnprocessableEntity, b)
			}
			*f.dst = t
		}
	}
	status := q.Get("status")
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*order
	for _, o := range s.st.orders {
		if status != "" && !strings.EqualFold(o.status, status) ||
			!from.IsZero() && o.created.Before(from) || !to.IsZero() && o.created.After(to) {
			continue
		}
		match = append(match, o)
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].created.After(match[j].created) })
	data := []map[string]any{}
	for i := (page - 1) * limit; i < len(match) && i < page*limit; i++ {
		o := match[i]
		data = append(data, map[string]any{
			"id": o.id, "order_number": o.number, "marketplace": o.marketplace, "status": o.status,
			"total_amount": o.total(), "items_count": o.count(),
			"created_at": o.created.UTC().Format(isoUTC), "updated_at": o.updated.UTC().Format(isoUTC),
		})
	}
	return simkit.JSON(http.StatusOK, map[string]any{"data": data, "meta": meta(page, limit, len(match))})
}

// handleGetOrder serves GET /api/v1/orders/{id} with customer, address and items.
func (s *Server) handleGetOrder(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.ordByID[c.R.PathValue("id")]
	if o == nil {
		return fail(404, "order not found")
	}
	items := make([]map[string]any, 0, len(o.items))
	for _, it := range o.items {
		items = append(items, map[string]any{
			"id": it.id, "product_id": it.product.ID, "sku": it.product.SKU, "name": it.product.Name,
			"quantity": it.quantity, "unit_price": it.unitPrice, "total_price": it.unitPrice * money.Kurus(it.quantity),
		})
	}
	return simkit.JSON(http.StatusOK, map[string]any{
		"id": o.id, "order_number": o.number, "marketplace": o.marketplace, "status": o.status,
		"customer": map[string]any{"name": o.customer.Name, "email": o.customer.Email, "phone": o.customer.Phone},
		"shipping_address": map[string]any{
			"address_line1": o.address.Line1, "address_line2": o.address.Line2, "city": o.address.City,
			"state": o.address.State, "postal_code": o.address.PostalCode, "country": o.address.Country,
		},
		"items":        items,
		"total_amount": o.total(), "shipping_fee": o.shipping, "tax_amount": o.tax, "discount_amount": o.discount,
		"created_at": o.created.UTC().Format(isoUTC), "updated_at": o.updated.UTC().Format(isoUTC),
	})
}
