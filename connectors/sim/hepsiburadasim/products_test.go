package hepsiburadasim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/money"
)

// TestAuthPerHost: wrong credentials, a wrong User-Agent (the Trendyol form, a version
// suffix) and another merchant's path are 401 in each host's own shape; /merchantId/ on
// the listing host is 400; every answer has an x-correlation-id.
func TestAuthPerHost(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 1, 5, 1000)
	cases := []struct {
		name     string
		mutate   func(*client)
		path     string
		status   int
		ctype    string
		bodyWant string
	}{
		{"listing, good", func(*client) {}, lst + "?offset=0&limit=1", 200, "application/json", `"listings"`},
		{"listing, wrong key", func(c *client) { c.pass = "nope" }, lst + "?offset=0&limit=1", 401, "text/plain", ListingCredentialsText},
		{"listing, Trendyol-style UA", func(c *client) { c.ua = merchant + " - " + integ }, lst + "?offset=0&limit=1", 401, "text/plain", ListingCredentialsText},
		{"listing, UA with version", func(c *client) { c.ua = integ + "/1.0" }, lst + "?offset=0&limit=1", 401, "text/plain", ListingCredentialsText},
		{"listing, no auth", func(c *client) { c.user = "" }, lst + "?offset=0&limit=1", 401, "text/plain", ListingCredentialsText},
		{"listing, other merchant's path", func(*client) {}, "/listings/merchantid/00000000-0000-0000-0000-000000000000?offset=0&limit=1", 401, "text/plain", ListingCredentialsText},
		{"listing, camel-case path", func(*client) {}, "/listings/merchantId/" + merchant + "?offset=0&limit=1", 400, "application/json", `"errors"`},
		{"oms, good", func(*client) {}, ord + "?offset=0&limit=1", 200, "application/json", `"items"`},
		{"oms, wrong key", func(c *client) { c.pass = "nope" }, ord + "?offset=0&limit=1", 401, "application/json", ""},
		{"oms, wrong UA", func(c *client) { c.ua = "SelfIntegration" }, ord + "?offset=0&limit=1", 401, "application/json", ""},
		{"unknown path", func(*client) {}, "/nowhere", 404, "application/json", `"no such endpoint`},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cc := *c
			tc.mutate(&cc)
			a := cc.do("GET", tc.path, nil).want(t, tc.status)
			if !strings.HasPrefix(a.header.Get("Content-Type"), tc.ctype) {
				t.Fatalf("content type %q, want %s", a.header.Get("Content-Type"), tc.ctype)
			}
			if tc.bodyWant == "" && len(a.raw) != 0 {
				t.Fatalf("body %q, want empty", a.raw)
			}
			if !strings.Contains(string(a.raw), tc.bodyWant) {
				t.Fatalf("body %q does not hold %q", a.raw, tc.bodyWant)
			}
			id := a.header.Get("X-Correlation-Id")
			if id == "" || seen[id] {
				t.Fatalf("x-correlation-id %q (seen: %v)", id, seen[id])
			}
			seen[id] = true
		})
	}
}

func TestListingsPagingAndFilters(t *testing.T) {
	s, _, c := newSim(t, Options{MaxListingLimit: 3})
	seed(t, s, 7, 5, 1000)
	if _, err := s.AddListing(Listing{MerchantSku: "ZERO", Stock: 0, Price: 100}); err != nil {
		t.Fatal(err)
	}
	c.do("GET", lst+"?offset=0", nil).want(t, 400)
	c.do("GET", lst+"?limit=2", nil).want(t, 400)
	c.do("GET", lst+"?offset=0&limit=4", nil).want(t, 400)
	var got []string
	for off := 0; ; off += 3 {
		a := c.do("GET", fmt.Sprintf("%s?offset=%d&limit=3", lst, off), nil).want(t, 200)
		if a.body["totalCount"].(float64) != 8 {
			t.Fatalf("totalCount %v", a.body["totalCount"])
		}
		page := a.items("listings")
		for _, l := range page {
			got = append(got, l["merchantSku"].(string))
		}
		if len(page) < 3 {
			break
		}
	}
	if len(got) != 8 || got[0] != sku(0) || got[7] != "ZERO" {
		t.Fatalf("pages gave %v", got)
	}
	a := c.do("GET", lst+"?offset=0&limit=3&merchantSkuList="+sku(2)+","+"ZERO", nil).want(t, 200)
	ls := a.items("listings")
	if len(ls) != 2 || ls[0]["merchantSku"] != sku(2) || ls[1]["isSalable"] != false || ls[0]["isSalable"] != true {
		t.Fatalf("filtered: %v", ls)
	}
	a = c.do("GET", lst+"?offset=0&limit=3&notsalable-listings=true", nil).want(t, 200)
	if ls := a.items("listings"); len(ls) != 1 || ls[0]["merchantSku"] != "ZERO" {
		t.Fatalf("not salable: %v", ls)
	}
}

