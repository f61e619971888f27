package hepsiburada_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/hepsiburada"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/hepsiburadasim"
	"syncagent/connectors/sim/simkit"
)

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// world is a simulator and a connector on one fake clock.
type world struct {
	t     *testing.T
	s     *hepsiburadasim.Server
	clock *simkit.FakeClock
	c     *hepsiburada.Client
	log   *logBuf
	store connectors.Store
}

func newWorld(t *testing.T, opt hepsiburadasim.Options, settings map[string]string, limits connectors.Limits) *world {
	t.Helper()
	clock := simkit.NewFakeClock(time.Time{})
	if opt.ProcessingDelay == 0 {
		opt.ProcessingDelay = 5 * time.Second
	}
	w := &world{t: t, s: newSim(t, clock, opt), clock: clock, log: &logBuf{}}
	w.store = storeAt(w.s.URL)
	w.store.Settings = settings
	w.store.Limits = limits
	w.connect()
	return w
}

func (w *world) connect() {
	w.t.Helper()
	if errs := connectors.Check(&w.store); len(errs) > 0 {
		w.t.Fatal(errs)
	}
	c, err := hepsiburada.New(&w.store, connectors.Deps{
		Log: zerolog.New(w.log).Level(zerolog.DebugLevel),
		Now: w.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			w.clock.Advance(d)
			return ctx.Err()
		},
	})
	if err != nil {
		w.t.Fatal(err)
	}
	w.c = c
}

func (w *world) add(l hepsiburadasim.Listing) hepsiburadasim.Listing {
	w.t.Helper()
	v, err := w.s.AddListing(l)
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *world) push(items ...connectors.Item) connectors.Outcomes {
	w.t.Helper()
	out, err := w.c.Push(context.Background(), items)
	if err != nil {
		w.t.Fatalf("push: %v", err)
	}
	return out
}

// settle lets the simulator finish its uploads and reads every pending ref.
func (w *world) settle(items []connectors.Item, out connectors.Outcomes) connectors.Outcomes {
	w.t.Helper()
	w.clock.Advance(time.Minute)
	byRef := map[string][]connectors.Item{}
	final := connectors.Outcomes{}
	for _, it := range items {
		o := out[it.SKU]
		final[it.SKU] = o
		if o.Status == connectors.Pending {
			byRef[o.Ref] = append(byRef[o.Ref], it)
		}
	}
	for ref, its := range byRef {
		res, err := w.c.CheckResults(context.Background(), ref, its)
		if err != nil {
			w.t.Fatalf("CheckResults(%s): %v", ref, err)
		}
		for k, v := range res {
			final[k] = v
		}
	}
	return final
}

func item(sku string, q int64, p money.Kurus, confQ int64, confP money.Kurus) connectors.Item {
	it := connectors.Item{SKU: sku}
	if q >= 0 {
		it.Qty, it.ConfQty = qty(q), qty(confQ)
	}
	if p > 0 {
		it.Price, it.ConfPrice = price(p), price(confP)
	}
	return it
}

func requests(w *world, endpoint string) int { return w.s.Stats().Endpoints[endpoint].Requests }

