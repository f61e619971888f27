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
	"syncagent/connectors/money"
	"syncagent/connectors/sim/n11sim"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/erpbridge/sinks/sinktest"
	"syncagent/queue"
)

// The n11 end-to-end tests run the real agent against simulated n11 stores over loopback
// HTTP: a dropped Excel file ends as the stock and prices each n11 store's rules say, a
// store on stock leaves n11 campaign prices alone, and an n11 order of the last units
// takes them off every other store and reaches the ERP once.

const (
	n11E2ESecret     = "canary-n11-secret-5e0b"
	n11E2EStockSecre = "canary-n11-stock-secret-c47a"
	n11E2ETaskDelay  = 300 * time.Millisecond
)

// Campaign prices the stock-only store shows before and after: the agent must not touch them.
const n11Campaign, n11CampaignList = money.Kurus(7990), money.Kurus(12990)

var (
	// markup 12.5 %, rounded up to .90, list price from the list and never below the sale
	// price (A5: list 240.00 → 270.90 is below the sale 281.90, so the list is 281.90),
	// every warehouse, n11's cap of 999 999 far above A3's 30 000.
	wantN11 = map[string]string{
		"A1": "15 112.90 135.90", "A2": "0 56.90 56.90", "A3": "30000 1243.90 1461.90",
		"A4": "1 0.90 0.90", "A5": "7 281.90 281.90", "A6": "3 99.99 99.99",
	}
	// rules.scope stock, MERKEZ only: quantities change, the campaign prices stay.
	wantN11Stock = map[string]string{
		"A1": "10 79.90 129.90", "A2": "0 79.90 129.90", "A3": "30000 79.90 129.90",
		"A4": "1 79.90 129.90", "A5": "7 79.90 129.90", "A6": "3 79.90 129.90",
	}
)

type n11E2E struct {
	e2e
	all, stock *n11sim.Server
}

const n11E2EConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: n11-e2e
    marketplace: n11
    base_url: %[2]s
    credentials: {appkey: n11-key, appsecret: %[4]s}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {markup_percent: 12.5, rounding: ".90", list_price: list}
    orders: {fetch: false}
  - name: n11-kampanya
    marketplace: n11
    base_url: %[3]s
    credentials: {appkey: n11-key-2, appsecret: %[5]s, integrator: Depo Entegrasyonu}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: false}
sources:
  drop_folders:
    - name: e2e-drop
      path: %[6]s
      quiet_period: 200ms
      poll_interval: 500ms
      warehouse: MERKEZ