// TestUploadLifecycle: an upload is a bare array answered {id}; it stays Processing until
// its delay, values apply only then, and row errors (unknown SKU, negative stock, a
// listing Hepsiburada fulfils) come in a 200 Done with 1-based elementNo.
func TestUploadLifecycle(t *testing.T) {
	s, clock, c := newSim(t, Options{ProcessingDelay: 5 * time.Second})
	ls := seed(t, s, 3, 5, 1000)
	if _, err := s.AddListing(Listing{MerchantSku: "FBH-1", Stock: 40, Price: 500, FulfilledByHB: true}); err != nil {
		t.Fatal(err)
	}
	c.do("POST", lst+"/inventory-uploads", row{"merchantSku": sku(0), "availableStock": 1}).want(t, 400) // not an array
	c.do("POST", lst+"/stock-uploads", []row{{"merchantSku": sku(0), "price": 10}}).want(t, 400)         // no price in a stock upload
	c.do("POST", lst+"/inventory-uploads", []row{{"merchantSku": sku(0), "availableStock": "3"}}).want(t, 400)
	a := c.do("POST", lst+"/inventory-uploads", []row{
		{"hepsiburadaSku": ls[0].HBSku, "merchantSku": sku(0), "availableStock": 9, "price": 12.5},
		{"merchantSku": "NOPE", "availableStock": 1},
		{"merchantSku": sku(1), "availableStock": -2},
		{"merchantSku": "FBH-1", "availableStock": 3},
		{"merchantSku": "FBH-1", "price": 450.99},
	}).want(t, 200)
	id, _ := a.body["id"].(string)
	if id == "" || len(a.body) != 1 {
		t.Fatalf("upload answer %s", a.raw)
	}
	r := c.do("GET", lst+"/inventory-uploads/id/"+id, nil).want(t, 200)
	if r.body["status"] != StatusProcessing || len(r.items("errors")) != 0 {
		t.Fatalf("early result %s", r.raw)
	}
	if l, _ := s.Listing(sku(0)); l.Stock != 5 {
		t.Fatalf("applied before Done: %+v", l)
	}
	c.do("GET", lst+"/stock-uploads/id/"+id, nil).want(t, 404) // another kind's path
	clock.Advance(5 * time.Second)
	r = c.do("GET", lst+"/inventory-uploads/id/"+id, nil).want(t, 200)
	if r.body["status"] != StatusDone || r.body["total"].(float64) != 5 {
		t.Fatalf("result %s", r.raw)
	}
	errs := map[float64]string{}
	for _, e := range r.items("errors") {
		errs[e["elementNo"].(float64)] = fmt.Sprint(e["errors"])
	}
	if len(errs) != 3 || !strings.Contains(errs[2], ReasonNotFound) || !strings.Contains(errs[3], ReasonNegativeStock) || !strings.Contains(errs[4], ReasonFulfilledByHB) {
		t.Fatalf("row errors %v", errs)
	}
	if l, _ := s.Listing(sku(0)); l.Stock != 9 || l.Price != 1250 {
		t.Fatalf("row 1 not applied: %+v", l)
	}
	if l, _ := s.Listing(sku(1)); l.Stock != 5 {
		t.Fatalf("a refused row was applied: %+v", l)
	}
	if l, _ := s.Listing("FBH-1"); l.Stock != 40 || l.Price != 45099 {
		t.Fatalf("fulfilled-by-HB listing: %+v", l)
	}
	clock.Advance(24 * time.Hour)
	c.do("GET", lst+"/inventory-uploads/id/"+id, nil).want(t, 404)
}

