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
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/tsoftsim"
	"syncagent/erpbridge/sinks/sinktest"
	"syncagent/queue"
)

// The T-Soft end-to-end tests run the real agent against the simulated T-Soft shop
// (REST1 with its default pace of two requests a second, refusals as HTTP 200 with
// success:false) over loopback HTTP.

const (
	e2eTsUser   = "entegrasyon"
	e2eTsSecret = "canary-ts-password-5be1"
)

// Per SKU, "stock price" the T-Soft shop must show after e2eRows: every warehouse, the
// ERP's price plus 10.00 in SellingPrice; A6 has no price in the ERP and keeps the
// seeded 100.00; X9 is no product of the shop.
var wantTsoft = map[string]string{
	"A1": "15 110.00", "A2": "0 59.99", "A3": "30000 1114.99", "A4": "1 10.50", "A5": "7 260.00", "A6": "3 100.00",
}

const tsoftE2EConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: tsoft-e2e
    marketplace: tsoft
    base_url: %[2]s
    credentials: {user: %[3]s, password: %[4]s}
    settings: {host: www.ornekmagaza.com.tr}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {scope: all, warehouses: [MERKEZ, DEPO2], add: 10.00}
    orders: {fetch: false}
sources:
  drop_folders:
    - name: e2e-drop
      path: %[5]s
      quiet_period: 200ms
      poll_interval: 500ms
      warehouse: MERKEZ
`

// startTsoftE2E starts the shop seeded with every known SKU (99 units at 100.00) and
// the agent with the store and the drop folder.
func startTsoftE2E(t *testing.T, opt tsoftsim.Options) (*e2e, *tsoftsim.Server) {
	t.Helper()
	e := &e2e{t: t, dir: t.TempDir(), logs: &syncBuffer{}}
	e.drop = filepath.Join(e.dir, "drop")
	if err := os.MkdirAll(e.drop, 0o750); err != nil {
		t.Fatal(err)
	}
	opt.User, opt.Password = e2eTsUser, e2eTsSecret
	ts := tsoftsim.New(opt)
	t.Cleanup(ts.Close)
	for _, r := range e2eRows {
		if r.sku == "X9" || r.wh != "MERKEZ" {
			continue
		}
		if _, err := ts.AddProduct(tsoftsim.Product{Code: r.sku, Barcode: r.barcode, Stock: 99, SellingPrice: 10000}); err != nil {
			t.Fatal(err)
		}
	}
	text := fmt.Sprintf(tsoftE2EConfig, filepath.ToSlash(e.dir), ts.URL, e2eTsUser, e2eTsSecret, filepath.ToSlash(e.drop))
	runTsoftAgent(t, e, text, nil, StoreFactory(), dropFolderFactory())
	return e, ts
}

// runTsoftAgent parses text and runs the agent with factories until the test ends; the log
// must never hold the T-Soft password (nor secrets).
func runTsoftAgent(t *testing.T, e *e2e, text string, env map[string]string, factories ...Factory) {
	t.Helper()
	cfg, err := config.Parse([]byte(text), filepath.Join(e.dir, "config.yaml"), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	e.agent = New(cfg, zerolog.New(e.logs).Level(zerolog.DebugLevel), Options{Factories: factories})
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
		log := e.logs.String()
		for _, secret := range []string{e2eTsSecret, e2eGmSecret, e2ePsSecret} {
			if strings.Contains(log, secret) {
				t.Errorf("a credential appears in the log")
			}
		}
		if t.Failed() {
			lines := strings.Split(log, "\n")
			t.Logf("last log lines:\n%s", strings.Join(lines[max(0, len(lines)-60):], "\n"))
		}
	})
}

func tsoftState(ts *tsoftsim.Server) map[string]string {
	out := map[string]string{}
	for code, p := range ts.Snapshot() {
		out[code] = fmt.Sprintf("%d %s", p.Stock, p.SellingPrice)
	}
	return out
}

// tsoftSettled waits until the shop shows want and the outbox holds nothing waiting or
// in flight.
func tsoftSettled(t *testing.T, e *e2e, ts *tsoftsim.Server, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		d := diff(tsoftState(ts), want)
		stats, err := e.agent.Store().Stats(context.Background())
		if err != nil {
			t.Fatal(err)
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
			t.Fatalf("the shop did not reach the expected state:\n%s%s", d, busy)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func expectTsoftDead(t *testing.T, e *e2e, want string) {
	t.Helper()
	if got := fmt.Sprint(e.deadLetters()["tsoft-e2e"]); got != want {
		t.Errorf("T-Soft dead letters %s, want %s", got, want)
	}
}

// An Excel file dropped reaches the T-Soft shop as the store's rules say, one product
// per update call within the shop's pace: not one 429.
func TestTsoftEndToEndDroppedFileReachesTheShop(t *testing.T) {
	e, ts := startTsoftE2E(t, tsoftsim.Options{})
	e.dropFile("stok.xlsx", e2eRows)
	tsoftSettled(t, e, ts, wantTsoft)
	expectTsoftDead(t, e, "[X9]")
	st := ts.Stats()
	if st.Total.RateLimited != 0 || st.Endpoints["login"].Requests != 1 {
		t.Errorf("requests %+v: want no 429 and one login", st.Endpoints)
	}
	// The same list again sends nothing.
	before := st.Endpoints["update-products"].Requests
	e.dropFile("stok-tekrar.xlsx", e2eRows)
	waitImports(t, e, 2)
	time.Sleep(2 * time.Second) // more than the debounce plus a scheduled push
	if after := ts.Stats().Endpoints["update-products"].Requests; after != before {
		t.Fatalf("re-importing the same file sent %d updates", after-before)
	}
}

// The same file through the shop's bad days: its PHP error page after applying an
// update, 503s, a token that dies early, a throttle answered as HTTP 200: the shop ends
// exactly as the rules say.
func TestTsoftEndToEndThroughTheShopsFaults(t *testing.T) {
	e, ts := startTsoftE2E(t, tsoftsim.Options{TokenTTL: time.Hour, Throttle: "message"})
	ts.SetHTMLFaults(tsoftsim.HTMLFaults{Next: 2, Applied: true, Only: []string{"update-products"}})
	ts.SetFaults(simkit.Faults{Seed: 3, ErrorRate: 0.2, ErrorStatus: 503, TokenExpiry: 3 * time.Second, Only: []string{"update-products"}})
	e.dropFile("stok.xlsx", e2eRows)
	tsoftSettled(t, e, ts, wantTsoft)
	expectTsoftDead(t, e, "[X9]")
	st := ts.Stats()
	if ts.HTMLPages() != 2 || st.Endpoints["update-products"].ServerErrors < 1 || st.Endpoints["login"].Requests < 2 {
		t.Errorf("faults did not all happen: %d HTML pages, %+v", ts.HTMLPages(), st.Endpoints)
	}
}

const tsoftOrderConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: tsoft-e2e
    marketplace: tsoft
    base_url: %[2]s
    credentials: {user: %[5]s, password: %[6]s}
    settings: {host: www.ornekmagaza.com.tr}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms, orders: "@every 1s"}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: true, transfer: true, sink: erp-db, default_warehouse: MERKEZ}
  - name: giyimmoda-e2e
    marketplace: giyimmoda
    base_url: %[3]s
    credentials: {api_key: gm-key, api_secret: %[7]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: false}
  - name: pazarsync-e2e
    marketplace: pazarsync
    base_url: %[4]s
    credentials: {client_id: ps-client, client_secret: %[8]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock, warehouses: [MERKEZ]}
    limits: {requests: 600, per: 1m}
    orders: {fetch: false}
sinks:
  sql:
    - name: erp-db
      driver: %[9]s
      dsn: ${ERP_ORDERS_DSN}
      exists: %[10]q
      header: %[11]q
      line: %[12]q
      cancel: %[13]q
      cancel_line: %[14]q
`

