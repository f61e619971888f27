package ikassim

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// AddProduct seeds the catalogue and returns the product with its ids. Variants without
// prices get none; without stock, none at any location.
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if len(p.Variants) == 0 {
		return Product{}, fmt.Errorf("product %q without variants: %w", p.Name, simkit.ErrInvalid)
	}
	s.st.seq++
	if p.ID == "" {
		p.ID = fmt.Sprintf("p-%06d-%s", s.st.seq, simkit.RandomHex(4))
	}
	if s.st.products.Get(p.ID) != nil {
		return Product{}, fmt.Errorf("product %s: %w", p.ID, simkit.ErrExists)
	}
	if p.Name == "" {
		p.Name = "Ürün " + p.ID
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	p = p.clone()
	seen := map[string]bool{}
	for i := range p.Variants {
		v := &p.Variants[i]
		if v.ID == "" {
			v.ID = fmt.Sprintf("v-%06d-%d-%s", s.st.seq, i, simkit.RandomHex(4))
		}
		if _, taken := s.st.variants[v.ID]; taken || seen[v.ID] {
			return Product{}, fmt.Errorf("variant %s: %w", v.ID, simkit.ErrExists)
		}
		seen[v.ID] = true
		if v.Stock == nil {
			v.Stock = map[string]float64{}
		}
		if v.StockAt == nil {
			v.StockAt = map[string]time.Time{}
		}
		for loc := range v.Stock {
			if s.st.location(loc) == nil {
				return Product{}, fmt.Errorf("variant %s: stock location %s: %w", v.ID, loc, simkit.ErrNotFound)
			}
			if v.StockAt[loc].IsZero() {
				v.StockAt[loc] = p.CreatedAt
			}
		}
		for j := range v.Prices {
			simkit.Default(&v.Prices[j].Currency, "TRY")
			simkit.Default(&v.Prices[j].CurrencySymbol, "₺")
		}
	}
	cp := p
	s.st.products.Add(cp.ID, &cp)
	for i, v := range cp.Variants {
		s.st.variants[v.ID] = variantRef{product: cp.ID, index: i}
	}
	return cp.clone(), nil
}

// Product returns a product by id.
func (s *Server) Product(id string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.products.Get(id)
	if p == nil {
		return Product{}, false
	}
	return p.clone(), true
}

// VariantBySKU returns the product and variant holding sku.
func (s *Server) VariantBySKU(sku string) (Product, Variant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.st.products.All() {
		for _, v := range p.Variants {
			if v.SKU == sku {
				cp := p.clone()
				return cp, cp.Variants[slices.IndexFunc(cp.Variants, func(x Variant) bool { return x.ID == v.ID })], true
			}
		}
	}
	return Product{}, Variant{}, false
}

// Snapshot returns every product by id.
func (s *Server) Snapshot() map[string]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	return simkit.Snapshot(&s.st.products, func(p *Product) Product { return p.clone() })
}

// SetPrice sets a variant's price object as a merchant would in the panel (moves
// updatedAt).
func (s *Server) SetPrice(variantID string, pr Price) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, v := s.st.byVariant(variantID)
	if v == nil {
		return fmt.Errorf("variant %s: %w", variantID, simkit.ErrNotFound)
	}
	simkit.Default(&pr.Currency, "TRY")
	simkit.Default(&pr.CurrencySymbol, "₺")
	replacePrice(v, pr)
	touch(p, s.Now())
	return nil
}

// SetSKU changes a variant's SKU as a merchant would in the panel.
func (s *Server) SetSKU(variantID, sku string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, v := s.st.byVariant(variantID)
	if v == nil {
		return fmt.Errorf("variant %s: %w", variantID, simkit.ErrNotFound)
	}
	v.SKU = sku
	touch(p, s.Now())
	return nil
}

// AddLocation adds a stock location.
func (s *Server) AddLocation(l Location) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.locations = append(s.st.locations, l)
}

// Locations lists the stock locations.
func (s *Server) Locations() []Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.locations)
}

// SetScopes changes what the app is granted, as editing the app's İzinler would.
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = slices.Clone(scopes)
}

// RevokeTokens invalidates every issued token: the next GraphQL call with one gets
// LOGIN_REQUIRED.
func (s *Server) RevokeTokens() { s.tokens.RevokeAll() }

