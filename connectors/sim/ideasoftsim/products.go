package ideasoftsim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

// dayTime is the layout of startUpdatedAt/endUpdatedAt.
const dayTime = "2006-01-02 15:04:05"

// handleListProducts serves GET /admin-api/products: limit (≤ 100), page, sort (id,
// -id), ids, sinceId (ids above it), startUpdatedAt/endUpdatedAt (Turkey time),
// parent, status. The reply is a bare array.
func (s *Server) handleListProducts(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	limit, page, rep := s.paging(q)
	if rep != nil {
		return *rep
	}
	desc := false
	switch q.Get("sort") {
	case "", "id":
	case "-id":
		desc = true
	default:
		return fail(400, "sort must be id or -id")
	}
	var ids map[int64]bool
	if v := q.Get("ids"); v != "" {
		ids = map[int64]bool{}
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
			if err != nil {
				return fail(400, "ids must be a comma-separated list of ids")
			}
			ids[n] = true
		}
	}
	var since, parent int64
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"sinceId", &since}, {"parent", &parent}} {
		if n, ok, err := simkit.QueryInt64(q, p.name); err != nil {
			return fail(400, err.Error())
		} else if ok {
			*p.dst = n
		}
	}
	var from, to time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"startUpdatedAt", &from}, {"endUpdatedAt", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.ParseInLocation(dayTime, v, istanbul)
			if err != nil {
				return fail(400, p.name+" must be yyyy-mm-dd hh:mm:ss")
			}
			*p.dst = t
		}
	}
	status := q.Get("status")
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*Product
	for _, p := range s.st.products.All() {
		switch {
		case ids != nil && !ids[p.ID], p.ID <= since, parent != 0 && p.Parent != parent,
			!from.IsZero() && p.UpdatedAt.Before(from), !to.IsZero() && p.UpdatedAt.After(to),
			status != "" && status != strconv.Itoa(flag(!p.Passive)):
			continue
		}
		match = append(match, p)
	}
	sort.SliceStable(match, func(i, j int) bool {
		if desc {
			return match[i].ID > match[j].ID
		}
		return match[i].ID < match[j].ID
	})
	out := []map[string]any{}
	for _, p := range simkit.Page(match, (page-1)*limit, limit) {
		out = append(out, s.productJSON(p))
	}
	return listReply(out, len(match))
}

// handleCountProducts serves GET /admin-api/products/count (the body shape is
// UNCONFIRMED: {"count": n}).
func (s *Server) handleCountProducts(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return simkit.JSON(http.StatusOK, map[string]any{"count": s.st.products.Len()})
}

func (s *Server) productOf(c *simkit.Call) (*Product, *simkit.Reply) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil {
		r := fail(404, "Product not found")
		return nil, &r
	}
	p := s.st.products.Get(id)
	if p == nil {
		r := fail(404, "Product not found")
		return nil, &r
	}
	return p, nil
}

func (s *Server) handleGetProduct(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, rep := s.productOf(c)
	if rep != nil {
		return *rep
	}
	return simkit.JSON(http.StatusOK, s.productJSON(p))
}

// required are the Product fields the schema marks required; a PUT without them is
// refused when Options.PartialPut is "reject".
var required = []string{"name", "sku", "stockAmount", "price1", "currency", "discountType", "moneyOrderDiscount",
	"taxIncluded", "stockTypeLabel", "status", "hasOption"}

// handleUpdateProduct serves PUT /admin-api/products/{id}: one product (a variant is a
// product of its own), synchronous, answered with the whole updated product. Negative
// stockAmount or price1 is 422, an unknown id 404.
func (s *Server) handleUpdateProduct(c *simkit.Call) simkit.Reply {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(c.Body, &raw); err != nil {
		return fail(400, "the body is not a JSON object")
	}
	errs := map[string][]string{}
	if s.opt.PartialPut == "reject" {
		for _, f := range required {
			if simkit.Absent(raw[f]) {
				errs[f] = append(errs[f], "This value should not be blank.")
			}
		}
	}
	upd := func(p *Product) {}
	chain := func(f func(p *Product)) {
		prev := upd
		upd = func(p *Product) { prev(p); f(p) }
	}
	if v := raw["stockAmount"]; !simkit.Absent(v) {
		if k, err := simkit.Decimal(v); err != nil || k < 0 {
			errs["stockAmount"] = append(errs["stockAmount"], "This value should be greater than or equal to 0.")
		} else {
			chain(func(p *Product) { p.Stock = k })
		}
	}
	if v := raw["price1"]; !simkit.Absent(v) {
		if k, err := simkit.Decimal(v); err != nil || k < 0 {
			errs["price1"] = append(errs["price1"], "This value should be greater than or equal to 0.")
		} else {
			chain(func(p *Product) { p.Price1 = k })
		}
	}
	for _, f := range []struct {
		name string
		set  func(p *Product, n int64)
		ok   func(n int64) bool
	}{
		{"status", func(p *Product, n int64) { p.Passive = n == 0 }, func(n int64) bool { return n == 0 || n == 1 }},
		{"taxIncluded", func(p *Product, n int64) { p.NetPrice = n == 0 }, func(n int64) bool { return n == 0 || n == 1 }},
		{"tax", func(p *Product, n int64) { p.Tax = int(n) }, func(n int64) bool { return n >= 0 && n <= 100 }},
	} {
		if v := raw[f.name]; !simkit.Absent(v) {
			n, err := simkit.Integer(v)
			if err != nil || !f.ok(n) {
				errs[f.name] = append(errs[f.name], "This value is not valid.")
				continue
			}
			set := f.set
			chain(func(p *Product) { set(p, n) })
		}
	}
	if v := raw["name"]; !simkit.Absent(v) {
		var name string
		if json.Unmarshal(v, &name) != nil || strings.TrimSpace(name) == "" {
			errs["name"] = append(errs["name"], "This value should not be blank.")
		} else {
			chain(func(p *Product) { p.Name = name })
		}
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, rep := s.productOf(c)
	if rep != nil {
		return *rep
	}
	before := s.beforeLocked(p)
	if v := raw["sku"]; !simkit.Absent(v) {
		var sku string
		if json.Unmarshal(v, &sku) != nil || sku == "" {
			return invalid(map[string][]string{"sku": {"This value should not be blank."}})
		}
		if o := s.st.bySKU[sku]; o != nil && o != p {
			return invalid(map[string][]string{"sku": {"This value is already used."}})
		}
		if sku != p.SKU {
			delete(s.st.bySKU, p.SKU)
			p.SKU = sku
			s.st.bySKU[sku] = p
		}
	}
	if reason, rejected := c.Reject(p.SKU, strconv.FormatInt(p.ID, 10)); rejected {
		return invalid(map[string][]string{"product": {reason}})
	}
	upd(p)
	if p.Parent != 0 {
		if parent := s.st.products.Get(p.Parent); parent != nil {
			p.FullName = parent.Name + " " + p.Name
		}
	} else {
		p.FullName = p.Name
	}
	p.Writes++
	simkit.Touch(&p.UpdatedAt, c.Now, time.Second)
	s.productChangedLocked(p, before)
	if s.st.failAfterApply > 0 {
		s.st.failAfterApply--
		return fail(http.StatusInternalServerError, "An error occurred")
	}
	return simkit.JSON(http.StatusOK, s.productJSON(p))
}
