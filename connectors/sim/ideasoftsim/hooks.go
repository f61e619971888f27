package ideasoftsim

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// AddProduct seeds the catalogue and returns the product with its id. A variant names
// its main product in Parent.
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	np, err := s.addLocked(p, s.Now())
	if err != nil {
		return Product{}, err
	}
	if s.watchingLocked("product/create") {
		s.emitLocked("product/create", s.productJSON(np), s.Now())
	}
	return *np, nil
}

// Product returns a product by SKU.
func (s *Server) Product(sku string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.st.bySKU[sku]; p != nil {
		return *p, true
	}
	return Product{}, false
}

// Snapshot returns every product by id.
func (s *Server) Snapshot() map[int64]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	return simkit.Snapshot(&s.st.products, func(p *Product) Product { return *p })
}

// SetProduct changes a product as the merchant would in the panel (its name, tax
// settings, status); the API's next read shows it.
func (s *Server) SetProduct(sku string, change func(p *Product)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.bySKU[sku]
	if p == nil {
		return fmt.Errorf("sku %q: %w", sku, simkit.ErrNotFound)
	}
	before := s.beforeLocked(p)
	id, key := p.ID, p.SKU
	change(p)
	p.ID, p.SKU = id, key
	simkit.Touch(&p.UpdatedAt, s.Now(), time.Second)
	s.productChangedLocked(p, before)
	return nil
}

// FailAfterApply makes the next n product updates take effect and then answer 500, as
// the reference warns; a client must read the product before sending it again.
func (s *Server) FailAfterApply(n int) {
	s.mu.Lock()
	s.st.failAfterApply = n
	s.mu.Unlock()
}

// RevokeTokens invalidates every access and refresh token, as removing the app's
// access in the panel would: the store needs a new consent.
func (s *Server) RevokeTokens() {
	s.access.RevokeAll()
	s.mu.Lock()
	s.st.refresh = map[string]grant{}
	s.mu.Unlock()
}

// ExpireAccessTokens kills every access token and leaves refresh tokens alive, as a
// token's lifetime running out would: the client must refresh.
func (s *Server) ExpireAccessTokens() { s.access.RevokeAll() }

// Refreshes counts the refresh grants answered (each rotated the refresh token).
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.refreshes
}

// LiveRefreshTokens counts the refresh tokens that still work.
func (s *Server) LiveRefreshTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.st.refresh {
		if s.Now().Before(g.expires) {
			n++
		}
	}
	return n
}

// AddOrder places an order and takes its quantities off stock; nothing changes on
// error. An unpaid order (PaymentStatus in_transaction) starts waiting_for_payment.
func (s *Server) AddOrder(in Order) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if len(in.Items) == 0 {
		return OrderView{}, fmt.Errorf("add order: no items: %w", simkit.ErrInvalid)
	}
	need := map[string]money.Kurus{}
	for _, it := range in.Items {
		p := s.st.bySKU[it.SKU]
		if p == nil {
			return OrderView{}, fmt.Errorf("add order: sku %q: %w", it.SKU, simkit.ErrNotFound)
		}
		if it.Quantity <= 0 {
			return OrderView{}, fmt.Errorf("add order: sku %q quantity %s: %w", it.SKU, it.Quantity, simkit.ErrInvalid)
		}
		need[it.SKU] += it.Quantity
		if need[it.SKU] > p.Stock {
			return OrderView{}, fmt.Errorf("add order: sku %q wants %s, %s in stock: %w", it.SKU, need[it.SKU], p.Stock, simkit.ErrOutOfStock)
		}
	}
	if in.PaymentStatus == "" {
		in.PaymentStatus = "success"
	}
	if !paymentStatuses[in.PaymentStatus] {
		return OrderView{}, fmt.Errorf("add order: payment status %q: %w", in.PaymentStatus, simkit.ErrInvalid)
	}
	if in.Status == "" {
		in.Status = "waiting_for_approval"
		if in.PaymentStatus != "success" {
			in.Status = "waiting_for_payment"
		}
	}
	if !statuses[in.Status] {
		return OrderView{}, fmt.Errorf("add order: status %q: %w", in.Status, simkit.ErrInvalid)
	}
	s.st.nextOrd++
	o := &order{id: s.st.nextOrd, transaction: in.TransactionID, status: in.Status, payment: in.PaymentStatus,
		kind: in.PaymentType, shipping: in.Shipping, coupon: in.Coupon, created: in.CreatedAt}
	if o.transaction == "" {
		o.transaction = strconv.FormatInt(1234500+o.id, 10)
	}
	if o.kind == "" {
		o.kind = "Kredi Kartı"
	}
	if o.created.IsZero() {
		o.created = now
	}
	o.updated = o.created
	for i, it := range in.Items {
		p := s.st.bySKU[it.SKU]
		before := s.beforeLocked(p)
		p.Stock -= it.Quantity
		simkit.Touch(&p.UpdatedAt, now, time.Second)
		s.productChangedLocked(p, before)
		price := it.Price
		if price == 0 {
			price = p.Price1
		}
		o.items = append(o.items, &orderItem{id: o.id*100 + int64(i), product: *p, quantity: it.Quantity, price: price})
	}
	s.st.orders.Add(o.id, o)
	if s.watchingLocked("order/create") {
		s.emitLocked("order/create", s.orderJSON(o), now)
	}
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

