package ikassim

import (
	"maps"
	"slices"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Location is a stock location of the store (listStockLocation).
type Location struct{ ID, Name string }

// Price is one price object of a variant: the default price list's (PriceListID "")
// or another list's. updateVariantPrices replaces it whole.
type Price struct {
	PriceListID    string
	Sell           money.Kurus
	Discount, Buy  *money.Kurus
	Currency       string // the price list's currency (default TRY)
	CurrencySymbol string // default ₺
}

// Variant is one variant of a product. SKU may be empty (ikas does not require one).
type Variant struct {
	ID       string // generated when empty
	SKU      string
	Barcodes []string
	Active   bool
	Prices   []Price
	Stock    map[string]float64 // by stock location id
	// StockAt is when each location's count last changed.
	StockAt map[string]time.Time
}

// Product is one product with its variants.
type Product struct {
	ID          string // generated when empty
	Name        string
	Description string
	Brand       string
	Variants    []Variant
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// What the API changed: price calls, stock calls and product updates that touched it.
	PriceWrites, StockWrites, InfoWrites int
}

func (p Product) clone() Product {
	p.Variants = slices.Clone(p.Variants)
	for i := range p.Variants {
		v := &p.Variants[i]
		v.Barcodes = slices.Clone(v.Barcodes)
		v.Prices = slices.Clone(v.Prices)
		v.Stock = maps.Clone(v.Stock)
		v.StockAt = maps.Clone(v.StockAt)
	}
	return p
}

// DefaultPrice is the variant's default price list entry (nil: none).
func (v Variant) DefaultPrice() *Price {
	for i := range v.Prices {
		if v.Prices[i].PriceListID == "" {
			return &v.Prices[i]
		}
	}
	return nil
}

type variantRef struct {
	product string
	index   int
}

// state is what the simulator remembers; guarded by Server.mu.
type state struct {
	products  simkit.Table[string, Product] // by id, in the order added
	variants  map[string]variantRef
	locations []Location
	orders    simkit.Table[string, order]
	seq       int
	orderSeq  int
}

func (st *state) init(locs []Location) {
	st.variants = map[string]variantRef{}
	st.locations = slices.Clone(locs)
	st.orderSeq = 1000
}

func (st *state) location(id string) *Location {
	for i := range st.locations {
		if st.locations[i].ID == id {
			return &st.locations[i]
		}
	}
	return nil
}

// variant finds a variant of a product; the product alone when the variant is not its.
func (st *state) variant(productID, variantID string) (*Product, *Variant) {
	p := st.products.Get(productID)
	if p == nil {
		return nil, nil
	}
	r, ok := st.variants[variantID]
	if !ok || r.product != productID {
		return p, nil
	}
	return p, &p.Variants[r.index]
}

func (st *state) byVariant(variantID string) (*Product, *Variant) {
	r, ok := st.variants[variantID]
	if !ok {
		return nil, nil
	}
	p := st.products.Get(r.product)
	return p, &p.Variants[r.index]
}

// touch moves a product's updatedAt, at least 1 ms past the last, so updatedAt-based
// incremental reads see every change even on a fake clock standing still.
func touch(p *Product, now time.Time) { simkit.Touch(&p.UpdatedAt, now, time.Millisecond) }

// Customer is an order's buyer.
type Customer struct{ FirstName, LastName, Email, Phone string }

// OrderLine seeds one line of an order.
type OrderLine struct {
	SKU      string // the variant, by SKU (or VariantID)
	Variant  string // the variant id, for variants without SKU
	Quantity int
	// Price is the unit sell price (default the variant's price: its discount price when
	// set, else its sell price); FinalPrice the line's price after discounts (default
	// Price × Quantity).
	Price, FinalPrice money.Kurus
	// NullSKU shows the line's variant.sku as null, as ikas does for some lines.
	NullSKU  bool
	Location string // stock location id (default the first)
}

// Order seeds one order.
type Order struct {
	Number        string // default the next number from 1001
	Status        string // CREATED (default), DRAFT, …
	PaymentStatus string // PAID (default), WAITING, FAILED, …
	Customer      *Customer
	NoCustomer    bool // customer is null (a POS order)
	Lines         []OrderLine
	Shipping      money.Kurus
	Currency      string // default TRY
	// Packages group line indexes into packages fulfilled at once (FULFILLED).
	Packages  [][]int
	OrderedAt time.Time // default now
}

type orderLine struct {
	id, variantID, productID, sku, name, status, location string
	nullSKU                                               bool
	qty                                                   float64
	price, final                                          money.Kurus
	barcodes                                              []string
	created, updated                                      time.Time
}

type orderPackage struct {
	id, number, status, location string
	lines                        []string
	tracking                     string
	created, updated             time.Time
}

type order struct {
	id, number, status, payment, currency string
	customer                              *Customer
	lines                                 []*orderLine
	packages                              []*orderPackage
	shipping                              money.Kurus
	ordered, created, updated, cancelled  time.Time
}

func (o *order) touch(now time.Time) { simkit.Touch(&o.updated, now, time.Millisecond) }

func (o *order) line(id string) *orderLine {
	for _, l := range o.lines {
		if l.id == id {
			return l
		}
	}
	return nil
}

// packaged is how many units of a line are in packages.
func (o *order) packaged(lineID string) float64 {
	var n float64
	for _, p := range o.packages {
		if p.status != "CANCELLED" && slices.Contains(p.lines, lineID) {
			l := o.line(lineID)
			n += l.qty
		}
	}
	return n
}

// packageStatus is the order's orderPackageStatus from its packages and lines.
func (o *order) packageStatus() string {
	live, packed := 0, 0
	statuses := map[string]int{}
	for _, l := range o.lines {
		if l.status == "CANCELLED" {
			continue
		}
		live++
		if o.packaged(l.id) > 0 {
			packed++
		}
	}
	for _, p := range o.packages {
		statuses[p.status]++
	}
	switch {
	case o.status == "CANCELLED":
		return "CANCELLED"
	case packed == 0:
		return "UNFULFILLED"
	case len(statuses) == 1 && packed == live:
		for st := range statuses {
			return st
		}
	}
	return "PARTIALLY_FULFILLED"
}

// restock gives a line's units back to its location.
func (st *state) restock(l *orderLine, qty float64, now time.Time) {
	if p, v := st.byVariant(l.variantID); v != nil {
		v.Stock[l.location] += qty
		v.StockAt[l.location] = now
		touch(p, now)
	}
}
