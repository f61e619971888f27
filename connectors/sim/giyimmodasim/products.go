package giyimmodasim

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Errors of the seeding and order hooks (wrapped).
var (
	ErrExists     = errors.New("already exists")
	ErrNotFound   = errors.New("not found")
	ErrOutOfStock = errors.New("not enough stock")
	ErrInvalid    = errors.New("invalid request")
)

// istanbul is Turkey's zone (UTC+3 all year since 2016): the API's "Y-m-d H:i:s" dates
// are assumed to be local time. A fixed zone needs no tzdata on the machine.
var istanbul = time.FixedZone("+03", 3*60*60)

const laravelDate = "2006-01-02 15:04:05"

// Variant is an extra product_stocks row of a product with variants.
type Variant struct {
	Name  string // e.g. "M-Siyah"
	Qty   int64
	Price money.Kurus // zero: the product's unit price
}

// Product is one Giyim Moda product, keyed by its numeric id.
type Product struct {
	ID          int64 // generated when zero
	Name        string
	SKU         string // optional at Giyim Moda
	Barcode     string // optional
	UnitPrice   money.Kurus
	Stock       int64     // the first product_stocks row
	Variants    []Variant // further rows; writes of current_stock touch only the first row
	Status      string    // published (default), pending, unpublished
	OtherSeller bool      // belongs to another seller: never listed, never writable
	CategoryID  int64
	Updates     int // bulk-update items applied
	UpdatedAt   time.Time
}

type stockRow struct {
	id      int64
	variant string
	qty     int64
	price   money.Kurus
}

type product struct {
	Product
	rows    []*stockRow
	created time.Time
}

// state is what the simulator remembers; guarded by Server.mu.
type state struct {
	products  []*product
	byID      map[int64]*product
	nextID    int64
	nextRow   int64
	orders    []*order
	ordByID   map[int64]*order
	nextOrder int64
	nextLine  int64
	nextFile  int64
}

func (st *state) init() {
	st.byID = map[int64]*product{}
	st.ordByID = map[int64]*order{}
	st.nextID, st.nextRow, st.nextOrder, st.nextLine, st.nextFile = 36556, 900, 122, 182, 455
}

// AddProduct seeds a product and returns it with its id.
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == 0 {
		s.st.nextID++
		p.ID = s.st.nextID
	}
	if s.st.byID[p.ID] != nil {
		return Product{}, fmt.Errorf("product %d: %w", p.ID, ErrExists)
	}
	if p.Status == "" {
		p.Status = "published"
	}
	if p.Name == "" {
		p.Name = "Ürün " + strconv.FormatInt(p.ID, 10)
	}
	if p.CategoryID == 0 {
		p.CategoryID = 149
	}
	now := s.opt.Clock.Now()
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = now
	}
	np := &product{Product: p, created: now}
	s.st.nextRow++
	np.rows = append(np.rows, &stockRow{id: s.st.nextRow, qty: p.Stock, price: p.UnitPrice})
	for _, v := range p.Variants {
		s.st.nextRow++
		price := v.Price
		if price == 0 {
			price = p.UnitPrice
		}
		np.rows = append(np.rows, &stockRow{id: s.st.nextRow, variant: v.Name, qty: v.Qty, price: price})
	}
	np.Variants = nil
	s.st.products = append(s.st.products, np)
	s.st.byID[p.ID] = np
	return np.view(), nil
}

func (p *product) view() Product {
	v := p.Product
	v.Stock = p.rows[0].qty
	v.Variants = nil
	for _, r := range p.rows[1:] {
		v.Variants = append(v.Variants, Variant{Name: r.variant, Qty: r.qty, Price: r.price})
	}
	return v
}

// Product returns one product as it is now.
func (s *Server) Product(id int64) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.byID[id]
	if p == nil {
		return Product{}, false
	}
	return p.view(), true
}

// Snapshot returns every product by id.
func (s *Server) Snapshot() map[int64]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64]Product, len(s.st.products))
	for _, p := range s.st.products {
		out[p.ID] = p.view()
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// productJSON renders a product as Laravel would: amounts as strings, published as a
// tinyint, local "Y-m-d H:i:s" dates.
func productJSON(p *product) map[string]any {
	stocks := make([]map[string]any, 0, len(p.rows))
	for _, r := range p.rows {
		stocks = append(stocks, map[string]any{"id": r.id, "product_id": p.ID, "variant": r.variant,
			"sku": p.SKU, "price": r.price.String(), "qty": r.qty})
	}
	return map[string]any{
		"id": p.ID, "name": p.Name, "sku": nullable(p.SKU), "barcode": nullable(p.Barcode),
		"unit_price": p.UnitPrice.String(), "current_stock": p.rows[0].qty,
		"published": boolInt(p.Status == "published"), "status": p.Status,
		"category_id": p.CategoryID, "unit": "adet",
		"thumbnail_img": "https://www.giyimmoda.com.tr/public/uploads/all/" + strconv.FormatInt(p.ID, 10) + ".webp",
		"stocks":        stocks,
		"created_at":    p.created.In(istanbul).Format(laravelDate),
		"updated_at":    p.UpdatedAt.In(istanbul).Format(laravelDate),
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// pageParams reads page and per_page (default 15; "all" or -1 for everything).
func pageParams(c *simkit.Call) (page, perPage int, all bool, rep *simkit.Reply) {
	q := c.R.URL.Query()
	pp := strings.TrimSpace(q.Get("per_page"))
	switch pp {
	case "":
		perPage = 15
	case "all", "-1":
		all = true
	default:
		n, err := strconv.Atoi(pp)
		if err != nil || n < 1 {
			r := invalid(map[string][]string{"per_page": {"The per page must be an integer, \"all\" or -1."}})
			return 0, 0, false, &r
		}
		perPage = n
	}
	page, err := simkit.QueryInt(q, "page", 1)
	if err != nil || page < 1 {
		r := invalid(map[string][]string{"page": {"The page must be at least 1."}})
		return 0, 0, false, &r
	}
	return page, perPage, all, nil
}

// pageOf answers a list in the envelope; unpaged lists carry no pagination block.
func pageOf(items []map[string]any, page, perPage int, all bool) simkit.Reply {
	if all {
		return simkit.JSON(http.StatusOK, map[string]any{"success": true, "data": items})
	}
	total := len(items)
	last := max((total+perPage-1)/perPage, 1)
	data := []map[string]any{}
	for i := (page - 1) * perPage; i < total && i < page*perPage; i++ {
		data = append(data, items[i])
	}
	return simkit.JSON(http.StatusOK, map[string]any{"success": true, "data": data,
		"pagination": map[string]any{"current_page": page, "last_page": last, "per_page": perPage, "total": total}})
}

// handleListProducts serves GET /api/seller/products (search by name, status filter).
func (s *Server) handleListProducts(c *simkit.Call) simkit.Reply {
	page, perPage, all, rep := pageParams(c)
	if rep != nil {
		return *rep
	}
	q := c.R.URL.Query()
	status := q.Get("status")
	if status != "" && status != "published" && status != "pending" && status != "unpublished" {
		return invalid(map[string][]string{"status": {"The selected status is invalid."}})
	}
	search := strings.ToLower(q.Get("search"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []map[string]any
	for _, p := range s.st.products {
		if p.OtherSeller || status != "" && p.Status != status ||
			search != "" && !strings.Contains(strings.ToLower(p.Name), search) {
			continue
		}
		items = append(items, productJSON(p))
	}
	return pageOf(items, page, perPage, all)
}