// SetOrderStatus moves an order to status and its updatedAt on, as the merchant does in
// the panel. cancelled and refunded give the stock back, once.
func (s *Server) SetOrderStatus(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
	if o == nil {
		return fmt.Errorf("order %d: %w", id, simkit.ErrNotFound)
	}
	if !statuses[status] {
		return fmt.Errorf("order %d: status %q: %w", id, status, simkit.ErrInvalid)
	}
	if o.status == "cancelled" && status != "cancelled" {
		return fmt.Errorf("order %d is cancelled: %w", id, simkit.ErrState)
	}
	if status == "cancelled" || status == "refunded" {
		s.restockLocked(o, s.Now())
	}
	was := o.status
	o.status = status
	o.touch(s.Now())
	s.orderChangedLocked(o, was, o.payment)
	return nil
}

// SetPaymentStatus records the payment of an order (a bank transfer arriving: success)
// and moves an order waiting for payment on to waiting_for_approval.
func (s *Server) SetPaymentStatus(id int64, payment string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
	if o == nil {
		return fmt.Errorf("order %d: %w", id, simkit.ErrNotFound)
	}
	if !paymentStatuses[payment] {
		return fmt.Errorf("order %d: payment status %q: %w", id, payment, simkit.ErrInvalid)
	}
	was, paid := o.status, o.payment
	o.payment = payment
	if payment == "success" && (o.status == "waiting_for_payment" || o.status == "on_accumulation") {
		o.status = "waiting_for_approval"
	}
	o.touch(s.Now())
	s.orderChangedLocked(o, was, paid)
	return nil
}

// CancelOrder is SetOrderStatus(id, "cancelled").
func (s *Server) CancelOrder(id int64) error { return s.SetOrderStatus(id, "cancelled") }

// formField finds the consent form's hidden fields.
var formField = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// Browse plays the shop admin's browser: it opens consentURL (the page IdeaSoft shows a
// logged-in admin), submits the consent form granting (approve) or refusing access,
// and returns where IdeaSoft sends the browser next: the redirect URI with a code (or
// error=access_denied) and the state. It does not follow that redirect; a test that
// plays the loopback opens it itself.
func (s *Server) Browse(consentURL string, approve bool) (string, error) {
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(consentURL)
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("consent page: %d %s: %w", resp.StatusCode, page, simkit.ErrInvalid)
	}
	form := url.Values{}
	for _, m := range formField.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("approve", "0")
	if approve {
		form.Set("approve", "1")
	}
	resp, err = hc.PostForm(s.URL+"/panel/auth", form)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("consent form: %d %s: %w", resp.StatusCode, body, simkit.ErrInvalid)
	}
	return resp.Header.Get("Location"), nil
}

// Rekey gives the product that has SKU from the SKU to, as a merchant editing it in the
// panel would.
func (s *Server) Rekey(from, to string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.bySKU[from]
	if p == nil {
		return fmt.Errorf("sku %q: %w", from, simkit.ErrNotFound)
	}
	if s.st.bySKU[to] != nil {
		return fmt.Errorf("sku %q: %w", to, simkit.ErrExists)
	}
	before := s.beforeLocked(p)
	delete(s.st.bySKU, from)
	p.SKU = to
	s.st.bySKU[to] = p
	simkit.Touch(&p.UpdatedAt, s.Now(), time.Second)
	s.productChangedLocked(p, before)
	return nil
}
