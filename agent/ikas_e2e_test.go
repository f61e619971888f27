package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/connectors/ikas"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/ikassim"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/simkit"
	"syncagent/erpbridge/sinks/sinktest"
	"syncagent/queue"
)

// The ikas end-to-end tests run the real agent against the ikas simulator over loopback
// HTTP: a dropped stock list ends as the stock at the configured stock location and the
// price objects ikas should hold, with the merchant's buy price and the other location
// untouched; a token revoked mid-run costs one new token and no change; an ikas order of
// the last units zeroes the other store and reaches the ERP once; and a run through 20 %
// failing requests never gets the store blocked.

const e2eIkasSecret = "canary-ikas-secret-3c9e"

// merchantBuy is the buy price every seeded variant carries; the agent never manages it.
const merchantBuy = "55.55"

type ikasE2E struct {
	t     *testing.T
	dir   string
	drop  string
	sim   *ikassim.Server
	ps    *pazarsyncsim.Server
	agent *Agent
	logs  *syncBuffer
}

var ikasLocations = []ikassim.Location{{ID: "loc-ana", Name: "Ana Depo"}, {ID: "loc-magaza", Name: "Mağaza"}}

func newIkasE2E(t *testing.T, opt ikassim.Options) *ikasE2E {
	t.Helper()
	e := &ikasE2E{t: t, dir: t.TempDir(), logs: &syncBuffer{}}
	e.drop = filepath.Join(e.dir, "drop")
	if err := os.MkdirAll(e.drop, 0o750); err != nil {
		t.Fatal(err)
	}
	opt.ClientID, opt.ClientSecret, opt.StoreName, opt.Locations = "ikas-client", e2eIkasSecret, "e2e-magaza", ikasLocations
	e.sim = ikassim.New(opt)
	t.Cleanup(e.sim.Close)
	return e
}

// seed adds one single-variant product per SKU: 99 at Ana Depo, 7 at Mağaza, a price
// object of 99.99 with the merchant's buy price.
func (e *ikasE2E) seed(skus ...string) {
	e.t.Helper()
	buy, _ := money.Parse(merchantBuy)
	for _, sku := range skus {
		if _, err := e.sim.AddProduct(ikassim.Product{Name: "Ürün " + sku, Variants: []ikassim.Variant{{SKU: sku, Active: true,
			Prices: []ikassim.Price{{Sell: 9999, Buy: &buy}}, Stock: map[string]float64{"loc-ana": 99, "loc-magaza": 7}}}}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// run starts the agent on config text (with %[1]s the test folder); connect, when set,
// builds the connectors.
func (e *ikasE2E) run(text string, connect ConnectorBuilder, factories ...Factory) {
	e.t.Helper()
	cfg, err := config.Parse([]byte(text), filepath.Join(e.dir, "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		e.t.Fatal(err)
	}
	e.agent = New(cfg, zerolog.New(e.logs).Level(zerolog.DebugLevel), Options{Factories: factories, Connect: connect})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.agent.Run(ctx) }()
	select {
	case <-e.agent.Ready():
	case err := <-done:
		e.t.Fatalf("agent did not start: %v", err)
	}
	e.t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			e.t.Errorf("agent stopped with: %v", err)
		}
		if strings.Contains(e.logs.String(), e2eIkasSecret) {
			e.t.Error("the ikas client secret appears in the log")
		}
		if e.t.Failed() {
			var lines []string
			for _, l := range strings.Split(e.logs.String(), "\n") {
				if !strings.Contains(l, `"level":"debug"`) {
					lines = append(lines, l)
				}
			}
			e.t.Logf("last log lines above debug:\n%s", strings.Join(lines[max(0, len(lines)-30):], "\n"))
		}
	})
}

