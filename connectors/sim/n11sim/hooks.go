package n11sim

import (
	"fmt"
	"slices"
	"strconv"

	"syncagent/connectors/sim/simkit"
)

// AddProduct adds a listing to the seller's catalogue.
func (s *Server) AddProduct(p Product) error {
	if p.StockCode == "" {
		return fmt.Errorf("product without stockCode: %w", simkit.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.products.Get(p.StockCode) != nil {
		return fmt.Errorf("stockCode %q: %w", p.StockCode, simkit.ErrExists)
	}
	if p.N11ProductID == 0 {
		s.st.nextProd += 1 + s.st.nextProd%3
		p.N11ProductID = s.st.nextProd
	}
	if p.Title == "" {
		p.Title = "Ürün " + p.StockCode
	}
	if p.Currency == "" {
		p.Currency = "TL"
	}
	if p.VatRate == 0 {
		p.VatRate = 20
	}
	if p.CommissionRate == 0 {
		p.CommissionRate = 15
	}
	if p.Status == "" {
		p.Status = "Active"
	}
	if p.ListPrice < p.SalePrice {
		p.ListPrice = p.SalePrice
	}
	if p.ProductMainID == "" {
		p.ProductMainID = p.StockCode
	}
	cp := p
	s.st.products.Add(cp.StockCode, &cp)
	return nil
}

// Product returns what the store shows for stockCode now (tasks due by now applied).
func (s *Server) Product(stockCode string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	p := s.st.products.Get(stockCode)
	if p == nil {
		return Product{}, false
	}
	return *p, true
}

// Snapshot returns every product by stockCode.
func (s *Server) Snapshot() map[string]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	return simkit.Snapshot(&s.st.products, func(p *Product) Product { return *p })
}

// CompleteTasks processes every queued task now, whatever its delay.
func (s *Server) CompleteTasks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	for _, t := range s.st.tasks.All() {
		if t.status == "IN_QUEUE" {
			s.finishTask(t, now)
		}
	}
}

// PendingTasks counts the tasks still IN_QUEUE.
func (s *Server) PendingTasks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	n := 0
	for _, t := range s.st.tasks.All() {
		if t.status == "IN_QUEUE" {
			n++
		}
	}
	return n
}

// TaskView is a read-back view of a task.
type TaskView struct {
	ID     int64
	Type   string
	Status string
	Items  int
}

// Tasks lists the tasks the simulator still knows, in the order received.
func (s *Server) Tasks() []TaskView {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	var out []TaskView
	for _, t := range s.st.tasks.All() {
		out = append(out, TaskView{ID: t.id, Type: t.kind, Status: t.status, Items: len(t.items)})
	}
	return out
}

// ForgetTask drops a task's details at once, as if n11's retention had passed.
func (s *Server) ForgetTask(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.tasks.Keep(func(t *task) bool { return t.id != id })
}

// AddOrder places an order: one package in Created with the lines, taking the units
// from stock (ErrOutOfStock rather than overselling).
func (s *Server) AddOrder(o Order) (Package, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if len(o.Lines) == 0 {
		return Package{}, fmt.Errorf("order without lines: %w", simkit.ErrInvalid)
	}
	for _, l := range o.Lines {
		p := s.st.products.Get(l.StockCode)
		if p == nil {
			return Package{}, fmt.Errorf("stockCode %q: %w", l.StockCode, simkit.ErrNotFound)
		}
		if l.Quantity < 1 || int64(l.Quantity) > p.Quantity {
			return Package{}, fmt.Errorf("%d of %s (%d in stock): %w", l.Quantity, l.StockCode, p.Quantity, simkit.ErrOutOfStock)
		}
	}
	if o.OrderNumber == "" {
		s.st.nextOrder += 7
		o.OrderNumber = strconv.FormatInt(s.st.nextOrder, 10)
	}
	created := o.CreatedAt
	if created.IsZero() {
		created = now
	}
	pk := s.newPackage(o.OrderNumber, created)
	pk.customer = sampleCustomer(o.Customer, s.st.nextPkg)
	if o.PickupType != "" {
		pk.deliveryType = o.PickupType
		pt := sampleCustomer(Customer{FullName: "n11 Teslimat Noktası"}, 0)
		if o.Pickup != nil {
			pt = *o.Pickup
		}
		pk.pickup = &pt
	}
	for _, l := range o.Lines {
		p := s.st.products.Get(l.StockCode)
		price := l.Price
		if price == 0 {
			price = p.SalePrice
		}
		s.st.nextLine += 3
		pk.lines = append(pk.lines, &line{id: s.st.nextLine, product: *p, qty: l.Quantity, price: price,
			sellerDiscount: l.SellerDiscount, couponDiscount: l.SellerCouponDiscount, mallDiscount: l.MallDiscount})
		p.Quantity -= int64(l.Quantity)
	}
	pk.setStatus(StatusCreated, created)
	return pk.view(), nil
}