// TestPriceBandLocksAndUnlock: a price outside the band is applied, the listing locked
// with its reason and the row reported in priceValidations; bulk-unlock lifts it.
func TestPriceBandLocksAndUnlock(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	ls := seed(t, s, 2, 5, 10000)
	if err := s.SetBand(sku(0), 5000, 20000, "Telefon Kılıfı"); err != nil {
		t.Fatal(err)
	}
	a := c.do("POST", lst+"/price-uploads", []row{{"merchantSku": sku(0), "price": 12.00}, {"merchantSku": sku(1), "price": 99}}).want(t, 200)
	clock.Advance(2 * time.Second)
	r := c.do("GET", lst+"/price-uploads/id/"+a.body["id"].(string), nil).want(t, 200)
	pv := r.items("priceValidations")
	if r.body["status"] != StatusDone || len(r.items("errors")) != 0 || len(pv) != 1 {
		t.Fatalf("result %s", r.raw)
	}
	if pv[0]["elementNo"].(float64) != 1 || pv[0]["type"] != "MinLock" || pv[0]["minPrice"].(float64) != 50 ||
		pv[0]["regulativePriceDetail"].(map[string]any)["categoryName"] != "Telefon Kılıfı" {
		t.Fatalf("price validation %v", pv[0])
	}
	l, _ := s.Listing(sku(0))
	if !l.Locked || l.LockReasons[0] != LockBelowBand || l.Price != 1200 || l.Salable() {
		t.Fatalf("locked listing %+v", l)
	}
	lr := c.do("GET", lst+"?offset=0&limit=1&merchantSkuList="+sku(0), nil).want(t, 200).items("listings")[0]
	if lr["isLocked"] != true || fmt.Sprint(lr["lockReasons"]) != "["+LockBelowBand+"]" || lr["isSalable"] != false {
		t.Fatalf("listing view %v", lr)
	}
	c.do("POST", lst+"/bulk-unlock", map[string]any{"hbSkuList": []string{}}).want(t, 400)
	c.do("POST", lst+"/bulk-unlock", map[string]any{"hbSkuList": []string{ls[0].HBSku}}).want(t, 200)
	if l, _ := s.Listing(sku(0)); l.Locked || len(l.LockReasons) != 0 {
		t.Fatalf("after unlock %+v", l)
	}
	// A stock upload's result has no priceValidations (it carries no prices).
	a = c.do("POST", lst+"/stock-uploads", []row{{"merchantSku": sku(1), "availableStock": 1}}).want(t, 200)
	clock.Advance(2 * time.Second)
	if r := c.do("GET", lst+"/stock-uploads/id/"+a.body["id"].(string), nil).want(t, 200); r.body["priceValidations"] != nil {
		t.Fatalf("stock upload result %s", r.raw)
	}
}

// TestPendingUploadLimit: the 6th upload while 5 are pending is a 200 with the message
// and no id; once one finishes, the next is accepted.
func TestPendingUploadLimit(t *testing.T) {
	s, clock, c := newSim(t, Options{ProcessingDelay: 10 * time.Second})
	seed(t, s, 1, 5, 1000)
	for i := 0; i < 5; i++ {
		c.do("POST", lst+"/stock-uploads", []row{{"merchantSku": sku(0), "availableStock": i}}).want(t, 200)
		clock.Advance(time.Second)
	}
	a := c.do("POST", lst+"/stock-uploads", []row{{"merchantSku": sku(0), "availableStock": 6}}).want(t, 200)
	if a.body["id"] != nil || a.body["message"] != TooManyUploadsText {
		t.Fatalf("6th upload: %s", a.raw)
	}
	clock.Advance(6 * time.Second) // the first is done
	if a := c.do("POST", lst+"/stock-uploads", []row{{"merchantSku": sku(0), "availableStock": 7}}).want(t, 200); a.body["id"] == nil {
		t.Fatalf("after one finished: %s", a.raw)
	}
	peak, refused := s.PeakPendingUploads()
	if peak != 5 || refused != 1 {
		t.Fatalf("peak %d refused %d", peak, refused)
	}
	clock.Advance(time.Minute)
	if l, _ := s.Listing(sku(0)); l.Stock != 7 {
		t.Fatalf("uploads apply in arrival order; stock %d, want the last, 7", l.Stock)
	}
}