// state renders what the simulated store shows per SKU: "qty@Ana qty@Mağaza sell
// discount buy" ("-" for a price field that is not set).
func (e *ikasE2E) state() map[string]string {
	out := map[string]string{}
	for _, p := range e.sim.Snapshot() {
		for _, v := range p.Variants {
			dp := v.DefaultPrice()
			f := func(k *money.Kurus) string {
				if k == nil {
					return "-"
				}
				return k.String()
			}
			out[v.SKU] = fmt.Sprintf("%g %g %s %s %s", v.Stock["loc-ana"], v.Stock["loc-magaza"], dp.Sell, f(dp.Discount), f(dp.Buy))
		}
	}
	return out
}

// settled waits until the store shows want and nothing waits in the outbox.
func (e *ikasE2E) settled(want map[string]string, deadline time.Duration) {
	e.t.Helper()
	end := time.Now().Add(deadline)
	for {
		d := diff(e.state(), want)
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
		if time.Now().After(end) {
			e.t.Fatalf("the ikas store did not reach the expected state:\n%s%s", d, busy)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *ikasE2E) deadLetters() []string {
	dl, err := e.agent.Store().DeadLetters(context.Background(), "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, d := range dl {
		out = append(out, d.Store+":"+d.SKU)
	}
	return out
}

const ikasE2EConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: ikas-e2e
    marketplace: ikas
    base_url: %[2]s
    credentials: {shop: e2e-magaza, client_id: ikas-client, client_secret: %[3]s}
    settings: {location: Ana Depo}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {scope: stock+price, warehouses: [MERKEZ, DEPO2]}
    orders: {fetch: false}
sources:
  drop_folders:
    - name: e2e-drop
      path: %[4]s
      quiet_period: 200ms
      poll_interval: 500ms
      warehouse: MERKEZ
`

// What the ikas store shows after e2eRows: MERKEZ + DEPO2 at Ana Depo (Mağaza keeps its
// 7), the list price as sellPrice and the sale price as discountPrice when lower, the
// merchant's buy price kept. A6 has no price in the ERP and keeps the store's; X9 is
// not on ikas.
var wantIkas = map[string]string{
	"A1": "15 7 120.00 100.00 55.55", "A2": "0 7 49.99 - 55.55", "A3": "30000 7 1299.00 1104.99 55.55",
	"A4": "1 7 0.50 - 55.55", "A5": "7 7 250.00 - 55.55", "A6": "3 7 99.99 - 55.55",
}

func (e *ikasE2E) config() string {
	return fmt.Sprintf(ikasE2EConfig, filepath.ToSlash(e.dir), e.sim.URL, e2eIkasSecret, filepath.ToSlash(e.drop))
}

// dropFile writes rows as the stock list the other end-to-end tests drop.
func (e *ikasE2E) dropFile(name string, rows []e2eRow) {
	(&e2e{t: e.t, dir: e.dir, drop: e.drop}).dropFile(name, rows)
}

func TestIkasEndToEndDroppedFileAndRevokedToken(t *testing.T) {
	e := newIkasE2E(t, ikassim.Options{})
	e.seed("A1", "A2", "A3", "A4", "A5", "A6")
	e.run(e.config(), nil, StoreFactory(), dropFolderFactory())
	e.dropFile("stok.xlsx", e2eRows)
	e.settled(wantIkas, 90*time.Second)
	if dl := e.deadLetters(); fmt.Sprint(dl) != "[ikas-e2e:X9]" {
		t.Fatalf("dead letters %v, want only the unknown X9", dl)
	}
	st := e.sim.Stats().Endpoints
	if st["updateVariantPrices"].Requests != 1 || st["saveVariantStocks"].Requests != 1 {
		t.Fatalf("one file, one price call and one stock call: %+v %+v", st["updateVariantPrices"], st["saveVariantStocks"])
	}

	// The app's token is revoked mid-run: the next change costs one new token.
	tokens := e.sim.Stats().Endpoints["token"].Requests
	e.sim.RevokeTokens()
	e.dropFile("guncel.xlsx", []e2eRow{{"A2", "8690000000028", 4, "49.99", "", "MERKEZ"}, {"A4", "8690000000042", 1, "0.75", "", "MERKEZ"}})
	want := cloneMap(wantIkas)
	want["A2"], want["A4"] = "4 7 49.99 - 55.55", "1 7 0.75 - 55.55"
	e.settled(want, 90*time.Second)
	if n := e.sim.Stats().Endpoints["token"].Requests - tokens; n != 1 {
		t.Fatalf("%d token requests after the revocation, want 1", n)
	}
	if dl := e.deadLetters(); fmt.Sprint(dl) != "[ikas-e2e:X9]" {
		t.Fatalf("dead letters after the revocation %v", dl)
	}
	if bans := e.sim.Bans(); len(bans) != 0 {
		t.Fatalf("blocked: %+v", bans)
	}
}

func TestIkasEndToEndTwentyPercentFailuresNeverBlockTheStore(t *testing.T) {
	// ikas counts an hour; here the simulator and the connector both count 5 s, so the
	// guard's waits take seconds. The connector is the registered one with that window.
	window, minVolume := 5*time.Second, ikas.DefaultTuning.MinVolume
	e := newIkasE2E(t, ikassim.Options{BanWindow: window, BanMinRequests: minVolume})
	var skus []string
	for i := 0; i < 120; i++ {
		skus = append(skus, fmt.Sprintf("E%03d", i))
	}
	e.seed(skus...)
	e.sim.SetFaults(simkit.Faults{Seed: 11, ErrorRate: 0.2, Only: []string{"updateVariantPrices", "saveVariantStocks", "listProduct"}})
	tune := ikas.DefaultTuning
	tune.ErrorWindow, tune.MinVolume = window, minVolume
	connect := func(s *config.Store, deps connectors.Deps) (connectors.Connector, error) {
		cs := s.Connector()
		if errs := connectors.Check(&cs); len(errs) > 0 {
			return nil, fmt.Errorf("%v", errs)
		}
		return ikas.NewTuned(&cs, deps, tune)
	}
	// 20 items a push: many requests, so that every window holds enough of them to judge.
	text := strings.Replace(e.config(), "orders: {fetch: false}", "orders: {fetch: false}\n    limits: {batch_size: 20}", 1)
	e.run(text, connect, StoreFactory(), dropFolderFactory())
	for round := 1; round <= 2; round++ {
		var rows []e2eRow
		want := map[string]string{}
		for i, sku := range skus {
			q := int64(i + round)
			price := fmt.Sprintf("%d.%02d", 10+round, i%100)
			rows = append(rows, e2eRow{sku, "", q, price, "", "MERKEZ"})
			want[sku] = fmt.Sprintf("%d 7 %s - %s", q, price, merchantBuy)
		}
		e.dropFile(fmt.Sprintf("stok-%d.xlsx", round), rows)
		e.settled(want, 150*time.Second)
	}
	st := e.sim.Stats()
	failed := st.Total.ServerErrors
	if failed*10 < st.Total.Requests {
		t.Fatalf("%d of %d requests failed; the test wants a hostile store", failed, st.Total.Requests)
	}
	if bans := e.sim.Bans(); len(bans) != 0 {
		t.Fatalf("the store was blocked: %+v", bans)
	}
	// The share ikas judged (windows of at least MinVolume requests) never passed the
	// guard's target; it may be 0: the guard keeps a window that holds failures from
	// filling up until they have aged out.
	r := e.sim.MaxErrorRatio()
	if r > ikas.DefaultTuning.ErrorTarget+1e-9 {
		t.Fatalf("ikas saw up to %.1f %% failed in a window of %d+ requests; the guard keeps it at or below %.0f %%",
			100*r, minVolume, 100*ikas.DefaultTuning.ErrorTarget)
	}
	if dl := e.deadLetters(); len(dl) != 0 {
		t.Fatalf("dead letters %v", dl)
	}
	t.Logf("%d requests, %d injected failures (%.0f %%), at most %.1f %% failed in any window ikas judged",
		st.Total.Requests, failed, 100*float64(failed)/float64(st.Total.Requests), 100*r)
}

const ikasOrderConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: ikas-e2e
    marketplace: ikas
    base_url: %[2]s
    credentials: {shop: e2e-magaza, client_id: ikas-client, client_secret: %[3]s}
    settings: {location: loc-ana}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms, orders: "@every 1s"}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: true, transfer: true, sink: erp-db, default_warehouse: MERKEZ}
  - name: pazarsync-e2e
    marketplace: pazarsync
    base_url: %[4]s
    credentials: {client_id: ps-client, client_secret: %[5]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock, warehouses: [MERKEZ]}
    limits: {requests: 600, per: 1m}
    orders: {fetch: false}
sinks:
  sql:
    - name: erp-db
      driver: sqlite3
      dsn: %[6]q
      exists: %[7]q
      header: %[8]q
      line: %[9]q
      cancel: %[10]q
      cancel_line: %[11]q
`

// The last two units sell on ikas: PazarSync shows 0 without a new ERP reading, and the
// order is written to the ERP once, however often the order list shows it.
func TestIkasEndToEndOrderOfTheLastUnits(t *testing.T) {
	e := newIkasE2E(t, ikassim.Options{})
	e.seed(ordSKU)
	e.ps = pazarsyncsim.New(pazarsyncsim.Options{ClientID: "ps-client", ClientSecret: e2ePsSecret, PerMinute: 6000})
	t.Cleanup(e.ps.Close)
	if _, err := e.ps.AddProduct(pazarsyncsim.Product{SKU: ordSKU, Stock: 9, Price: 10000}); err != nil {
		t.Fatal(err)
	}
	erp := sinktest.Open(t, "sqlite3")
	sk := erp.Sink(t, "erp-db")
	text := fmt.Sprintf(ikasOrderConfig, filepath.ToSlash(e.dir), e.sim.URL, e2eIkasSecret, e.ps.URL, e2ePsSecret,
		erp.DSN, sk.Exists, sk.Header, sk.Line, sk.Cancel, sk.CancelLine)
	e.run(text, nil, append([]Factory{StoreFactory()}, OrderFactories()...)...)
	st := e.agent.Store()
	two := int64(2)
	if _, err := st.Apply(context.Background(), []queue.ItemChange{{SKU: ordSKU, Barcode: ordBarcode, Warehouse: "MERKEZ", Qty: &two,
		Source: queue.Source{Kind: "sql", Ref: "logo"}}}); err != nil {
		t.Fatal(err)
	}
	shown := func() (float64, int64) {
		_, v, _ := e.sim.VariantBySKU(ordSKU)
		p, _ := e.ps.Product(ordSKU)
		return v.Stock["loc-ana"], p.Stock
	}
	await(t, "both stores show the ERP's 2", func() bool { a, b := shown(); return a == 2 && b == 2 })
	o, err := e.sim.AddOrder(ikassim.Order{Lines: []ikassim.OrderLine{{SKU: ordSKU, Quantity: 2, Location: "loc-ana"}}})
	if err != nil {
		t.Fatal(err)
	}
	await(t, "PazarSync, which sold nothing, shows 0", func() bool { _, b := shown(); return b == 0 })
	await(t, "the order is in the ERP", func() bool { return erp.Written(t)[o.Number] == 1 })
	// More fetches (the overlap re-reads the newest orders) write nothing again.
	time.Sleep(3 * time.Second)
	if w := erp.Written(t); len(w) != 1 || w[o.Number] != 1 {
		t.Fatalf("ERP orders %v", w)
	}
	if a, b := shown(); a != 0 || b != 0 {
		t.Fatalf("stock shown: ikas %v, PazarSync %d", a, b)
	}
	list, err := st.ListOrders(context.Background(), queue.OrderFilter{Store: "ikas-e2e"})
	if err != nil || len(list) != 1 || list[0].TransferState != queue.TransferDone {
		t.Fatalf("orders %+v %v", list, err)
	}
}