// The last units sell on the T-Soft shop: Giyim Moda and PazarSync show 0 at the next push,
// the order is written to the ERP once, and the ERP's own reading takes the hold over
// once. A second order is cancelled on the shop: its hold is released once, the other
// stores show the units again, and the ERP gets the cancellation once.
func TestTsoftOrdersEndToEndLastUnits(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			e := &e2e{t: t, dir: t.TempDir(), logs: &syncBuffer{}}
			erp := sinktest.Open(t, driver)
			ts := tsoftsim.New(tsoftsim.Options{User: e2eTsUser, Password: e2eTsSecret})
			// Giyim Moda rather than Trendyol as the other store: the test shows a quantity
			// twice within 15 minutes, which Trendyol refuses as a duplicate request.
			gm := giyimmodasim.New(giyimmodasim.Options{APIKey: "gm-key", APISecret: e2eGmSecret})
			ps := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "ps-client", ClientSecret: e2ePsSecret, PerMinute: 6000})
			t.Cleanup(func() { ts.Close(); gm.Close(); ps.Close() })
			if _, err := ts.AddProduct(tsoftsim.Product{Code: ordSKU, Barcode: ordBarcode, Stock: 9, SellingPrice: 10000}); err != nil {
				t.Fatal(err)
			}
			gp, err := gm.AddProduct(giyimmodasim.Product{SKU: ordSKU, Barcode: ordBarcode, Stock: 9, UnitPrice: 10000})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ps.AddProduct(pazarsyncsim.Product{SKU: ordSKU, Stock: 9, Price: 10000}); err != nil {
				t.Fatal(err)
			}
			sk := erp.Sink(t, "erp-db")
			text := fmt.Sprintf(tsoftOrderConfig, filepath.ToSlash(e.dir), ts.URL, gm.URL, ps.URL, e2eTsUser, e2eTsSecret, e2eGmSecret, e2ePsSecret,
				driver, sk.Exists, sk.Header, sk.Line, sk.Cancel, sk.CancelLine)
			runTsoftAgent(t, e, text, map[string]string{"ERP_ORDERS_DSN": erp.DSN}, append([]Factory{StoreFactory()}, OrderFactories()...)...)
			st := e.agent.Store()
			shown := func() (int64, int64, int64) {
				a, _ := ts.Product(ordSKU)
				b, _ := gm.Product(gp.ID)
				c, _ := ps.Product(ordSKU)
				return a.Stock, b.Stock, c.Stock
			}
			reading := func(q int64, at time.Time) int {
				t.Helper()
				ctx := context.Background()
				tx, err := st.BeginReading(ctx, "logo")
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				ch := []queue.ItemChange{{SKU: ordSKU, Barcode: ordBarcode, Warehouse: "MERKEZ", Qty: &q, Source: queue.Source{Kind: "sql", Ref: "logo"}}}
				if _, err := tx.Apply(ctx, ch); err != nil {
					t.Fatal(err)
				}
				n, err := tx.ERPRead(ctx, queue.ERPRead{At: at, Changes: ch})
				if err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				return n
			}
			reading(2, time.Now())
			await(t, "every store shows the ERP's 2", func() bool { a, b, c := shown(); return a == 2 && b == 2 && c == 2 })

			first, err := ts.AddOrder(tsoftsim.Order{Lines: []tsoftsim.OrderLine{{Code: ordSKU, Quantity: 2, Price: money.Kurus(12990)}}})
			if err != nil {
				t.Fatal(err)
			}
			await(t, "Giyim Moda and PazarSync, which sold nothing, show 0", func() bool { _, b, c := shown(); return b == 0 && c == 0 })
			await(t, "the order is written to the ERP", func() bool { return erp.Written(t)[first.Code] == 1 })
			if n := reading(0, time.Now()); n != 1 {
				t.Fatalf("the ERP's reading after the write-back released %d holds, want 1", n)
			}
			if n := reading(0, time.Now()); n != 0 {
				t.Fatalf("released again: %d", n)
			}

			// A receipt of 3, a second order of 1, cancelled on the shop.
			reading(3, time.Now())
			await(t, "every store shows the ERP's 3", func() bool { a, b, c := shown(); return a == 3 && b == 3 && c == 3 })
			second, err := ts.AddOrder(tsoftsim.Order{Lines: []tsoftsim.OrderLine{{Code: ordSKU, Quantity: 1}}})
			if err != nil {
				t.Fatal(err)
			}
			await(t, "the others show 2 while the order holds 1", func() bool { _, b, c := shown(); return b == 2 && c == 2 })
			await(t, "the second order is written to the ERP", func() bool { return erp.Written(t)[second.Code] == 1 })
			if err := ts.CancelOrder(second.ID); err != nil {
				t.Fatal(err)
			}
			await(t, "the cancellation releases the hold: 3 again", func() bool { _, b, c := shown(); return b == 3 && c == 3 })
			await(t, "the cancellation reaches the ERP", func() bool {
				var status string
				_ = erp.DB.QueryRow("SELECT status FROM " + erp.Table("erp_orders") + " WHERE order_number = '" + second.Code + "'").Scan(&status)
				return status == "cancelled"
			})
			time.Sleep(3 * time.Second) // more fetches of the cancelled order: nothing moves
			if _, b, c := shown(); b != 3 || c != 3 {
				t.Fatalf("after more fetches the others show %d and %d, want 3", b, c)
			}
			rs, err := st.Reservations(context.Background(), "tsoft-e2e", second.Code)
			if err != nil || len(rs) != 1 || rs[0].State != "released" || rs[0].Qty != 1 {
				t.Fatalf("the cancelled order's hold: %+v %v", rs, err)
			}
			if w := erp.Written(t); len(w) != 2 || w[first.Code] != 1 || w[second.Code] != 1 || erp.Count(t, "erp_order_lines") != 2 {
				t.Fatalf("ERP orders %v, lines %d", w, erp.Count(t, "erp_order_lines"))
			}
			list, err := st.ListOrders(context.Background(), queue.OrderFilter{Store: "tsoft-e2e"})
			if err != nil || len(list) != 2 {
				t.Fatalf("orders %+v %v", list, err)
			}
			for _, o := range list {
				if o.TransferState != queue.TransferDone {
					t.Fatalf("order %+v", o)
				}
			}
		})
	}
}