func TestUploadRowLimitAndFailedUpload(t *testing.T) {
	s, clock, c := newSim(t, Options{MaxRows: 3, TooManyRows: http.StatusRequestEntityTooLarge, ProcessingPolls: 2})
	seed(t, s, 4, 5, 1000)
	rows := []row{{"merchantSku": sku(0), "availableStock": 1}, {"merchantSku": sku(1), "availableStock": 1},
		{"merchantSku": sku(2), "availableStock": 1}, {"merchantSku": sku(3), "availableStock": 1}}
	c.do("POST", lst+"/stock-uploads", rows).want(t, http.StatusRequestEntityTooLarge)
	s.FailNextUploads(1)
	a := c.do("POST", lst+"/stock-uploads", rows[:3]).want(t, 200)
	id := a.body["id"].(string)
	clock.Advance(time.Hour) // time does not finish it: polls do
	if r := c.do("GET", lst+"/stock-uploads/id/"+id, nil).want(t, 200); r.body["status"] != StatusProcessing {
		t.Fatalf("first poll %s", r.raw)
	}
	if r := c.do("GET", lst+"/stock-uploads/id/"+id, nil).want(t, 200); r.body["status"] != StatusFailed {
		t.Fatalf("second poll %s", r.raw)
	}
	if l, _ := s.Listing(sku(0)); l.Stock != 5 {
		t.Fatalf("a failed upload applied: %+v", l)
	}
}

func TestRateLimits(t *testing.T) {
	t.Run("per minute with Retry-After", func(t *testing.T) {
		s, clock, c := newSim(t, Options{PerMinute: 3})
		seed(t, s, 1, 5, 1000)
		for i := 0; i < 3; i++ {
			c.do("GET", ord+"?offset=0&limit=1", nil).want(t, 200)
			clock.Advance(10 * time.Second)
		}
		a := c.do("GET", lst+"?offset=0&limit=1", nil).want(t, 429) // every host counts
		if a.header.Get("Retry-After") != "30" || a.header.Get("X-Correlation-Id") == "" {
			t.Fatalf("429 headers %v", a.header)
		}
		clock.Advance(30 * time.Second)
		c.do("GET", lst+"?offset=0&limit=1", nil).want(t, 200)
	})
	t.Run("per minute without Retry-After", func(t *testing.T) {
		_, _, c := newSim(t, Options{PerMinute: 1, NoRetryAfter: true})
		c.do("GET", ord+"?offset=0&limit=1", nil).want(t, 200)
		if a := c.do("GET", ord+"?offset=0&limit=1", nil).want(t, 429); a.header.Get("Retry-After") != "" || string(a.raw) != `"TooManyRequests"` {
			t.Fatalf("429 %v %s", a.header, a.raw)
		}
	})
	t.Run("per second with X-RateLimit headers on the order host", func(t *testing.T) {
		_, clock, c := newSim(t, Options{PerMinute: -1, OMSPerSecond: 2})
		a := c.do("GET", ord+"?offset=0&limit=1", nil).want(t, 200)
		if a.header.Get("X-RateLimit-Limit") != "2" || a.header.Get("X-RateLimit-Remaining") != "1" || a.header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("headers %v", a.header)
		}
		c.do("GET", ord+"?offset=0&limit=1", nil).want(t, 200)
		if a := c.do("GET", ord+"?offset=0&limit=1", nil).want(t, 429); a.header.Get("X-RateLimit-Remaining") != "0" {
			t.Fatalf("429 headers %v", a.header)
		}
		c.do("GET", lst+"?offset=0&limit=1", nil).want(t, 200) // the listing host has no such limit
		clock.Advance(time.Second)
		c.do("GET", ord+"?offset=0&limit=1", nil).want(t, 200)
	})
	t.Run("catalog over 100 a second is 403", func(t *testing.T) {
		_, _, c := newSim(t, Options{PerMinute: -1, CatalogPerSecond: 1})
		c.do("GET", "/ticket-api/api/integrator/status/x?version=1", nil).want(t, 200)
		c.do("GET", "/ticket-api/api/integrator/status/x?version=1", nil).want(t, 403)
	})
}

func TestHooksRefuseBadSeeds(t *testing.T) {
	s, _, _ := newSim(t, Options{})
	if _, err := s.AddListing(Listing{}); err == nil {
		t.Fatal("a listing without merchant SKU was added")
	}
	l := seed(t, s, 1, 1, money.Kurus(100))[0]
	if _, err := s.AddListing(Listing{MerchantSku: sku(0)}); err == nil {
		t.Fatal("a merchant SKU was added twice")
	}
	if !strings.HasPrefix(l.HBSku, "HBV") {
		t.Fatalf("generated hbSku %q", l.HBSku)
	}
	if _, err := s.AddOrder(Order{Lines: []OrderLine{{MerchantSku: sku(0), Quantity: 2}}}); err == nil {
		t.Fatal("an order above the stock was placed")
	}
}
