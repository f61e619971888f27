package trendyol_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/connectors/trendyol"
)

// fixture is a simulator and a connector on one fake clock.
type fixture struct {
	sim   *trendyolsim.Server
	clock *simkit.FakeClock
	conn  *trendyol.Client
}

func newFixture(t *testing.T, opt trendyolsim.Options, mod func(*connectors.Store)) *fixture {
	t.Helper()
	clock := simkit.NewFakeClock(time.Time{})
	opt.SellerID, opt.APIKey, opt.APISecret, opt.Clock = seller, apiKey, apiSecret, clock
	s := trendyolsim.New(opt)
	t.Cleanup(s.Close)
	st := storeAt(s.URL)
	if mod != nil {
		mod(&st)
	}
	c, err := trendyol.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{sim: s, clock: clock, conn: c}
}

func (f *fixture) seed(t *testing.T, barcodes ...string) {
	t.Helper()
	for _, b := range barcodes {
		if err := f.sim.AddProduct(trendyolsim.Product{Barcode: b, StockCode: "SKU-" + b, Quantity: 10, SalePrice: 10000, ListPrice: 12000}); err != nil {
			t.Fatal(err)
		}
	}
}

func qty(n int64) *int64            { return &n }
func tl(k money.Kurus) *money.Kurus { return &k }
func conf(it connectors.Item) connectors.Item {
	it.ConfQty, it.ConfPrice, it.ConfListPrice = qty(10), tl(10000), tl(12000)
	return it
}

func TestNoThrottleUnderTheDocumentedLimit(t *testing.T) {
	f := newFixture(t, trendyolsim.Options{}, nil)
	start := f.clock.Now()
	for i := 0; i < 160; i++ {
		if err := f.conn.Test(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	st := f.sim.Stats().Endpoints["approved-inventory"]
	if st.RateLimited != 0 || st.MaxInWindow > 50 {
		t.Fatalf("%d answers of 429, %d requests in one 10s window", st.RateLimited, st.MaxInWindow)
	}
	if took := f.clock.Now().Sub(start); took < 30*time.Second {
		t.Fatalf("160 calls took %v on the clock; 50 per 10s needs at least 30s", took)
	}
}

func TestThrottleWithoutRetryAfterWaitsOneWindow(t *testing.T) {
	// The store's limits claim more than Trendyol allows: the 51st call is refused, and
	// Trendyol sends no Retry-After.
	f := newFixture(t, trendyolsim.Options{}, func(s *connectors.Store) {
		s.Limits = connectors.Limits{Requests: 100, Per: 10 * time.Second}
	})
	var err error
	for i := 0; i < 51 && err == nil; i++ {
		err = f.conn.Test(context.Background())
	}
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.RetryAfter || ce.RetryAfter != 10*time.Second {
		t.Fatalf("got %v, want retry-after 10s", err)
	}
}

func TestWireFormat(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.Header.Get("User-Agent")+" "+string(b))
		mu.Unlock()
		_, _ = io.WriteString(w, `{"batchRequestId":"b-1"}`)
	}))
	defer srv.Close()
	st := storeAt(srv.URL)
	c, err := trendyol.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	items := []connectors.Item{
		conf(connectors.Item{SKU: "A", Barcode: "111", Qty: qty(5), Price: tl(10000), ListPrice: tl(12000)}),  // quantity only changed
		conf(connectors.Item{SKU: "B", Barcode: "222", Qty: qty(10), Price: tl(11285), ListPrice: tl(11385)}), // prices only
		conf(connectors.Item{SKU: "C", Barcode: "333", Qty: qty(10), Price: tl(10000), ListPrice: tl(12000)}), // nothing
		{SKU: "D", Barcode: "444", Qty: qty(0)}, // no confirmed value: sent
	}
	out, err := c.Push(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	want := `123456 - SelfIntegration {"items":[{"barcode":"111","quantity":5},{"barcode":"222","salePrice":112.85,"listPrice":113.85},{"barcode":"444","quantity":0}]}`
	if len(bodies) != 1 || bodies[0] != want {
		t.Fatalf("sent %q\nwant %q", bodies, want)
	}
	for sku, st := range map[string]connectors.Status{"A": connectors.Pending, "B": connectors.Pending, "C": connectors.Confirmed, "D": connectors.Pending} {
		if out[sku].Status != st {
			t.Fatalf("%s: %v, want %v", sku, out[sku].Status, st)
		}
	}
	if out["A"].Ref != "b-1" {
		t.Fatalf("Ref %q", out["A"].Ref)
	}
	// Nothing changed at all: no request.
	if _, err := c.Push(context.Background(), items[2:3]); err != nil || len(bodies) != 1 {
		t.Fatalf("an unchanged item was sent (%v)", err)
	}
}

