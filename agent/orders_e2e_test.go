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
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/erpbridge/sinks/sinktest"
	"syncagent/queue"
)

// The order end-to-end tests run the real agent (push loops, order fetch loops, the
// transfer loop) against the three simulators over loopback HTTP and a real ERP
// database with the sample schema of testdata/erp.

const (
	ordSKU     = "LAST-1"
	ordBarcode = "8690000001234"
)

type orderE2E struct {
	t     *testing.T
	dir   string
	files string // the file sink's folder
	erp   *sinktest.ERP
	ty    *trendyolsim.Server
	ps    *pazarsyncsim.Server
	gm    *giyimmodasim.Server
	gmID  int64
	agent *Agent
	logs  *syncBuffer
}

const orderE2EConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: trendyol-e2e
    marketplace: trendyol
    base_url: %[2]s/integration
    credentials: {seller_id: "555111", api_key: ty-key, api_secret: %[5]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms, orders: "@every 2s"}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: true, transfer: true, sink: erp-db, default_warehouse: MERKEZ, cargo_firm: Yurtiçi}
  - name: pazarsync-e2e
    marketplace: pazarsync
    base_url: %[3]s
    credentials: {client_id: ps-client, client_secret: %[6]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms, orders: "@every 2s"}
    rules: {scope: stock, warehouses: [MERKEZ]}
    limits: {requests: 600, per: 1m}
    orders: {fetch: true, transfer: true, sink: erp-files, default_warehouse: MERKEZ}
  - name: giyimmoda-e2e
    marketplace: giyimmoda
    base_url: %[4]s
    credentials: {api_key: gm-key, api_secret: %[7]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock}
    orders: {fetch: false}
sinks:
  files:
    - {name: erp-files, dir: %[8]s, format: csv}
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

func startOrderE2E(t *testing.T, driver string) *orderE2E {
	t.Helper()
	e := &orderE2E{t: t, dir: t.TempDir(), logs: &syncBuffer{}}
	e.files = filepath.Join(e.dir, "erp-in")
	e.erp = sinktest.Open(t, driver)
	e.ty = trendyolsim.New(trendyolsim.Options{SellerID: "555111", APIKey: "ty-key", APISecret: e2eTySecret})
	e.ps = pazarsyncsim.New(pazarsyncsim.Options{ClientID: "ps-client", ClientSecret: e2ePsSecret, PerMinute: 6000})
	e.gm = giyimmodasim.New(giyimmodasim.Options{APIKey: "gm-key", APISecret: e2eGmSecret})
	t.Cleanup(func() { e.ty.Close(); e.ps.Close(); e.gm.Close() })
	if err := e.ty.AddProduct(trendyolsim.Product{Barcode: ordBarcode, StockCode: ordSKU, Quantity: 9, SalePrice: 10000}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ps.AddProduct(pazarsyncsim.Product{SKU: ordSKU, Stock: 9, Price: 10000}); err != nil {
		t.Fatal(err)
	}
	p, err := e.gm.AddProduct(giyimmodasim.Product{SKU: ordSKU, Barcode: ordBarcode, Stock: 9, UnitPrice: 10000})
	if err != nil {
		t.Fatal(err)
	}
	e.gmID = p.ID
	sk := e.erp.Sink(t, "erp-db")
	text := fmt.Sprintf(orderE2EConfig, filepath.ToSlash(e.dir), e.ty.URL, e.ps.URL, e.gm.URL, e2eTySecret, e2ePsSecret, e2eGmSecret,
		filepath.ToSlash(e.files), driver, sk.Exists, sk.Header, sk.Line, sk.Cancel, sk.CancelLine)
	cfg, err := config.Parse([]byte(text), filepath.Join(e.dir, "config.yaml"), func(k string) (string, bool) {
		return e.erp.DSN, k == "ERP_ORDERS_DSN"
	})
	if err != nil {
		t.Fatal(err)
	}
	factories := append([]Factory{StoreFactory()}, OrderFactories()...)
	e.agent = New(cfg, zerolog.New(e.logs).Level(zerolog.DebugLevel), Options{Factories: factories})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.agent.Run(ctx) }()
	select {
	case <-e.agent.Ready():
	case err := <-done:
		t.Fatalf("agent did not start: %v", err)
	}
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("agent stopped with: %v", err)
		}
		log := e.logs.String()
		for _, secret := range []string{e2eTySecret, e2ePsSecret, e2eGmSecret} {
			if strings.Contains(log, secret) {
				t.Errorf("the log holds a credential")
			}
		}
		// Customers are personal data: no line above debug names one.
		for _, l := range strings.Split(log, "\n") {
			if !strings.Contains(l, `"level":"debug"`) && (strings.Contains(l, "Ayşe") || strings.Contains(l, "Ahmet")) {
				t.Errorf("a log line names a customer: %s", l)
			}
		}
		if os.Getenv("SYNCAGENT_SHOW_LOG") != "" {
			for _, l := range strings.Split(log, "\n") {
				if !strings.Contains(l, `"level":"debug"`) {
					t.Log(l)
				}
			}
		}
		if t.Failed() {
			lines := strings.Split(log, "\n")
			t.Logf("last log lines:\n%s", strings.Join(lines[max(0, len(lines)-60):], "\n"))
		}
	})
	return e
}

