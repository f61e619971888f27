package tsoftsim

import (
	"fmt"
	"slices"
	"strconv"

	"syncagent/connectors/sim/simkit"
)

// AddProduct seeds a main product and returns it with its id.
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Code == "" {
		return Product{}, fmt.Errorf("product without code: %w", simkit.ErrInvalid)
	}
	if s.st.products.Get(p.Code) != nil || s.st.subs.Get(p.Code) != nil {
		return Product{}, fmt.Errorf("code %q: %w", p.Code, simkit.ErrExists)
	}
	if p.ID == 0 {
		s.st.nextID++
		p.ID = s.st.nextID
	}
	if p.Name == "" {
		p.Name = "Ürün " + p.Code
	}
	if p.Vat == 0 {
		p.Vat = 20
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.Now()
	}
	p.Active = true
	cp := p
	s.st.products.Add(cp.Code, &cp)
	return cp, nil
}

// AddSubProduct seeds a variant of an existing main product.
func (s *Server) AddSubProduct(sp SubProduct) (SubProduct, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp.Code == "" || s.st.products.Get(sp.MainCode) == nil {
		return SubProduct{}, fmt.Errorf("sub-product %q of %q: %w", sp.Code, sp.MainCode, simkit.ErrNotFound)
	}
	if s.st.subs.Get(sp.Code) != nil || s.st.products.Get(sp.Code) != nil {
		return SubProduct{}, fmt.Errorf("code %q: %w", sp.Code, simkit.ErrExists)
	}
	if sp.ID == 0 {
		s.st.nextSub++
		sp.ID = s.st.nextSub
	}
	cp := sp
	s.st.subs.Add(cp.Code, &cp)
	return cp, nil
}

// Product returns a main product by code.
func (s *Server) Product(code string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.st.products.Get(code); p != nil {
		return *p, true
	}
	return Product{}, false
}

// SubProduct returns a variant by code.
func (s *Server) SubProduct(code string) (SubProduct, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp := s.st.subs.Get(code); sp != nil {
		return *sp, true
	}
	return SubProduct{}, false
}

// Snapshot returns every main product by code.
func (s *Server) Snapshot() map[string]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	return simkit.Snapshot(&s.st.products, func(p *Product) Product { return *p })
}

// SubSnapshot returns every variant by code.
func (s *Server) SubSnapshot() map[string]SubProduct {
	s.mu.Lock()
	defer s.mu.Unlock()
	return simkit.Snapshot(&s.st.subs, func(p *SubProduct) SubProduct { return *p })
}

