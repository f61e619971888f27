package pazarsyncsim

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestOrders(t *testing.T) {
	s, clock, c := newSim(t, Options{PerMinute: -1})
	seed(t, s, 3)
	c.login()
	first, err := s.AddOrder(Order{OrderNumber: "ORD123456", Items: []OrderItem{{SKU: "SKU-000", Quantity: 2}}, ShippingFee: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Product("SKU-000"); p.Stock != 8 {
		t.Fatalf("stock after order %d", p.Stock)
	}
	if _, err := s.AddOrder(Order{Items: []OrderItem{{SKU: "SKU-001", Quantity: 11}}}); !errors.Is(err, simkit.ErrOutOfStock) {
		t.Fatalf("oversell: %v", err)
	}
	for i := 0; i < 24; i++ {
		clock.Advance(time.Hour)
		if _, err := s.AddOrder(Order{Items: []OrderItem{{SKU: "SKU-002", Quantity: 1}}, CreatedAt: clock.Now()}); err != nil && i < 10 {
			t.Fatal(err)
		}
	}
	// SKU-002 had 10 in stock: only ten more orders could be placed.
	c.login()
	a := c.do("GET", "/api/v1/orders?limit=5", nil).want(t, 200)
	m := a.body["meta"].(map[string]any)
	if m["total_items"] != float64(11) || m["total_pages"] != float64(3) || len(a.list("data")) != 5 {
		t.Fatalf("orders meta %s", a.raw)
	}
	last := c.do("GET", "/api/v1/orders?limit=5&page=3", nil).want(t, 200).list("data")
	if len(last) != 1 || last[0]["id"] != first.ID || last[0]["total_amount"] != 349.98 || last[0]["items_count"] != float64(2) {
		t.Fatalf("oldest order last (newest first): %v", last)
	}
	from := time.Date(2026, 10, 1, 14, 30, 0, 0, time.UTC).Format(time.RFC3339)
	to := time.Date(2026, 10, 1, 16, 30, 0, 0, time.UTC).Format(time.RFC3339)
	if d := c.do("GET", "/api/v1/orders?from_date="+from+"&to_date="+to, nil).want(t, 200).list("data"); len(d) != 2 {
		t.Fatalf("date filter: %d", len(d))
	}
	if d := c.do("GET", "/api/v1/orders?from_date=2026-10-02", nil).want(t, 200).list("data"); len(d) != 0 {
		t.Fatalf("date-only filter: %d", len(d))
	}
	c.do("GET", "/api/v1/orders?from_date=yesterday", nil).want(t, 422)
	c.do("GET", "/api/v1/orders?limit=101", nil).want(t, 400)

	d := c.do("GET", "/api/v1/orders/"+first.ID, nil).want(t, 200)
	if d.body["shipping_fee"] != 50.0 || d.body["tax_amount"] != 62.99 || d.body["customer"].(map[string]any)["name"] == "" ||
		d.body["shipping_address"].(map[string]any)["state"] != "Kadıköy" {
		t.Fatalf("detail %s", d.raw)
	}
	item := d.list("items")[0]
	if item["sku"] != "SKU-000" || item["unit_price"] != 149.99 || item["total_price"] != 299.98 || !strings.HasPrefix(item["product_id"].(string), "prod_") {
		t.Fatalf("detail item %v", item)
	}
	c.do("GET", "/api/v1/orders/ord_0", nil).want(t, 404)

	before := d.body["updated_at"]
	if err := s.SetOrderStatus(first.ID, "shipped"); err != nil {
		t.Fatal(err)
	}
	d = c.do("GET", "/api/v1/orders/"+first.ID, nil).want(t, 200)
	if d.body["status"] != "shipped" || d.body["updated_at"] == before {
		t.Fatalf("status change not visible: %s", d.raw)
	}
	if d := c.do("GET", "/api/v1/orders?status=shipped", nil).want(t, 200).list("data"); len(d) != 1 {
		t.Fatalf("status filter %d", len(d))
	}
	itemID := item["id"].(string)
	if err := s.CancelLine(first.ID, itemID, 1); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Product("SKU-000"); p.Stock != 9 {
		t.Fatalf("cancel line stock %d", p.Stock)
	}
	if err := s.CancelOrder(first.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelOrder(first.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Product("SKU-000"); p.Stock != 10 {
		t.Fatalf("cancelled order stock %d (cancelling twice must not restock twice)", p.Stock)
	}
}

func TestDroppedBatchIsApplied(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 1)
	c.login()
	s.SetFaults(simkit.Faults{DropNext: 1, Only: []string{"stocks-batch"}})
	req, _ := http.NewRequest("POST", c.base+"/api/v1/stocks/batch", strings.NewReader(`{"items":[{"sku":"SKU-000","stock":42}]}`))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("dropped request answered")
	}
	if p, _ := s.Product("SKU-000"); p.Stock != 42 {
		t.Fatalf("not applied: %d", p.Stock)
	}
	s.SetFaults(simkit.Faults{Seed: 9, ErrorRate: 1, ErrorStatus: 500})
	if a := c.do("POST", "/api/v1/stocks/batch", `{"items":[{"sku":"SKU-000","stock":1}]}`).want(t, 500); a.header.Get("X-RateLimit-Limit") == "" {
		t.Fatal("5xx without rate-limit headers")
	}
	if p, _ := s.Product("SKU-000"); p.Stock != 42 {
		t.Fatal("a 5xx request was applied")
	}
	if st := s.Stats().Endpoints["stocks-batch"]; st.Dropped != 1 || st.ServerErrors != 1 {
		t.Fatalf("stats %+v", st)
	}
}
