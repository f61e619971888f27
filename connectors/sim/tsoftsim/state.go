package tsoftsim

import (
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Product is one main product of the shop, by its ProductCode (the "Web Servis Kodu").
type Product struct {
	ID              int64 // ProductId; generated when zero
	Code            string
	Name            string
	Barcode         string
	Stock           int64
	SellingPrice    money.Kurus // the list price
	DiscountedPrice money.Kurus // the effective price when a discount is set (0: none)
	BuyingPrice     money.Kurus
	Vat             int // percent (default 20)
	Active          bool
	Brand, Category string
	Details         string
	CreatedAt       time.Time
	Writes          int // updates applied through the web service
}

// SubProduct is a variant ("alt ürün") of a main product, by its SubProductCode.
type SubProduct struct {
	ID                   int64 // SubProductId; generated when zero
	Code                 string
	MainCode             string
	Barcode              string
	Stock                int64
	SellingPrice         money.Kurus
	Property1, Property2 string // such as size and colour
	Writes               int
}

// state is what the simulator remembers; guarded by Server.mu.
type state struct {
	products simkit.Table[string, Product]    // by code, in the order added
	subs     simkit.Table[string, SubProduct] // by code
	nextID   int64
	nextSub  int64
	orders   simkit.Table[int64, order]
	nextOrd  int64
	nextLine int64
}

func (st *state) init() {
	st.nextID = 1000
	st.nextSub = 5000
	st.nextOrd = 5511
	st.nextLine = 9000
}

// OrderLine is one line of a new order: a product or sub-product code and a quantity.
type OrderLine struct {
	Code     string
	Quantity int
	Price    money.Kurus // unit price; zero: the product's current price
	Discount money.Kurus // on the whole line
}

// Order seeds one order.
type Order struct {
	Code     string // OrderCode; default TS-<year>-<id>
	StatusID int    // default StatusApproval
	Lines    []OrderLine
	Customer string // default "Ayşe Yılmaz"
	Email    string
	Phone    string
	Address  string
	Town     string
	City     string
	Payment  string    // default "Kredi Kartı"
	Cargo    string    // default "Yurtiçi Kargo"
	At       time.Time // OrderDate; default now
}

type orderLine struct {
	id            int64
	code, subCode string // ProductCode, and SubProductCode when a variant was sold
	productID     int64
	subID         int64
	name, barcode string
	qty           int
	price, disc   money.Kurus
	vat           int
}

type order struct {
	id                   int64
	code                 string
	statusID             int
	lines                []*orderLine
	customer, email      string
	phone, address, town string
	city, payment, cargo string
	tracking             string
	created, updated     time.Time
	restocked            bool
}

func (o *order) total() money.Kurus {
	var t money.Kurus
	for _, l := range o.lines {
		t += l.price*money.Kurus(l.qty) - l.disc
	}
	return t
}

func (o *order) touch(now time.Time) { simkit.Touch(&o.updated, now, time.Second) }

// OrderView is a read-back copy of an order.
type OrderView struct {
	ID       int64
	Code     string
	StatusID int
	Status   string
	Total    money.Kurus
	Lines    map[string]int // quantity by code (SubProductCode for variants)
	Updated  time.Time
}

func (s *Server) view(o *order) OrderView {
	v := OrderView{ID: o.id, Code: o.code, StatusID: o.statusID, Status: s.opt.Statuses[o.statusID], Total: o.total(),
		Lines: map[string]int{}, Updated: o.updated}
	for _, l := range o.lines {
		code := l.code
		if l.subCode != "" {
			code = l.subCode
		}
		v.Lines[code] += l.qty
	}
	return v
}

// stockOf finds the stock a code draws from: a sub-product's, or a main product's.
func (st *state) stockOf(code string) *int64 {
	if sp := st.subs.Get(code); sp != nil {
		return &sp.Stock
	}
	if p := st.products.Get(code); p != nil {
		return &p.Stock
	}
	return nil
}

// setStatus moves an order; a cancellation puts its units back on stock, once.
func (s *Server) setStatus(o *order, id int, now time.Time) {
	o.statusID = id
	if id == StatusCancelled && !o.restocked {
		for _, l := range o.lines {
			code := l.code
			if l.subCode != "" {
				code = l.subCode
			}
			if n := s.st.stockOf(code); n != nil {
				*n += int64(l.qty)
			}
		}
		o.restocked = true
	}
	o.touch(now)
}
