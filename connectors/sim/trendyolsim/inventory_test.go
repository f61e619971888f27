package trendyolsim

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestAuthAndUserAgent(t *testing.T) {
	_, _, c := newSim(t, Options{})
	body := priceBody(item{"barcode": bc(0), "quantity": 1})
	cases := []struct {
		name   string
		mutate func(*client)
		status int
	}{
		{"missing user agent", func(c *client) { c.ua = "" }, 403},
		{"go default user agent", func(c *client) { c.ua = "Go-http-client/1.1" }, 403},
		{"user agent of another seller", func(c *client) { c.ua = "999 - SelfIntegration" }, 403},
		{"integrator name too long", func(c *client) { c.ua = seller + " - " + strings.Repeat("a", 31) }, 403},
		{"integrator name not alphanumeric", func(c *client) { c.ua = seller + " - My Shop" }, 403},
		{"wrong secret", func(c *client) { c.pass = "nope" }, 401},
		{"no credentials", func(c *client) { c.user = "" }, 401},
		{"unknown storefront", func(c *client) { c.hdr = map[string]string{"storeFrontCode": "XX"} }, 400},
		{"integrator user agent", func(c *client) { c.ua = seller + " - AcmeSoft2" }, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cc := *c
			cc.t = t
			tc.mutate(&cc)
			a := cc.do("POST", invPath, priceBody(item{"barcode": tc.name, "quantity": 1})).want(t, tc.status)
			if tc.status == 401 && a.body["exception"] != "ClientApiAuthenticationException" {
				t.Fatalf("401 without ClientApiAuthenticationException: %s", a.raw)
			}
		})
	}
	other := *c
	a := other.do("POST", "/inventory/sellers/777/products/price-and-inventory", body)
	if a.status != 403 { // the User-Agent names 123456, the path 777
		t.Fatalf("path of another seller: %d", a.status)
	}
	other.ua = "777 - SelfIntegration"
	other.do("POST", "/inventory/sellers/777/products/price-and-inventory", body).want(t, 401)
}

