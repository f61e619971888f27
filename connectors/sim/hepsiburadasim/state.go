package hepsiburadasim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// state is everything the simulator remembers; guarded by Server.mu.
type state struct {
	listings    simkit.Table[string, Listing] // by hepsiburadaSku, in the order listed
	bySKU       map[string]string             // merchantSku → hepsiburadaSku
	uploads     simkit.Table[string, upload]  // in arrival order: they finish in this order
	failNext    int                           // the next uploads to arrive end Failed
	peakPending int                           // the most uploads pending at once
	refused     int                           // uploads refused for too many pending

	orders   simkit.Table[string, order] // by order number
	lines    map[string]*line
	packages simkit.Table[string, pkg] // by package number, packed or further
	unpacked []unpackedPkg
	tickets  simkit.Table[string, ticket]
	seq      int64
}

func (st *state) init(now time.Time) {
	st.bySKU = map[string]string{}
	st.lines = map[string]*line{}
	st.seq = now.Unix() % 1_000_000
}

func (st *state) next() int64 { st.seq++; return st.seq }

// Listing is one of the merchant's listings, keyed by its Hepsiburada SKU.
type Listing struct {
	HBSku       string // "HBV…"; generated when empty
	MerchantSku string // the seller's SKU
	ProductID   string
	Barcode     string
	Title       string
	Description string
	Brand       string
	VATRate     int // percent
	Category    string

	Stock          int64
	Price          money.Kurus
	DispatchTime   int
	MaxPurchasable int64
	// FulfilledByHB: Hepsiburada's own warehouse ships it; a stock row for it fails.
	FulfilledByHB bool
	// MinPrice/MaxPrice are the category's price band (0: no limit on that side); a price
	// outside it is applied but locks the listing.
	MinPrice, MaxPrice money.Kurus
	Locked             bool
	LockReasons        []string

	Updated      time.Time // last change by an upload, order or hook
	StockUpdates int       // upload rows that set stock
	PriceUpdates int       // upload rows that set the price
	InfoUpdates  int       // ticket items applied
}

// Salable is what the listing reports as isSalable.
func (l *Listing) Salable() bool { return l.Stock > 0 && !l.Locked }

// Lock reasons, as [LST] lists them.
const (
	LockBelowBand      = "PriceIsLessThanThreshold"
	LockAboveBand      = "PriceIsHigherThanThreshold"
	LockCheckoutAnomal = "ByCheckoutPriceAnomaly"
	LockCancellation   = "OrderCancellation"
)

func (l *Listing) lock(reason string) {
	l.Locked = true
	if !slices.Contains(l.LockReasons, reason) {
		l.LockReasons = append(l.LockReasons, reason)
	}
}

func (s *Server) listingOf(hbSku, merchantSku string) (*Listing, string) {
	switch {
	case hbSku != "" && merchantSku != "":
		l := s.st.listings.Get(hbSku)
		if l == nil {
			return nil, ReasonNotFound
		}
		if l.MerchantSku != merchantSku {
			return nil, ReasonSkuMismatch
		}
		return l, ""
	case hbSku != "":
		if l := s.st.listings.Get(hbSku); l != nil {
			return l, ""
		}
	case merchantSku != "":
		if l := s.st.listings.Get(s.st.bySKU[merchantSku]); l != nil {
			return l, ""
		}
	default:
		return nil, ReasonNoKey
	}
	return nil, ReasonNotFound
}

// Row failure reasons. Hepsiburada publishes no code list; the texts are free, these
// are the simulator's (Listing not found is the reference's example).
const (
	ReasonNotFound      = "Listing not found"
	ReasonSkuMismatch   = "hepsiburadaSku and merchantSku belong to different listings"
	ReasonNoKey         = "hepsiburadaSku or merchantSku is required"
	ReasonNegativeStock = "availableStock cannot be negative"
	ReasonStockTooLarge = "availableStock is out of range"
	ReasonBadPrice      = "price must be greater than zero"
	ReasonFulfilledByHB = "Stock of a listing fulfilled by Hepsiburada cannot be updated"
	ReasonNothingToDo   = "no field to update"
)

type uploadKind string

const (
	kindInventory uploadKind = "inventory"
	kindStock     uploadKind = "stock"
	kindPrice     uploadKind = "price"
)

// Upload statuses ([SDK batch.ts]).
const (
	StatusProcessing = "Processing"
	StatusDone       = "Done"
	StatusFailed     = "Failed"
)

// upload is one accepted inventory, stock or price upload.
type upload struct {
	id      string
	kind    uploadKind
	created time.Time
	readyAt time.Time
	polls   int
	status  string
	fail    bool // ends Failed, nothing applied
	rows    []uploadRow
	errors  []rowError
	checks  []priceValidation
}

func (u *upload) done() bool { return u.status != StatusProcessing }

