package giyimmoda_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/giyimmoda"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/simkit"
)

func qty(n int64) *int64            { return &n }
func tl(k money.Kurus) *money.Kurus { return &k }

func simClient(t *testing.T) (*giyimmodasim.Server, *simkit.FakeClock, *giyimmoda.Client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Time{})
	s := giyimmodasim.New(giyimmodasim.Options{APIKey: apiKey, APISecret: apiSecret, Clock: clock})
	t.Cleanup(s.Close)
	st := storeAt(s.URL)
	c, err := giyimmoda.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, c
}

func add(t *testing.T, s *giyimmodasim.Server, p giyimmodasim.Product) giyimmodasim.Product {
	t.Helper()
	np, err := s.AddProduct(p)
	if err != nil {
		t.Fatal(err)
	}
	return np
}

func check(st *connectors.Store) error { return errors.Join(connectors.Check(st)...) }

func TestRegistration(t *testing.T) {
	st := storeAt("http://x")
	st.Credentials = connectors.Credentials{}
	err := check(&st)
	if err == nil || !strings.Contains(err.Error(), "credentials.api_key: is required") || !strings.Contains(err.Error(), "credentials.api_secret: is required") {
		t.Fatalf("got %v", err)
	}
}

func TestMatchingSKUBarcodeAmbiguityVariants(t *testing.T) {
	s, _, c := simClient(t)
	bySKU := add(t, s, giyimmodasim.Product{SKU: "A", Barcode: "111", Stock: 1, UnitPrice: 10000})
	byBarcode := add(t, s, giyimmodasim.Product{Barcode: "222", Stock: 1, UnitPrice: 10000}) // no SKU on Giyim Moda
	d1 := add(t, s, giyimmodasim.Product{SKU: "DUP", Stock: 1, UnitPrice: 10000})
	d2 := add(t, s, giyimmodasim.Product{SKU: "DUP", Stock: 1, UnitPrice: 10000})
	v := add(t, s, giyimmodasim.Product{SKU: "V", Stock: 1, UnitPrice: 10000,
		Variants: []giyimmodasim.Variant{{Name: "M", Qty: 2}, {Name: "L", Qty: 3}}})
	items := []connectors.Item{
		{SKU: "A", Barcode: "111", Qty: qty(5)},
		{SKU: "B", Barcode: "222", Qty: qty(6), Price: tl(15000)},
		{SKU: "DUP", Qty: qty(7)},
		{SKU: "V", Qty: qty(8)},
		{SKU: "V-price", Barcode: "", Price: tl(20000)}, // no match: rejected
	}
	out, err := c.Push(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]connectors.Status{"A": connectors.Confirmed, "B": connectors.Confirmed, "DUP": connectors.Rejected,
		"V": connectors.Rejected, "V-price": connectors.Rejected}
	for sku, st := range want {
		if out[sku].Status != st {
			t.Fatalf("%s: %+v, want %v", sku, out[sku], st)
		}
	}
	if !strings.Contains(out["DUP"].Reason, "2 products") || !strings.Contains(out["V"].Reason, "variants") ||
		out["V-price"].Reason != giyimmoda.ReasonNoProduct {
		t.Fatalf("reasons: %q / %q / %q", out["DUP"].Reason, out["V"].Reason, out["V-price"].Reason)
	}
	if p, _ := s.Product(bySKU.ID); p.Stock != 5 {
		t.Fatalf("A stock %d", p.Stock)
	}
	if p, _ := s.Product(byBarcode.ID); p.Stock != 6 || p.UnitPrice != 15000 {
		t.Fatalf("B (matched by barcode) %+v", p)
	}
	for _, id := range []int64{d1.ID, d2.ID, v.ID} {
		if p, _ := s.Product(id); p.Stock != 1 || p.Updates != 0 {
			t.Fatalf("product %d was written: %+v", id, p)
		}
	}
	// A price alone is fine for a product with variants: it goes to every row.
	out, err = c.Push(context.Background(), []connectors.Item{{SKU: "V", Price: tl(17500)}})
	if err != nil || out["V"].Status != connectors.Confirmed {
		t.Fatalf("price of a variant product: %+v %v", out["V"], err)
	}
	if p, _ := s.Product(v.ID); p.UnitPrice != 17500 || p.Variants[1].Price != 17500 {
		t.Fatalf("variant prices %+v", p)
	}
}

func TestMapRefreshOnMissAndAfterTTL(t *testing.T) {
	s, clock, c := simClient(t)
	add(t, s, giyimmodasim.Product{SKU: "A", Stock: 1, UnitPrice: 10000})
	push := func(sku string, n int64) connectors.Outcome {
		t.Helper()
		out, err := c.Push(context.Background(), []connectors.Item{{SKU: sku, Qty: qty(n)}})
		if err != nil {
			t.Fatal(err)
		}
		return out[sku]
	}
	lists := func() int { return s.Stats().Endpoints["products"].Requests }
	if o := push("NEW", 1); o.Status != connectors.Rejected {
		t.Fatalf("unknown SKU: %+v", o)
	}
	first := lists()
	add(t, s, giyimmodasim.Product{SKU: "NEW", Stock: 0, UnitPrice: 10000})
	// Within a minute of the last read, a miss does not read the list again.
	clock.Advance(30 * time.Second)
	if o := push("NEW", 2); o.Status != connectors.Rejected || lists() != first {
		t.Fatalf("%+v after %d list reads (had %d)", o, lists(), first)
	}
	clock.Advance(31 * time.Second)
	if o := push("NEW", 3); o.Status != connectors.Confirmed || lists() != first+1 {
		t.Fatalf("%+v after %d list reads (had %d)", o, lists(), first)
	}
	// Known SKUs use the map until it is 30 minutes old.
	clock.Advance(29 * time.Minute)
	push("A", 4)
	if lists() != first+1 {
		t.Fatal("the map was read again before its TTL")
	}
	clock.Advance(2 * time.Minute)
	push("A", 5)
	if lists() != first+2 {
		t.Fatal("the map was not read again after its TTL")
	}
}