// SetPackageStatus moves a package as n11, the carrier or the seller's panel would
// (Created → Picking → Shipped → Delivered; Cancelled and UnSupplied put the units back).
func (s *Server) SetPackageStatus(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pkgOf(id)
	if err != nil {
		return err
	}
	if !slices.Contains(transitions[p.status], status) {
		return fmt.Errorf("package %d from %s to %s: %w", id, p.status, status, simkit.ErrState)
	}
	if status == StatusCancelled || status == StatusUnSupplied {
		s.restock(p.lines)
	}
	p.setStatus(status, s.Now())
	return nil
}

// MarkReturned flags a delivered package as returned (isReturned).
func (s *Server) MarkReturned(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pkgOf(id)
	if err != nil {
		return err
	}
	if p.status != StatusDelivered {
		return fmt.Errorf("package %d is %s: %w", id, p.status, simkit.ErrState)
	}
	p.returned = true
	p.touch(s.Now())
	return nil
}

// CancelOrder cancels every live package of an order that has not shipped, putting the
// units back.
func (s *Server) CancelOrder(orderNumber string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	n := 0
	for _, p := range s.st.packages.All() {
		if p.orderNumber != orderNumber || !s.live(p) {
			continue
		}
		if p.status == StatusShipped || p.status == StatusDelivered {
			return fmt.Errorf("package %d of order %s is %s: %w", p.id, orderNumber, p.status, simkit.ErrState)
		}
		s.restock(p.lines)
		p.setStatus(StatusCancelled, now)
		n++
	}
	if n == 0 {
		return fmt.Errorf("order %s has no live package: %w", orderNumber, simkit.ErrNotFound)
	}
	return nil
}

// CancelLine cancels qty units of a line (n11's splitPackageByQuantity with a cancel
// reason): the package is split into what is kept and a Cancelled package of the
// cancelled units, which go back to stock. It returns the new packages' ids.
func (s *Server) CancelLine(pkgID, lineID int64, qty int) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pkgOf(pkgID)
	if err != nil {
		return nil, err
	}
	if p.status != StatusCreated && p.status != StatusPicking && !(p.status == StatusUnpacked && s.live(p)) {
		return nil, fmt.Errorf("package %d is %s: %w", pkgID, p.status, simkit.ErrState)
	}
	var kept, cancelled []*line
	found := false
	for _, l := range p.lines {
		if l.id != lineID {
			kept = append(kept, l)
			continue
		}
		found = true
		if qty < 1 || qty > l.qty {
			return nil, fmt.Errorf("line %d: %d of %d: %w", lineID, qty, l.qty, simkit.ErrState)
		}
		taken, rest := splitLine(l, qty)
		cancelled = append(cancelled, taken)
		if rest != nil {
			kept = append(kept, rest)
		}
	}
	if !found {
		return nil, fmt.Errorf("line %d of package %d: %w", lineID, pkgID, simkit.ErrNotFound)
	}
	return s.splitInto(p, [][]*line{copyLines(kept)}, copyLines(cancelled), s.Now()), nil
}

// SplitPackage splits a package in Picking into one package per group of line ids
// (n11's splitCombinePackage); every line must be in exactly one group.
func (s *Server) SplitPackage(pkgID int64, groups ...[]int64) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pkgOf(pkgID)
	if err != nil {
		return nil, err
	}
	if p.status != StatusPicking {
		return nil, fmt.Errorf("package %d is %s; n11 splits packages in Picking only: %w", pkgID, p.status, simkit.ErrState)
	}
	byID := map[int64]*line{}
	for _, l := range p.lines {
		byID[l.id] = l
	}
	var split [][]*line
	for _, g := range groups {
		var ls []*line
		for _, id := range g {
			l := byID[id]
			if l == nil {
				return nil, fmt.Errorf("line %d of package %d (given twice, or not in it): %w", id, pkgID, simkit.ErrInvalid)
			}
			delete(byID, id)
			ls = append(ls, l)
		}
		split = append(split, copyLines(ls))
	}
	if len(byID) > 0 || len(split) < 2 {
		return nil, fmt.Errorf("a split needs every line of package %d in one of two or more groups: %w", pkgID, simkit.ErrInvalid)
	}
	return s.splitInto(p, split, nil, s.Now()), nil
}

func copyLines(ls []*line) []*line {
	out := make([]*line, len(ls))
	for i, l := range ls {
		c := *l
		out[i] = &c
	}
	return out
}

// Package returns a package by id.
func (s *Server) Package(id int64) (Package, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages.Get(id)
	if p == nil {
		return Package{}, false
	}
	return p.view(), true
}

// Packages lists every package in the order created.
func (s *Server) Packages() []Package {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Package
	for _, p := range s.st.packages.All() {
		out = append(out, p.view())
	}
	return out
}

// LivePackage is the newest package of an order that still holds goods (for tests that
// act on "the order" after splits).
func (s *Server) LivePackage(orderNumber string) (Package, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.st.packages.All()
	for i := len(all) - 1; i >= 0; i-- {
		if p := all[i]; p.orderNumber == orderNumber && s.live(p) {
			return p.view(), true
		}
	}
	return Package{}, false
}
