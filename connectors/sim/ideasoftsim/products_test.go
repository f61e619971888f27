package ideasoftsim

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

type productJSON struct {
	ID          int64   `json:"id"`
	SKU         string  `json:"sku"`
	FullName    string  `json:"fullName"`
	StockAmount float64 `json:"stockAmount"`
	Price1      float64 `json:"price1"`
	TaxIncluded int     `json:"taxIncluded"`
	Status      int     `json:"status"`
	Parent      *struct {
		ID int64 `json:"id"`
	} `json:"parent"`
	Children []struct {
		ID int64 `json:"id"`
	} `json:"children"`
}

func TestProductList(t *testing.T) {
	s := newSim(t, Options{})
	tk := s.login()
	var ps []Product
	for i := 0; i < 120; i++ {
		ps = append(ps, Product{SKU: "S" + strconv.Itoa(i)})
	}
	seeded := s.seed(ps...)
	list := func(q string) []productJSON {
		t.Helper()
		r := s.call("GET", "/admin-api/products?"+q, "", "", tk.AccessToken)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
		var out []productJSON
		r.json(t, &out)
		return out
	}
	if got := list(""); len(got) != 20 || got[0].ID != seeded[0].ID {
		t.Fatalf("default page: %d from %d", len(got), got[0].ID)
	}
	if got := list("limit=100&sort=id&sinceId=" + itoa64(seeded[99].ID)); len(got) != 20 || got[0].ID != seeded[100].ID {
		t.Fatalf("sinceId: %d", len(got))
	}
	if got := list("limit=5&sort=-id"); got[0].ID != seeded[119].ID {
		t.Fatal("sort=-id")
	}
	if got := list("ids=" + itoa64(seeded[3].ID) + "," + itoa64(seeded[7].ID)); len(got) != 2 || got[1].SKU != "S7" {
		t.Fatalf("ids: %+v", got)
	}
	if r := s.call("GET", "/admin-api/products?limit=101", "", "", tk.AccessToken); r.status != 400 {
		t.Fatalf("limit 101: %d", r.status)
	}
	s2 := newSim(t, Options{LimitStatus: 422})
	if r := s2.call("GET", "/admin-api/products?limit=101", "", "", s2.login().AccessToken); r.status != 422 {
		t.Fatalf("limit 101 with LimitStatus 422: %d", r.status)
	}
	r := s.call("GET", "/admin-api/products/count", "", "", tk.AccessToken)
	if r.status != 200 || !strings.Contains(string(r.body), `"count":120`) {
		t.Fatalf("count: %d %s", r.status, r.body)
	}
	s.clock.Advance(time.Hour)
	if err := s.SetProduct("S5", func(p *Product) { p.Name = "yeni" }); err != nil {
		t.Fatal(err)
	}
	from := url.QueryEscape(s.clock.Now().Add(-time.Minute).In(istanbul).Format(dayTime))
	if got := list("startUpdatedAt=" + from); len(got) != 1 || got[0].SKU != "S5" {
		t.Fatalf("startUpdatedAt: %+v", got)
	}
}

// Variants are products with a parent; their full name is the parent's and their own.
func TestVariants(t *testing.T) {
	s := newSim(t, Options{})
	tk := s.login()
	main := s.seed(Product{SKU: "TS", Name: "Tişört"})[0]
	v := s.seed(Product{SKU: "TS-M", Name: "M", Parent: main.ID})[0]
	if _, err := s.AddProduct(Product{SKU: "TS-M-X", Parent: v.ID}); err == nil {
		t.Fatal("a variant of a variant was accepted")
	}
	var got productJSON
	s.call("GET", "/admin-api/products/"+itoa64(v.ID), "", "", tk.AccessToken).json(t, &got)
	if got.FullName != "Tişört M" || got.Parent == nil || got.Parent.ID != main.ID {
		t.Fatalf("variant %+v", got)
	}
	s.call("GET", "/admin-api/products/"+itoa64(main.ID), "", "", tk.AccessToken).json(t, &got)
	if len(got.Children) != 1 || got.Children[0].ID != v.ID {
		t.Fatalf("main product %+v", got)
	}
}

func TestProductUpdate(t *testing.T) {
	s := newSim(t, Options{})
	tk := s.login()
	p := s.seed(Product{SKU: "A", Name: "Kupa", Stock: Units(3), Price1: 1000, ShortDetail: "seramik"})[0]
	put := func(body string) reply {
		return s.call("PUT", "/admin-api/products/"+itoa64(p.ID), "application/json", body, tk.AccessToken)
	}
	cases := []struct {
		body   string
		status int
	}{
		{`{"stockAmount":-1}`, 422},
		{`{"price1":-0.01}`, 422},
		{`{"stockAmount":"5"}`, 422},
		{`{"status":2}`, 422},
		{`not json`, 400},
	}
	for _, c := range cases {
		if r := put(c.body); r.status != c.status {
			t.Errorf("%s: %d, want %d (%s)", c.body, r.status, c.status, r.body)
		}
	}
	if r := s.call("PUT", "/admin-api/products/999999", "application/json", `{"stockAmount":1}`, tk.AccessToken); r.status != 404 {
		t.Fatalf("unknown id: %d", r.status)
	}
	r := put(`{"stockAmount":12,"price1":149.90}`)
	var got productJSON
	r.json(t, &got)
	if r.status != 200 || got.StockAmount != 12 || got.Price1 != 149.9 || got.SKU != "A" {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	after, _ := s.Product("A")
	if after.Name != "Kupa" || after.ShortDetail != "seramik" || after.Writes != 1 || !after.UpdatedAt.After(p.UpdatedAt) {
		t.Fatalf("a partial update (merge) changed other fields: %+v", after)
	}
	// Decimal stock amounts (2.5 kg) are numbers like any other.
	if r := put(`{"stockAmount":2.5}`); r.status != 200 {
		t.Fatalf("2.5: %d", r.status)
	}
	if q, _ := s.Product("A"); q.Stock != 250 {
		t.Fatalf("stock %s", q.Stock)
	}
	s.SetFaults(simkit.Faults{RejectKeys: map[string]string{"A": "Ürün kilitli"}})
	if r := put(`{"stockAmount":1}`); r.status != 422 || !strings.Contains(string(r.body), "Ürün kilitli") {
		t.Fatalf("a rejected key: %d %s", r.status, r.body)
	}
	s.SetFaults(simkit.Faults{})
	s.FailAfterApply(1)
	if r := put(`{"stockAmount":7}`); r.status != 500 {
		t.Fatalf("FailAfterApply: %d", r.status)
	}
	if q, _ := s.Product("A"); q.Stock != Units(7) {
		t.Fatal("the 500 was not applied first")
	}

	rs := newSim(t, Options{PartialPut: "reject"})
	tk = rs.login()
	p = rs.seed(Product{SKU: "B"})[0]
	r = rs.call("PUT", "/admin-api/products/"+itoa64(p.ID), "application/json", `{"stockAmount":1}`, tk.AccessToken)
	if r.status != 422 || !strings.Contains(string(r.body), `"name"`) || !strings.Contains(string(r.body), `"hasOption"`) {
		t.Fatalf("a partial body with PartialPut reject: %d %s", r.status, r.body)
	}
	whole := rs.call("GET", "/admin-api/products/"+itoa64(p.ID), "", "", tk.AccessToken)
	if r := rs.call("PUT", "/admin-api/products/"+itoa64(p.ID), "application/json", string(whole.body), tk.AccessToken); r.status != 200 {
		t.Fatalf("a whole body: %d %s", r.status, r.body)
	}
}
