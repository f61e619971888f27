package pazarsyncsim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"syncagent/connectors/sim/simkit"
)

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
	for _, p := range s.st.products.All() {
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
	for _, p := range simkit.Page(match, (page-1)*limit, limit) {
		data = append(data, productJSON(p))
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
	if p.SKU != "" && s.st.products.Get(p.SKU) != nil {
		errs["sku"] = append(errs["sku"], "has already been taken")
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	p.CreatedAt, p.UpdatedAt = c.Now, c.Now
	np, err := s.addLocked(p, c.Now)
	if err != nil {
		return fail(422, err.Error())
	}
	return simkit.JSON(http.StatusCreated, productJSON(np))
}

// handleProductStock serves PUT|PATCH /api/v1/products/{id}/stock {"stock": n}.
func (s *Server) handleProductStock(c *simkit.Call) simkit.Reply {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(c.Body, &raw); err != nil {
		return fail(400, "request body is not valid JSON")
	}
	n, err := simkit.Integer(raw["stock"])
	if err != nil || n < 0 {
		return invalid(map[string][]string{"stock": {"must be a whole number of at least 0"}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.byID[c.R.PathValue("id")]
	if p == nil {
		return fail(404, "product not found")
	}
	if reason, rejected := c.Reject(p.SKU, p.ID); rejected {
		return fail(422, reason)
	}
	s.setStock(p, n, c.Now)
	return simkit.JSON(http.StatusOK, map[string]any{"id": p.ID, "sku": p.SKU, "stock": p.Stock,
		"updated_at": p.UpdatedAt.UTC().Format(isoUTC)})
}

// handleStockBatch serves POST /api/v1/stocks/batch: synchronous, each item by
// product_id or sku, valid items applied even when others fail.
func (s *Server) handleStockBatch(c *simkit.Call) simkit.Reply {
	var req struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return fail(400, "request body is not valid JSON")
	}
	if len(req.Items) == 0 {
		return invalid(map[string][]string{"items": {"is required"}})
	}
	if len(req.Items) > s.opt.MaxBatch {
		return fail(400, "at most "+strconv.Itoa(s.opt.MaxBatch)+" items per batch")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	updated, failed := 0, 0
	errs := []map[string]any{}
	for _, it := range req.Items {
		var id, sku string
		_ = json.Unmarshal(it["product_id"], &id)
		_ = json.Unmarshal(it["sku"], &sku)
		ref := map[string]any{}
		if sku != "" {
			ref["sku"] = sku
		}
		if id != "" {
			ref["product_id"] = id
		}
		msg := ""
		var p *Product
		switch {
		case id == "" && sku == "":
			msg = "product_id or sku is required"
		case id != "":
			if p = s.st.byID[id]; p == nil {
				msg = "product not found"
			} else if sku != "" && p.SKU != sku {
				msg = "product_id and sku name different products"
			}
		default:
			if p = s.st.products.Get(sku); p == nil {
				msg = "product not found"
			}
		}
		n, err := simkit.Integer(it["stock"])
		if msg == "" && (err != nil || n < 0) {
			msg = "stock must be a whole number of at least 0"
		}
		if msg == "" {
			if r, rejected := c.Reject(p.SKU, p.ID); rejected {
				msg = r
			}
		}
		if msg != "" {
			failed++
			ref["message"] = msg
			errs = append(errs, ref)
			continue
		}
		s.setStock(p, n, c.Now)
		updated++
	}
	return simkit.JSON(http.StatusOK, map[string]any{"updated": updated, "failed": failed, "errors": errs})
}
