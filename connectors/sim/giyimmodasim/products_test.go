package giyimmodasim

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestAuth(t *testing.T) {
	s, clock, c := newSim(t, Options{Email: "seller@example.com", Password: "pw"})
	c.do("GET", "/api/seller/profile", nil).want(t, 200)
	for name, h := range map[string]map[string]string{
		"none":         {},
		"key only":     {"X-API-Key": "sk_test"},
		"wrong secret": {"X-API-Key": "sk_test", "X-API-Secret": "nope"},
	} {
		cc := *c
		cc.headers = h
		if a := cc.do("GET", "/api/seller/products", nil).want(t, 401); a.body["message"] != "Unauthenticated." {
			t.Fatalf("%s: %s", name, a.raw)
		}
	}
	anon := *c
	anon.headers = map[string]string{}
	anon.do("POST", "/api/seller/login", map[string]string{"email": "seller@example.com", "password": "bad"}).want(t, 401)
	anon.do("POST", "/api/seller/login", map[string]string{"email": "seller@example.com"}).want(t, 422)
	a := anon.do("POST", "/api/seller/login", map[string]string{"email": "seller@example.com", "password": "pw"}).want(t, 200)
	tok := a.data()["token"].(string)
	if tok[:2] != "1|" {
		t.Fatalf("token %q is not Sanctum-shaped", tok)
	}
	bearer := *c
	bearer.headers = map[string]string{"Authorization": "Bearer " + tok}
	bearer.do("GET", "/api/seller/shop", nil).want(t, 200)
	s.RevokeTokens()
	bearer.do("GET", "/api/seller/shop", nil).want(t, 401)
	s.SetFaults(simkit.Faults{TokenExpiry: time.Minute})
	tok = anon.do("POST", "/api/seller/login", map[string]string{"email": "seller@example.com", "password": "pw"}).want(t, 200).data()["token"].(string)
	bearer.headers = map[string]string{"Authorization": "Bearer " + tok}
	bearer.do("GET", "/api/seller/shop", nil).want(t, 200)
	clock.Advance(time.Minute)
	bearer.do("GET", "/api/seller/shop", nil).want(t, 401)
}

func TestRateLimit(t *testing.T) {
	_, clock, c := newSim(t, Options{PerMinute: 3})
	for i := 0; i < 3; i++ {
		if a := c.do("GET", "/api/seller/profile", nil).want(t, 200); a.header.Get("X-RateLimit-Limit") != "" {
			t.Fatal("rate headers sent although RateHeaders is off")
		}
	}
	if a := c.do("GET", "/api/seller/profile", nil).want(t, 429); a.header.Get("Retry-After") != "" || a.body["message"] != "Too Many Attempts." {
		t.Fatalf("429: %v %s", a.header, a.raw)
	}
	clock.Advance(time.Minute)
	c.do("GET", "/api/seller/profile", nil).want(t, 200)

	_, _, h := newSim(t, Options{PerMinute: 2, RateHeaders: true})
	if a := h.do("GET", "/api/seller/profile", nil).want(t, 200); a.header.Get("X-RateLimit-Remaining") != "1" {
		t.Fatalf("headers %v", a.header)
	}
	h.do("GET", "/api/seller/profile", nil).want(t, 200)
	if a := h.do("GET", "/api/seller/profile", nil).want(t, 429); a.header.Get("Retry-After") != "60" {
		t.Fatalf("Retry-After %q", a.header.Get("Retry-After"))
	}
}