func TestPriceInventoryRequestRules(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 3)
	items := make([]item, 1001)
	for i := range items {
		items[i] = item{"barcode": bc(i), "quantity": i}
	}
	c.do("POST", invPath, priceBody(items...)).want(t, 400)
	c.do("POST", invPath, priceBody(items[:1000]...)).want(t, 200)
	c.do("POST", invPath, priceBody()).want(t, 400)
	c.do("POST", invPath, `{"items":[{"quantity":1}]}`).want(t, 400)
	c.do("POST", invPath, `{"items":[{"barcode":"x","salePrice":"12.50"}]}`).want(t, 400)
	c.do("POST", invPath, `{"items":[{"barcode":"x","quantity":1.5}]}`).want(t, 400)
	c.do("POST", invPath, `not json`).want(t, 400)

	// The 15-minute rule: byte-identical bodies are refused, any change is accepted.
	first := `{"items":[{"barcode":"` + bc(0) + `","quantity":5}]}`
	a := c.do("POST", invPath, first).want(t, 200)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d+$`).MatchString(a.body["batchRequestId"].(string)) {
		t.Fatalf("batchRequestId %v", a.body["batchRequestId"])
	}
	clock.Advance(14*time.Minute + 59*time.Second)
	dup := c.do("POST", invPath, first).want(t, 400)
	if productErr(t, dup) != DuplicateMessage {
		t.Fatalf("duplicate refusal body: %s", dup.raw)
	}
	c.do("POST", invPath, first+" ").want(t, 200) // not byte-identical
	clock.Advance(time.Second)
	c.do("POST", invPath, first).want(t, 200)
	if got := s.Stats().Endpoints["price-and-inventory"].Duplicates; got != 1 {
		t.Fatalf("duplicates counted %d", got)
	}
}

func TestBatchLifecycle(t *testing.T) {
	for _, style := range []PendingStyle{PendingOmitStatus, PendingInProgress, PendingNoItems} {
		t.Run(string(style), func(t *testing.T) {
			s, clock, c := newSim(t, Options{ResultDelay: 30 * time.Second, Pending: style})
			seed(t, s, 2)
			a := c.do("POST", invPath, priceBody(
				item{"barcode": bc(0), "quantity": 7, "salePrice": 99.90, "listPrice": 129.90},
				item{"barcode": "unknown-1", "quantity": 3},
				item{"barcode": bc(1), "salePrice": 150.00}, // list price stays 120.00
				item{"barcode": bc(1), "quantity": 20001},
			)).want(t, 200)
			id := a.body["batchRequestId"].(string)
			r := c.do("GET", batchPath+id, nil).want(t, 200)
			if _, has := r.body["status"]; has {
				t.Fatal("stock/price batches must carry no batch-level status")
			}
			if r.body["batchRequestType"] != "ProductInventoryUpdate" || r.body["itemCount"] != float64(4) {
				t.Fatalf("batch header: %s", r.raw)
			}
			items := r.list("items")
			switch style {
			case PendingNoItems:
				if len(items) != 0 {
					t.Fatalf("pending items shown: %s", r.raw)
				}
			case PendingInProgress:
				if len(items) != 4 || items[0]["status"] != "IN_PROGRESS" {
					t.Fatalf("pending items: %s", r.raw)
				}
			default:
				if len(items) != 4 || items[0]["status"] != nil {
					t.Fatalf("pending items: %s", r.raw)
				}
			}
			if p, _ := s.Product(bc(0)); p.Quantity != 10 {
				t.Fatal("stock changed before the batch finished")
			}
			clock.Advance(30 * time.Second)
			r = c.do("GET", batchPath+id, nil).want(t, 200)
			items = r.list("items")
			want := []struct {
				status string
				reason string
			}{{"SUCCESS", ""}, {"FAILED", ReasonUnknownBarcode}, {"FAILED", ReasonListBelowSale}, {"FAILED", ReasonTooMuchStock}}
			for i, w := range want {
				reasons, _ := items[i]["failureReasons"].([]any)
				if items[i]["status"] != w.status || (w.reason != "" && (len(reasons) == 0 || reasons[0] != w.reason)) {
					t.Fatalf("item %d: %v, want %s %q", i, items[i], w.status, w.reason)
				}
			}
			if r.body["failedItemCount"] != float64(3) {
				t.Fatalf("failedItemCount %v", r.body["failedItemCount"])
			}
			req := items[0]["requestItem"].(map[string]any)
			if req["barcode"] != bc(0) || req["salePrice"] != 99.9 || req["updateRequestDate"] == nil {
				t.Fatalf("requestItem %v", req)
			}
			p, _ := s.Product(bc(0))
			if p.Quantity != 7 || p.SalePrice != 9990 || p.ListPrice != 12990 || p.Updates != 1 {
				t.Fatalf("applied product %+v", p)
			}
			if p, _ := s.Product(bc(1)); p.SalePrice != 10000 || p.Quantity != 10 {
				t.Fatalf("failed items changed the product: %+v", p)
			}
			clock.Advance(4*time.Hour - 30*time.Second - time.Millisecond)
			c.do("GET", batchPath+id, nil).want(t, 200)
			clock.Advance(time.Millisecond)
			c.do("GET", batchPath+id, nil).want(t, 404)
			c.do("GET", batchPath+"no-such-batch", nil).want(t, 404)
		})
	}
}

func TestSyncValidationSwitch(t *testing.T) {
	s, _, c := newSim(t, Options{SyncValidation: true})
	seed(t, s, 2)
	a := c.do("POST", invPath, priceBody(item{"barcode": bc(0), "quantity": 1},
		item{"barcode": bc(1), "salePrice": 200, "listPrice": 100})).want(t, 400)
	errs := a.list("errors")
	if len(errs) != 1 || errs[0]["key"] != bc(1) || errs[0]["message"] != ReasonListBelowSale {
		t.Fatalf("errors: %s", a.raw)
	}
	c.do("POST", invPath, priceBody(item{"barcode": bc(0), "quantity": 20001})).want(t, 400)
	c.do("POST", invPath, priceBody(item{"barcode": bc(0), "quantity": 20000})).want(t, 200)
}

func TestPriceChangesPerMinute(t *testing.T) {
	s, clock, c := newSim(t, Options{ResultDelay: time.Second})
	seed(t, s, 1)
	var ids []string
	for i := 0; i < 31; i++ {
		a := c.do("POST", invPath, priceBody(item{"barcode": bc(0), "salePrice": 100 + i, "listPrice": 200})).want(t, 200)
		ids = append(ids, a.body["batchRequestId"].(string))
		clock.Advance(time.Second)
	}
	// A stock-only item is not a price change.
	stock := c.do("POST", invPath, priceBody(item{"barcode": bc(0), "quantity": 3})).want(t, 200)
	clock.Advance(time.Second)
	status := func(id string) (string, any) {
		it := c.do("GET", batchPath+id, nil).want(t, 200).list("items")[0]
		return it["status"].(string), it["failureReasons"]
	}
	if st, _ := status(ids[29]); st != "SUCCESS" {
		t.Fatalf("30th price change: %s", st)
	}
	if st, why := status(ids[30]); st != "FAILED" || !strings.Contains(why.([]any)[0].(string), "30") {
		t.Fatalf("31st price change in a minute: %s %v", st, why)
	}
	if st, _ := status(stock.body["batchRequestId"].(string)); st != "SUCCESS" {
		t.Fatal("stock-only item counted as a price change")
	}
	clock.Advance(time.Minute)
	a := c.do("POST", invPath, priceBody(item{"barcode": bc(0), "salePrice": 500, "listPrice": 600})).want(t, 200)
	clock.Advance(time.Second)
	if st, _ := status(a.body["batchRequestId"].(string)); st != "SUCCESS" {
		t.Fatal("price change refused after the minute passed")
	}
	if p, _ := s.Product(bc(0)); p.SalePrice != 50000 || p.Quantity != 3 {
		t.Fatalf("final product %+v", p)
	}
}

func TestRateLimitWindowNoRetryAfter(t *testing.T) {
	s, clock, c := newSim(t, Options{Window: 10 * time.Second, PerWindow: 5})
	seed(t, s, 1)
	for i := 0; i < 5; i++ {
		c.do("GET", approvedPath, nil).want(t, 200)
	}
	a := c.do("GET", approvedPath, nil).want(t, 429)
	if a.header.Get("Retry-After") != "" || a.header.Get("X-RateLimit-Remaining") != "" {
		t.Fatalf("Trendyol documents no rate headers: %v", a.header)
	}
	if productErr(t, a) != "too many requests" {
		t.Fatalf("429 body: %s", a.raw)
	}
	c.do("GET", batchPath+"x", nil).want(t, 404) // another endpoint has its own window
	clock.Advance(10 * time.Second)
	c.do("GET", approvedPath, nil).want(t, 200)
	st := s.Stats()
	if e := st.Endpoints["approved-inventory"]; e.RateLimited != 1 || e.MaxInWindow != 6 || e.OK != 6 {
		t.Fatalf("stats %+v", e)
	}
}

func TestPerMinuteTier(t *testing.T) {
	s, clock, c := newSim(t, Options{PerMinute: map[string]int{GroupOrdersRead: 3}})
	_ = s
	for i := 0; i < 3; i++ {
		c.do("GET", ordPath+"/orders/stream", nil).want(t, 200)
		clock.Advance(5 * time.Second)
	}
	c.do("GET", ordPath+"/v2/orders", nil).want(t, 429) // one budget for every order list
	clock.Advance(45 * time.Second)
	c.do("GET", ordPath+"/v2/orders", nil).want(t, 200)
}

func TestApprovedListing(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 25)
	// Two variants of one product share a content item.
	for i, b := range []string{"8691000000001", "8691000000002"} {
		if err := s.AddProduct(Product{Barcode: b, StockCode: "SHIRT-" + []string{"S", "M"}[i], ContentID: 777, ProductMainID: "SHIRT",
			Quantity: int64(3 + i), SalePrice: 19999, ListPrice: 24999}); err != nil {
			t.Fatal(err)
		}
	}
	c.do("GET", approvedPath+"?size=101", nil).want(t, 400)
	c.do("GET", approvedPath+"?page=101&size=100", nil).want(t, 400)
	c.do("GET", approvedPath+"?page=100&size=100", nil).want(t, 200)
	many := make([]string, 51)
	for i := range many {
		many[i] = bc(i)
	}
	c.do("GET", approvedPath+"?barcodes="+strings.Join(many, ","), nil).want(t, 400)

	// Barcode, stock and prices sit on the variant, not on the content item.
	a := c.do("GET", approvedPath+"?barcodes="+bc(3)+","+bc(4), nil).want(t, 200)
	got := a.list("content")
	if len(got) != 2 || got[0]["barcode"] != nil || got[0]["quantity"] != nil {
		t.Fatalf("content items: %s", a.raw)
	}
	v := variantsOf(got[0])
	if len(v) != 1 || v[0]["barcode"] != bc(3) || v[0]["quantity"] != float64(10) || kurus(v[0]["salePrice"]) != 10000 ||
		kurus(v[0]["listPrice"]) != 12000 || v[0]["stockCode"] != "SKU-3" || v[0]["stockLastModifiedDate"] != nil {
		t.Fatalf("variant: %s", a.raw)
	}
	// A nextPageToken comes even when one page holds every result.
	if tok, _ := a.body["nextPageToken"].(string); tok == "" || a.body["totalPages"] != float64(1) {
		t.Fatalf("paging fields: %s", a.raw)
	}
	a = c.do("GET", approvedPath+"?barcodes=8691000000001,8691000000002", nil).want(t, 200)
	if got := a.list("content"); len(got) != 1 || got[0]["contentId"] != float64(777) || got[0]["productMainId"] != "SHIRT" || len(variantsOf(got[0])) != 2 {
		t.Fatalf("two variants of one content: %s", a.raw)
	}
	a = c.do("GET", approvedPath+"?stockCode=SKU-7", nil).want(t, 200)
	if len(a.list("content")) != 1 {
		t.Fatalf("stockCode filter: %s", a.raw)
	}

	// A stock update dates the variant's stockLastModifiedDate.
	c.do("POST", invPath, priceBody(item{"barcode": bc(5), "quantity": 4})).want(t, 200)
	clock.Advance(time.Second)
	a = c.do("GET", approvedPath+"?barcode="+bc(5), nil).want(t, 200)
	if v := variantsOf(a.list("content")[0]); v[0]["quantity"] != float64(4) || v[0]["stockLastModifiedDate"] != float64(clock.Now().UnixMilli()) {
		t.Fatalf("after a stock update: %s", a.raw)
	}

	// Walk by page and collect every content item once: 26 of them (one with two variants).
	seen := map[float64]bool{}
	for page := 0; ; page++ {
		a = c.do("GET", approvedPath+"?size=10&page="+strconv.Itoa(page), nil).want(t, 200)
		list := a.list("content")
		for _, p := range list {
			if seen[p["contentId"].(float64)] {
				t.Fatalf("content %v twice", p["contentId"])
			}
			seen[p["contentId"].(float64)] = true
		}
		if page+1 >= int(a.body["totalPages"].(float64)) {
			break
		}
	}
	if len(seen) != 26 || a.body["totalElements"] != float64(26) || a.body["totalPages"] != float64(3) {
		t.Fatalf("walked %d, body %s", len(seen), a.raw)
	}
	// The token continues where a page ended; past the end the page is empty.
	tok := c.do("GET", approvedPath+"?size=10", nil).body["nextPageToken"].(string)
	a = c.do("GET", approvedPath+"?size=10&nextPageToken="+tok, nil).want(t, 200)
	if a.body["page"] != float64(1) || len(a.list("content")) != 10 {
		t.Fatalf("token page: %s", a.raw)
	}
	last := c.do("GET", approvedPath+"?size=10&page=2", nil).body["nextPageToken"].(string)
	if a = c.do("GET", approvedPath+"?size=10&nextPageToken="+last, nil).want(t, 200); len(a.list("content")) != 0 {
		t.Fatalf("past the end: %s", a.raw)
	}
	c.do("GET", approvedPath+"?size=10&stockCode=SKU-1&nextPageToken="+tok, nil).want(t, 400)

	_, _, clamp := newSim(t, Options{ClampOversize: true})
	if a := clamp.do("GET", approvedPath+"?size=500", nil).want(t, 200); a.body["size"] != float64(100) {
		t.Fatalf("clamped size %v", a.body["size"])
	}
}

func variantsOf(content map[string]any) []map[string]any {
	raw, _ := content["variants"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

// TestErrorShapePerEndpoint: each endpoint answers errors in the one shape Trendyol
// documents for it (product.json ErrorResponse, marketplace.json Error), never both.
func TestErrorShapePerEndpoint(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 1)
	product := []answer{
		c.do("GET", approvedPath+"?size=101", nil).want(t, 400),
		c.do("POST", invPath, priceBody()).want(t, 400),
		c.do("GET", batchPath+"nope", nil).want(t, 404),
	}
	for _, a := range product {
		if productErr(t, a) == "" || a.body["error"] != nil || a.body["message"] != nil {
			t.Fatalf("product endpoint error in another shape: %s", a.raw)
		}
	}
	order := []answer{
		c.do("GET", ordPath+"/orders/stream?size=500", nil).want(t, 400),
		c.do("GET", ordPath+"/v2/orders?page=60&size=200", nil).want(t, 400),
		c.do("PUT", ordPath+"/shipment-packages/1", `{"status":"Picking","lines":[]}`).want(t, 404),
	}
	for _, a := range order {
		if a.body["error"] == nil || a.body["message"] == nil || a.body["errors"] != nil || len(a.body) != 2 {
			t.Fatalf("order endpoint error in another shape: %s", a.raw)
		}
	}
	// The gateway's own refusals take the endpoint's shape too.
	bad := *c
	bad.pass = "wrong"
	if a := bad.do("GET", approvedPath, nil).want(t, 401); productErr(t, a) == "" || a.body["exception"] != "ClientApiAuthenticationException" {
		t.Fatalf("401 of a product endpoint: %s", a.raw)
	}
	if a := bad.do("GET", ordPath+"/orders/stream", nil).want(t, 401); a.body["message"] == nil || a.body["errors"] != nil {
		t.Fatalf("401 of an order endpoint: %s", a.raw)
	}
	s.SetFaults(simkit.Faults{ErrorRate: 1})
	if a := c.do("GET", ordPath+"/orders/stream", nil).want(t, 503); a.body["message"] == nil || a.body["errors"] != nil {
		t.Fatalf("injected 503 of an order endpoint: %s", a.raw)
	}
	if a := c.do("GET", approvedPath, nil).want(t, 503); productErr(t, a) == "" {
		t.Fatalf("injected 503 of a product endpoint: %s", a.raw)
	}
}

// TestZeroPriceAccepted: Trendyol answers SUCCESS to quantity 0 and salePrice 0
// (production captures); refusing prices of zero is the agent's own rule, not Trendyol's.
func TestZeroPriceAccepted(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 1)
	id := c.do("POST", invPath, priceBody(item{"barcode": bc(0), "quantity": 0, "salePrice": 0, "listPrice": 0})).want(t, 200).body["batchRequestId"].(string)
	clock.Advance(time.Second)
	if it := c.do("GET", batchPath+id, nil).want(t, 200).list("items")[0]; it["status"] != "SUCCESS" {
		t.Fatalf("zero price: %v", it)
	}
	if p, _ := s.Product(bc(0)); p.SalePrice != 0 || p.Quantity != 0 {
		t.Fatalf("product %+v", p)
	}
	id = c.do("POST", invPath, priceBody(item{"barcode": bc(0), "salePrice": -1})).want(t, 200).body["batchRequestId"].(string)
	clock.Advance(time.Second)
	if it := c.do("GET", batchPath+id, nil).want(t, 200).list("items")[0]; it["status"] != "FAILED" {
		t.Fatalf("negative price: %v", it)
	}
}

func TestDroppedAnswerThenBlindRetry(t *testing.T) {
	// The trap of traps.md §7: the request took effect, the answer was lost, and an
	// identical resend is refused for 15 minutes.
	s, clock, c := newSim(t, Options{ResultDelay: time.Second})
	seed(t, s, 1)
	s.SetFaults(simkit.Faults{DropNext: 1, Only: []string{"price-and-inventory"}})
	body := `{"items":[{"barcode":"` + bc(0) + `","quantity":4}]}`
	req, _ := http.NewRequest("POST", c.base+invPath, strings.NewReader(body))
	req.Header.Set("User-Agent", c.ua)
	req.SetBasicAuth("key", "secret")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("dropped request got an answer")
	}
	c.do("POST", invPath, body).want(t, 400)
	clock.Advance(time.Second)
	if p, _ := s.Product(bc(0)); p.Quantity != 4 {
		t.Fatalf("the dropped request was not applied: %+v", p)
	}
	st := s.Stats().Endpoints["price-and-inventory"]
	if st.Dropped != 1 || st.Duplicates != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestInjectedFaults(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 3)
	s.SetFaults(simkit.Faults{Storm429: time.Minute})
	a := c.do("GET", approvedPath, nil).want(t, 429)
	if a.header.Get("Retry-After") != "60" {
		t.Fatalf("storm Retry-After %q", a.header.Get("Retry-After"))
	}
	clock.Advance(time.Minute)
	s.SetFaults(simkit.Faults{Seed: 3, ErrorRate: 1, Only: []string{"approved-inventory"}})
	c.do("GET", approvedPath, nil).want(t, 503)
	s.SetFaults(simkit.Faults{RejectKeys: map[string]string{bc(1): "Ürün kilitli."}})
	id := c.do("POST", invPath, priceBody(item{"barcode": bc(0), "quantity": 1}, item{"barcode": bc(1), "quantity": 1})).
		want(t, 200).body["batchRequestId"].(string)
	s.CompleteBatches()
	items := c.do("GET", batchPath+id, nil).want(t, 200).list("items")
	if items[0]["status"] != "SUCCESS" || items[1]["status"] != "FAILED" || items[1]["failureReasons"].([]any)[0] != "Ürün kilitli." {
		t.Fatalf("partial reject: %v", items)
	}
}