// AddOrder places an order now (or at o.At) and takes its quantities off stock, a
// variant's from the variant; nothing changes on error, and it never oversells.
func (s *Server) AddOrder(in Order) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if len(in.Lines) == 0 {
		return OrderView{}, fmt.Errorf("add order: no lines: %w", simkit.ErrInvalid)
	}
	need := map[string]int64{}
	for _, l := range in.Lines {
		n := s.st.stockOf(l.Code)
		if n == nil {
			return OrderView{}, fmt.Errorf("add order: code %q: %w", l.Code, simkit.ErrNotFound)
		}
		if l.Quantity < 1 {
			return OrderView{}, fmt.Errorf("add order: code %q quantity %d: %w", l.Code, l.Quantity, simkit.ErrInvalid)
		}
		need[l.Code] += int64(l.Quantity)
		if need[l.Code] > *n {
			return OrderView{}, fmt.Errorf("add order: code %q wants %d, %d in stock: %w", l.Code, need[l.Code], *n, simkit.ErrOutOfStock)
		}
	}
	if in.StatusID == 0 {
		in.StatusID = StatusApproval
	}
	if _, known := s.opt.Statuses[in.StatusID]; !known {
		return OrderView{}, fmt.Errorf("add order: status %d: %w", in.StatusID, simkit.ErrInvalid)
	}
	s.st.nextOrd++
	at := in.At
	if at.IsZero() {
		at = now
	}
	o := &order{id: s.st.nextOrd, code: in.Code, statusID: in.StatusID, customer: in.Customer, email: in.Email, phone: in.Phone,
		address: in.Address, town: in.Town, city: in.City, payment: in.Payment, cargo: in.Cargo, created: at, updated: at}
	simkit.Default(&o.code, fmt.Sprintf("TS-%d-%d", at.In(turkey).Year(), o.id))
	simkit.Default(&o.customer, "Ayşe Yılmaz")
	simkit.Default(&o.email, "ayse@example.com")
	simkit.Default(&o.phone, "05321234567")
	simkit.Default(&o.address, "Atatürk Cad. No: 1 D: 3")
	simkit.Default(&o.town, "Kadıköy")
	simkit.Default(&o.city, "İstanbul")
	simkit.Default(&o.payment, "Kredi Kartı")
	simkit.Default(&o.cargo, "Yurtiçi Kargo")
	for _, l := range in.Lines {
		s.st.nextLine++
		ol := &orderLine{id: s.st.nextLine, qty: l.Quantity, price: l.Price, disc: l.Discount, vat: 20}
		if sp := s.st.subs.Get(l.Code); sp != nil {
			main := s.st.products.Get(sp.MainCode)
			ol.code, ol.subCode, ol.productID, ol.subID = main.Code, sp.Code, main.ID, sp.ID
			ol.name, ol.barcode, ol.vat = main.Name+" "+sp.Property1, sp.Barcode, main.Vat
			if ol.price == 0 {
				ol.price = sp.SellingPrice
			}
			sp.Stock -= int64(l.Quantity)
		} else {
			p := s.st.products.Get(l.Code)
			ol.code, ol.productID, ol.name, ol.barcode, ol.vat = p.Code, p.ID, p.Name, p.Barcode, p.Vat
			if ol.price == 0 {
				ol.price = p.SellingPrice
				if p.DiscountedPrice > 0 {
					ol.price = p.DiscountedPrice
				}
			}
			p.Stock -= int64(l.Quantity)
		}
		o.lines = append(o.lines, ol)
	}
	s.st.orders.Add(o.id, o)
	return s.view(o), nil
}

// Order returns an order by id.
func (s *Server) Order(id int64) (OrderView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.st.orders.Get(id); o != nil {
		return s.view(o), true
	}
	return OrderView{}, false
}

// SetOrderStatus moves an order to a status of Options.Statuses, as the merchant does in
// the panel; 9 (cancelled) puts the units back on stock, once.
func (s *Server) SetOrderStatus(id int64, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
	if o == nil {
		return fmt.Errorf("order %d: %w", id, simkit.ErrNotFound)
	}
	if _, known := s.opt.Statuses[status]; !known {
		return fmt.Errorf("status %d: %w", status, simkit.ErrInvalid)
	}
	if o.statusID == StatusCancelled && status != StatusCancelled {
		return fmt.Errorf("order %d is cancelled: %w", id, simkit.ErrState)
	}
	if status == StatusShipped && o.tracking == "" {
		o.tracking = "YK" + strconv.FormatInt(700000000+o.id, 10)
	}
	s.setStatus(o, status, s.Now())
	return nil
}

// CancelOrder cancels an order (status 9).
func (s *Server) CancelOrder(id int64) error { return s.SetOrderStatus(id, StatusCancelled) }

// RevokeTokens invalidates every token at once, as a password change of the
// web-service user in the panel would.
func (s *Server) RevokeTokens() { s.tokens.RevokeAll() }

// SetMethods sets the methods the web-service user may call (nil: all).
func (s *Server) SetMethods(methods []string) {
	s.mu.Lock()
	s.gates.methods = slices.Clone(methods)
	s.mu.Unlock()
}

// SetAllowedIPs sets the web service's IP restriction (nil: none).
func (s *Server) SetAllowedIPs(ips []string) {
	s.mu.Lock()
	s.gates.ips = slices.Clone(ips)
	s.mu.Unlock()
}

// SetLicence sets the REST1 licence: "on", "off-404" or "off-message".
func (s *Server) SetLicence(mode string) {
	s.mu.Lock()
	s.gates.licence = mode
	s.mu.Unlock()
}

// SetHTMLFaults sets the PHP error page fault; the random sequence restarts from its seed.
func (s *Server) SetHTMLFaults(f HTMLFaults) { s.html.set(f) }

// HTMLPages counts the error pages served instead of JSON so far.
func (s *Server) HTMLPages() int {
	s.html.mu.Lock()
	defer s.html.mu.Unlock()
	return s.html.served
}
