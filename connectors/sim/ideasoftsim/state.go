package ideasoftsim

import (
	"encoding/json"
	"fmt"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Units is n whole units as the simulator keeps quantities: in hundredths, because
// IdeaSoft's stockAmount and productQuantity are numbers that may have decimals
// (2.5 kg).
func Units(n int64) money.Kurus { return money.Kurus(n * 100) }

// Product is one IdeaSoft product. A variant is a product of its own whose Parent is the
// main product's id; it has its own SKU, stock and price.
type Product struct {
	ID          int64 // generated when zero
	Name        string
	FullName    string // default: Name, or the parent's name and Name for a variant
	SKU         string
	Barcode     string
	Stock       money.Kurus // hundredths of a unit (Units(12) is 12)
	Price1      money.Kurus
	Currency    string // currency label (TL)
	NetPrice    bool   // price1 excludes VAT (taxIncluded 0); default: it includes it
	Tax         int    // VAT percent (20)
	Passive     bool   // status 0
	Parent      int64  // a variant's main product; 0 for a main product
	ShortDetail string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Writes      int // PUTs applied through the API
}

// state is what the simulator remembers; guarded by Server.mu.
type state struct {
	products simkit.Table[int64, Product] // by id, in the order added
	bySKU    map[string]*Product
	nextID   int64

	orders  simkit.Table[int64, order]
	nextOrd int64

	codes     map[string]grant    // authorization code → what it grants
	refresh   map[string]grant    // live refresh tokens
	scopes    map[string][]string // client id → scopes of its tokens
	refreshes int                 // refresh grants answered
	// failAfterApply: the next PUTs are applied and then answered 500, as the
	// reference warns (the client must read the product again before retrying).
	failAfterApply int

	subs       simkit.Table[int64, subscription]
	nextSub    int64
	deliveries []*delivery // waiting for DeliverWebhooks
	dupNext    int         // the next deliveries are sent twice
}

// subscription is one client_webhooks entry.
type subscription struct {
	id             int64
	topic, address string
	active         bool
	givenUp        int // deliveries given up in a row
}

// delivery is one event on its way to one subscription.
type delivery struct {
	sub      int64
	topic    string
	body     []byte
	attempts int
	due      time.Time
}

// emitLocked queues topic's event for every active subscription to it.
func (s *Server) emitLocked(topic string, payload map[string]any, now time.Time) {
	var body []byte
	for _, sub := range s.st.subs.All() {
		if !sub.active || sub.topic != topic {
			continue
		}
		if body == nil {
			body, _ = json.Marshal(payload)
		}
		s.st.deliveries = append(s.st.deliveries, &delivery{sub: sub.id, topic: topic, body: body, due: now})
	}
}

// changedFields is what an update event carries: the id, the fields that changed, the
// new updatedAt (IdeaSoft's update events carry only the changed fields).
func changedFields(before, after map[string]any, keys ...string) map[string]any {
	out := map[string]any{"id": after["id"], "updatedAt": after["updatedAt"]}
	for _, k := range keys {
		b, _ := json.Marshal(before[k])
		a, _ := json.Marshal(after[k])
		if string(a) != string(b) {
			out[k] = after[k]
		}
	}
	return out
}

// productEventKeys are the Product fields a product/update event may carry.
var productEventKeys = []string{"name", "fullName", "sku", "stockAmount", "price1", "taxIncluded", "tax", "status"}

// grant is an authorization code or a refresh token: for which app, until when.
type grant struct {
	clientID    string
	redirectURI string
	scopes      []string
	expires     time.Time
}

func (st *state) init() {
	st.bySKU = map[string]*Product{}
	st.nextID = 4710
	st.nextOrd = 98230
	st.codes = map[string]grant{}
	st.refresh = map[string]grant{}
	st.scopes = map[string][]string{}
}

func (s *Server) addLocked(p Product, now time.Time) (*Product, error) {
	if p.SKU == "" {
		return nil, fmt.Errorf("product without sku: %w", simkit.ErrInvalid)
	}
	if s.st.bySKU[p.SKU] != nil {
		return nil, fmt.Errorf("sku %q: %w", p.SKU, simkit.ErrExists)
	}
	if p.ID == 0 {
		s.st.nextID++
		p.ID = s.st.nextID
	}
	if s.st.products.Get(p.ID) != nil {
		return nil, fmt.Errorf("product %d: %w", p.ID, simkit.ErrExists)
	}
	var parent *Product
	if p.Parent != 0 {
		if parent = s.st.products.Get(p.Parent); parent == nil || parent.Parent != 0 {
			return nil, fmt.Errorf("parent %d of %q is no main product: %w", p.Parent, p.SKU, simkit.ErrInvalid)
		}
	}
	if p.Name == "" {
		p.Name = "Ürün " + p.SKU
	}
	if p.FullName == "" {
		p.FullName = p.Name
		if parent != nil {
			p.FullName = parent.Name + " " + p.Name
		}
	}
	if p.Currency == "" {
		p.Currency = "TL"
	}
	if p.Tax == 0 {
		p.Tax = 20
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	cp := p
	s.st.products.Add(cp.ID, &cp)
	s.st.bySKU[cp.SKU] = &cp
	return &cp, nil
}

// children are the variants of a main product, in the order added.
func (s *Server) childrenLocked(id int64) []*Product {
	var out []*Product
	for _, p := range s.st.products.All() {
		if p.Parent == id {
			out = append(out, p)
		}
	}
	return out
}

// OrderItem is one line of a new order.
type OrderItem struct {
	SKU      string
	Quantity money.Kurus // hundredths (Units(2) is 2; 150 is 1.5 kg)
	Price    money.Kurus // unit price; zero: the product's price1
}

// Order seeds one order.
type Order struct {
	TransactionID string // the order number; default generated
	Status        string // default waiting_for_approval, or waiting_for_payment when unpaid
	PaymentStatus string // success (default), in_transaction, failed
	PaymentType   string // default Kredi Kartı
	Items         []OrderItem
	Shipping      money.Kurus
	Coupon        money.Kurus
	CreatedAt     time.Time // default now
}

type orderItem struct {
	id       int64
	product  Product
	quantity money.Kurus
	price    money.Kurus
}

type order struct {
	id                    int64
	transaction           string
	status, payment, kind string
	items                 []*orderItem
	shipping, coupon      money.Kurus
	created, updated      time.Time
	restocked             bool
}

// line is one item's total: price × quantity, exact to the kuruş (quantities in
// hundredths, rounded half up).
func (it *orderItem) line() money.Kurus {
	return (it.price*it.quantity + 50) / 100
}

// amounts are the order's totals: without tax, the tax in it (prices include VAT),
// and what the buyer pays.
func (o *order) amounts() (net, tax, final money.Kurus) {
	var gross money.Kurus
	for _, it := range o.items {
		l := it.line()
		gross += l
		t := money.Kurus(it.product.Tax)
		tax += (l*t + (100+t)/2) / (100 + t)
	}
	final = gross + o.shipping - o.coupon
	return gross - tax, tax, final
}

func (o *order) touch(now time.Time) { simkit.Touch(&o.updated, now, time.Second) }

// OrderView is a read-back copy of an order.
type OrderView struct {
	ID            int64
	TransactionID string
	Status        string
	PaymentStatus string
	Items         map[string]money.Kurus // quantity by SKU
	UpdatedAt     time.Time
}

func (o *order) view() OrderView {
	v := OrderView{ID: o.id, TransactionID: o.transaction, Status: o.status, PaymentStatus: o.payment,
		Items: map[string]money.Kurus{}, UpdatedAt: o.updated}
	for _, it := range o.items {
		v.Items[it.product.SKU] += it.quantity
	}
	return v
}

// restockLocked gives an order's quantities back to stock, once.
func (s *Server) restockLocked(o *order, now time.Time) {
	if o.restocked {
		return
	}
	o.restocked = true
	for _, it := range o.items {
		if p := s.st.products.Get(it.product.ID); p != nil {
			before := s.beforeLocked(p)
			p.Stock += it.quantity
			simkit.Touch(&p.UpdatedAt, now, time.Second)
			s.productChangedLocked(p, before)
		}
	}
}

// statuses are the order statuses of the reference (Order.status).
var statuses = map[string]bool{
	"waiting_for_approval": true, "approved": true, "fulfilled": true, "cancelled": true, "delivered": true,
	"on_accumulation": true, "waiting_for_payment": true, "being_prepared": true, "refunded": true,
	"personal_status_1": true, "personal_status_2": true, "personal_status_3": true,
}

// paymentStatuses are Order.paymentStatus's values.
var paymentStatuses = map[string]bool{"in_transaction": true, "failed": true, "success": true}
