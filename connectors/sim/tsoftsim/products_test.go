package tsoftsim

import (
	"fmt"
	"strings"
	"testing"

	"syncagent/connectors/sim/simkit"
)

func TestProductGet(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 45)
	c.login()
	a := c.call("product/get", nil, "start", "0", "limit", "20").ok(t)
	if len(a.rows()) != 20 || a.total() != float64(45) {
		t.Fatalf("first page: %d rows, total %v", len(a.rows()), a.total())
	}
	r := a.rows()[0]
	// The default number form is the order sample's: strings, amounts with a comma.
	if r["ProductCode"] != "TS-000" || r["Stock"] != "10" || r["SellingPrice"] != "149,90" || r["ProductId"] != "1001" || r["Details"] != nil {
		t.Fatalf("row %v", r)
	}
	if rows := c.call("product/get", nil, "start", "40", "limit", "20").ok(t).rows(); len(rows) != 5 || rows[4]["ProductCode"] != "TS-044" {
		t.Fatalf("last page %v", rows)
	}
	if rows := c.call("product/get", nil, "ProductCode", "TS-003|TS-001|NOPE", "limit", "50").ok(t).rows(); len(rows) != 2 || rows[0]["ProductCode"] != "TS-001" {
		t.Fatalf("by codes %v", rows)
	}
	if rows := c.call("product/get", nil, "orderby", "ProductId DESC", "limit", "1", "FetchDetails", "true").ok(t).rows(); rows[0]["ProductCode"] != "TS-044" || rows[0]["Details"] == nil {
		t.Fatalf("desc with details %v", rows)
	}
	if a := c.call("product/get", nil, "f", "ProductCode|TS-01|like;Stock|10|>=", "limit", "50").ok(t); a.total() != float64(10) {
		t.Fatalf("filter total %v", a.total())
	}
	c.call("product/get", nil, "f", "Secret|1").refused(t, "filtrelenemez")
	c.call("product/get", nil, "limit", "501").refused(t, "en fazla 500")
	c.call("product/get", nil, "orderby", "Price ASC").refused(t, "orderby")

	_, _, cl := newSim(t, Options{ClampLimit: true})
	cl.login()
	cl.call("product/get", nil, "limit", "900").ok(t)
}

func TestNumberForms(t *testing.T) {
	for _, tc := range []struct {
		numbers string
		stock   any
		price   any
	}{{"comma", "7", "1249,90"}, {"dot", "7", "1249.90"}, {"json", float64(7), 1249.9}} {
		s, _, c := newSim(t, Options{Numbers: tc.numbers})
		if _, err := s.AddProduct(Product{Code: "N", Stock: 7, SellingPrice: 124990}); err != nil {
			t.Fatal(err)
		}
		c.login()
		r := c.call("product/get", nil).ok(t).rows()[0]
		if r["Stock"] != tc.stock || r["SellingPrice"] != tc.price {
			t.Fatalf("%s: %v %v", tc.numbers, r["Stock"], r["SellingPrice"])
		}
	}
}

func TestUpdateProducts(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 3)
	c.login()
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-000", "Stock": 12}).ok(t)
	c.call("product/updateProducts", `{"ProductCode":"TS-000","SellingPrice":149.90}`).ok(t)
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-001", "SellingPrice": "99,50", "DiscountedPrice": "89.90", "Stock": "3"}).ok(t)
	p0, _ := s.Product("TS-000")
	p1, _ := s.Product("TS-001")
	if p0.Stock != 12 || p0.SellingPrice != 14990 || p0.Writes != 2 || p1.Stock != 3 || p1.SellingPrice != 9950 || p1.DiscountedPrice != 8990 {
		t.Fatalf("after updates %+v %+v", p0, p1)
	}
	c.call("product/updateProducts", map[string]any{"ProductCode": "YOK-1", "Stock": 1}).refused(t, "YOK-1 kodlu ürün bulunamadı")
	c.call("product/updateProducts", map[string]any{"Stock": 1}).refused(t, "ProductCode alanı zorunludur")
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-002", "Stock": -1}).refused(t, "Stock değeri geçersiz")
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-002", "Stock": 1.5}).refused(t, "Stock değeri geçersiz")
	c.call("product/updateProducts", nil).refused(t, "data alanı boş")
	c.call("product/updateProducts", "{nope").refused(t, "geçerli bir JSON")
	// Arrays are refused unless the shop takes them.
	c.call("product/updateProducts", []map[string]any{{"ProductCode": "TS-002", "Stock": 5}}).refused(t, "tek bir ürün nesnesi")
	if p, _ := s.Product("TS-002"); p.Stock != 10 {
		t.Fatal("a refused update changed the product")
	}
	s.SetFaults(simkit.Faults{RejectKeys: map[string]string{"TS-002": "ürün kilitli"}})
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-002", "Stock": 5}).refused(t, "TS-002: ürün kilitli")
}

