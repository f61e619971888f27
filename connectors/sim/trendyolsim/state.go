package trendyolsim

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// state is everything the simulator remembers; guarded by Server.mu.
type state struct {
	products simkit.Table[string, Product] // by barcode, in the order of listings
	batches  simkit.Table[string, batch]   // by id, in the order sent: batches finish in this order
	bodies   map[[32]byte]time.Time        // accepted price-and-inventory bodies, for the 15-minute rule
	prices   *simkit.Limiter               // price updates per barcode per minute

	packages   simkit.Table[int64, pkg] // by id, in the order created
	nextPkgID  int64
	nextLineID int64
	nextOrder  int64
}

func (st *state) init(now time.Time) {
	st.bodies = map[[32]byte]time.Time{}
	// Ids that look like Trendyol's (10-11 digits) so connectors use int64, not int32.
	st.nextPkgID = 3_200_000_000
	st.nextLineID = 4_700_000_000
	st.nextOrder = now.UnixMilli() % 1_000_000_000
}

// advance brings the simulated backend up to now: batches whose delay has passed get
// their final state (in the order they were sent), expired ones are forgotten, and the
// duplicate-body memory drops what is older than the window. Called with s.mu held by
// every handler and read-back, so a fake clock needs no background goroutine.
func (s *Server) advance(now time.Time) {
	s.st.batches.Keep(func(b *batch) bool {
		if !b.done && !now.Before(b.readyAt) {
			s.finishBatch(b, now)
		}
		return now.Before(b.created.Add(s.opt.ResultTTL))
	})
	for h, t := range s.st.bodies {
		if !now.Before(t.Add(s.opt.DuplicateWindow)) {
			delete(s.st.bodies, h)
		}
	}
}

func bodyHash(b []byte) [32]byte { return sha256.Sum256(b) }

// Product is one approved listing, keyed by barcode.
type Product struct {
	Barcode       string
	StockCode     string // the seller's SKU; order lines carry it as stockCode
	Title         string
	ProductMainID string // the content's model code (default "PM-<contentId>")
	Brand         string
	ContentID     int64 // variants of one product share it; the read-back groups by it
	VariantID     int64
	VatRate       int // percent
	Size, Color   string

	Quantity  int64 // sellable stock: orders decrement it
	SalePrice money.Kurus
	ListPrice money.Kurus

	Updates      int       // batch items applied with SUCCESS
	LastUpdate   time.Time // when the last one was applied
	StockUpdated time.Time // when a quantity was last applied (stockLastModifiedDate; zero: never)
}

// batch is one accepted price-and-inventory request.
type batch struct {
	id       string
	created  time.Time
	readyAt  time.Time
	finished time.Time
	done     bool
	items    []batchItem
}

type batchItem struct {
	req      itemRequest
	failures []string // decided on arrival; empty means the item will succeed
	status   string   // "" while processing, then SUCCESS or FAILED
}

// finishBatch gives every item its final state and applies the successful ones.
func (s *Server) finishBatch(b *batch, now time.Time) {
	b.done = true
	b.finished = b.readyAt
	for i := range b.items {
		it := &b.items[i]
		p := s.st.products.Get(it.req.Barcode)
		if len(it.failures) > 0 || p == nil {
			if p == nil && len(it.failures) == 0 {
				it.failures = []string{ReasonUnknownBarcode}
			}
			it.status = "FAILED"
			continue
		}
		if it.req.Quantity != nil {
			p.Quantity = *it.req.Quantity
			p.StockUpdated = b.readyAt
		}
		if it.req.SalePrice != nil {
			p.SalePrice = *it.req.SalePrice
		}
		if it.req.ListPrice != nil {
			p.ListPrice = *it.req.ListPrice
		}
		p.Updates++
		p.LastUpdate = b.readyAt
		it.status = "SUCCESS"
	}
}

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

// touch moves lastModifiedDate forward, by at least 1 ms even when a fake clock stands
// still, or a cursor-based reader could not tell the change from what it has seen.
func (p *pkg) touch(now time.Time) { simkit.Touch(&p.lastModified, now, time.Millisecond) }

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

func (s *Server) newPackage(orderNumber string, now time.Time) *pkg {
	s.st.nextPkgID += 1 + s.st.nextPkgID%7 // ids are increasing but not contiguous
	p := &pkg{id: s.st.nextPkgID, orderNumber: orderNumber, created: now, lastModified: now.Add(-time.Millisecond),
		cargoTracking: "7330" + strconv.FormatInt(s.st.nextPkgID%100000000, 10)}
	s.st.packages.Add(p.id, p)
	return p
}

// restock gives back the quantities of lines (all of each line when qty is nil).
func (s *Server) restock(lines []*line, qty map[int64]int) {
	for _, l := range lines {
		n := l.qty
		if qty != nil {
			n = qty[l.id]
		}
		if prod := s.st.products.Get(l.product.Barcode); prod != nil {
			prod.Quantity += int64(n)
		}
	}
}

// cancelQuantities is the shared path of CancelLine and the unsupplied endpoint.
func (s *Server) cancelQuantities(p *pkg, cancel map[int64]int, status, by, reason string, code int) (int64, error) {
	if p.status != StatusCreated && p.status != StatusPicking && p.status != StatusAwaiting {
		return 0, fmt.Errorf("package %d is %s: %w", p.id, p.status, simkit.ErrState)
	}
	byID := map[int64]*line{}
	for _, l := range p.lines {
		byID[l.id] = l
	}
	for id, n := range cancel {
		l := byID[id]
		if l == nil {
			return 0, fmt.Errorf("line %d of package %d: %w", id, p.id, simkit.ErrNotFound)
		}
		if n < 1 || n > l.qty {
			return 0, fmt.Errorf("line %d: quantity %d of %d: %w", id, n, l.qty, simkit.ErrState)
		}
	}
	now := s.Now()
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