type uploadRow struct {
	hbSku, merchantSku string
	stock              *int64
	price              *money.Kurus
	maxQty             *int64
	rejected           string // decided on arrival by the fault knobs
}

type rowError struct {
	elementNo          int
	hbSku, merchantSku string
	errs               []string
}

type priceValidation struct {
	elementNo          int
	hbSku, merchantSku string
	typ                string
	min, max           money.Kurus
	category, desc     string
}

// advance brings the backend up to now: uploads and tickets whose time (or polls) has
// come finish, in arrival order (a later upload never finishes before an earlier one, so
// its values win), and results older than ResultTTL are forgotten. Called with s.mu held
// by every handler and hook, so a fake clock needs no background goroutine.
func (s *Server) advance(now time.Time) {
	all := s.st.uploads.All()
	last := -1
	for i, u := range all {
		if !u.done() && s.due(u, now) {
			last = i
		}
	}
	for _, u := range all[:last+1] {
		if !u.done() {
			s.finish(u, now)
		}
	}
	s.st.uploads.Keep(func(u *upload) bool { return now.Before(u.created.Add(s.opt.ResultTTL)) })
	for _, t := range s.st.tickets.All() {
		if !t.done && !now.Before(t.readyAt) {
			s.finishTicket(t, now)
		}
	}
	s.st.tickets.Keep(func(t *ticket) bool { return now.Before(t.created.Add(s.opt.ResultTTL)) })
}

func (s *Server) due(u *upload, now time.Time) bool {
	if s.opt.ProcessingPolls > 0 {
		return u.polls >= s.opt.ProcessingPolls
	}
	return !now.Before(u.readyAt)
}

// pendingUploads counts the uploads not finished yet, the ones the concurrency limit counts.
func (s *Server) pendingUploads() int {
	n := 0
	for _, u := range s.st.uploads.All() {
		if !u.done() {
			n++
		}
	}
	return n
}

// finish decides every row of u against the listings as they are now, applies the good
// ones and records the rest; a price outside a listing's band is applied and locks it.
func (s *Server) finish(u *upload, now time.Time) {
	if u.fail {
		u.status = StatusFailed
		return
	}
	u.status = StatusDone
	for i, r := range u.rows {
		n := i + 1 // elementNo is 1-based ([SDK batch.ts])
		l, why := s.listingOf(r.hbSku, r.merchantSku)
		var errs []string
		if why != "" {
			errs = append(errs, why)
		}
		if r.rejected != "" {
			errs = append(errs, r.rejected)
		}
		if r.stock != nil {
			switch {
			case *r.stock < 0:
				errs = append(errs, ReasonNegativeStock)
			case *r.stock > math.MaxInt32:
				errs = append(errs, ReasonStockTooLarge)
			case l != nil && l.FulfilledByHB:
				errs = append(errs, ReasonFulfilledByHB)
			}
		}
		if r.price != nil && *r.price <= 0 {
			errs = append(errs, ReasonBadPrice)
		}
		if r.stock == nil && r.price == nil && r.maxQty == nil {
			errs = append(errs, ReasonNothingToDo)
		}
		if len(errs) > 0 {
			u.errors = append(u.errors, rowError{elementNo: n, hbSku: r.hbSku, merchantSku: r.merchantSku, errs: errs})
			continue
		}
		if r.stock != nil {
			l.Stock = *r.stock
			l.StockUpdates++
		}
		if r.maxQty != nil {
			l.MaxPurchasable = *r.maxQty
		}
		if r.price != nil {
			l.Price = *r.price
			l.PriceUpdates++
			if v, ok := bandCheck(l, n, r); ok {
				l.lock(v.lockReason())
				u.checks = append(u.checks, v)
			}
		}
		l.Updated = maxTime(l.Updated, now)
	}
}

// bandCheck is the price-band rule: a price outside [MinPrice, MaxPrice] is a price
// validation of the row.
func bandCheck(l *Listing, n int, r uploadRow) (priceValidation, bool) {
	v := priceValidation{elementNo: n, hbSku: r.hbSku, merchantSku: r.merchantSku, min: l.MinPrice, max: l.MaxPrice, category: l.Category}
	if v.hbSku == "" {
		v.hbSku = l.HBSku
	}
	switch p := *r.price; {
	case l.MinPrice > 0 && p < l.MinPrice:
		v.typ = "MinLock"
		v.desc = fmt.Sprintf("Fiyat (%s) kategori alt fiyat sınırının (%s) altında olduğu için ürün kilitlendi", p, l.MinPrice)
	case l.MaxPrice > 0 && p > l.MaxPrice:
		v.typ = "MaxLock"
		v.desc = fmt.Sprintf("Fiyat (%s) kategori üst fiyat sınırının (%s) üzerinde olduğu için ürün kilitlendi", p, l.MaxPrice)
	default:
		return v, false
	}
	return v, true
}