func TestRegistration(t *testing.T) {
	info, ok := connectors.Find(hepsiburada.Marketplace)
	if !ok || info.TestHosts == "" || !strings.Contains(info.TestHosts, "own merchant id and service key") {
		t.Fatalf("registration %+v", info)
	}
	base := func() connectors.Store {
		st := storeAt("http://127.0.0.1:1")
		st.Credentials = connectors.Credentials{"merchant_id": merchantID, "service_key": serviceKey, "integrator": integrator}
		return st
	}
	cases := []struct {
		name   string
		mutate func(*connectors.Store)
		key    string
	}{
		{"valid", func(*connectors.Store) {}, ""},
		{"integrator required, no default", func(s *connectors.Store) { delete(s.Credentials, "integrator") }, "credentials.integrator"},
		{"Trendyol-style User-Agent", func(s *connectors.Store) { s.Credentials["integrator"] = merchantID + " - acme_dev" }, "credentials.integrator"},
		{"spaces around the integrator", func(s *connectors.Store) { s.Credentials["integrator"] = " acme_dev" }, "credentials.integrator"},
		{"merchant id not a GUID", func(s *connectors.Store) { s.Credentials["merchant_id"] = "12345" }, "credentials.merchant_id"},
		{"bad upload setting", func(s *connectors.Store) { s.Settings = map[string]string{"upload": "both"} }, "settings.upload"},
		{"bad element base", func(s *connectors.Store) { s.Settings = map[string]string{"element_base": "2"} }, "settings.element_base"},
		{"test mode is served by SIT", func(s *connectors.Store) { s.BaseURL, s.TestMode = "", true }, ""},
		{"information scope", func(s *connectors.Store) {
			s.Scope = connectors.ScopeStock | connectors.ScopePrice | connectors.ScopeInfo
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := base()
			tc.mutate(&st)
			errs := connectors.Check(&st)
			if tc.key == "" {
				if len(errs) > 0 {
					t.Fatalf("refused: %v", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tc.key+":") {
				t.Fatalf("errors %v, want one about %s", errs, tc.key)
			}
		})
	}
}

// TestWrongIntegratorIsAuth: good credentials with another User-Agent are refused, and
// the message says the integrator name must be exactly the registered one.
func TestWrongIntegratorIsAuth(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{}, nil, connectors.Limits{})
	w.store.Credentials["integrator"] = "acme_dev/1.0"
	w.connect()
	err := w.c.Test(context.Background())
	ce := kindOf(t, err, connectors.Auth)
	for _, want := range []string{"credentials.integrator", "exactly", "401", "Missing Credentials!"} {
		if !strings.Contains(ce.Message, want) {
			t.Fatalf("message %q lacks %q", ce.Message, want)
		}
	}
	if strings.Contains(w.log.String(), serviceKey) {
		t.Fatal("the service key reached the log")
	}
}

// TestCorrelationIDLogged: every answer's x-correlation-id is in the debug log, for
// Hepsiburada support.
func TestCorrelationIDLogged(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{}, nil, connectors.Limits{})
	if err := w.c.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(w.log.String(), `"correlation_id":"sim-`); n != 2 {
		t.Fatalf("%d correlation ids logged for 2 answers:\n%s", n, w.log)
	}
}

// TestFulfilledByHepsiburadaNeverGetsStock: a listing Hepsiburada fulfils gets its price
// but never its stock; a stock-only change is confirmed unsent; status counts them and
// the log explains it once.
func TestFulfilledByHepsiburadaNeverGetsStock(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{}, nil, connectors.Limits{})
	w.add(hepsiburadasim.Listing{MerchantSku: "OWN", Stock: 5, Price: 1000})
	w.add(hepsiburadasim.Listing{MerchantSku: "FBH-1", Stock: 40, Price: 1000, FulfilledByHB: true})
	w.add(hepsiburadasim.Listing{MerchantSku: "FBH-2", Stock: 7, Price: 1000, FulfilledByHB: true})
	items := []connectors.Item{item("OWN", 3, 1500, 5, 1000), item("FBH-1", 0, 1500, 40, 1000), item("FBH-2", 2, 0, 7, 0)}
	out := w.push(items...)
	if out["FBH-2"].Status != connectors.Confirmed || out["FBH-1"].Status != connectors.Pending {
		t.Fatalf("outcomes %+v", out)
	}
	final := w.settle(items, out)
	for _, it := range items {
		if final[it.SKU].Status != connectors.Confirmed {
			t.Fatalf("%s: %+v", it.SKU, final[it.SKU])
		}
	}
	if l, _ := w.s.Listing("FBH-1"); l.Stock != 40 || l.Price != 1500 || l.StockUpdates != 0 {
		t.Fatalf("FBH-1 %+v", l)
	}
	if l, _ := w.s.Listing("FBH-2"); l.Stock != 7 || l.StockUpdates != 0 {
		t.Fatalf("FBH-2 %+v", l)
	}
	if l, _ := w.s.Listing("OWN"); l.Stock != 3 || l.Price != 1500 {
		t.Fatalf("OWN %+v", l)
	}
	w.push(item("FBH-2", 1, 0, 2, 0))
	n := 0
	for _, l := range strings.Split(w.log.String(), "\n") {
		if strings.Contains(l, `"level":"info"`) && strings.Contains(l, "isFulfilledByHB") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("explained %d times in the log", n)
	}
	rep := w.c.Report()["fulfilled_by_hepsiburada"]
	if !strings.HasPrefix(rep, "2 listings are fulfilled by Hepsiburada") || !strings.Contains(rep, "3 stock changes skipped") {
		t.Fatalf("report %q", rep)
	}
}

