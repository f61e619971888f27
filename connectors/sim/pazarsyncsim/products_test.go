package pazarsyncsim

import (
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestProductListing(t *testing.T) {
	s, _, c := newSim(t, Options{PerMinute: -1})
	seed(t, s, 45)
	c.login()
	a := c.do("GET", "/api/v1/products", nil).want(t, 200)
	m := a.body["meta"].(map[string]any)
	if len(a.list("data")) != 20 || m["total_items"] != float64(45) || m["total_pages"] != float64(3) || m["current_page"] != float64(1) || m["items_per_page"] != float64(20) {
		t.Fatalf("first page %v", m)
	}
	a = c.do("GET", "/api/v1/products?page=3", nil).want(t, 200)
	if d := a.list("data"); len(d) != 5 || d[4]["sku"] != "SKU-044" || d[0]["price"] != 149.99 {
		t.Fatalf("last page %s", a.raw)
	}
	c.do("GET", "/api/v1/products?limit=101", nil).want(t, 400)
	c.do("GET", "/api/v1/products?page=0", nil).want(t, 400)
	c.do("GET", "/api/v1/products?sort=bogus", nil).want(t, 400)
	if d := c.do("GET", "/api/v1/products?limit=100&sort=sku&direction=desc", nil).want(t, 200).list("data"); len(d) != 45 || d[0]["sku"] != "SKU-044" {
		t.Fatalf("sorted desc: %v", d[0])
	}
	if d := c.do("GET", "/api/v1/products?search=sku-01", nil).want(t, 200).list("data"); len(d) != 10 {
		t.Fatalf("search: %d", len(d))
	}
	id := c.do("GET", "/api/v1/products?limit=1", nil).list("data")[0]["id"].(string)
	if a := c.do("GET", "/api/v1/products/"+id, nil).want(t, 200); a.body["variants"] == nil || a.body["images"] == nil {
		t.Fatalf("detail %s", a.raw)
	}
	c.do("GET", "/api/v1/products/prod_0", nil).want(t, 404)

	_, _, cl := newSim(t, Options{ClampLimit: true})
	cl.login()
	if m := cl.do("GET", "/api/v1/products?limit=500", nil).want(t, 200).body["meta"].(map[string]any); m["items_per_page"] != float64(100) {
		t.Fatalf("clamped %v", m)
	}
}

func TestCreateProduct(t *testing.T) {
	s, _, c := newSim(t, Options{})
	c.login()
	a := c.do("POST", "/api/v1/products", map[string]any{"sku": "ABC-123", "name": "Örnek", "stock": 150, "price": 149.99}).want(t, 201)
	if !strings.HasPrefix(a.body["id"].(string), "prod_") || a.body["status"] != "active" {
		t.Fatalf("created %s", a.raw)
	}
	if p, ok := s.Product("ABC-123"); !ok || p.Price != 14999 || p.Stock != 150 {
		t.Fatalf("read back %+v", p)
	}
	a = c.do("POST", "/api/v1/products", map[string]any{"sku": "ABC-123", "name": "x", "stock": -1}).want(t, 422)
	errs := a.body["errors"].(map[string]any)
	for _, f := range []string{"sku", "stock", "price"} {
		if errs[f] == nil {
			t.Fatalf("no error for %s: %s", f, a.raw)
		}
	}
}

func TestStockUpdates(t *testing.T) {
	s, clock, c := newSim(t, Options{PerMinute: -1, MaxBatch: 5})
	ps := seed(t, s, 4)
	c.login()
	a := c.do("PUT", "/api/v1/products/"+ps[0].ID+"/stock", map[string]any{"stock": 150}).want(t, 200)
	if a.body["stock"] != float64(150) || a.body["sku"] != "SKU-000" || a.body["updated_at"] != "2026-10-01T09:00:01Z" {
		t.Fatalf("single update %s", a.raw)
	}
	clock.Advance(time.Minute)
	c.do("PATCH", "/api/v1/products/"+ps[0].ID+"/stock", map[string]any{"stock": 0}).want(t, 200)
	c.do("PUT", "/api/v1/products/"+ps[0].ID+"/stock", map[string]any{"stock": -1}).want(t, 422)
	c.do("PUT", "/api/v1/products/"+ps[0].ID+"/stock", map[string]any{"stock": "5"}).want(t, 422)
	c.do("PUT", "/api/v1/products/prod_nope/stock", map[string]any{"stock": 1}).want(t, 404)

	a = c.do("POST", "/api/v1/stocks/batch", map[string]any{"items": []map[string]any{
		{"product_id": ps[1].ID, "stock": 75},
		{"sku": "SKU-002", "stock": 3},
		{"sku": "NOPE", "stock": 1},
		{"sku": "SKU-003", "stock": -2},
		{"product_id": ps[3].ID, "sku": "SKU-002", "stock": 9},
	}}).want(t, 200)
	if a.body["updated"] != float64(2) || a.body["failed"] != float64(3) {
		t.Fatalf("batch counts %s", a.raw)
	}
	errs := a.list("errors")
	if errs[0]["sku"] != "NOPE" || errs[0]["message"] == "" || errs[1]["sku"] != "SKU-003" || errs[2]["product_id"] != ps[3].ID {
		t.Fatalf("errors keyed by the item's own key: %s", a.raw)
	}
	snap := s.Snapshot()
	if snap["SKU-000"].Stock != 0 || snap["SKU-001"].Stock != 75 || snap["SKU-002"].Stock != 3 || snap["SKU-003"].Stock != 10 {
		t.Fatalf("snapshot %+v", snap)
	}
	six := make([]map[string]any, 6)
	for i := range six {
		six[i] = map[string]any{"sku": "SKU-000", "stock": i}
	}
	c.do("POST", "/api/v1/stocks/batch", map[string]any{"items": six}).want(t, 400)
	c.do("POST", "/api/v1/stocks/batch", map[string]any{"items": []any{}}).want(t, 422)

	s.SetFaults(simkit.Faults{RejectKeys: map[string]string{"SKU-001": "product is locked"}})
	a = c.do("POST", "/api/v1/stocks/batch", map[string]any{"items": []map[string]any{{"sku": "SKU-001", "stock": 1}, {"sku": "SKU-002", "stock": 1}}}).want(t, 200)
	if a.body["updated"] != float64(1) || a.list("errors")[0]["message"] != "product is locked" {
		t.Fatalf("injected reject %s", a.raw)
	}
}

func TestNoPriceEndpoint(t *testing.T) {
	s, _, c := newSim(t, Options{})
	ps := seed(t, s, 1)
	c.login()
	c.do("PATCH", "/api/v1/products/"+ps[0].ID, map[string]any{"price": 149.99}).want(t, 404)
	c.do("PUT", "/api/v1/products/"+ps[0].ID, map[string]any{"price": 149.99}).want(t, 404)
	c.do("PUT", "/api/v1/products/"+ps[0].ID+"/price", map[string]any{"price": 149.99}).want(t, 404)
	c.do("PUT", "/api/v1/orders/ord_1/status", map[string]any{"status": "shipped"}).want(t, 404)
	if p, _ := s.Product(ps[0].ID); p.Price != 14999 {
		t.Fatal("price changed")
	}
}