`

func startN11E2E(t *testing.T) *n11E2E {
	t.Helper()
	e := &n11E2E{e2e: e2e{t: t, dir: t.TempDir(), logs: &syncBuffer{}}}
	e.drop = filepath.Join(e.dir, "drop")
	if err := os.MkdirAll(e.drop, 0o750); err != nil {
		t.Fatal(err)
	}
	e.all = n11sim.New(n11sim.Options{AppKey: "n11-key", AppSecret: n11E2ESecret, TaskDelay: n11E2ETaskDelay})
	e.stock = n11sim.New(n11sim.Options{AppKey: "n11-key-2", AppSecret: n11E2EStockSecre, TaskDelay: n11E2ETaskDelay})
	t.Cleanup(func() { e.all.Close(); e.stock.Close() })
	for _, r := range e2eRows {
		if r.sku == "X9" || r.wh != "MERKEZ" {
			continue
		}
		if err := e.all.AddProduct(n11sim.Product{StockCode: r.sku, Barcode: r.barcode, Quantity: 99, SalePrice: 9999}); err != nil {
			t.Fatal(err)
		}
		if err := e.stock.AddProduct(n11sim.Product{StockCode: r.sku, Quantity: 99, SalePrice: n11Campaign, ListPrice: n11CampaignList}); err != nil {
			t.Fatal(err)
		}
	}
	text := fmt.Sprintf(n11E2EConfig, filepath.ToSlash(e.dir), e.all.URL, e.stock.URL, n11E2ESecret, n11E2EStockSecre, filepath.ToSlash(e.drop))
	cfg, err := config.Parse([]byte(text), filepath.Join(e.dir, "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	e.agent = New(cfg, zerolog.New(e.logs).Level(zerolog.DebugLevel), Options{Factories: []Factory{StoreFactory(), dropFolderFactory()}})
	ctx, cancel := context.WithCancel(context.Background())
	e.stop, e.done = cancel, make(chan error, 1)
	go func() { e.done <- e.agent.Run(ctx) }()
	select {
	case <-e.agent.Ready():
	case err := <-e.done:
		t.Fatalf("agent did not start: %v", err)
	}
	t.Cleanup(func() {
		e.stop()
		if err := <-e.done; err != nil {
			t.Errorf("agent stopped with: %v", err)
		}
		for _, secret := range []string{n11E2ESecret, n11E2EStockSecre} {
			if strings.Contains(e.logs.String(), secret) {
				t.Errorf("a credential appears in the log")
			}
		}
		if t.Failed() {
			lines := strings.Split(e.logs.String(), "\n")
			t.Logf("last log lines:\n%s", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	return e
}

func n11State(s *n11sim.Server) map[string]string {
	out := map[string]string{}
	for sku, p := range s.Snapshot() {
		out[sku] = fmt.Sprintf("%d %s %s", p.Quantity, p.SalePrice, p.ListPrice)
	}
	return out
}

// settledN11 waits until both n11 stores show what they should and nothing waits or is
// in flight.
func (e *n11E2E) settled(wantAll, wantStock map[string]string) {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d := diff(n11State(e.all), wantAll) + diff(n11State(e.stock), wantStock)
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
			e.t.Fatalf("the n11 stores did not reach the expected state:\n%s%s", d, busy)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestN11EndToEndDroppedFileReachesTheStoresAfterTheirRules(t *testing.T) {
	e := startN11E2E(t)
	e.dropFile("stok.xlsx", e2eRows)
	e.settled(wantN11, wantN11Stock)

	// Only X9, which n11 does not list, is dead-lettered, with n11's own words.
	dl, err := e.agent.Store().DeadLetters(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range dl {
		got[d.Store+" "+d.SKU] = d.Reason
	}
	if len(got) != 2 || !strings.Contains(got["n11-e2e X9"], n11sim.ReasonUnknownSKU) || !strings.Contains(got["n11-kampanya X9"], n11sim.ReasonUnknownSKU) {
		t.Fatalf("dead letters %v", got)
	}
	// The stock-only store never had a price sent: its campaign prices are n11's own.
	for sku, p := range e.stock.Snapshot() {
		if p.SalePrice != n11Campaign || p.ListPrice != n11CampaignList {
			t.Fatalf("%s: campaign price changed to %s / %s", sku, p.SalePrice, p.ListPrice)
		}
	}
	// Every task went through the queue and was confirmed from its details.
	for name, s := range map[string]*n11sim.Server{"n11-e2e": e.all, "n11-kampanya": e.stock} {
		st := s.Stats()
		if st.Endpoints["price-stock-update"].Requests == 0 || st.Endpoints["task-details"].OK == 0 || st.Total.RateLimited != 0 || st.Total.ServerErrors != 0 {
			t.Fatalf("%s: %+v", name, st.Endpoints)
		}
		if s.PendingTasks() != 0 {
			t.Fatalf("%s: tasks still queued", name)
		}
	}

	// The same list again sends nothing.
	before := e.all.Stats().Endpoints["price-stock-update"].Requests + e.stock.Stats().Endpoints["price-stock-update"].Requests
	e.dropFile("stok-tekrar.xlsx", e2eRows)
	waitImports(t, &e.e2e, 2)
	time.Sleep(2 * time.Second)
	if after := e.all.Stats().Endpoints["price-stock-update"].Requests + e.stock.Stats().Endpoints["price-stock-update"].Requests; after != before {
		t.Fatalf("re-importing the same file sent %d tasks", after-before)
	}
}

// The order end-to-end test: n11 sells the last units; Trendyol and PazarSync show 0
// without any new ERP reading, and the order is written to the ERP once.

const n11OrderE2EConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: n11-e2e
    marketplace: n11
    base_url: %[2]s
    credentials: {appkey: n11-key, appsecret: %[5]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms, orders: "@every 2s"}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: true, transfer: true, sink: erp-db, default_warehouse: MERKEZ, cargo_firm: Yurtiçi}
  - name: trendyol-e2e
    marketplace: trendyol
    base_url: %[3]s/integration
    credentials: {seller_id: "555111", api_key: ty-key, api_secret: %[6]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: false}
  - name: pazarsync-e2e
    marketplace: pazarsync
    base_url: %[4]s
    credentials: {client_id: ps-client, client_secret: %[7]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock, warehouses: [MERKEZ]}
    limits: {requests: 600, per: 1m}
    orders: {fetch: false}
sinks:
  sql:
    - name: erp-db
      driver: %[8]s
      dsn: ${ERP_ORDERS_DSN}
      exists: %[9]q
      header: %[10]q
      line: %[11]q
      cancel: %[12]q
      cancel_line: %[13]q
`

