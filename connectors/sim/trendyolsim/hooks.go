package trendyolsim

import (
	"fmt"
	"slices"
	"strconv"

	"syncagent/connectors/sim/simkit"
)

// AddProduct seeds the catalogue with an approved product.
func (s *Server) AddProduct(p Product) error {
	if p.Barcode == "" {
		return fmt.Errorf("add product: barcode is required: %w", simkit.ErrNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.products.Get(p.Barcode) != nil {
		return fmt.Errorf("add product %q: %w", p.Barcode, simkit.ErrExists)
	}
	if p.ContentID == 0 {
		p.ContentID = 9_000_000 + int64(s.st.products.Len()+1)
	}
	if p.ProductMainID == "" {
		p.ProductMainID = "PM-" + strconv.FormatInt(p.ContentID, 10)
	}
	if p.VariantID == 0 {
		p.VariantID = 3_900_000_000 + int64(s.st.products.Len()+1)
	}
	if p.VatRate == 0 {
		p.VatRate = 20
	}
	if p.ListPrice == 0 {
		p.ListPrice = p.SalePrice
	}
	if p.StockCode == "" {
		p.StockCode = p.Barcode
	}
	if p.Title == "" {
		p.Title = "Ürün " + p.Barcode
	}
	cp := p
	s.st.products.Add(p.Barcode, &cp)
	return nil
}

// Product returns the current state of one product, after finishing every batch that
// is due on the simulator's clock.
func (s *Server) Product(barcode string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	p := s.st.products.Get(barcode)
	if p == nil {
		return Product{}, false
	}
	return *p, true
}

// Snapshot returns every product by barcode, after finishing due batches.
func (s *Server) Snapshot() map[string]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	return simkit.Snapshot(&s.st.products, func(p *Product) Product { return *p })
}

// CompleteBatches finishes every batch still processing, as if its delay had passed.
// For tests and demos on the wall clock that do not want to wait.
func (s *Server) CompleteBatches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	for _, b := range s.st.batches.All() {
		if !b.done {
			b.readyAt = now
			s.finishBatch(b, now)
		}
	}
}

// PendingBatches counts batches whose items have no final state yet.
func (s *Server) PendingBatches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.Now())
	n := 0
	for _, b := range s.st.batches.All() {
		if !b.done {
			n++
		}
	}
	return n
}

// SetOrdersRetired switches the retired GET .../orders endpoint to 426 and back.
func (s *Server) SetOrdersRetired(on bool) {
	s.mu.Lock()
	s.retired = on
	s.mu.Unlock()
}

// AddOrder creates a shipment package and takes its quantities off sellable stock.
// It fails without changing anything when a barcode is unknown or stock is short.
func (s *Server) AddOrder(o Order) (Package, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	s.advance(now)
	if len(o.Lines) == 0 {
		return Package{}, fmt.Errorf("add order: no lines: %w", simkit.ErrNotFound)
	}
	if o.Status == "" {
		o.Status = StatusCreated
	}
	if o.Status != StatusCreated && o.Status != StatusAwaiting {
		return Package{}, fmt.Errorf("add order with status %q: %w", o.Status, simkit.ErrState)
	}
	need := map[string]int{}
	for _, l := range o.Lines {
		p := s.st.products.Get(l.Barcode)
		if p == nil {
			return Package{}, fmt.Errorf("add order: barcode %q: %w", l.Barcode, simkit.ErrNotFound)
		}
		if l.Quantity < 1 {
			return Package{}, fmt.Errorf("add order: barcode %q quantity %d: %w", l.Barcode, l.Quantity, simkit.ErrState)
		}
		need[l.Barcode] += l.Quantity
		if int64(need[l.Barcode]) > p.Quantity {
			return Package{}, fmt.Errorf("add order: barcode %q wants %d, %d sellable: %w", l.Barcode, need[l.Barcode], p.Quantity, simkit.ErrOutOfStock)
		}
	}
	s.st.nextOrder++
	if o.OrderNumber == "" {
		o.OrderNumber = strconv.FormatInt(10_000_000_000+s.st.nextOrder, 10)
	}
	if o.OrderDate.IsZero() {
		o.OrderDate = now
	}
	p := s.newPackage(o.OrderNumber, now)
	p.orderDate = o.OrderDate
	p.customer = sampleCustomer(o.Customer, s.st.nextOrder)
	p.commercial = o.Commercial
	p.createdBy = "order-creation"
	for _, ol := range o.Lines {
		prod := s.st.products.Get(ol.Barcode)
		prod.Quantity -= int64(ol.Quantity)
		gross := ol.UnitPrice
		if gross == 0 {
			gross = prod.SalePrice
		}
		s.st.nextLineID++
		p.lines = append(p.lines, &line{id: s.st.nextLineID, product: *prod, qty: ol.Quantity, gross: gross,
			sellerDiscount: ol.SellerDiscount, tyDiscount: ol.TyDiscount})
	}
	p.setStatus(o.Status, now)
	return p.view(), nil
}