func TestProductList(t *testing.T) {
	s, _, c := newSim(t, Options{})
	ps := seed(t, s, 32)
	if _, err := s.AddProduct(Product{Name: "Yabancı", OtherSeller: true, Stock: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddProduct(Product{Name: "Taslak Ceket", Status: "pending", Stock: 1}); err != nil {
		t.Fatal(err)
	}
	a := c.do("GET", "/api/seller/products", nil).want(t, 200)
	pg := a.body["pagination"].(map[string]any)
	if len(a.list()) != 15 || pg["total"] != float64(33) || pg["last_page"] != float64(3) || pg["per_page"] != float64(15) {
		t.Fatalf("first page %v", pg)
	}
	first := a.list()[0]
	if first["id"] != float64(ps[0].ID) || first["unit_price"] != "199.99" || first["current_stock"] != float64(10) || first["published"] != float64(1) {
		t.Fatalf("product shape %v", first)
	}
	if l := c.do("GET", "/api/seller/products?page=3", nil).want(t, 200).list(); len(l) != 3 {
		t.Fatalf("last page %d", len(l))
	}
	for _, all := range []string{"all", "-1"} {
		a := c.do("GET", "/api/seller/products?per_page="+all, nil).want(t, 200)
		if _, has := a.body["pagination"]; has || len(a.list()) != 33 {
			t.Fatalf("per_page=%s: %d items, pagination %v", all, len(a.list()), a.body["pagination"])
		}
	}
	c.do("GET", "/api/seller/products?per_page=0", nil).want(t, 422)
	c.do("GET", "/api/seller/products?status=draft", nil).want(t, 422)
	if l := c.do("GET", "/api/seller/products?status=pending", nil).want(t, 200).list(); len(l) != 1 || l[0]["published"] != float64(0) {
		t.Fatalf("status filter %v", l)
	}
	if l := c.do("GET", "/api/seller/products?search=gömlek%203&per_page=all", nil).want(t, 200).list(); len(l) != 3 {
		t.Fatalf("search: %d", len(l)) // Gömlek 3, 30, 31
	}
}

func TestBulkUpdate(t *testing.T) {
	s, _, c := newSim(t, Options{MaxBulk: 10})
	ps := seed(t, s, 3)
	foreign, _ := s.AddProduct(Product{Name: "Yabancı", OtherSeller: true, Stock: 5})
	varied, _ := s.AddProduct(Product{Name: "Elbise", UnitPrice: 50000, Stock: 4, Variants: []Variant{{Name: "M", Qty: 7}}})
	a := c.do("POST", "/api/seller/products/bulk-update", map[string]any{"products": []map[string]any{
		{"id": ps[0].ID, "unit_price": 249.90, "current_stock": 50, "published": true},
		{"id": ps[1].ID, "unit_price": "129.50", "current_stock": "7", "published": 0},
		{"id": 999999, "current_stock": 1},
		{"id": foreign.ID, "current_stock": 1},
		{"id": ps[2].ID, "unit_price": -1},
		{"id": ps[2].ID, "current_stock": 1.5},
		{"unit_price": 10},
		{"id": varied.ID, "current_stock": 1, "unit_price": 450},
	}}).want(t, 200)
	d := a.data()
	if d["updated_count"] != float64(3) || d["failed_count"] != float64(5) || a.body["message"] != "Bulk update completed. Updated: 3, Failed: 5" {
		t.Fatalf("counts %s", a.raw)
	}
	errs := d["errors"].([]any)
	e0 := errs[0].(map[string]any)
	if e0["id"] != float64(999999) || e0["index"] != float64(2) || e0["message"] == "" {
		t.Fatalf("error element %v", e0)
	}
	if e := errs[2].(map[string]any); e["errors"].(map[string]any)["products.4.unit_price"] == nil {
		t.Fatalf("validation error element %v", e)
	}
	snap := s.Snapshot()
	if p := snap[ps[0].ID]; p.UnitPrice != 24990 || p.Stock != 50 || p.Status != "published" || p.Updates != 1 {
		t.Fatalf("item 0 %+v", p)
	}
	if p := snap[ps[1].ID]; p.UnitPrice != 12950 || p.Stock != 7 || p.Status != "unpublished" {
		t.Fatalf("item 1 (numeric strings accepted as Laravel does) %+v", p)
	}
	if p := snap[ps[2].ID]; p.UnitPrice != 19999 || p.Stock != 10 {
		t.Fatalf("invalid items applied %+v", p)
	}
	if p := snap[foreign.ID]; p.Stock != 5 {
		t.Fatal("another seller's product changed")
	}
	if p := snap[varied.ID]; p.Stock != 1 || p.Variants[0].Qty != 7 || p.Variants[0].Price != 45000 {
		t.Fatalf("variant product: the first row only gets the stock, every row the price: %+v", p)
	}
	many := make([]map[string]any, 11)
	for i := range many {
		many[i] = map[string]any{"id": ps[0].ID, "current_stock": i}
	}
	c.do("POST", "/api/seller/products/bulk-update", map[string]any{"products": many}).want(t, 422)
	c.do("POST", "/api/seller/products/bulk-update", map[string]any{}).want(t, 422)

	s2, _, strict := newSim(t, Options{StrictBulk: true, BulkUpdatePath: "/api/seller/stocks/bulk-update"})
	q := seed(t, s2, 2)
	strict.do("POST", "/api/seller/products/bulk-update", map[string]any{"products": []map[string]any{{"id": q[0].ID}}}).want(t, 404)
	a = strict.do("POST", "/api/seller/stocks/bulk-update", map[string]any{"products": []map[string]any{
		{"id": q[0].ID, "current_stock": 3}, {"id": q[1].ID, "current_stock": -3}}}).want(t, 422)
	if a.body["errors"].(map[string]any)["products.1.current_stock"] == nil {
		t.Fatalf("strict errors %s", a.raw)
	}
	if p, _ := s2.Product(q[0].ID); p.Stock != 10 {
		t.Fatal("strict validation applied part of the request")
	}
}

func TestBulkUpdateFaults(t *testing.T) {
	s, _, c := newSim(t, Options{})
	ps := seed(t, s, 2)
	s.SetFaults(simkit.Faults{RejectKeys: map[string]string{"SKU-1": "Ürün kilitli."}, DropNext: 1, Only: []string{"bulk-update"}})
	req, _ := http.NewRequest("POST", c.base+"/api/seller/products/bulk-update",
		strings.NewReader(`{"products":[{"id":`+strconv.FormatInt(ps[0].ID, 10)+`,"current_stock":1},{"id":`+strconv.FormatInt(ps[1].ID, 10)+`,"current_stock":1}]}`))
	req.Header.Set("X-API-Key", "sk_test")
	req.Header.Set("X-API-Secret", "sec")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("dropped request answered")
	}
	if p, _ := s.Product(ps[0].ID); p.Stock != 1 {
		t.Fatal("dropped request not applied")
	}
	if p, _ := s.Product(ps[1].ID); p.Stock != 10 {
		t.Fatal("rejected item applied")
	}
}