func TestN11OrdersEndToEndLastUnits(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			dir := t.TempDir()
			logs := &syncBuffer{}
			erp := sinktest.Open(t, driver)
			n := n11sim.New(n11sim.Options{AppKey: "n11-key", AppSecret: n11E2ESecret, TaskDelay: n11E2ETaskDelay})
			ty := trendyolsim.New(trendyolsim.Options{SellerID: "555111", APIKey: "ty-key", APISecret: e2eTySecret})
			ps := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "ps-client", ClientSecret: e2ePsSecret, PerMinute: 6000})
			t.Cleanup(func() { n.Close(); ty.Close(); ps.Close() })
			if err := n.AddProduct(n11sim.Product{StockCode: ordSKU, Barcode: ordBarcode, Quantity: 9, SalePrice: 10000}); err != nil {
				t.Fatal(err)
			}
			if err := ty.AddProduct(trendyolsim.Product{Barcode: ordBarcode, StockCode: ordSKU, Quantity: 9, SalePrice: 10000}); err != nil {
				t.Fatal(err)
			}
			if _, err := ps.AddProduct(pazarsyncsim.Product{SKU: ordSKU, Stock: 9, Price: 10000}); err != nil {
				t.Fatal(err)
			}
			sk := erp.Sink(t, "erp-db")
			text := fmt.Sprintf(n11OrderE2EConfig, filepath.ToSlash(dir), n.URL, ty.URL, ps.URL, n11E2ESecret, e2eTySecret, e2ePsSecret,
				driver, sk.Exists, sk.Header, sk.Line, sk.Cancel, sk.CancelLine)
			cfg, err := config.Parse([]byte(text), filepath.Join(dir, "config.yaml"), func(k string) (string, bool) { return erp.DSN, k == "ERP_ORDERS_DSN" })
			if err != nil {
				t.Fatal(err)
			}
			a := New(cfg, zerolog.New(logs).Level(zerolog.DebugLevel), Options{Factories: append([]Factory{StoreFactory()}, OrderFactories()...)})
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- a.Run(ctx) }()
			select {
			case <-a.Ready():
			case err := <-done:
				t.Fatalf("agent did not start: %v", err)
			}
			t.Cleanup(func() {
				stop()
				if err := <-done; err != nil {
					t.Errorf("agent stopped with: %v", err)
				}
				log := logs.String()
				for _, secret := range []string{n11E2ESecret, e2eTySecret, e2ePsSecret} {
					if strings.Contains(log, secret) {
						t.Errorf("the log holds a credential")
					}
				}
				for _, l := range strings.Split(log, "\n") {
					if !strings.Contains(l, `"level":"debug"`) && strings.Contains(l, "Ayşe") {
						t.Errorf("a log line names the customer: %s", l)
					}
				}
				if t.Failed() {
					lines := strings.Split(log, "\n")
					t.Logf("last log lines:\n%s", strings.Join(lines[max(0, len(lines)-60):], "\n"))
				}
			})
			shown := func() (int64, int64, int64) {
				p, _ := n.Product(ordSKU)
				q, _ := ty.Product(ordBarcode)
				r, _ := ps.Product(ordSKU)
				return p.Quantity, q.Quantity, r.Stock
			}
			st := a.Store()
			two := int64(2)
			if _, err := st.Apply(context.Background(), []queue.ItemChange{{SKU: ordSKU, Barcode: ordBarcode, Warehouse: "MERKEZ", Qty: &two,
				Source: queue.Source{Kind: "sql", Ref: "logo"}}}); err != nil {
				t.Fatal(err)
			}
			await(t, "every store shows the ERP's 2", func() bool { x, y, z := shown(); return x == 2 && y == 2 && z == 2 })

			// The last two units sell on n11, with a seller and an n11 discount.
			o, err := n.AddOrder(n11sim.Order{Lines: []n11sim.OrderLine{{StockCode: ordSKU, Quantity: 2, Price: 10000, SellerDiscount: 500, MallDiscount: 250}}})
			if err != nil {
				t.Fatal(err)
			}
			await(t, "Trendyol and PazarSync show 0 without an ERP reading", func() bool { _, y, z := shown(); return y == 0 && z == 0 })
			await(t, "the order is written to the ERP", func() bool { return erp.Written(t)[o.OrderNumber] == 1 })
			list, err := st.ListOrders(context.Background(), queue.OrderFilter{Store: "n11-e2e"})
			if err != nil || len(list) != 1 || list[0].Number != o.OrderNumber || list[0].Status != "new" {
				t.Fatalf("orders %+v %v", list, err)
			}
			if x, _, _ := shown(); x != 0 {
				t.Fatalf("n11 itself shows %d after selling its last units", x)
			}
			// Later fetches bring the same order again; it is written once.
			time.Sleep(5 * time.Second)
			if w := erp.Written(t); len(w) != 1 || w[o.OrderNumber] != 1 || erp.Count(t, "erp_order_lines") != 1 {
				t.Fatalf("ERP orders %v, lines %d", w, erp.Count(t, "erp_order_lines"))
			}
			var total, discount string
			row := erp.DB.QueryRow("SELECT line_total, line_discount FROM " + erp.Table("erp_order_lines"))
			if err := row.Scan(&total, &discount); err != nil {
				t.Fatal(err)
			}
			if total != "192.50" || discount != "7.50" {
				t.Fatalf("line total %s, discount %s in the ERP; want 2 × 100.00 − 5.00 − 2.50 = 192.50 and 7.50", total, discount)
			}
		})
	}
}
