package trendyolsim

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"syncagent/connectors/money"
)

// Package statuses (getShipmentPackages "status").
const (
	StatusAwaiting          = "Awaiting" // payment not confirmed: stock is reserved, never ship
	StatusCreated           = "Created"
	StatusPicking           = "Picking"
	StatusInvoiced          = "Invoiced"
	StatusShipped           = "Shipped"
	StatusDelivered         = "Delivered"
	StatusUnDelivered       = "UnDelivered"
	StatusReturned          = "Returned"
	StatusAtCollectionPoint = "AtCollectionPoint"
	StatusCancelled         = "Cancelled"
	StatusUnSupplied        = "UnSupplied"
	StatusUnPacked          = "UnPacked" // the package a split replaced (assumed)
)

// transitions are the moves Trendyol itself makes (SetOrderStatus); the seller's own
// moves (Picking, Invoiced, unsupplied) go through the API.
var transitions = map[string][]string{
	StatusAwaiting:          {StatusCreated, StatusCancelled},
	StatusCreated:           {StatusPicking, StatusCancelled},
	StatusPicking:           {StatusInvoiced, StatusCancelled},
	StatusInvoiced:          {StatusShipped, StatusCancelled},
	StatusShipped:           {StatusDelivered, StatusUnDelivered, StatusAtCollectionPoint},
	StatusAtCollectionPoint: {StatusDelivered, StatusUnDelivered},
	StatusUnDelivered:       {StatusReturned},
	StatusDelivered:         {StatusReturned},
}

var allStatuses = []string{StatusAwaiting, StatusCreated, StatusPicking, StatusInvoiced, StatusShipped,
	StatusCancelled, StatusDelivered, StatusUnDelivered, StatusReturned, StatusAtCollectionPoint,
	StatusUnSupplied, StatusUnPacked}

// Customer is the buyer and the delivery address of an order.
type Customer struct {
	ID                   int64
	FirstName, LastName  string
	Email, Phone         string
	IdentityNumber       string
	Address1, Address2   string
	City, District       string
	Neighborhood         string
	PostalCode           string
	Company, TaxNumber   string // set for commercial (invoice-to-company) orders
	TaxOffice            string
	CityCode, DistrictID int
}

// OrderLine is one line of a new order.
type OrderLine struct {
	Barcode        string
	Quantity       int
	UnitPrice      money.Kurus // before discount; zero: the product's sale price
	SellerDiscount money.Kurus // per unit
	TyDiscount     money.Kurus // per unit, paid by Trendyol
}

// Order seeds one shipment package.
type Order struct {
	OrderNumber string    // default generated; the same number twice makes a second package of one order
	Status      string    // Awaiting or Created (default)
	OrderDate   time.Time // default now
	Customer    Customer  // default a sample buyer
	Commercial  bool
	Lines       []OrderLine
}

type line struct {
	id             int64
	product        Product // copied at order time
	qty            int
	gross          money.Kurus
	sellerDiscount money.Kurus
	tyDiscount     money.Kurus
	status         string
	cancelledBy    string
	cancelReason   string
	cancelCode     int
}

type history struct {
	at     time.Time
	status string
}

type pkg struct {
	id            int64
	orderNumber   string
	status        string
	orderDate     time.Time
	created       time.Time
	lastModified  time.Time
	createdBy     string
	origin        []int64
	customer      Customer
	commercial    bool
	lines         []*line
	history       []history
	cargoTracking string
	invoiceNumber string
}

// PackageLine is a read-back view of one line.
type PackageLine struct {
	LineID   int64
	Barcode  string
	Quantity int
	Status   string
}

// Package is a read-back view of one shipment package.
type Package struct {
	ID               int64
	OrderNumber      string
	Status           string
	CreatedBy        string
	OriginPackageIDs []int64
	InvoiceNumber    string
	LastModified     time.Time
	Lines            []PackageLine
}

func (p *pkg) view() Package {
	v := Package{ID: p.id, OrderNumber: p.orderNumber, Status: p.status, CreatedBy: p.createdBy,
		OriginPackageIDs: slices.Clone(p.origin), InvoiceNumber: p.invoiceNumber, LastModified: p.lastModified}
	for _, l := range p.lines {
		v.Lines = append(v.Lines, PackageLine{LineID: l.id, Barcode: l.product.Barcode, Quantity: l.qty, Status: l.status})
	}
	return v
}