func TestRefusedBeforeSending(t *testing.T) {
	f := newFixture(t, trendyolsim.Options{}, nil)
	f.seed(t, "111", "222", "333")
	items := []connectors.Item{
		{SKU: "nobarcode", Qty: qty(3)},
		conf(connectors.Item{SKU: "listbelow", Barcode: "111", Price: tl(13000), ListPrice: tl(12500)}),
		// Only the sale price moves, above the list price already confirmed.
		conf(connectors.Item{SKU: "salepast", Barcode: "222", Price: tl(12500)}),
		{SKU: "zero", Barcode: "333", Price: tl(0)},
	}
	out, err := f.conn.Push(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if o := out["nobarcode"]; o.Status != connectors.Rejected || o.Reason != trendyol.ReasonNoBarcode {
		t.Fatalf("no barcode: %+v", o)
	}
	for _, sku := range []string{"listbelow", "salepast", "zero"} {
		if out[sku].Status != connectors.Rejected {
			t.Fatalf("%s: %+v", sku, out[sku])
		}
	}
	if !strings.Contains(out["listbelow"].Reason, "list price 125.00 is below sale price 130.00") {
		t.Fatalf("reason %q", out["listbelow"].Reason)
	}
	if n := f.sim.Stats().Endpoints["price-and-inventory"].Requests; n != 0 {
		t.Fatalf("%d requests for items that break the rules", n)
	}
}

func TestDuplicateRefusalWhateverItsStatus(t *testing.T) {
	for _, status := range []int{400, 409, 429} {
		f := newFixture(t, trendyolsim.Options{DuplicateStatus: status}, nil)
		f.seed(t, "111")
		items := []connectors.Item{{SKU: "A", Barcode: "111", Qty: qty(4)}}
		if _, err := f.conn.Push(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		_, err := f.conn.Push(context.Background(), items)
		if !connectors.IsDuplicate(err) || connectors.KindOf(err) != connectors.Unknown {
			t.Fatalf("status %d: %v is not a recognisable duplicate refusal", status, err)
		}
		if !strings.Contains(err.Error(), "15 dakika") {
			t.Fatalf("the marketplace's words are lost: %v", err)
		}
	}
}

func TestPerBarcodePriceLimitIsRetry(t *testing.T) {
	f := newFixture(t, trendyolsim.Options{PriceChangesPerMinute: 1}, nil)
	f.seed(t, "111")
	var refs []string
	var items [][]connectors.Item
	for i, p := range []money.Kurus{10100, 10200} {
		it := []connectors.Item{{SKU: "A", Barcode: "111", Price: tl(p), ListPrice: tl(20000 + money.Kurus(i))}}
		out, err := f.conn.Push(context.Background(), it)
		if err != nil {
			t.Fatal(err)
		}
		refs, items = append(refs, out["A"].Ref), append(items, it)
	}
	f.clock.Advance(time.Second)
	want := []connectors.Status{connectors.Confirmed, connectors.Retry}
	for i, ref := range refs {
		out, err := f.conn.CheckResults(context.Background(), ref, items[i])
		if err != nil {
			t.Fatal(err)
		}
		if out["A"].Status != want[i] {
			t.Fatalf("batch %d: %+v, want %v", i, out["A"], want[i])
		}
	}
}

func TestSynchronousItemErrorsMapToBarcodes(t *testing.T) {
	// A Trendyol that validates item rules synchronously: the whole request gets 400,
	// naming the barcode at fault; the other items were not applied and are retried.
	f := newFixture(t, trendyolsim.Options{SyncValidation: true, MaxStock: 100}, nil)
	f.seed(t, "111", "222")
	items := []connectors.Item{{SKU: "A", Barcode: "111", Qty: qty(150)}, {SKU: "B", Barcode: "222", Qty: qty(5)}}
	out, err := f.conn.Push(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if out["A"].Status != connectors.Rejected || !strings.Contains(out["A"].Reason, "20000") && !strings.Contains(out["A"].Reason, "Stok") {
		t.Fatalf("A: %+v", out["A"])
	}
	if out["B"].Status != connectors.Retry {
		t.Fatalf("B: %+v", out["B"])
	}
}

func TestPendingStyles(t *testing.T) {
	for _, style := range []trendyolsim.PendingStyle{trendyolsim.PendingOmitStatus, trendyolsim.PendingInProgress, trendyolsim.PendingNoItems} {
		f := newFixture(t, trendyolsim.Options{Pending: style, ResultDelay: time.Minute}, nil)
		f.seed(t, "111")
		items := []connectors.Item{{SKU: "A", Barcode: "111", Qty: qty(7)}}
		out, err := f.conn.Push(context.Background(), items)
		if err != nil {
			t.Fatal(err)
		}
		ref := out["A"].Ref
		got, err := f.conn.CheckResults(context.Background(), ref, items)
		if err != nil || got["A"].Status != connectors.Pending || got["A"].Ref != ref {
			t.Fatalf("%s: early check %+v %v", style, got["A"], err)
		}
		f.clock.Advance(time.Minute)
		got, err = f.conn.CheckResults(context.Background(), ref, items)
		if err != nil || got["A"].Status != connectors.Confirmed {
			t.Fatalf("%s: final check %+v %v", style, got["A"], err)
		}
	}
}

func TestStageUnavailableSaysWhitelist(t *testing.T) {
	f := newFixture(t, trendyolsim.Options{}, func(s *connectors.Store) { s.TestMode = true })
	f.sim.SetFaults(simkit.Faults{ErrorRate: 1, ErrorStatus: 503})
	err := f.conn.Test(context.Background())
	if connectors.KindOf(err) != connectors.Transient || !strings.Contains(err.Error(), "whitelisted") {
		t.Fatalf("got %v", err)
	}
}

func TestReadBackWithoutBarcode(t *testing.T) {
	f := newFixture(t, trendyolsim.Options{}, nil)
	f.seed(t, "111")
	got, err := f.conn.ReadBack(context.Background(), []connectors.Item{{SKU: "A", Barcode: "111"}, {SKU: "A2", Barcode: "111"}, {SKU: "B"}})
	if err != nil {
		t.Fatal(err)
	}
	if !got["A"].Found || !got["A2"].Found || *got["A"].Qty != 10 || got["B"].Found || len(got) != 3 {
		t.Fatalf("%+v", got)
	}
}

// TestZeroPriceIsTheAgentsOwnRule: Trendyol accepts a price of zero (the simulator does,
// as production captures show); the agent refuses to send one, and says the refusal is
// its own safety rule, not Trendyol's.
func TestZeroPriceIsTheAgentsOwnRule(t *testing.T) {
	f := newFixture(t, trendyolsim.Options{}, nil)
	f.seed(t, "111")
	out, err := f.conn.Push(context.Background(), []connectors.Item{{SKU: "A", Barcode: "111", Qty: qty(0), Price: tl(0), ListPrice: tl(0)}})
	if err != nil {
		t.Fatal(err)
	}
	o := out["A"]
	if o.Status != connectors.Rejected || !strings.Contains(o.Reason, "the agent's own safety rule") || !strings.Contains(o.Reason, "Trendyol itself would accept it") {
		t.Fatalf("zero price: %+v", o)
	}
	if n := f.sim.Stats().Endpoints["price-and-inventory"].Requests; n != 0 {
		t.Fatalf("%d requests", n)
	}
}

// TestErrorMessagesOfBothShapes: against the simulator, whose product endpoints answer
// {"errors":[…]} and order endpoints {"error","message"}, the connector keeps Trendyol's
// words from each.
func TestErrorMessagesOfBothShapes(t *testing.T) {
	f := newFixture(t, trendyolsim.Options{StreamMaxRange: 24 * time.Hour}, func(s *connectors.Store) {
		s.Limits.BatchSize = 1001 // above Trendyol's 1000: the simulator refuses the request
	})
	items := make([]connectors.Item, 1001)
	for i := range items {
		items[i] = connectors.Item{SKU: fmt.Sprint("S", i), Barcode: fmt.Sprint(8690000000000 + i), Qty: qty(1)}
	}
	_, err := f.conn.Push(context.Background(), items)
	if connectors.KindOf(err) != connectors.Permanent || !strings.Contains(err.Error(), "at most 1000 items can be sent in one request") {
		t.Fatalf("product endpoint: %v", err)
	}
	_, err = f.conn.FetchOrders(context.Background(), connectors.OrderQuery{Since: f.clock.Now().Add(-10 * 24 * time.Hour)})
	if connectors.KindOf(err) != connectors.Permanent || !strings.Contains(err.Error(), "the date range may be at most 14 days") {
		t.Fatalf("order endpoint: %v", err)
	}
}

// TestReadBackPagesByNumberThenByToken: a listing longer than the 10 000 window is read
// by page number while (page+1)×size stays inside it, then by nextPageToken; a token on
// a page that is not the last inside the window is not followed.
func TestReadBackPagesByNumberThenByToken(t *testing.T) {
	const pages = 202 // 50 a page: pages 0..199 fill the window
	var mu sync.Mutex
	var queries []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		queries = append(queries, q)
		mu.Unlock()
		page := 0
		if tok := q.Get("nextPageToken"); tok != "" {
			page, _ = strconv.Atoi(strings.TrimPrefix(tok, "after-"))
			page++
		} else {
			page, _ = strconv.Atoi(q.Get("page"))
		}
		_, _ = fmt.Fprintf(w, `{"totalElements":%d,"totalPages":%d,"page":%d,"size":50,"nextPageToken":"after-%d","content":[{"contentId":%d,"productMainId":"M","variants":[{"barcode":"b%d","quantity":%d,"salePrice":1,"listPrice":1}]}]}`,
			pages, pages, page, page, page, page, page)
	}))
	defer srv.Close()
	clock := simkit.NewFakeClock(time.Time{})
	st := storeAt(srv.URL)
	st.BaseURL = srv.URL
	c, err := trendyol.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ReadBack(context.Background(), []connectors.Item{{SKU: "first", Barcode: "b0"}, {SKU: "last", Barcode: fmt.Sprint("b", pages-1)}})
	if err != nil {
		t.Fatal(err)
	}
	if !got["first"].Found || !got["last"].Found || *got["last"].Qty != pages-1 {
		t.Fatalf("%+v", got)
	}
	if len(queries) != pages {
		t.Fatalf("%d requests for %d pages", len(queries), pages)
	}
	for i, q := range queries {
		byToken := q.Has("nextPageToken")
		if byToken != (i >= 200) || (!byToken && q.Get("page") != strconv.Itoa(i)) {
			t.Fatalf("request %d: %v", i, q)
		}
	}
}
