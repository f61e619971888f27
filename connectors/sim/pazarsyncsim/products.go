package pazarsyncsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
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

// Product is one PazarSync product.
type Product struct {
	ID          string // "prod_123456"; generated when empty
	SKU         string
	Name        string
	Description string
	Stock       int64
	Price       money.Kurus
	Status      string // active (default), draft, inactive
	CreatedAt   time.Time
	UpdatedAt   time.Time
	StockWrites int // stock updates applied through the API
}

// state is what the simulator remembers; guarded by Server.mu.
type state struct {
	products []*Product
	byID     map[string]*Product
	bySKU    map[string]*Product
	nextID   int
	orders   []*order
	ordByID  map[string]*order
	nextOrd  int
}

func (st *state) init() {
	st.byID = map[string]*Product{}
	st.bySKU = map[string]*Product{}
	st.ordByID = map[string]*order{}
	st.nextID = 123455
	st.nextOrd = 789011
}

func (s *Server) addLocked(p Product, now time.Time) (*Product, error) {
	if p.SKU == "" {
		return nil, fmt.Errorf("product without sku: %w", ErrNotFound)
	}
	if s.st.bySKU[p.SKU] != nil {
		return nil, fmt.Errorf("sku %q: %w", p.SKU, ErrExists)
	}
	if p.ID == "" {
		s.st.nextID++
		p.ID = "prod_" + strconv.Itoa(s.st.nextID)
	}
	if s.st.byID[p.ID] != nil {
		return nil, fmt.Errorf("product %q: %w", p.ID, ErrExists)
	}
	if p.Status == "" {
		p.Status = "active"
	}
	if p.Name == "" {
		p.Name = "Ürün " + p.SKU
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now.Add(time.Duration(len(s.st.products)) * time.Millisecond)
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	cp := p
	s.st.products = append(s.st.products, &cp)
	s.st.byID[cp.ID] = &cp
	s.st.bySKU[cp.SKU] = &cp
	return &cp, nil
}

// AddProduct seeds the catalogue and returns the product with its id.
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	np, err := s.addLocked(p, s.opt.Clock.Now())
	if err != nil {
		return Product{}, err
	}
	return *np, nil
}

// Product returns a product by id or SKU.
func (s *Server) Product(idOrSKU string) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.st.byID[idOrSKU]; p != nil {
		return *p, true
	}
	if p := s.st.bySKU[idOrSKU]; p != nil {
		return *p, true
	}
	return Product{}, false
}

// Snapshot returns every product by SKU.
func (s *Server) Snapshot() map[string]Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Product, len(s.st.products))
	for _, p := range s.st.products {
		out[p.SKU] = *p
	}
	return out
}

const isoUTC = "2006-01-02T15:04:05Z"

func productJSON(p *Product) map[string]any {
	return map[string]any{
		"id": p.ID, "sku": p.SKU, "name": p.Name, "description": p.Description,
		"stock": p.Stock, "price": p.Price, "status": p.Status,
		"created_at": p.CreatedAt.UTC().Format(isoUTC), "updated_at": p.UpdatedAt.UTC().Format(isoUTC),
	}
}

// paging reads page (1-based) and limit (default 20, max 100) as both lists do.
func (s *Server) paging(c *simkit.Call) (page, limit int, rep *simkit.Reply) {
	q := c.R.URL.Query()
	page, err := simkit.QueryInt(q, "page", 1)
	if err != nil || page < 1 {
		r := fail(400, "page must be a whole number of at least 1")
		return 0, 0, &r
	}
	limit, err = simkit.QueryInt(q, "limit", 20)
	if err != nil || limit < 1 {
		r := fail(400, "limit must be a whole number of at least 1")
		return 0, 0, &r
	}
	if limit > 100 {
		if !s.opt.ClampLimit {
			r := fail(400, "limit may be at most 100")
			return 0, 0, &r
		}
		limit = 100
	}
	return page, limit, nil
}

func meta(page, limit, total int) map[string]any {
	return map[string]any{"current_page": page, "total_pages": (total + limit - 1) / limit,
		"total_items": total, "items_per_page": limit}
}