func (p *pkg) setStatus(status string, now time.Time) {
	p.status = status
	for _, l := range p.lines {
		l.status = status
	}
	p.touch(now)
	p.history = append(p.history, history{now, status})
}

func (p *pkg) touch(now time.Time) {
	// lastModifiedDate must move forward even when a fake clock stands still, or a
	// cursor-based reader could not tell the change from what it has already seen.
	if !now.After(p.lastModified) {
		now = p.lastModified.Add(time.Millisecond)
	}
	p.lastModified = now
}

func sampleCustomer(c Customer, n int64) Customer {
	if c.FirstName == "" {
		c.FirstName, c.LastName = "Ayşe", "Yılmaz"
	}
	if c.ID == 0 {
		c.ID = 100000 + n%900000
	}
	if c.Email == "" {
		c.Email = "pf+" + strconv.FormatInt(n, 36) + "@trendyolmail.com"
	}
	if c.City == "" {
		c.City, c.District, c.Neighborhood = "İstanbul", "Kadıköy", "Caferağa Mah."
		c.CityCode, c.DistrictID = 34, 1183
	}
	if c.Address1 == "" {
		c.Address1 = "Moda Cad. No:12 D:3"
	}
	if c.PostalCode == "" {
		c.PostalCode = "34710"
	}
	if c.Phone == "" {
		c.Phone = "5XXXXXXXXX" // Trendyol masks buyer phones
	}
	return c
}