// AddOrder places an order and takes its units off stock at each line's location; an
// order that asks for more than a location holds is refused (ErrOutOfStock), nothing
// changed.
func (s *Server) AddOrder(in Order) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if len(in.Lines) == 0 {
		return OrderView{}, fmt.Errorf("order without lines: %w", simkit.ErrInvalid)
	}
	type pick struct {
		p *Product
		v *Variant
	}
	picks := make([]pick, len(in.Lines))
	need := map[string]float64{}
	for i, l := range in.Lines {
		var p *Product
		var v *Variant
		if l.Variant != "" {
			p, v = s.st.byVariant(l.Variant)
		} else {
			for _, pp := range s.st.products.All() {
				for j := range pp.Variants {
					if l.SKU != "" && pp.Variants[j].SKU == l.SKU {
						p, v = pp, &pp.Variants[j]
					}
				}
			}
		}
		if v == nil || l.Quantity < 1 {
			return OrderView{}, fmt.Errorf("order line %d (%s%s × %d): %w", i, l.SKU, l.Variant, l.Quantity, simkit.ErrInvalid)
		}
		loc := l.Location
		if loc == "" {
			loc = s.st.locations[0].ID
		}
		if s.st.location(loc) == nil {
			return OrderView{}, fmt.Errorf("order line %d: location %s: %w", i, loc, simkit.ErrNotFound)
		}
		in.Lines[i].Location = loc
		need[v.ID+"|"+loc] += float64(l.Quantity)
		if need[v.ID+"|"+loc] > v.Stock[loc] {
			return OrderView{}, fmt.Errorf("order line %d: %v wanted, %v at %s: %w", i, need[v.ID+"|"+loc], v.Stock[loc], loc, simkit.ErrOutOfStock)
		}
		picks[i] = pick{p, v}
	}
	s.st.orderSeq++
	o := &order{id: fmt.Sprintf("o-%06d-%s", s.st.orderSeq, simkit.RandomHex(4)), number: in.Number,
		status: in.Status, payment: in.PaymentStatus, currency: in.Currency, customer: in.Customer,
		shipping: in.Shipping, ordered: in.OrderedAt, created: now}
	simkit.Default(&o.number, strconv.Itoa(s.st.orderSeq))
	simkit.Default(&o.status, "CREATED")
	simkit.Default(&o.payment, "PAID")
	simkit.Default(&o.currency, "TRY")
	if o.ordered.IsZero() {
		o.ordered = now
	}
	if o.customer == nil && !in.NoCustomer {
		o.customer = &Customer{FirstName: "Ayşe", LastName: "Yılmaz", Email: "ayse@example.com", Phone: "+905551112233"}
	}
	o.updated = now
	for i, l := range in.Lines {
		pk := picks[i]
		price := l.Price
		if price == 0 {
			if dp := pk.v.DefaultPrice(); dp != nil {
				price = dp.Sell
				if dp.Discount != nil && *dp.Discount < dp.Sell {
					price = *dp.Discount
				}
			}
		}
		final := l.FinalPrice
		if final == 0 {
			final = price * money.Kurus(l.Quantity)
		}
		pk.v.Stock[l.Location] -= float64(l.Quantity)
		pk.v.StockAt[l.Location] = now
		touch(pk.p, now)
		o.lines = append(o.lines, &orderLine{id: fmt.Sprintf("%s-l%d", o.id, i+1), variantID: pk.v.ID, productID: pk.p.ID,
			sku: pk.v.SKU, nullSKU: l.NullSKU || pk.v.SKU == "", name: pk.p.Name, status: "UNFULFILLED", location: l.Location,
			qty: float64(l.Quantity), price: price, final: final, barcodes: slices.Clone(pk.v.Barcodes), created: now, updated: now})
	}
	for gi, group := range in.Packages {
		pkg := &orderPackage{id: fmt.Sprintf("%s-k%d", o.id, gi+1), number: fmt.Sprintf("%s-%d", o.number, gi+1),
			status: "FULFILLED", created: now, updated: now}
		for _, li := range group {
			if li < 0 || li >= len(o.lines) {
				return OrderView{}, fmt.Errorf("package %d: line %d: %w", gi, li, simkit.ErrInvalid)
			}
			pkg.lines = append(pkg.lines, o.lines[li].id)
			pkg.location = o.lines[li].location
			o.lines[li].status = "FULFILLED"
		}
		o.packages = append(o.packages, pkg)
	}
	s.st.orders.Add(o.id, o)
	return o.view(), nil
}

// OrderView is a read-back copy of an order.
type OrderView struct {
	ID, Number, Status, PaymentStatus, PackageStatus string
	LineIDs                                          []string
	LineStatus                                       map[string]string
	Packages                                         map[string][]string // package id → line ids
	UpdatedAt                                        time.Time
}

func (o *order) view() OrderView {
	v := OrderView{ID: o.id, Number: o.number, Status: o.status, PaymentStatus: o.payment, PackageStatus: o.packageStatus(),
		LineStatus: map[string]string{}, Packages: map[string][]string{}, UpdatedAt: o.updated}
	for _, l := range o.lines {
		v.LineIDs = append(v.LineIDs, l.id)
		v.LineStatus[l.id] = l.status
	}
	for _, p := range o.packages {
		v.Packages[p.id] = slices.Clone(p.lines)
	}
	return v
}

// Order returns an order as it is now.
func (s *Server) Order(id string) (OrderView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
	if o == nil {
		return OrderView{}, false
	}
	return o.view(), true
}