// handleListProducts serves GET /api/v1/products with page/limit/sort/direction/search.
func (s *Server) handleListProducts(c *simkit.Call) simkit.Reply {
	page, limit, rep := s.paging(c)
	if rep != nil {
		return *rep
	}
	q := c.R.URL.Query()
	sortBy := q.Get("sort")
	if sortBy == "" {
		sortBy = "created_at"
	}
	less, ok := productOrder[sortBy]
	if !ok {
		return fail(400, "sort must be one of created_at, updated_at, name, sku, stock, price")
	}
	dir := strings.ToLower(q.Get("direction"))
	if dir == "" {
		dir = "asc"
	}
	if dir != "asc" && dir != "desc" {
		return fail(400, "direction must be asc or desc")
	}
	search := strings.ToLower(q.Get("search"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*Product
	for _, p := range s.st.products {
		if search == "" || strings.Contains(strings.ToLower(p.Name), search) || strings.Contains(strings.ToLower(p.SKU), search) {
			match = append(match, p)
		}
	}
	sort.SliceStable(match, func(i, j int) bool {
		if dir == "desc" {
			return less(match[j], match[i])
		}
		return less(match[i], match[j])
	})
	data := []map[string]any{}
	for i := (page - 1) * limit; i < len(match) && i < page*limit; i++ {
		data = append(data, productJSON(match[i]))
	}
	return simkit.JSON(http.StatusOK, map[string]any{"data": data, "meta": meta(page, limit, len(match))})
}

var productOrder = map[string]func(a, b *Product) bool{
	"created_at": func(a, b *Product) bool { return a.CreatedAt.Before(b.CreatedAt) },
	"updated_at": func(a, b *Product) bool { return a.UpdatedAt.Before(b.UpdatedAt) },
	"name":       func(a, b *Product) bool { return a.Name < b.Name },
	"sku":        func(a, b *Product) bool { return a.SKU < b.SKU },
	"stock":      func(a, b *Product) bool { return a.Stock < b.Stock },
	"price":      func(a, b *Product) bool { return a.Price < b.Price },
}

// handleGetProduct serves GET /api/v1/products/{id} with the detail fields.
func (s *Server) handleGetProduct(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.byID[c.R.PathValue("id")]
	if p == nil {
		return fail(404, "product not found")
	}
	body := productJSON(p)
	body["images"] = []map[string]any{{"id": "img_1", "url": "https://example.com/images/" + p.ID + ".webp", "alt_text": p.Name}}
	body["categories"] = []map[string]any{{"id": "cat_456", "name": "Elektronik"}}
	body["variants"] = []any{}
	body["attributes"] = map[string]any{}
	return simkit.JSON(http.StatusOK, body)
}

// handleCreateProduct serves POST /api/v1/products: sku, name, stock and price required.
func (s *Server) handleCreateProduct(c *simkit.Call) simkit.Reply {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(c.Body, &raw); err != nil {
		return fail(400, "request body is not valid JSON")
	}
	errs := map[string][]string{}
	var p Product
	for _, f := range []struct {
		name string
		dst  *string
	}{{"sku", &p.SKU}, {"name", &p.Name}, {"description", &p.Description}, {"status", &p.Status}} {
		if simkit.Absent(raw[f.name]) {
			continue
		}
		if err := json.Unmarshal(raw[f.name], f.dst); err != nil {
			errs[f.name] = append(errs[f.name], "must be a string")
		}
	}
	if p.SKU == "" {
		errs["sku"] = append(errs["sku"], "is required")
	}
	if p.Name == "" {
		errs["name"] = append(errs["name"], "is required")
	}
	if p.Status != "" && p.Status != "active" && p.Status != "draft" && p.Status != "inactive" {
		errs["status"] = append(errs["status"], "must be active, draft or inactive")
	}
	if simkit.Absent(raw["stock"]) {
		errs["stock"] = append(errs["stock"], "is required")
	} else if n, err := simkit.Integer(raw["stock"]); err != nil || n < 0 {
		errs["stock"] = append(errs["stock"], "must be a whole number of at least 0")
	} else {
		p.Stock = n
	}
	if simkit.Absent(raw["price"]) {
		errs["price"] = append(errs["price"], "is required")
	} else if k, err := simkit.Decimal(raw["price"]); err != nil || k < 0 {
		errs["price"] = append(errs["price"], "must be a number of at least 0 with at most two decimals")
	} else {
		p.Price = k
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.SKU != "" && s.st.bySKU[p.SKU] != nil {
		errs["sku"] = append(errs["sku"], "has already been taken")
	}
	if len(errs) > 0 {
		b := errBody("validation_failed", "the given data was invalid")
		b["errors"] = errs
		return simkit.JSON(http.StatusUnprocessableEntity, b)
	}
	p.CreatedAt, p.UpdatedAt = c.Now, c.Now
	np, err := s.addLocked(p, c.Now)
	if err != nil {
		return fail(422, err.Error())
	}
	return simkit.JSON(http.StatusCreated, productJSON(np))
}