func TestUpdateProductsArray(t *testing.T) {
	s, _, c := newSim(t, Options{ArrayUpdates: true})
	seed(t, s, 3)
	c.login()
	a := c.call("product/updateProducts", []map[string]any{
		{"ProductCode": "TS-000", "Stock": 1}, {"ProductCode": "YOK", "Stock": 2}, {"ProductCode": "TS-002", "SellingPrice": "x"}, {"ProductCode": "TS-001", "Stock": 4},
	}).refused(t, "YOK kodlu ürün bulunamadı")
	if !strings.Contains(a.texts(), "TS-002: SellingPrice değeri geçersiz") {
		t.Fatalf("every failure is listed by its code: %s", a.texts())
	}
	snap := s.Snapshot()
	if snap["TS-000"].Stock != 1 || snap["TS-001"].Stock != 4 || snap["TS-002"].SellingPrice != 14990 {
		t.Fatalf("valid objects are applied, invalid ones not: %+v", snap)
	}
	c.call("product/updateProducts", []map[string]any{{"ProductCode": "TS-000", "Stock": 2}, {"ProductCode": "TS-001", "Stock": 3}}).ok(t)
}

func TestSubProducts(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 2)
	for i, m := range []string{"TS-000", "TS-000", "TS-001"} {
		if _, err := s.AddSubProduct(SubProduct{Code: fmt.Sprintf("%s-V%d", m, i), MainCode: m, Stock: 5, SellingPrice: 10000, Property1: "M"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddSubProduct(SubProduct{Code: "X", MainCode: "NOPE"}); err == nil {
		t.Fatal("a sub-product of a missing main product")
	}
	c.login()
	if a := c.call("subProduct/getSubProducts", nil).ok(t); len(a.rows()) != 3 || a.total() != float64(3) {
		t.Fatalf("every variant: %s", a.raw)
	}
	rows := c.call("subProduct/getSubProducts", nil, "MainProductCode", "TS-000").ok(t).rows()
	if len(rows) != 2 || rows[0]["MainProductCode"] != "TS-000" || rows[0]["MainProductId"] != "1001" || rows[0]["SellingPrice"] != "100,00" {
		t.Fatalf("by main code %v", rows)
	}
	if rows := c.call("subProduct/getSubProducts", nil, "SubProductCode", "TS-001-V2").ok(t).rows(); len(rows) != 1 {
		t.Fatalf("by code %v", rows)
	}
	c.call("subProduct/updateSubProducts", map[string]any{"SubProductCode": "TS-000-V1", "Stock": 9, "SellingPrice": 120.5}).ok(t)
	if v, _ := s.SubProduct("TS-000-V1"); v.Stock != 9 || v.SellingPrice != 12050 || v.Writes != 1 {
		t.Fatalf("variant %+v", v)
	}
	c.call("subProduct/updateSubProducts", map[string]any{"SubProductCode": "TS-000", "Stock": 9}).refused(t, "alt ürün bulunamadı")
	c.call("subProduct/updateSubProducts", map[string]any{"SubProductCode": "TS-000-V1", "DiscountedPrice": 9}).refused(t, "yalnız Stock ve SellingPrice")
	// A main product's code is no variant's, and the other way round.
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-000-V1", "Stock": 1}).refused(t, "bulunamadı")

	_, _, cn := newSim(t, Options{NoSubProductWrites: true})
	cn.login()
	cn.call("subProduct/updateSubProducts", map[string]any{"SubProductCode": "A", "Stock": 1}).want(t, 404)
}