// await waits for cond with a deadline far beyond any expected latency (Trendyol's
// order stream asks for 5 s between calls): it proves that something happens, not how
// fast.
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// erpReading commits a reading of the ERP (as a drop folder or SQL source does): the new
// quantity and the release of what it shows, in one transaction.
func (e *orderE2E) erpReading(q int64, at time.Time) int {
	e.t.Helper()
	ctx := context.Background()
	st := e.agent.Store()
	tx, err := st.BeginReading(ctx, "logo")
	if err != nil {
		e.t.Fatal(err)
	}
	defer tx.Rollback()
	ch := []queue.ItemChange{{SKU: ordSKU, Barcode: ordBarcode, Warehouse: "MERKEZ", Qty: &q, Source: queue.Source{Kind: "sql", Ref: "logo"}}}
	if _, err := tx.Apply(ctx, ch); err != nil {
		e.t.Fatal(err)
	}
	n, err := tx.ERPRead(ctx, queue.ERPRead{At: at, Changes: ch})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *orderE2E) shown() (ty, ps, gm int64) {
	a, _ := e.ty.Product(ordBarcode)
	b, _ := e.ps.Product(ordSKU)
	c, _ := e.gm.Product(e.gmID)
	return a.Quantity, b.Stock, c.Stock
}

// The last two units sell on two stores at once: both orders are imported, each is
// written to the ERP once (SQL for one store, a file for the other), and the third store
// shows 0 without any new reading of the ERP. Then the ERP's own reading takes over the
// reservations, exactly once, and a cancellation after the write-back is exported once.
func TestOrdersEndToEndLastUnitsOnTwoStores(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			e := startOrderE2E(t, driver)
			st := e.agent.Store()
			two := int64(2)
			if _, err := st.Apply(context.Background(), []queue.ItemChange{{SKU: ordSKU, Barcode: ordBarcode, Warehouse: "MERKEZ", Qty: &two,
				Source: queue.Source{Kind: "sql", Ref: "logo"}}}); err != nil {
				t.Fatal(err)
			}
			await(t, "every store shows the ERP's 2", func() bool { a, b, c := e.shown(); return a == 2 && b == 2 && c == 2 })

			tyOrder, err := e.ty.AddOrder(trendyolsim.Order{Lines: []trendyolsim.OrderLine{{Barcode: ordBarcode, Quantity: 1}}})
			if err != nil {
				t.Fatal(err)
			}
			psOrder, err := e.ps.AddOrder(pazarsyncsim.Order{Items: []pazarsyncsim.OrderItem{{SKU: ordSKU, Quantity: 1}}})
			if err != nil {
				t.Fatal(err)
			}
			await(t, "Giyim Moda, which sold nothing, shows 0", func() bool { _, _, c := e.shown(); return c == 0 })
			await(t, "every store shows 0", func() bool { a, b, c := e.shown(); return a == 0 && b == 0 && c == 0 })
			psFile := filepath.Join(e.files, "pazarsync-e2e_"+psOrder.OrderNumber+".csv")
			await(t, "both orders written to the ERP", func() bool {
				_, err := os.Stat(psFile)
				return e.erp.Written(t)[tyOrder.OrderNumber] == 1 && err == nil
			})
			rs, _ := st.Reservations(context.Background(), "", "")
			if len(rs) != 2 || rs[0].State != "held" || rs[1].State != "held" || rs[0].ReadyAt.IsZero() || rs[1].ReadyAt.IsZero() {
				t.Fatalf("reservations after the write-back: %+v", rs)
			}

			// A reading begun before the write-back (committed only now) releases nothing;
			// the ERP's reading after it (both orders taken off: 0) releases both, once.
			if n := e.erpReading(2, rs[0].CreatedAt); n != 0 {
				t.Fatalf("a reading from before the write-back released %d", n)
			}
			if n := e.erpReading(0, time.Now()); n != 2 {
				t.Fatalf("the reading after the write-back released %d, want 2", n)
			}
			if n := e.erpReading(0, time.Now()); n != 0 {
				t.Fatalf("released again: %d", n)
			}
			// A receipt of 5 in the ERP: every store shows 5, not 5 − 2.
			if n := e.erpReading(5, time.Now()); n != 0 {
				t.Fatal(n)
			}
			await(t, "every store shows the ERP's 5", func() bool { a, b, c := e.shown(); return a == 5 && b == 5 && c == 5 })

			// The PazarSync order is cancelled after the write-back: one cancellation file.
			if err := e.ps.CancelOrder(psOrder.ID); err != nil {
				t.Fatal(err)
			}
			cancelFile := filepath.Join(e.files, "cancelled", "pazarsync-e2e_"+psOrder.OrderNumber+"_cancel-1.csv")
			await(t, "the cancellation is exported", func() bool { _, err := os.Stat(cancelFile); return err == nil })
			await(t, "the cancellation is recorded and the order fetched again", func() bool {
				l, _ := st.ListOrders(context.Background(), queue.OrderFilter{Store: "pazarsync-e2e"})
				return len(l) == 1 && l[0].CancelState == "done" && l[0].Status == "cancelled"
			})
			ents, _ := os.ReadDir(filepath.Join(e.files, "cancelled"))
			if len(ents) != 1 {
				t.Fatalf("cancellation files: %v", ents)
			}
			if w := e.erp.Written(t); len(w) != 1 || e.erp.Count(t, "erp_order_lines") != 1 {
				t.Fatalf("ERP orders %v", w)
			}
			list, err := st.ListOrders(context.Background(), queue.OrderFilter{})
			if err != nil || len(list) != 2 {
				t.Fatalf("orders %+v %v", list, err)
			}
			for _, o := range list {
				if o.TransferState != queue.TransferDone || o.Held != 0 {
					t.Fatalf("order %+v", o)
				}
			}
		})
	}
}