// scripted is a Giyim Moda whose bulk-update answer is given, with a fixed catalogue
// (ids 1, 2, 3 for SKUs A, B, C).
func scripted(t *testing.T, status int, reply string) (*giyimmoda.Client, func() []string, func() int) {
	t.Helper()
	var mu sync.Mutex
	var bodies []string
	lists := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/api/seller/products" {
			lists++
			_, _ = io.WriteString(w, `{"success":true,"data":[
				{"id":1,"sku":"A","barcode":null,"unit_price":"100.00","current_stock":1,"stocks":[{"id":9,"qty":1}]},
				{"id":"2","sku":"B","barcode":"222","unit_price":"100.00","current_stock":"1","stocks":[{"id":10,"qty":1}]},
				{"id":3,"sku":"C","barcode":null,"unit_price":"100.00","current_stock":1,"stocks":[]}],
				"pagination":{"current_page":1,"last_page":1,"per_page":100,"total":3}}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	st := storeAt(srv.URL)
	c, err := giyimmoda.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), bodies...) },
		func() int { mu.Lock(); defer mu.Unlock(); return lists }
}

var abc = []connectors.Item{{SKU: "A", Qty: qty(5)}, {SKU: "B", Price: tl(19999)}, {SKU: "C", Qty: qty(0), Price: tl(25000)}}

func TestWireFormat(t *testing.T) {
	c, bodies, _ := scripted(t, 200, `{"success":true,"message":"Bulk update completed. Updated: 3, Failed: 0","data":{"updated_count":3,"failed_count":0,"errors":[]}}`)
	out, err := c.Push(context.Background(), abc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"products":[{"id":1,"current_stock":5},{"id":2,"unit_price":199.99},{"id":3,"unit_price":250.00,"current_stock":0}]}`
	if b := bodies(); len(b) != 1 || b[0] != want {
		t.Fatalf("sent %q\nwant %q", b, want)
	}
	for _, it := range abc {
		if out[it.SKU].Status != connectors.Confirmed {
			t.Fatalf("%s: %+v", it.SKU, out[it.SKU])
		}
	}
}

func TestPartialReplies(t *testing.T) {
	R, C, X := connectors.Rejected, connectors.Confirmed, connectors.Retry
	cases := []struct {
		name   string
		status int
		reply  string
		want   []connectors.Status // A, B, C
		reason string              // in B's reason
	}{
		{"named by id", 200, `{"success":true,"data":{"updated_count":2,"failed_count":1,"errors":[{"id":2,"message":"Fiyat çok düşük."}]}}`, []connectors.Status{C, R, C}, "Fiyat çok düşük."},
		{"named by index only", 200, `{"success":true,"data":{"updated_count":2,"failed_count":"1","errors":[{"index":1,"message":"Validation failed.","errors":{"products.1.unit_price":["The products.1.unit_price must be a number."]}}]}}`, []connectors.Status{C, R, C}, "must be a number"},
		{"more failures than names", 200, `{"success":true,"data":{"updated_count":1,"failed_count":2,"errors":[{"id":2,"message":"x"},"oops"]}}`, []connectors.Status{X, R, X}, "x"},
		{"stale id", 200, `{"success":true,"data":{"updated_count":2,"failed_count":1,"errors":[{"index":1,"id":2,"message":"Product not found or does not belong to you."}]}}`, []connectors.Status{C, X, C}, "no longer has product 2"},
		{"whole update refused with field errors", 422, `{"success":false,"message":"The given data was invalid.","errors":{"products.1.unit_price":["The products.1.unit_price must be at least 0."]}}`, []connectors.Status{X, R, X}, "must be at least 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, _, lists := scripted(t, c.status, c.reply)
			out, err := cl.Push(context.Background(), abc)
			if err != nil {
				t.Fatal(err)
			}
			for i, it := range abc {
				if out[it.SKU].Status != c.want[i] {
					t.Fatalf("%s: %+v, want %v", it.SKU, out[it.SKU], c.want[i])
				}
			}
			if !strings.Contains(out["B"].Reason, c.reason) {
				t.Fatalf("B's reason %q does not say %q", out["B"].Reason, c.reason)
			}
			if c.name == "stale id" {
				before := lists()
				if _, err := cl.Push(context.Background(), abc[:1]); err != nil {
					t.Fatal(err)
				}
				if lists() != before+1 {
					t.Fatal("a stale id did not make the next push read the product list again")
				}
			}
		})
	}
}

func TestSuccessFalseIsAFailure(t *testing.T) {
	c, _, _ := scripted(t, 200, `{"success":false,"message":"Mağazanız askıya alınmış."}`)
	_, err := c.Push(context.Background(), abc)
	if connectors.KindOf(err) != connectors.Permanent || !strings.Contains(err.Error(), "askıya") {
		t.Fatalf("got %v", err)
	}
}

func TestTestModeNeedsABaseURL(t *testing.T) {
	st := storeAt("")
	st.TestMode = true
	if err := check(&st); err == nil || !strings.Contains(err.Error(), "test_mode is on, but Giyim Moda has no test environment") {
		t.Fatalf("got %v", err)
	}
	st.BaseURL = "http://127.0.0.1:9"
	if err := check(&st); err != nil {
		t.Fatal(err)
	}
}