// AddOrder creates a shipment package and takes its quantities off sellable stock.
// It fails without changing anything when a barcode is unknown or stock is short.
func (s *Server) AddOrder(o Order) (Package, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Clock.Now()
	s.advance(now)
	if len(o.Lines) == 0 {
		return Package{}, fmt.Errorf("add order: no lines: %w", ErrNotFound)
	}
	if o.Status == "" {
		o.Status = StatusCreated
	}
	if o.Status != StatusCreated && o.Status != StatusAwaiting {
		return Package{}, fmt.Errorf("add order with status %q: %w", o.Status, ErrState)
	}
	need := map[string]int{}
	for _, l := range o.Lines {
		p := s.st.products[l.Barcode]
		if p == nil {
			return Package{}, fmt.Errorf("add order: barcode %q: %w", l.Barcode, ErrNotFound)
		}
		if l.Quantity < 1 {
			return Package{}, fmt.Errorf("add order: barcode %q quantity %d: %w", l.Barcode, l.Quantity, ErrState)
		}
		need[l.Barcode] += l.Quantity
		if int64(need[l.Barcode]) > p.Quantity {
			return Package{}, fmt.Errorf("add order: barcode %q wants %d, %d sellable: %w", l.Barcode, need[l.Barcode], p.Quantity, ErrOutOfStock)
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
		prod := s.st.products[ol.Barcode]
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

func (s *Server) newPackage(orderNumber string, now time.Time) *pkg {
	s.st.nextPkgID += 1 + s.st.nextPkgID%7 // ids are increasing but not contiguous
	p := &pkg{id: s.st.nextPkgID, orderNumber: orderNumber, created: now, lastModified: now.Add(-time.Millisecond),
		cargoTracking: "7330" + strconv.FormatInt(s.st.nextPkgID%100000000, 10)}
	s.st.packages[p.id] = p
	s.st.pkgOrder = append(s.st.pkgOrder, p)
	return p
}

// Package returns one package as it is now.
func (s *Server) Package(id int64) (Package, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages[id]
	if p == nil {
		return Package{}, false
	}
	return p.view(), true
}

// Packages returns every package, oldest first.
func (s *Server) Packages() []Package {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Package, 0, len(s.st.pkgOrder))
	for _, p := range s.st.pkgOrder {
		out = append(out, p.view())
	}
	return out
}

// SetOrderStatus moves a package the way Trendyol does (Created → Shipped → Delivered,
// Awaiting → Created, ...). Moving to Cancelled gives the stock back.
func (s *Server) SetOrderStatus(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages[id]
	if p == nil {
		return fmt.Errorf("package %d: %w", id, ErrNotFound)
	}
	if !slices.Contains(transitions[p.status], status) {
		return fmt.Errorf("package %d from %s to %s: %w", id, p.status, status, ErrState)
	}
	now := s.opt.Clock.Now()
	if status == StatusCancelled {
		s.restock(p.lines, nil)
		for _, l := range p.lines {
			l.cancelledBy, l.cancelReason, l.cancelCode = "customer", "Müşteri vazgeçti", 501
		}
	}
	p.setStatus(status, now)
	return nil
}

// restock gives back the quantities of lines (all of each line when qty is nil).
func (s *Server) restock(lines []*line, qty map[int64]int) {
	for _, l := range lines {
		n := l.qty
		if qty != nil {
			n = qty[l.id]
		}
		if prod := s.st.products[l.product.Barcode]; prod != nil {
			prod.Quantity += int64(n)
		}
	}
}

// CancelLine cancels qty units of one line as a customer or Trendyol would. The package
// is replaced: the old one becomes Cancelled and, when anything is left, a new package
// (createdBy "cancel", originPackageIds = the old id, new line ids) holds the rest.
// It returns the new package's id, or 0 when nothing was left.
func (s *Server) CancelLine(packageID, lineID int64, qty int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages[packageID]
	if p == nil {
		return 0, fmt.Errorf("package %d: %w", packageID, ErrNotFound)
	}
	return s.cancelQuantities(p, map[int64]int{lineID: qty}, StatusCancelled, "customer", "Müşteri vazgeçti", 501)
}

// CancelOrder cancels every live package of an order and gives their stock back.
func (s *Server) CancelOrder(orderNumber string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	now := s.opt.Clock.Now()
	for _, p := range s.st.pkgOrder {
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
		return fmt.Errorf("order %s: %w", orderNumber, ErrNotFound)
	}
	return nil
}

// cancelQuantities is the shared path of CancelLine and the unsupplied endpoint.
func (s *Server) cancelQuantities(p *pkg, cancel map[int64]int, status, by, reason string, code int) (int64, error) {
	if p.status != StatusCreated && p.status != StatusPicking && p.status != StatusAwaiting {
		return 0, fmt.Errorf("package %d is %s: %w", p.id, p.status, ErrState)
	}
	byID := map[int64]*line{}
	for _, l := range p.lines {
		byID[l.id] = l
	}
	for id, n := range cancel {
		l := byID[id]
		if l == nil {
			return 0, fmt.Errorf("line %d of package %d: %w", id, p.id, ErrNotFound)
		}
		if n < 1 || n > l.qty {
			return 0, fmt.Errorf("line %d: quantity %d of %d: %w", id, n, l.qty, ErrState)
		}
	}
	now := s.opt.Clock.Now()
	s.restock(p.lines, cancel)
	var rest []*line
	for _, l := range p.lines {
		if left := l.qty - cancel[l.id]; left > 0 {
			s.st.nextLineID++
			nl := *l
			nl.id, nl.qty = s.st.nextLineID, left
			rest = append(rest, &nl)
		}
		if cancel[l.id] > 0 {
			l.cancelledBy, l.cancelReason, l.cancelCode = by, reason, code
		}
	}
	prev := p.status
	p.setStatus(status, now)
	if len(rest) == 0 {
		return 0, nil
	}
	np := s.newPackage(p.orderNumber, now)
	np.orderDate, np.customer, np.commercial = p.orderDate, p.customer, p.commercial
	np.createdBy, np.origin, np.lines = "cancel", []int64{p.id}, rest
	np.setStatus(prev, now)
	return np.id, nil
}

// SplitPackage splits a Created package into one new package per group of line ids,
// plus one for the lines named in no group (createdBy "split", originPackageIds = the
// old id, new line ids). The old package becomes UnPacked. Stock does not change.
func (s *Server) SplitPackage(packageID int64, groups ...[]int64) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.packages[packageID]
	if p == nil {
		return nil, fmt.Errorf("package %d: %w", packageID, ErrNotFound)
	}
	if p.status != StatusCreated {
		return nil, fmt.Errorf("split package %d in %s: %w", packageID, p.status, ErrState)
	}
	seen := map[int64]bool{}
	byID := map[int64]*line{}
	for _, l := range p.lines {
		byID[l.id] = l
	}
	for _, g := range groups {
		for _, id := range g {
			if byID[id] == nil || seen[id] {
				return nil, fmt.Errorf("split: line %d of package %d: %w", id, packageID, ErrNotFound)
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
	now := s.opt.Clock.Now()
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