// TestPriceBandLockIsRejectedWithItsReason: a price outside the band is applied and locks
// the listing; the item is Rejected with the band and the unlock command, status counts
// the lock, and Unlock lifts it.
func TestPriceBandLockIsRejectedWithItsReason(t *testing.T) {
	for _, mode := range []string{"inventory", "split"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t, hepsiburadasim.Options{}, map[string]string{"upload": mode}, connectors.Limits{})
			w.add(hepsiburadasim.Listing{MerchantSku: "CHEAP", Stock: 5, Price: 10000, MinPrice: 5000, MaxPrice: 20000, Category: "Telefon Kılıfı"})
			w.add(hepsiburadasim.Listing{MerchantSku: "FINE", Stock: 5, Price: 10000})
			items := []connectors.Item{item("CHEAP", 4, 1200, 5, 10000), item("FINE", 4, 9000, 5, 10000)}
			final := w.settle(items, w.push(items...))
			o := final["CHEAP"]
			for _, want := range []string{"PriceIsLessThanThreshold", "12.00", "50.00–200.00", `"Telefon Kılıfı"`, "syncagent unlock hepsiburada-main CHEAP"} {
				if o.Status != connectors.Rejected || !strings.Contains(o.Reason, want) {
					t.Fatalf("CHEAP: %v %q lacks %q", o.Status, o.Reason, want)
				}
			}
			if final["FINE"].Status != connectors.Confirmed {
				t.Fatalf("FINE %+v", final["FINE"])
			}
			if rep := w.c.Report()["locked"]; !strings.Contains(rep, "1 listings are locked") || !strings.Contains(rep, "CHEAP (PriceIsLessThanThreshold)") {
				t.Fatalf("report %q", rep)
			}
			res, err := w.c.Unlock(context.Background(), []string{"CHEAP", "FINE", "GHOST"})
			if err != nil {
				t.Fatal(err)
			}
			if !res["CHEAP"].Unlocked || res["CHEAP"].Reasons[0] != "PriceIsLessThanThreshold" || res["FINE"].Unlocked ||
				!strings.Contains(res["FINE"].Message, "not locked") || !strings.Contains(res["GHOST"].Message, "no listing") {
				t.Fatalf("unlock %+v", res)
			}
			if l, _ := w.s.Listing("CHEAP"); l.Locked {
				t.Fatal("still locked")
			}
			if w.c.Report()["locked"] != "" {
				t.Fatal("the report still shows the lock")
			}
			if n := requests(w, hepsiburadasim.EpUnlock); n != 1 {
				t.Fatalf("%d unlock requests", n)
			}
		})
	}
}