// Package returns one package as it is now.
func (s *Server) Package(id int64) (Package, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages.Get(id)
	if p == nil {
		return Package{}, false
	}
	return p.view(), true
}

// Packages returns every package, oldest first.
func (s *Server) Packages() []Package {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Package, 0, s.st.packages.Len())
	for _, p := range s.st.packages.All() {
		out = append(out, p.view())
	}
	return out
}

// SetOrderStatus moves a package the way Trendyol does (Created → Shipped → Delivered,
// Awaiting → Created, ...). Moving to Cancelled gives the stock back.
func (s *Server) SetOrderStatus(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages.Get(id)
	if p == nil {
		return fmt.Errorf("package %d: %w", id, simkit.ErrNotFound)
	}
	if !slices.Contains(transitions[p.status], status) {
		return fmt.Errorf("package %d from %s to %s: %w", id, p.status, status, simkit.ErrState)
	}
	now := s.Now()
	if status == StatusCancelled {
		s.restock(p.lines, nil)
		for _, l := range p.lines {
			l.cancelledBy, l.cancelReason, l.cancelCode = "customer", "Müşteri vazgeçti", 501
		}
	}
	p.setStatus(status, now)
	return nil
}

// CancelLine cancels qty units of one line as a customer or Trendyol would. The package
// is replaced: the old one becomes Cancelled and, when anything is left, a new package
// (createdBy "cancel", originPackageIds = the old id, new line ids) holds the rest.
// It returns the new package's id, or 0 when nothing was left.
func (s *Server) CancelLine(packageID, lineID int64, qty int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages.Get(packageID)
	if p == nil {
		return 0, fmt.Errorf("package %d: %w", packageID, simkit.ErrNotFound)
	}
	return s.cancelQuantities(p, map[int64]int{lineID: qty}, StatusCancelled, "customer", "Müşteri vazgeçti", 501)
}

// CancelOrder cancels every live package of an order and gives their stock back.
func (s *Server) CancelOrder(orderNumber string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	now := s.Now()
	for _, p := range s.st.packages.All() {
		if p.orderNumber != orderNumber {
			continue
		}
		found = true
		if !slices.Contains(transitions[p.status], StatusCancelled) {
			continue
		}
		s.restock(p.lines, nil)
		for _, l := range p.lines {
			l.cancelledBy, l.cancelReason, l.cancelCode = "customer", "Müşteri vazgeçti", 501
		}
		p.setStatus(StatusCancelled, now)
	}
	if !found {
		return fmt.Errorf("order %s: %w", orderNumber, simkit.ErrNotFound)
	}
	return nil
}

// SplitPackage splits a Created package into one new package per group of line ids,
// plus one for the lines named in no group (createdBy "split", originPackageIds = the
// old id, new line ids). The old package becomes UnPacked. Stock does not change.
func (s *Server) SplitPackage(packageID int64, groups ...[]int64) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages.Get(packageID)
	if p == nil {
		return nil, fmt.Errorf("package %d: %w", packageID, simkit.ErrNotFound)
	}
	if p.status != StatusCreated {
		return nil, fmt.Errorf("split package %d in %s: %w", packageID, p.status, simkit.ErrState)
	}
	seen := map[int64]bool{}
	byID := map[int64]*line{}
	for _, l := range p.lines {
		byID[l.id] = l
	}
	for _, g := range groups {
		for _, id := range g {
			if byID[id] == nil || seen[id] {
				return nil, fmt.Errorf("split: line %d of package %d: %w", id, packageID, simkit.ErrNotFound)
			}
			seen[id] = true
		}
	}
	var left []int64
	for _, l := range p.lines {
		if !seen[l.id] {
			left = append(left, l.id)
		}
	}
	if len(left) > 0 {
		groups = append(groups, left)
	}
	now := s.Now()
	var ids []int64
	for _, g := range groups {
		np := s.newPackage(p.orderNumber, now)
		np.orderDate, np.customer, np.commercial = p.orderDate, p.customer, p.commercial
		np.createdBy, np.origin = "split", []int64{p.id}
		for _, id := range g {
			s.st.nextLineID++
			nl := *byID[id]
			nl.id = s.st.nextLineID
			np.lines = append(np.lines, &nl)
		}
		np.setStatus(StatusCreated, now)
		ids = append(ids, np.id)
	}
	p.setStatus(StatusUnPacked, now)
	return ids, nil
}
