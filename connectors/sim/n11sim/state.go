package n11sim

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Failure reasons of the simulator. The documented ones are n11's words (n11.md §4);
// n11 publishes no full catalogue, so the others are the simulator's own, in Turkish
// like n11's.
const (
	ReasonSuccess     = "Başarıyla tamamlandı."                              // documented
	ReasonListBelow   = "listPrice salePrice dan küçük olamaz"               // documented
	ReasonUnknownSKU  = "Girilen stok koduna ait ürün bulunamadı."           // simulator's
	ReasonPricePair   = "listPrice ve salePrice birlikte gönderilmelidir."   // simulator's
	ReasonDecimals    = "Fiyatlar noktadan sonra en fazla 2 hane olmalıdır." // simulator's
	ReasonBadPrice    = "Fiyat sıfırdan büyük olmalıdır."                    // simulator's
	ReasonCurrency    = "currencyType alanı geçersizdir."                    // simulator's
	ReasonQuantity    = "quantity alanı 0 ile 999999 arasında bir tam sayı olmalıdır."
	ReasonNothing     = "Güncellenecek fiyat veya stok bilgisi bulunamadı."
	ReasonNoStockCode = "stockCode alanı boş olamaz."
	ReasonCatalog     = "Katalog ürünlerinin bilgileri n11 tarafından güncellenmektedir, güncelleme yapılamaz."
	ReasonTitle       = "title alanı bu servis ile güncellenemez."
	ReasonStatus      = "status alanı geçersizdir."
	ReasonVatRate     = "vatRate alanı geçersizdir."
	ReasonNoIntegr    = "integrator alanı boş olamaz."
	ReasonNoSKUs      = "skus alanı boş olamaz."
	ReasonTooMany     = "Bir istekte en fazla %d sku gönderilebilir."
)

// state is everything the simulator remembers; guarded by Server.mu.
type state struct {
	products  simkit.Table[string, Product] // by stockCode, in the order added
	nextProd  int64
	tasks     simkit.Table[int64, task] // by id, in the order received: they finish in this order
	nextTask  int64
	packages  simkit.Table[int64, pkg] // by id, in the order created
	nextPkg   int64
	nextLine  int64
	nextOrder int64
}

func (st *state) init(now time.Time) {
	// Ids as wide as n11's: product ids of 10 digits, package ids of 15, order numbers of
	// 13, so a connector that squeezes them into 32 bits fails here.
	st.nextProd = 1_000_000_000 + now.Unix()%1_000_000
	st.nextTask = 1090
	st.nextPkg = 112_999_455_000_000
	st.nextLine = 426_659_000
	st.nextOrder = 2_026_090_100_000 + now.Unix()%10_000
}

// Product is one listing of the seller, keyed by stockCode.
type Product struct {
	StockCode           string
	N11ProductID        int64 // generated when zero
	Title               string
	Description         string
	Barcode             string
	ProductMainID       string
	Brand               string
	Quantity            int64
	SalePrice           money.Kurus
	ListPrice           money.Kurus
	Currency            string // TL (default), USD, EUR
	VatRate             int    // percent (20 by default)
	CommissionRate      int
	Status              string // Active (default), Suspended, …
	Catalog             bool   // a catalogue product: n11 refuses information updates to it
	MaxPurchaseQuantity int

	Updates     int // price-stock items applied
	InfoUpdates int // product-update items applied
}

func (p *Product) saleStatus() string {
	if p.Quantity > 0 && p.Status == "Active" {
		return "On_Sale"
	}
	return "Out_Of_Stock"
}

// Task types.
const (
	typeSKU     = "SKU_UPDATE"
	typeProduct = "PRODUCT_UPDATE"
)

type task struct {
	id       int64
	kind     string
	status   string // IN_QUEUE, PROCESSED, REJECT
	created  time.Time
	readyAt  time.Time
	finished time.Time
	polls    int
	items    []taskItem
}

type taskItem struct {
	code     string
	price    *priceReq
	info     *infoReq
	failures []string // decided on arrival; empty: processed at finish
	status   string   // "" until processed, then SUCCESS or FAIL
	reasons  []string
	values   [3]any // salePrice, listPrice, stock as reported
}

type priceReq struct {
	quantity   *int64
	sale, list *money.Kurus
	currency   string
}

type infoReq struct {
	title, description *string
	status             string
	vatRate            *int
}

// advance brings the simulated backend up to now: queued tasks whose delay has passed
// (and which were read TaskPolls times) are processed in the order they arrived, and the
// details of tasks processed longer ago than TaskRetention are forgotten. Called with
// s.mu held by every handler and read-back, so a fake clock needs no goroutine.
func (s *Server) advance(now time.Time) {
	for _, t := range s.st.tasks.All() {
		if t.status != "IN_QUEUE" {
			continue
		}
		if now.Before(t.readyAt) || t.polls < s.opt.TaskPolls {
			break // tasks are processed in order: a later one waits for this one
		}
		s.finishTask(t, now)
	}
	s.st.tasks.Keep(func(t *task) bool {
		return t.status == "IN_QUEUE" || now.Before(t.finished.Add(s.opt.TaskRetention))
	})
}