// TestPendingUploadLimitIsWait: with 5 uploads processing the 6th push is not sent: it is
// Kind RetryAfter (wait), not a failure; once a result is read, the next push goes. A
// refusal Hepsiburada makes itself (another tool's uploads) is the same wait.
func TestPendingUploadLimitIsWait(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{ProcessingDelay: time.Minute}, nil, connectors.Limits{})
	for i := 0; i < 7; i++ {
		w.add(hepsiburadasim.Listing{MerchantSku: sku(i), Stock: 1, Price: 1000})
	}
	var refs []string
	for i := 0; i < 5; i++ {
		out := w.push(item(sku(i), 9, 0, 1, 0))
		refs = append(refs, out[sku(i)].Ref)
	}
	_, err := w.c.Push(context.Background(), []connectors.Item{item(sku(5), 9, 0, 1, 0)})
	ce := kindOf(t, err, connectors.RetryAfter)
	if ce.RetryAfter < 5*time.Second || ce.RetryAfter > time.Minute {
		t.Fatalf("wait %v", ce.RetryAfter)
	}
	if n := requests(w, hepsiburadasim.EpInventoryUpload); n != 5 {
		t.Fatalf("%d uploads sent; the 6th must wait unsent", n)
	}
	w.clock.Advance(time.Minute)
	if _, err := w.c.CheckResults(context.Background(), refs[0], []connectors.Item{item(sku(0), 9, 0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	if out := w.push(item(sku(5), 9, 0, 1, 0)); out[sku(5)].Status != connectors.Pending {
		t.Fatalf("after a result: %+v", out)
	}
	// Hepsiburada's own refusal: the connector allows more than Hepsiburada does.
	w2 := newWorld(t, hepsiburadasim.Options{ProcessingDelay: time.Minute, MaxPending: 1}, nil, connectors.Limits{})
	w2.add(hepsiburadasim.Listing{MerchantSku: "A", Stock: 1, Price: 1000})
	w2.push(item("A", 2, 0, 1, 0))
	_, err = w2.c.Push(context.Background(), []connectors.Item{item("A", 3, 0, 1, 0)})
	if ce := kindOf(t, err, connectors.RetryAfter); !strings.Contains(ce.Message, "too many ongoing/waiting inventory uploads") {
		t.Fatalf("message %q", ce.Message)
	}
	if _, refused := w2.s.PeakPendingUploads(); refused != 1 {
		t.Fatalf("%d refusals", refused)
	}
}

// TestLostSubmitIsReconciledByListings: an upload whose answer is lost is not uploaded
// again: the next push of the same values reads the listings, confirms what shows, and
// waits for the rest; an upload that never applies is sent again after the grace.
func TestLostSubmitIsReconciledByListings(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{ProcessingDelay: 30 * time.Second}, nil, connectors.Limits{Timeout: 300 * time.Millisecond})
	w.add(hepsiburadasim.Listing{MerchantSku: "A", Stock: 1, Price: 1000})
	w.add(hepsiburadasim.Listing{MerchantSku: "B", Stock: 1, Price: 1000})
	w.s.SetFaults(simkit.Faults{DropNext: 1, Only: []string{hepsiburadasim.EpInventoryUpload}})
	it := []connectors.Item{item("A", 6, 0, 1, 0)}
	_, err := w.c.Push(context.Background(), it)
	kindOf(t, err, connectors.Unknown)
	sent := requests(w, hepsiburadasim.EpInventoryUpload)
	it[0].ConfQty = nil  // the agent forgets the confirmed value after an unknown outcome
	out := w.push(it...) // the same values again, before the upload finished
	if requests(w, hepsiburadasim.EpInventoryUpload) != sent || out["A"].Status != connectors.Pending || !strings.HasPrefix(out["A"].Ref, "r:") {
		t.Fatalf("after the lost answer: %+v, %d uploads", out, requests(w, hepsiburadasim.EpInventoryUpload))
	}
	w.clock.Advance(30 * time.Second)
	res, err := w.c.CheckResults(context.Background(), out["A"].Ref, it)
	if err != nil || res["A"].Status != connectors.Confirmed {
		t.Fatalf("after the upload finished: %+v %v", res, err)
	}
	if requests(w, hepsiburadasim.EpInventoryUpload) != sent {
		t.Fatal("the rows were uploaded again")
	}

	// Lost and never applied (the upload it created failed): read back until the
	// grace passes, then sent again.
	w.s.FailNextUploads(1)
	w.s.SetFaults(simkit.Faults{DropNext: 1, Only: []string{hepsiburadasim.EpInventoryUpload}})
	ib := []connectors.Item{item("B", 8, 0, 1, 0)}
	_, err = w.c.Push(context.Background(), ib)
	kindOf(t, err, connectors.Unknown)
	out = w.push(ib...)
	w.clock.Advance(time.Minute)
	if res, _ := w.c.CheckResults(context.Background(), out["B"].Ref, ib); res["B"].Status != connectors.Pending {
		t.Fatalf("within the grace %+v", res)
	}
	w.clock.Advance(10 * time.Minute)
	res, _ = w.c.CheckResults(context.Background(), out["B"].Ref, ib)
	if res["B"].Status != connectors.Retry || !strings.Contains(res["B"].Reason, "answer was lost") {
		t.Fatalf("after the grace %+v", res)
	}
	before := requests(w, hepsiburadasim.EpInventoryUpload)
	if out := w.push(ib...); out["B"].Status != connectors.Pending || requests(w, hepsiburadasim.EpInventoryUpload) != before+1 {
		t.Fatalf("sent again: %+v", out)
	}

	// Lost, applied, and the price locked the listing: no result told of the band, the
	// listing does, so the item is rejected with the lock, not confirmed.
	w.add(hepsiburadasim.Listing{MerchantSku: "C", Stock: 1, Price: 10000, MinPrice: 5000})
	w.s.SetFaults(simkit.Faults{DropNext: 1, Only: []string{hepsiburadasim.EpInventoryUpload}})
	ic := []connectors.Item{item("C", -1, 100, 0, 10000)}
	_, err = w.c.Push(context.Background(), ic)
	kindOf(t, err, connectors.Unknown)
	w.clock.Advance(time.Minute)
	out = w.push(ic...)
	if o := out["C"]; o.Status != connectors.Rejected || !strings.Contains(o.Reason, "PriceIsLessThanThreshold") || !strings.Contains(o.Reason, "syncagent unlock hepsiburada-main C") {
		t.Fatalf("a lost upload that locked the listing: %+v", o)
	}
}

// TestSplitModeUsesStockAndPriceUploads: in split mode a push sends a stock and a price
// upload, each item pending on both, confirmed once both are Done.
func TestSplitModeUsesStockAndPriceUploads(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{}, map[string]string{"upload": "split"}, connectors.Limits{})
	for _, s := range []string{"S", "P", "B"} {
		w.add(hepsiburadasim.Listing{MerchantSku: s, Stock: 1, Price: 1000})
	}
	items := []connectors.Item{item("S", 4, 1000, 1, 1000), item("P", 1, 2500, 1, 1000), item("B", 7, 3300, 1, 1000)}
	out := w.push(items...)
	if out["S"].Ref != out["P"].Ref || !strings.Contains(out["S"].Ref, "|p:") {
		t.Fatalf("refs %+v", out)
	}
	st := w.s.Stats().Endpoints
	if st[hepsiburadasim.EpStockUpload].Requests != 1 || st[hepsiburadasim.EpPriceUpload].Requests != 1 || st[hepsiburadasim.EpInventoryUpload].Requests != 0 {
		t.Fatalf("uploads %+v", st)
	}
	final := w.settle(items, out)
	for _, it := range items {
		if final[it.SKU].Status != connectors.Confirmed {
			t.Fatalf("%s %+v", it.SKU, final[it.SKU])
		}
	}
	snap := w.s.Snapshot()
	if snap["S"].Stock != 4 || snap["S"].PriceUpdates != 0 || snap["P"].Price != 2500 || snap["P"].StockUpdates != 0 || snap["B"].Stock != 7 || snap["B"].Price != 3300 {
		t.Fatalf("snapshot %+v", snap)
	}
}

