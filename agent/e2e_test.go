package agent

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"syncagent/config"
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/trendyolsim"
)

// The end-to-end tests run the real agent (store loops and drop folder watcher) against
// the three simulators over loopback HTTP: a stock list dropped as an .xlsx file must end
// as exactly the stock and prices each store's rules say, with or without faults.

// Canary credentials: none of them may appear in the agent's log.
const (
	e2eTySecret = "canary-ty-secret-7f3a"
	e2ePsSecret = "canary-ps-secret-91c2"
	e2eGmSecret = "canary-gm-secret-44d8"
)

// e2eRow is one row of the dropped stock list.
type e2eRow struct {
	sku, barcode    string
	qty             int64
	price, list, wh string
}

var e2eRows = []e2eRow{
	{"A1", "8690000000011", 10, "100.00", "120.00", "MERKEZ"},
	{"A1", "8690000000011", 5, "100.00", "120.00", "DEPO2"},
	{"A2", "8690000000028", 0, "49.99", "", "MERKEZ"},
	{"A3", "8690000000035", 30000, "1104.99", "1299.00", "MERKEZ"},
	{"A4", "8690000000042", 1, "0.50", "", "MERKEZ"},
	{"A5", "8690000000059", 7, "250.00", "240.00", "MERKEZ"},
	{"A6", "8690000000066", 3, "", "", "MERKEZ"},
	{"X9", "8690000000097", 1, "10.00", "", "MERKEZ"}, // unknown to every marketplace
}

// Expected per store, "qty sale list" ("-" where the store has no such value). A6 has no
// price in the ERP, so the stores keep the price they had (seeded 99.99 / 1.00).
var (
	// markup 12.5 %, rounded up to .90, list price from the list, stock of all warehouses
	// capped at Trendyol's 20000.
	wantTrendyol = map[string]string{
		"A1": "15 112.90 135.90", "A2": "0 56.90 56.90", "A3": "20000 1243.90 1461.90",
		"A4": "1 0.90 0.90", "A5": "7 281.90 281.90", "A6": "3 99.99 99.99",
	}
	// stock only, MERKEZ only, 2 held back, at most 10.
	wantPazar = map[string]string{"A1": "8", "A2": "0", "A3": "10", "A4": "0", "A5": "5", "A6": "1"}
	// +5.00, never below 50.00, MERKEZ and DEPO2.
	wantGiyim = map[string]string{
		"A1": "15 105.00", "A2": "0 54.99", "A3": "30000 1109.99", "A4": "1 50.00", "A5": "7 255.00", "A6": "3 1.00",
	}
)