// finishTask processes every item of t: applies the ones that pass and fails the others.
func (s *Server) finishTask(t *task, now time.Time) {
	t.status, t.finished = "PROCESSED", now
	for i := range t.items {
		it := &t.items[i]
		p := s.st.products.Get(it.code)
		switch {
		case len(it.failures) > 0:
			it.status, it.reasons = "FAIL", it.failures
		case p == nil:
			it.status, it.reasons = "FAIL", []string{ReasonUnknownSKU}
		case it.info != nil && p.Catalog && (it.info.description != nil || it.info.vatRate != nil || it.info.title != nil):
			it.status, it.reasons = "FAIL", []string{ReasonCatalog}
		default:
			it.status, it.reasons = "SUCCESS", []string{ReasonSuccess}
			if r := it.price; r != nil {
				if r.quantity != nil {
					p.Quantity = *r.quantity
				}
				if r.sale != nil {
					p.SalePrice, p.ListPrice = *r.sale, *r.list
					if r.currency != "" {
						p.Currency = r.currency
					}
				}
				p.Updates++
			}
			if r := it.info; r != nil {
				if r.title != nil {
					p.Title = *r.title
				}
				if r.description != nil {
					p.Description = *r.description
				}
				if r.vatRate != nil {
					p.VatRate = *r.vatRate
				}
				if r.status != "" {
					p.Status = r.status
				}
				p.InfoUpdates++
			}
		}
		if p != nil {
			it.values = [3]any{p.SalePrice, p.ListPrice, p.Quantity}
		}
	}
}

// Package statuses (shipmentPackageStatus).
const (
	StatusCreated    = "Created"
	StatusPicking    = "Picking"
	StatusShipped    = "Shipped"
	StatusDelivered  = "Delivered"
	StatusCancelled  = "Cancelled"
	StatusUnSupplied = "UnSupplied"
	StatusUnpacked   = "Unpacked"
)

var allStatuses = []string{StatusCreated, StatusPicking, StatusShipped, StatusCancelled, StatusDelivered, StatusUnpacked, StatusUnSupplied}

// transitions are the moves n11, the carrier or the seller's panel make (SetPackageStatus).
var transitions = map[string][]string{
	StatusCreated:  {StatusPicking, StatusCancelled, StatusUnSupplied},
	StatusPicking:  {StatusShipped, StatusCancelled, StatusUnSupplied},
	StatusUnpacked: {StatusShipped, StatusCancelled, StatusUnSupplied}, // the live halves of a split (children-unpacked)
	StatusShipped:  {StatusDelivered},
}

// Customer is the buyer with the billing (and, for home delivery, shipping) address.
type Customer struct {
	ID                    int64
	FullName, Email, GSM  string
	TCID                  string
	Address, Neighborhood string
	District, City        string
	PostalCode            string
	TaxID, TaxOffice      string
}

// OrderLine is one line of a new order.
type OrderLine struct {
	StockCode string
	Quantity  int
	Price     money.Kurus // per unit, before discounts; zero: the product's sale price
	// Discounts for the whole line: the seller's, the seller's coupon, and n11's own.
	SellerDiscount, SellerCouponDiscount, MallDiscount money.Kurus
}

// Order seeds one order as one package in Created (paid: n11 lists no unpaid orders).
type Order struct {
	OrderNumber string    // default generated (13 digits)
	Customer    Customer  // default a sample buyer
	CreatedAt   time.Time // default now
	Lines       []OrderLine
	// PickupType (KTN, EASYPOINT, PUP) and Pickup make a pick-up-point order: the
	// shipping address is the point's, the buyer is in the billing address only.
	PickupType string
	Pickup     *Customer
}

type line struct {
	id                                           int64
	product                                      Product // copied at order time
	qty                                          int
	price                                        money.Kurus
	sellerDiscount, couponDiscount, mallDiscount money.Kurus
	status                                       string
}

type history struct {
	at     time.Time
	status string
}

type pkg struct {
	id            int64
	orderNumber   string
	status        string
	created       time.Time
	lastModified  time.Time
	customer      Customer
	deliveryType  string
	pickup        *Customer
	lines         []*line
	history       []history
	cargoTracking string
	returned      bool
}

// PackageLine is a read-back view of one line.
type PackageLine struct {
	LineID    int64
	StockCode string
	Quantity  int
	Status    string
}

// Package is a read-back view of one shipment package.
type Package struct {
	ID           int64
	OrderNumber  string
	Status       string
	Returned     bool
	LastModified time.Time
	Lines        []PackageLine
}

func (p *pkg) view() Package {
	v := Package{ID: p.id, OrderNumber: p.orderNumber, Status: p.status, Returned: p.returned, LastModified: p.lastModified}
	for _, l := range p.lines {
		v.Lines = append(v.Lines, PackageLine{LineID: l.id, StockCode: l.product.StockCode, Quantity: l.qty, Status: l.status})
	}
	return v
}