// TestElementNoMapsBackToSKUs: a row error that names no SKU is matched by its 1-based
// elementNo into the upload's rows (sorted by SKU), or 0-based with element_base 0; one
// that matches no row makes the other rows Retry rather than confirmed.
func TestElementNoMapsBackToSKUs(t *testing.T) {
	for _, tc := range []struct {
		name, base, result, want string
	}{
		{"1-based", "1", `{"id":"U","status":"Done","total":3,"errors":[{"elementNo":2,"errors":["bozuk satır"]}]}`, "B"},
		{"0-based", "0", `{"id":"U","status":"Done","total":3,"errors":[{"elementNo":2,"errors":["bozuk satır"]}]}`, "C"},
		{"unmatched", "1", `{"id":"U","status":"Done","total":3,"errors":[{"elementNo":9,"errors":["bozuk satır"]}]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := replayUpload(t, tc.result)
			c := replayClient(t, srv.URL, map[string]string{"element_base": tc.base})
			items := []connectors.Item{item("C", 1, 0, 0, 0), item("A", 1, 0, 0, 0), item("B", 1, 0, 0, 0)}
			out, err := c.Push(context.Background(), items)
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.CheckResults(context.Background(), out["A"].Ref, items)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				o := res[it.SKU]
				switch {
				case tc.want == "" && o.Status != connectors.Retry:
					t.Fatalf("%s %+v, want Retry", it.SKU, o)
				case tc.want == it.SKU && (o.Status != connectors.Rejected || o.Reason != "bozuk satır"):
					t.Fatalf("%s %+v, want Rejected", it.SKU, o)
				case tc.want != "" && tc.want != it.SKU && o.Status != connectors.Confirmed:
					t.Fatalf("%s %+v, want Confirmed", it.SKU, o)
				}
			}
		})
	}
}

// TestPerSecondRateHeadersAreHonoured: with the order host's per-second limit announced
// in X-RateLimit-* headers (and the store's own budget raised above it), a burst of
// order reads gets no 429.
func TestPerSecondRateHeadersAreHonoured(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{PerMinute: -1, OMSPerSecond: 4}, nil, connectors.Limits{Requests: 100000, Per: time.Minute})
	start := w.clock.Now()
	for i := 0; i < 24; i++ {
		if err := w.c.Test(context.Background()); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	st := w.s.Stats().Endpoints[hepsiburadasim.EpOrders]
	if st.Requests != 24 || st.RateLimited != 0 {
		t.Fatalf("order reads %+v", st)
	}
	// At 4 a second 24 reads need more than 5 s; read as 4 a minute (the per-minute
	// bucket lowered by a per-second header) they would take 6 minutes.
	if took := w.clock.Now().Sub(start); took < 5*time.Second || took > time.Minute {
		t.Fatalf("24 reads at 4 a second took %v", took)
	}
}

// TestPerMinuteLimitIsKept: at the documented 180 a minute the connector keeps under the
// limit over many reads (the per-minute limit counts every host).
func TestPerMinuteLimitIsKept(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{PerMinute: 20}, nil, connectors.Limits{Requests: 20, Per: time.Minute})
	for i := 0; i < 30; i++ {
		if err := w.c.Test(context.Background()); err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
	}
	if st := w.s.Stats(); st.Total.RateLimited != 0 || st.Total.Requests != 60 {
		t.Fatalf("stats %+v", st.Total)
	}
}

// TestProductInformationByTicket: information goes out in one ticket and is confirmed
// from its status, field by field; a refused field is Rejected with the reason.
func TestProductInformationByTicket(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{TicketDelay: 20 * time.Second}, nil, connectors.Limits{})
	w.add(hepsiburadasim.Listing{MerchantSku: "A", Stock: 1, Price: 1000})
	b := w.add(hepsiburadasim.Listing{MerchantSku: "B", Stock: 1, Price: 1000})
	title, desc, vat, brand := "Yeni Başlık", "<p>Açıklama</p>", 10, "Marka"
	items := []connectors.Item{
		{SKU: "A", Info: connectors.Info{Title: &title, Description: &desc, VATRate: &vat}},
		{SKU: "B", Info: connectors.Info{Title: &title}},
		{SKU: "C", Info: connectors.Info{Brand: &brand}},
		{SKU: "D"},
	}
	w.s.SetFaults(simkit.Faults{RejectKeys: map[string]string{b.HBSku: "Ürün adı onaylanmadı"}})
	out, err := w.c.UpdateInfo(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if out["A"].Status != connectors.Pending || !strings.HasPrefix(out["A"].Ref, "t:") || out["C"].Status != connectors.Rejected || out["D"].Status != connectors.Confirmed {
		t.Fatalf("outcomes %+v", out)
	}
	early, err := w.c.CheckResults(context.Background(), out["A"].Ref, items[:2])
	if err != nil || early["A"].Status != connectors.Pending {
		t.Fatalf("early %+v %v", early, err)
	}
	w.clock.Advance(20 * time.Second)
	res, err := w.c.CheckResults(context.Background(), out["A"].Ref, items[:2])
	if err != nil {
		t.Fatal(err)
	}
	if res["A"].Status != connectors.Confirmed || res["B"].Status != connectors.Rejected || !strings.Contains(res["B"].Reason, "Ürün adı onaylanmadı") {
		t.Fatalf("results %+v", res)
	}
	if l, _ := w.s.Listing("A"); l.Title != title || l.Description != desc || l.VATRate != 10 {
		t.Fatalf("listing %+v", l)
	}
}

func sku(i int) string { return "SKU-" + string(rune('A'+i)) }

// replayUpload answers a push of SKUs A, B and C with upload U and its result.
func replayUpload(t *testing.T, result string) *contract.Server {
	t.Helper()
	listings := `{"listings":[{"hepsiburadaSku":"HBA","merchantSku":"A"},{"hepsiburadaSku":"HBB","merchantSku":"B"},{"hepsiburadaSku":"HBC","merchantSku":"C"}],"totalCount":3,"limit":100,"offset":0}`
	return contract.Replay(t,
		contract.Answer{Method: "GET", Path: listingsPath, Body: []byte(listings)},
		contract.Answer{Method: "POST", Path: listingsPath + "/inventory-uploads", Body: []byte(`{"id":"U"}`)},
		contract.Answer{Method: "GET", Path: listingsPath + "/inventory-uploads/id/U", Body: []byte(result)})
}