func (v priceValidation) lockReason() string {
	if v.typ == "MinLock" {
		return LockBelowBand
	}
	return LockAboveBand
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Line states: which feed a line is in. The value strings are the simulator's (the
// reference enumerates none); connectors must map lines by feed, not by these words.
const (
	lineAwaiting    = "PaymentAwaiting"
	lineOpen        = "Open"
	linePacked      = "Packaged"
	lineShipped     = "InTransit"
	lineDelivered   = "Delivered"
	lineUndelivered = "UnDelivered"
	lineCancelled   = "Cancelled"
)

// Customer is an order's buyer with the delivery and invoice address.
type Customer struct {
	ID, Name, Email, Phone string
	Address, District      string
	Town, City, PostalCode string
	TaxNumber, TaxOffice   string // a company invoice
	IdentityNo             string
}

// OrderLine is one line of an order a test places.
type OrderLine struct {
	MerchantSku string
	Quantity    int
	UnitPrice   money.Kurus // before discounts; zero: the listing's price
	HBDiscount  money.Kurus // per unit, paid by Hepsiburada
	MerchDisc   money.Kurus // per unit, paid by the merchant
}

// Order is an order a test places.
type Order struct {
	Number   string    // default generated
	Date     time.Time // default now
	Unpaid   bool      // in paymentawaiting until Pay
	Customer Customer
	Lines    []OrderLine
}

type order struct {
	number, id string
	date       time.Time
	customer   Customer
	lines      []*line
}

type line struct {
	id      string
	order   *order
	listing Listing // as ordered
	qty     int
	unit    money.Kurus
	hbDisc  money.Kurus // per unit
	mDisc   money.Kurus // per unit
	state   string
	pkg     *pkg
	changed time.Time // lastStatusUpdateDate
	// cancellation
	cancelledAt  time.Time
	cancelledBy  string
	cancelReason string
	restocked    bool
}

type pkg struct {
	number, barcode string
	lines           []*line
	created         time.Time
	status          string
	moved           time.Time // when it reached its status
	invoice         string
	cargo           string
	reason          string // undelivered reason
}

type unpackedPkg struct {
	number, barcode string
	at              time.Time
}

// newUUID is an opaque id in the shape Hepsiburada's ids have.
func newUUID() string {
	h := simkit.RandomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// setLine moves a line to a state and stamps it.
func setLine(l *line, state string, now time.Time) {
	l.state = state
	l.changed = maxTime(l.changed.Add(time.Second), now)
}

// cancelLine cancels a line still awaiting payment or not yet packed and gives its
// units back, once.
func (s *Server) cancelLine(l *line, by, reason string, now time.Time) error {
	if l.state != lineAwaiting && l.state != lineOpen {
		return fmt.Errorf("line %s is %s: %w", l.id, l.state, simkit.ErrState)
	}
	setLine(l, lineCancelled, now)
	l.cancelledAt, l.cancelledBy, l.cancelReason = l.changed, by, reason
	if !l.restocked {
		if ls := s.st.listings.Get(l.listing.HBSku); ls != nil {
			ls.Stock += int64(l.qty)
			ls.Updated = maxTime(ls.Updated, now)
		}
		l.restocked = true
	}
	return nil
}

func (s *Server) newPackageNumber() string {
	return strconv.FormatInt(5_000_000_000+s.st.next(), 10)
}

// ticket is one product-information update request (mpop ticket-api).
type ticket struct {
	id      string
	created time.Time
	readyAt time.Time
	done    bool
	items   []*ticketItem
}

type ticketItem struct {
	hbSku    string
	fields   map[string]string // ticket field name → value, as sent
	rejected string            // decided on arrival by the fault knobs
	results  map[string]string // field → APPROVED | REJECTED (when done)
	message  string
}

// ticketFields are the product-update document's fields the simulator applies and the
// updateResults fieldName each reports under.
var ticketFields = map[string]string{
	"productName":        "NAME",
	"productDescription": "DESCRIPTION",
	"kdv":                "KDV",
	"brand":              "BRAND",
}

func (s *Server) finishTicket(t *ticket, now time.Time) {
	t.done = true
	for _, it := range t.items {
		it.results = map[string]string{}
		l := s.st.listings.Get(it.hbSku)
		for f := range it.fields {
			switch {
			case l == nil:
				it.results[f] = "REJECTED"
				it.message = "Ürün bulunamadı"
			case it.rejected != "":
				it.results[f] = "REJECTED"
				it.message = it.rejected
			default:
				it.results[f] = "APPROVED"
			}
		}
		if l == nil || it.rejected != "" {
			continue
		}
		for f, v := range it.fields {
			switch f {
			case "productName":
				l.Title = v
			case "productDescription":
				l.Description = v
			case "brand":
				l.Brand = v
			case "kdv":
				l.VATRate, _ = strconv.Atoi(v)
			}
		}
		l.InfoUpdates++
		l.Updated = maxTime(l.Updated, now)
	}
}