// live reports whether the package still holds goods for the buyer.
func (s *Server) live(p *pkg) bool {
	switch p.status {
	case StatusCreated, StatusPicking, StatusShipped, StatusDelivered:
		return true
	case StatusUnpacked:
		return s.opt.SplitMode == SplitChildrenUnpacked
	}
	return false
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
// still, so a reader by last change sees every change.
func (p *pkg) touch(now time.Time) { simkit.Touch(&p.lastModified, now, time.Millisecond) }

func sampleCustomer(c Customer, n int64) Customer {
	if c.FullName == "" {
		c.FullName = "Ayşe Yılmaz"
	}
	if c.ID == 0 {
		c.ID = 14_000_000 + n%1_000_000
	}
	if c.Email == "" {
		c.Email = "musteri" + strconv.FormatInt(n%100000, 10) + "@n11.example"
	}
	if c.City == "" {
		c.City, c.District, c.Neighborhood = "İstanbul", "Kadıköy", "Caferağa Mah."
	}
	if c.Address == "" {
		c.Address = "Moda Cad. No:12 D:3"
	}
	if c.PostalCode == "" {
		c.PostalCode = "34710"
	}
	if c.GSM == "" {
		c.GSM = "5321234567"
	}
	return c
}

func (s *Server) newPackage(orderNumber string, now time.Time) *pkg {
	s.st.nextPkg += 1 + s.st.nextPkg%5 // increasing, not contiguous
	p := &pkg{id: s.st.nextPkg, orderNumber: orderNumber, created: now, lastModified: now.Add(-time.Millisecond),
		cargoTracking: "7" + strconv.FormatInt(s.st.nextPkg%10_000_000_000, 10)}
	s.st.packages.Add(p.id, p)
	return p
}

// child makes a new package of p's order with lines, in status, keeping p's history.
func (s *Server) child(p *pkg, lines []*line, status string, now time.Time) *pkg {
	c := s.newPackage(p.orderNumber, now)
	c.customer, c.deliveryType, c.pickup, c.lines = p.customer, p.deliveryType, p.pickup, lines
	c.history = slices.Clone(p.history)
	c.setStatus(status, now)
	return c
}

// restock gives the units of lines back to their products.
func (s *Server) restock(lines []*line) {
	for _, l := range lines {
		if prod := s.st.products.Get(l.product.StockCode); prod != nil {
			prod.Quantity += int64(l.qty)
		}
	}
}

// splitLine cuts n units off l: the part taken carries its share of each discount
// (rounded down), the rest keeps what is left, so the parts add up to the whole.
func splitLine(l *line, n int) (taken, kept *line) {
	if n >= l.qty {
		return l, nil
	}
	share := func(k money.Kurus) money.Kurus { return k * money.Kurus(n) / money.Kurus(l.qty) }
	t := *l
	t.qty = n
	t.sellerDiscount, t.couponDiscount, t.mallDiscount = share(l.sellerDiscount), share(l.couponDiscount), share(l.mallDiscount)
	k := *l
	k.qty = l.qty - n
	k.sellerDiscount -= t.sellerDiscount
	k.couponDiscount -= t.couponDiscount
	k.mallDiscount -= t.mallDiscount
	return &t, &k
}

// splitInto replaces p by packages of the given line groups, as SplitMode says: the
// parent turns Unpacked and the children keep its status, or the parent turns Cancelled
// and the children are Unpacked. A group in status cancelled becomes a Cancelled package.
func (s *Server) splitInto(p *pkg, groups [][]*line, cancelled []*line, now time.Time) []int64 {
	prev := p.status
	childStatus := prev
	if s.opt.SplitMode == SplitChildrenUnpacked {
		p.setStatus(StatusCancelled, now)
		childStatus = StatusUnpacked
	} else {
		p.setStatus(StatusUnpacked, now)
	}
	var ids []int64
	for _, g := range groups {
		if len(g) > 0 {
			ids = append(ids, s.child(p, g, childStatus, now).id)
		}
	}
	if len(cancelled) > 0 {
		ids = append(ids, s.child(p, cancelled, StatusCancelled, now).id)
		s.restock(cancelled)
	}
	return ids
}

func (s *Server) findLine(id int64) (*pkg, *line) {
	for _, p := range s.st.packages.All() {
		if p.status == StatusUnpacked && s.opt.SplitMode == SplitParentUnpacked || p.status == StatusCancelled || p.status == StatusUnSupplied {
			continue
		}
		for _, l := range p.lines {
			if l.id == id {
				return p, l
			}
		}
	}
	return nil, nil
}

func (s *Server) pkgOf(id int64) (*pkg, error) {
	p := s.st.packages.Get(id)
	if p == nil {
		return nil, fmt.Errorf("package %d: %w", id, simkit.ErrNotFound)
	}
	return p, nil
}