func (s *Server) withOrder(id string, fn func(o *order, now time.Time) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(id)
	if o == nil {
		return fmt.Errorf("order %s: %w", id, simkit.ErrNotFound)
	}
	now := s.Now()
	if err := fn(o, now); err != nil {
		return err
	}
	o.touch(now)
	return nil
}

// SetPaymentStatus sets orderPaymentStatus (WAITING → PAID when the payment comes).
func (s *Server) SetPaymentStatus(id, status string) error {
	return s.withOrder(id, func(o *order, _ time.Time) error { o.payment = status; return nil })
}

// SetOrderStatus sets the order's status (DRAFT → CREATED, REFUNDED, …); CANCELLED
// goes through CancelOrder.
func (s *Server) SetOrderStatus(id, status string) error {
	if status == "CANCELLED" {
		return s.CancelOrder(id)
	}
	return s.withOrder(id, func(o *order, _ time.Time) error { o.status = status; return nil })
}

// CancelOrder cancels the order and every line, giving the units back once.
func (s *Server) CancelOrder(id string) error {
	return s.withOrder(id, func(o *order, now time.Time) error {
		if o.status == "CANCELLED" {
			return fmt.Errorf("order %s is cancelled: %w", id, simkit.ErrState)
		}
		for _, l := range o.lines {
			if l.status != "CANCELLED" {
				l.status = "CANCELLED"
				l.updated = now
				s.st.restock(l, l.qty, now)
			}
		}
		for _, p := range o.packages {
			p.status = "CANCELLED"
			p.updated = now
		}
		o.status, o.cancelled = "CANCELLED", now
		return nil
	})
}

// CancelLine cancels one line (all its units): the order becomes PARTIALLY_CANCELLED.
func (s *Server) CancelLine(orderID, lineID string) error {
	return s.withOrder(orderID, func(o *order, now time.Time) error {
		l := o.line(lineID)
		if l == nil {
			return fmt.Errorf("line %s: %w", lineID, simkit.ErrNotFound)
		}
		if l.status == "CANCELLED" {
			return fmt.Errorf("line %s is cancelled: %w", lineID, simkit.ErrState)
		}
		l.status, l.updated = "CANCELLED", now
		s.st.restock(l, l.qty, now)
		o.status = "PARTIALLY_CANCELLED"
		return nil
	})
}

// Fulfill puts lines into a new package with status (FULFILLED, READY_FOR_SHIPMENT) and
// returns the package id.
func (s *Server) Fulfill(orderID string, status string, lineIDs ...string) (string, error) {
	var id string
	err := s.withOrder(orderID, func(o *order, now time.Time) error {
		var e *gqlError
		id, e = s.st.fulfil(o, lineIDs, status, "", now)
		if e != nil {
			return fmt.Errorf("%s: %w", e.Message, simkit.ErrState)
		}
		return nil
	})
	return id, err
}

// SetPackageStatus moves a package on (DELIVERED, …) and its lines with it.
func (s *Server) SetPackageStatus(orderID, packageID, status string) error {
	return s.withOrder(orderID, func(o *order, now time.Time) error {
		for _, p := range o.packages {
			if p.id == packageID {
				p.status, p.updated = status, now
				for _, lid := range p.lines {
					if l := o.line(lid); l != nil && (status == "DELIVERED" || status == "FULFILLED") {
						l.status, l.updated = status, now
					}
				}
				return nil
			}
		}
		return fmt.Errorf("package %s: %w", packageID, simkit.ErrNotFound)
	})
}

// fulfil packs whole lines into a new package.
func (st *state) fulfil(o *order, lineIDs []string, status, tracking string, now time.Time) (string, *gqlError) {
	if o.status == "CANCELLED" {
		return "", gqlErr("ORDER_NOT_ELIGIBLE_FOR_UPDATE", "the order is cancelled")
	}
	pkg := &orderPackage{id: fmt.Sprintf("%s-k%d", o.id, len(o.packages)+1), number: fmt.Sprintf("%s-%d", o.number, len(o.packages)+1),
		status: status, tracking: tracking, created: now, updated: now}
	for _, lid := range lineIDs {
		l := o.line(lid)
		if l == nil {
			return "", gqlErr("ARGUMENT_VALIDATION_ERROR", "no order line "+lid)
		}
		if l.status == "CANCELLED" || o.packaged(lid) > 0 {
			return "", gqlErr("ORDER_LINE_IS_ALREADY_PACKAGED", "order line "+lid+" is already packaged or cancelled")
		}
		pkg.lines = append(pkg.lines, lid)
		pkg.location = l.location
	}
	for _, lid := range lineIDs {
		if status == "FULFILLED" {
			l := o.line(lid)
			l.status, l.updated = "FULFILLED", now
		}
	}
	o.packages = append(o.packages, pkg)
	return pkg.id, nil
}