type e2e struct {
	t     *testing.T
	dir   string
	drop  string
	ty    *trendyolsim.Server
	ps    *pazarsyncsim.Server
	gm    *giyimmodasim.Server
	agent *Agent
	stop  context.CancelFunc
	done  chan error
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startE2E(t *testing.T, tyOpt trendyolsim.Options) *e2e {
	t.Helper()
	e := &e2e{t: t, dir: t.TempDir(), logs: &syncBuffer{}}
	e.drop = filepath.Join(e.dir, "drop")
	if err := os.MkdirAll(e.drop, 0o750); err != nil {
		t.Fatal(err)
	}
	tyOpt.SellerID, tyOpt.APIKey, tyOpt.APISecret = "555111", "ty-key", e2eTySecret
	e.ty = trendyolsim.New(tyOpt)
	e.ps = pazarsyncsim.New(pazarsyncsim.Options{ClientID: "ps-client", ClientSecret: e2ePsSecret, PerMinute: 600})
	e.gm = giyimmodasim.New(giyimmodasim.Options{APIKey: "gm-key", APISecret: e2eGmSecret})
	t.Cleanup(func() { e.ty.Close(); e.ps.Close(); e.gm.Close() })
	for _, r := range e2eRows {
		if r.sku == "X9" || r.wh != "MERKEZ" {
			continue
		}
		if err := e.ty.AddProduct(trendyolsim.Product{Barcode: r.barcode, StockCode: r.sku, Quantity: 99, SalePrice: 9999}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ps.AddProduct(pazarsyncsim.Product{SKU: r.sku, Stock: 99, Price: 100}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.gm.AddProduct(giyimmodasim.Product{SKU: r.sku, Barcode: r.barcode, Stock: 99, UnitPrice: 100}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

const e2eConfig = `data_dir: %[1]s/data
queue:
  retry_base: 200ms
  retry_max: 2s
stores:
  - name: trendyol-e2e
    marketplace: trendyol
    base_url: %[2]s/integration
    credentials: {seller_id: "555111", api_key: ty-key, api_secret: %[5]s}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {markup_percent: 12.5, rounding: ".90", list_price: list}
    orders: {fetch: false}
  - name: pazarsync-e2e
    marketplace: pazarsync
    base_url: %[3]s
    credentials: {client_id: ps-client, client_secret: %[6]s}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {scope: stock, warehouses: [MERKEZ], stock_buffer: 2, stock_cap: 10}
    limits: {requests: 600, per: 1m}
    orders: {fetch: false}
  - name: giyimmoda-e2e
    marketplace: giyimmoda
    base_url: %[4]s
    credentials: {api_key: gm-key, api_secret: %[7]s}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {scope: all, warehouses: [MERKEZ, DEPO2], add: 5.00, min_price: 50.00}
    orders: {fetch: false}
sources:
  drop_folders:
    - name: e2e-drop
      path: %[8]s
      quiet_period: 200ms
      poll_interval: 500ms
      warehouse: MERKEZ
`

// run starts the agent with the store and drop folder factories.
func (e *e2e) run() {
	e.t.Helper()
	text := fmt.Sprintf(e2eConfig, filepath.ToSlash(e.dir), e.ty.URL, e.ps.URL, e.gm.URL,
		e2eTySecret, e2ePsSecret, e2eGmSecret, filepath.ToSlash(e.drop))
	cfg, err := config.Parse([]byte(text), filepath.Join(e.dir, "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		e.t.Fatal(err)
	}
	log := zerolog.New(e.logs).Level(zerolog.DebugLevel)
	e.agent = New(cfg, log, Options{Factories: []Factory{StoreFactory(), dropFolderFactory()}})
	ctx, cancel := context.WithCancel(context.Background())
	e.stop, e.done = cancel, make(chan error, 1)
	go func() { e.done <- e.agent.Run(ctx) }()
	select {
	case <-e.agent.Ready():
	case err := <-e.done:
		e.t.Fatalf("agent did not start: %v", err)
	}
	e.t.Cleanup(func() {
		e.stop()
		if err := <-e.done; err != nil {
			e.t.Errorf("agent stopped with: %v", err)
		}
		for _, secret := range []string{e2eTySecret, e2ePsSecret, e2eGmSecret} {
			if strings.Contains(e.logs.String(), secret) {
				e.t.Errorf("a credential appears in the log")
			}
		}
		if e.t.Failed() {
			lines := strings.Split(e.logs.String(), "\n")
			e.t.Logf("last log lines:\n%s", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
}

// dropFile writes rows as an .xlsx stock list with Turkish headers, renamed into the
// drop folder complete.
func (e *e2e) dropFile(name string, rows []e2eRow) {
	e.t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	_ = f.SetColStyle("Sheet1", "A:B", text)
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Stok Kodu", "Barkod", "Miktar", "Fiyat", "Liste Fiyatı", "Depo"})
	for i, r := range rows {
		row := []any{r.sku, r.barcode, r.qty, nil, nil, r.wh}
		if r.price != "" {
			row[3] = excelAmount(r.price)
		}
		if r.list != "" {
			row[4] = excelAmount(r.list)
		}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row); err != nil {
			e.t.Fatal(err)
		}
	}
	tmp := filepath.Join(e.dir, name+".tmp")
	out, err := os.Create(tmp)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := f.WriteTo(out); err != nil {
		e.t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(e.drop, name)); err != nil {
		e.t.Fatal(err)
	}
}

func excelAmount(s string) float64 {
	var v float64
	fmt.Sscanf(s, "%g", &v)
	return v
}

// states render what each simulated store shows for the SKUs of wantTrendyol.
func (e *e2e) trendyolState() map[string]string {
	out := map[string]string{}
	for _, p := range e.ty.Snapshot() {
		out[p.StockCode] = fmt.Sprintf("%d %s %s", p.Quantity, p.SalePrice, p.ListPrice)
	}
	return out
}

func (e *e2e) pazarState() map[string]string {
	out := map[string]string{}
	for sku, p := range e.ps.Snapshot() {
		out[sku] = fmt.Sprint(p.Stock)
	}
	return out
}

func (e *e2e) giyimState() map[string]string {
	out := map[string]string{}
	for _, p := range e.gm.Snapshot() {
		out[p.SKU] = fmt.Sprintf("%d %s", p.Stock, p.UnitPrice)
	}
	return out
}

func diff(got, want map[string]string) string {
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if got[k] != want[k] {
			fmt.Fprintf(&b, "  %s: %q, want %q\n", k, got[k], want[k])
		}
	}
	return b.String()
}

// settled waits until every store shows what it should and the outbox holds nothing in
// flight or waiting (the unknown SKU aside, which is dead).
func (e *e2e) settled(wantTy, wantPs, wantGm map[string]string) {
	e.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		d := diff(e.trendyolState(), wantTy) + diff(e.pazarState(), wantPs) + diff(e.giyimState(), wantGm)
		stats, err := e.agent.Store().Stats(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		busy := ""
		for name, s := range stats {
			if s.Dirty+s.InFlight > 0 {
				busy += fmt.Sprintf("  %s: %d waiting, %d in flight (%s)\n", name, s.Dirty, s.InFlight, s.LastError)
			}
		}
		if d == "" && busy == "" {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the stores did not reach the expected state:\n%s%s", d, busy)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// deadLetters lists the dead-lettered SKUs by store.
func (e *e2e) deadLetters() map[string][]string {
	dl, err := e.agent.Store().DeadLetters(context.Background(), "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]string{}
	for _, d := range dl {
		out[d.Store] = append(out[d.Store], d.SKU)
	}
	return out
}

func (e *e2e) expectOnlyUnknownDead() {
	e.t.Helper()
	got := e.deadLetters()
	for _, store := range []string{"trendyol-e2e", "pazarsync-e2e", "giyimmoda-e2e"} {
		if fmt.Sprint(got[store]) != "[X9]" {
			e.t.Errorf("%s dead letters %v, want only the unknown X9", store, got[store])
		}
	}
}

func pushRequests(e *e2e) [3]int {
	return [3]int{
		e.ty.Stats().Endpoints["price-and-inventory"].Requests,
		e.ps.Stats().Endpoints["stocks-batch"].Requests,
		e.gm.Stats().Endpoints["bulk-update"].Requests,
	}
}

func TestEndToEndDroppedFileReachesEveryStoreAfterItsRules(t *testing.T) {
	e := startE2E(t, trendyolsim.Options{})
	e.run()
	e.dropFile("stok.xlsx", e2eRows)
	e.settled(wantTrendyol, wantPazar, wantGiyim)
	e.expectOnlyUnknownDead()

	// The same list again changes nothing, so nothing is sent.
	before := pushRequests(e)
	e.dropFile("stok-tekrar.xlsx", e2eRows)
	waitImports(t, e, 2)
	time.Sleep(2 * time.Second) // more than the debounce plus a scheduled push
	if after := pushRequests(e); after != before {
		t.Fatalf("re-importing the same file sent requests: %v → %v", before, after)
	}
}

// waitImports waits until n files were imported.
func waitImports(t *testing.T, e *e2e, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d imports", n), func() bool {
		im, err := e.agent.Store().RecentImports(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, i := range im {
			if i.Status == "imported" {
				done++
			}
		}
		return done >= n
	})
}

func TestEndToEndFaultsEndInTheSameState(t *testing.T) {
	e := startE2E(t, trendyolsim.Options{ResultDelay: 300 * time.Millisecond})
	// Seeds are chosen so that the first requests past the 429 storms fail with 5xx
	// (seed 5: two in a row; 6: two; 9: the second), which makes every fault certain.
	e.ty.SetFaults(simkit.Faults{Seed: 5, ErrorRate: 0.2, Storm429: 2 * time.Second, StormRetryAfter: time.Second,
		DropNext: 1, Only: []string{"price-and-inventory"}})
	e.ps.SetFaults(simkit.Faults{Seed: 6, ErrorRate: 0.2, TokenExpiry: 700 * time.Millisecond})
	e.gm.SetFaults(simkit.Faults{Seed: 9, ErrorRate: 0.2, Storm429: time.Second, DropNext: 1, Only: []string{"bulk-update"}})
	e.run()
	e.dropFile("stok.xlsx", e2eRows)
	e.settled(wantTrendyol, wantPazar, wantGiyim)
	e.expectOnlyUnknownDead()

	// A later change meets an expired PazarSync token and the same fault knobs.
	e.dropFile("guncel.xlsx", []e2eRow{{"A2", "8690000000028", 4, "49.99", "", "MERKEZ"}})
	ty, ps, gm := cloneMap(wantTrendyol), cloneMap(wantPazar), cloneMap(wantGiyim)
	ty["A2"], ps["A2"], gm["A2"] = "4 56.90 56.90", "2", "4 54.99"
	e.settled(ty, ps, gm)
	e.expectOnlyUnknownDead()

	tp := e.ty.Stats().Endpoints["price-and-inventory"]
	if tp.Dropped != 1 || tp.ServerErrors < 2 || tp.RateLimited < 1 || tp.Duplicates != 0 {
		t.Errorf("Trendyol pushes: %+v; want 1 dropped, 2+ 5xx, 1+ 429s and no duplicate refusals", tp)
	}
	pst := e.ps.Stats()
	if pst.Total.ServerErrors < 1 || pst.Endpoints["token"].OK < 2 {
		t.Errorf("PazarSync: %+v; want 5xx answers and a renewed token", pst.Endpoints)
	}
	gb := e.gm.Stats().Endpoints["bulk-update"]
	if gb.Dropped != 1 || gb.RateLimited < 1 {
		t.Errorf("Giyim Moda bulk updates: %+v; want 1 dropped and 1+ 429s", gb)
	}
}

func TestEndToEndChangeDuringAPushEndsWithTheLatestValue(t *testing.T) {
	e := startE2E(t, trendyolsim.Options{})
	// Slow answers keep the first push in flight while the second file arrives.
	e.ty.SetFaults(simkit.Faults{Latency: 1500 * time.Millisecond, Only: []string{"price-and-inventory"}})
	e.run()
	e.dropFile("stok.xlsx", e2eRows)
	eventually(t, "the first push reaches Trendyol", func() bool { return pushRequests(e)[0] >= 1 })
	e.dropFile("guncel.xlsx", []e2eRow{{"A1", "8690000000011", 40, "200.00", "", "MERKEZ"}})
	ty := cloneMap(wantTrendyol)
	// MERKEZ 40 + DEPO2 5; 200.00 × 1.125 = 225.00 → 225.90. The file gives no list price,
	// so A1 keeps 120.00, which becomes 135.90: below the sale price, so raised to it.
	ty["A1"] = "45 225.90 225.90"
	ps := cloneMap(wantPazar)
	ps["A1"] = "10"
	gm := cloneMap(wantGiyim)
	gm["A1"] = "45 205.00"
	e.settled(ty, ps, gm)
	e.expectOnlyUnknownDead()
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
