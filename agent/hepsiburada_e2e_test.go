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
	"syncagent/connectors/sim/hepsiburadasim"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/simkit"
	"syncagent/erpbridge/sinks/sinktest"
	"syncagent/queue"
)

// The Hepsiburada end-to-end tests run the real agent against the Hepsiburada
// simulator over loopback HTTP: a dropped stock list ends as exactly the stock and
// prices the store's rules say, apart from what Hepsiburada fulfils itself and what its
// price band locks; orders travel from every feed into the ERP and the reservations.

const (
	hbMerchant = "4b1c0a9e-7d2f-4c1a-9e3b-0f5d8a6b21e2"
	hbSecret   = "canary-hb-key-61e0"
)

func hbSim(t *testing.T) *hepsiburadasim.Server {
	t.Helper()
	s := hepsiburadasim.New(hepsiburadasim.Options{MerchantID: hbMerchant, ServiceKey: hbSecret, Integrator: "acme_dev",
		ProcessingDelay: 300 * time.Millisecond})
	t.Cleanup(s.Close)
	return s
}

func hbRun(t *testing.T, text string, factories []Factory, getenv func(string) (string, bool)) (*Agent, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	cfg, err := config.Parse([]byte(strings.ReplaceAll(text, "%DIR%", filepath.ToSlash(dir))), filepath.Join(dir, "config.yaml"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a := New(cfg, zerolog.New(logs).Level(zerolog.DebugLevel), Options{Factories: factories, HeartbeatEvery: 200 * time.Millisecond})
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
		for _, secret := range []string{hbSecret, e2ePsSecret} {
			if strings.Contains(log, secret) {
				t.Errorf("a credential appears in the log")
			}
		}
		if t.Failed() {
			lines := strings.Split(log, "\n")
			var kept []string
			for _, l := range lines {
				if !strings.Contains(l, `"level":"debug"`) {
					kept = append(kept, l)
				}
			}
			t.Logf("last log lines:\n%s", strings.Join(kept[max(0, len(kept)-40):], "\n"))
		}
	})
	return a, logs
}

// TestHepsiburadaEndToEndDroppedFile: an Excel file dropped reaches the simulated store
// as the rules say; the stock of a listing Hepsiburada fulfils is never sent (its price
// is); a price under the category's band is applied, locks the listing and waits in the
// dead letters with the lock's reason; an unknown SKU is refused.
func TestHepsiburadaEndToEndDroppedFile(t *testing.T) {
	s := hbSim(t)
	e := &e2e{t: t, dir: t.TempDir()}
	e.drop = filepath.Join(e.dir, "drop")
	if err := os.MkdirAll(e.drop, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, r := range e2eRows {
		if r.sku == "X9" || r.wh != "MERKEZ" {
			continue
		}
		if _, err := s.AddListing(hepsiburadasim.Listing{MerchantSku: r.sku, Barcode: r.barcode, Stock: 99, Price: 9999,
			FulfilledByHB: r.sku == "A3"}); err != nil {
			t.Fatal(err)
		}
	}
	// A4's 0.50 (+5.00) is far below its category's band.
	if err := s.SetBand("A4", 5000, 500000, "Telefon Kılıfı"); err != nil {
		t.Fatal(err)
	}
	a, logs := hbRun(t, fmt.Sprintf(`data_dir: %%DIR%%/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: hepsiburada-e2e
    marketplace: hepsiburada
    base_url: %s
    credentials: {merchant_id: %s, service_key: %s, integrator: acme_dev}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {scope: stock+price, warehouses: [MERKEZ, DEPO2], add: 5.00}
    orders: {fetch: false}
sources:
  drop_folders:
    - {name: e2e-drop, path: %s, quiet_period: 200ms, poll_interval: 500ms, warehouse: MERKEZ}
`, s.URL, hbMerchant, hbSecret, filepath.ToSlash(e.drop)), []Factory{StoreFactory(), dropFolderFactory()}, nil)
	e.agent = a
	e.dropFile("stok.xlsx", e2eRows)

	// MERKEZ + DEPO2, price +5.00; A3 is fulfilled by Hepsiburada: 99 stays, the price
	// goes; A6 has no price in the file and keeps Hepsiburada's.
	want := map[string]string{"A1": "15 105.00", "A2": "0 54.99", "A3": "99 1109.99", "A4": "1 5.50", "A5": "7 255.00", "A6": "3 99.99"}
	show := func() map[string]string {
		out := map[string]string{}
		for sku, l := range s.Snapshot() {
			out[sku] = fmt.Sprintf("%d %s", l.Stock, l.Price)
		}
		return out
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		stats, err := a.Store().Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		st := stats["hepsiburada-e2e"]
		d := diff(show(), want)
		if d == "" && st != nil && st.Dirty+st.InFlight == 0 && st.Dead == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not settle:\n%s%+v", d, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if l, _ := s.Listing("A3"); l.StockUpdates != 0 {
		t.Fatalf("the fulfilled-by-Hepsiburada listing got %d stock updates", l.StockUpdates)
	}
	if l, _ := s.Listing("A4"); !l.Locked || l.LockReasons[0] != hepsiburadasim.LockBelowBand {
		t.Fatalf("A4 %+v", l)
	}
	dl, err := a.Store().DeadLetters(context.Background(), "hepsiburada-e2e", 10)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, d := range dl {
		reasons[d.SKU] = d.Reason
	}
	for _, want := range []string{"PriceIsLessThanThreshold", "5.50", "50.00–5000.00", "syncagent unlock hepsiburada-e2e A4"} {
		if !strings.Contains(reasons["A4"], want) {
			t.Fatalf("A4's dead letter %q lacks %q", reasons["A4"], want)
		}
	}
	if !strings.Contains(reasons["X9"], "no listing with merchant SKU X9") || len(reasons) != 2 {
		t.Fatalf("dead letters %v", reasons)
	}
	// What status shows under the store: the connector's report, written with the
	// heartbeat.
	await(t, "the store's figures name the fulfilled and the locked listings", func() bool {
		h, err := a.Store().HealthOf(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		d := h[FiguresPrefix+"hepsiburada-e2e"].Detail
		return strings.Contains(d, "fulfilled_by_hepsiburada: 1 listings are fulfilled by Hepsiburada") &&
			strings.Contains(d, "locked: 1 listings are locked by Hepsiburada and not on sale: A4 (PriceIsLessThanThreshold)")
	})
	info := 0
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"level":"info"`) && strings.Contains(l, "isFulfilledByHB") {
			info++
		}
	}
	if info != 1 {
		t.Fatalf("the fulfilled-by-Hepsiburada skip was explained %d times in the log", info)
	}
}

// TestHepsiburadaOrdersEndToEnd: the last units sell on Hepsiburada: the other store
// shows 0 within one push cycle and the order is written to the ERP once. Then an
// unpaid order holds a unit until it is cancelled: it never reaches the ERP, and its
// reservation is released once.
func TestHepsiburadaOrdersEndToEnd(t *testing.T) {
	hb := hbSim(t)
	// The other store is PazarSync: Trendyol's 15-minute refusal of a repeated body
	// would hold back the quantities this test sends twice (5, 4, 5).
	ps := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "ps-client", ClientSecret: e2ePsSecret, PerMinute: 6000})
	t.Cleanup(ps.Close)
	erp := sinktest.Open(t, "postgres")
	if _, err := hb.AddListing(hepsiburadasim.Listing{MerchantSku: ordSKU, Barcode: ordBarcode, Stock: 9, Price: 10000}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.AddProduct(pazarsyncsim.Product{SKU: ordSKU, Stock: 9, Price: 10000}); err != nil {
		t.Fatal(err)
	}
	sk := erp.Sink(t, "erp-db")
	a, _ := hbRun(t, fmt.Sprintf(`data_dir: %%DIR%%/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: hepsiburada-e2e
    marketplace: hepsiburada
    base_url: %s
    credentials: {merchant_id: %s, service_key: %s, integrator: acme_dev}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms, orders: "@every 1s"}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: true, transfer: true, sink: erp-db, default_warehouse: MERKEZ, cargo_firm: Yurtiçi}
  - name: pazarsync-e2e
    marketplace: pazarsync
    base_url: %s
    credentials: {client_id: ps-client, client_secret: %s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock, warehouses: [MERKEZ]}
    limits: {requests: 600, per: 1m}
    orders: {fetch: false}
sinks:
  sql:
    - name: erp-db
      driver: postgres
      dsn: ${ERP_ORDERS_DSN}
      exists: %q
      header: %q
      line: %q
      cancel: %q
      cancel_line: %q
`, hb.URL, hbMerchant, hbSecret, ps.URL, e2ePsSecret, sk.Exists, sk.Header, sk.Line, sk.Cancel, sk.CancelLine),
		append([]Factory{StoreFactory()}, OrderFactories()...),
		func(k string) (string, bool) { return erp.DSN, k == "ERP_ORDERS_DSN" })
	st := a.Store()
	ctx := context.Background()
	erpQty := func(q int64) {
		t.Helper()
		if _, err := st.Apply(ctx, []queue.ItemChange{{SKU: ordSKU, Barcode: ordBarcode, Warehouse: "MERKEZ", Qty: &q,
			Source: queue.Source{Kind: "sql", Ref: "logo"}}}); err != nil {
			t.Fatal(err)
		}
	}
	shown := func() (int64, int64) {
		h, _ := hb.Listing(ordSKU)
		p, _ := ps.Product(ordSKU)
		return h.Stock, p.Stock
	}
	erpQty(2)
	await(t, "both stores show the ERP's 2", func() bool { h, p := shown(); return h == 2 && p == 2 })

	// The last two units sell on Hepsiburada.
	o, err := hb.AddOrder(hepsiburadasim.Order{Lines: []hepsiburadasim.OrderLine{{MerchantSku: ordSKU, Quantity: 2, UnitPrice: 10050}}})
	if err != nil {
		t.Fatal(err)
	}
	sold := time.Now()
	// Without any new reading of the ERP: the order's reservation lowers what the other
	// store is shown, pushed on that change (debounce 100 ms) after the order fetch
	// (every second).
	await(t, "PazarSync, which sold nothing, shows 0", func() bool { _, p := shown(); return p == 0 })
	t.Logf("PazarSync showed 0 %v after the sale", time.Since(sold).Round(time.Millisecond))
	await(t, "the order is written to the ERP", func() bool { return erp.Written(t)[o.Number] == 1 })
	time.Sleep(2500 * time.Millisecond) // more fetch rounds: nothing is written twice
	if w := erp.Written(t); w[o.Number] != 1 || len(w) != 1 {
		t.Fatalf("ERP orders %v", w)
	}
	// The ERP's own reading after the write-back takes over the reservation; a receipt of
	// 5 follows.
	rs, _ := st.Reservations(ctx, "hepsiburada-e2e", o.Number)
	if len(rs) != 1 || rs[0].State != "held" || rs[0].Qty != 2 {
		t.Fatalf("reservation %+v", rs)
	}
	tx, err := st.BeginReading(ctx, "logo")
	if err != nil {
		t.Fatal(err)
	}
	zero := int64(0)
	ch := []queue.ItemChange{{SKU: ordSKU, Barcode: ordBarcode, Warehouse: "MERKEZ", Qty: &zero, Source: queue.Source{Kind: "sql", Ref: "logo"}}}
	if _, err := tx.Apply(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if n, err := tx.ERPRead(ctx, queue.ERPRead{At: time.Now(), Changes: ch}); err != nil || n != 1 {
		t.Fatalf("ERP reading released %d (%v)", n, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	erpQty(5)
	await(t, "both stores show the ERP's 5", func() bool { h, p := shown(); return h == 5 && p == 5 })

	// An unpaid order holds its unit on every store, but is not written to the ERP.
	unpaid, err := hb.AddOrder(hepsiburadasim.Order{Unpaid: true, Lines: []hepsiburadasim.OrderLine{{MerchantSku: ordSKU, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	await(t, "PazarSync shows 4 while the unpaid order holds a unit", func() bool { _, p := shown(); return p == 4 })
	l, err := st.ListOrders(ctx, queue.OrderFilter{Store: "hepsiburada-e2e"})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range l {
		if x.Number == unpaid.Number && (x.Status != "awaiting" || x.TransferState != queue.TransferWaiting || x.Held != 1) {
			t.Fatalf("unpaid order %+v", x)
		}
	}
	// Cancelled before payment: released once, never written.
	if err := hb.CancelOrder(unpaid.Number); err != nil {
		t.Fatal(err)
	}
	await(t, "the cancelled unpaid order's unit is free again on every store", func() bool { h, p := shown(); return h == 5 && p == 5 })
	time.Sleep(2500 * time.Millisecond) // more fetch rounds and pushes: released once, not twice
	if h, p := shown(); h != 5 || p != 5 {
		t.Fatalf("after more rounds the stores show %d and %d, want 5", h, p)
	}
	rs, _ = st.Reservations(ctx, "hepsiburada-e2e", unpaid.Number)
	if len(rs) != 1 || rs[0].State != "released" || rs[0].Qty != 1 {
		t.Fatalf("the unpaid order's reservation %+v", rs)
	}
	if w := erp.Written(t); w[unpaid.Number] != 0 || len(w) != 1 {
		t.Fatalf("ERP orders %v: the unpaid order must never be written", w)
	}
	l, _ = st.ListOrders(ctx, queue.OrderFilter{Store: "hepsiburada-e2e"})
	for _, x := range l {
		if x.Number == unpaid.Number && (x.Status != "cancelled" || x.TransferState != queue.TransferSkipped) {
			t.Fatalf("the cancelled unpaid order %+v", x)
		}
	}
}

// TestHepsiburadaEndToEndLostUploadIsNotSentAgain: an upload Hepsiburada accepts and
// applies while its answer is lost is not uploaded again: the agent retries the items,
// the connector reads the listings instead, and they are confirmed from what they show.
func TestHepsiburadaEndToEndLostUploadIsNotSentAgain(t *testing.T) {
	s := hbSim(t)
	skus := []string{"L1", "L2", "L3"}
	for _, sku := range skus {
		if _, err := s.AddListing(hepsiburadasim.Listing{MerchantSku: sku, Stock: 1, Price: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	s.SetFaults(simkit.Faults{DropNext: 1, Only: []string{hepsiburadasim.EpInventoryUpload}})
	a, _ := hbRun(t, fmt.Sprintf(`data_dir: %%DIR%%/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: hepsiburada-e2e
    marketplace: hepsiburada
    base_url: %s
    credentials: {merchant_id: %s, service_key: %s, integrator: acme_dev}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock+price}
    orders: {fetch: false}
`, s.URL, hbMerchant, hbSecret), []Factory{StoreFactory()}, nil)
	ctx := context.Background()
	var ch []queue.ItemChange
	for i, sku := range skus {
		q, p := int64(10+i), money.Kurus(2000+100*i)
		ch = append(ch, queue.ItemChange{SKU: sku, Warehouse: "MERKEZ", Qty: &q, PriceList: config.DefaultPriceList, Price: &p,
			Source: queue.Source{Kind: "sql", Ref: "logo"}})
	}
	if _, err := a.Store().Apply(ctx, ch); err != nil {
		t.Fatal(err)
	}
	await(t, "every item confirmed", func() bool {
		stats, err := a.Store().Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st := stats["hepsiburada-e2e"]
		return st != nil && st.Confirmed == 3 && st.Dirty+st.InFlight+st.Dead == 0
	})
	for i, sku := range skus {
		if l, _ := s.Listing(sku); l.Stock != int64(10+i) || l.Price != money.Kurus(2000+100*i) {
			t.Fatalf("%s: %+v", sku, l)
		}
	}
	up := s.Stats().Endpoints[hepsiburadasim.EpInventoryUpload]
	if up.Requests != 1 || up.Dropped != 1 {
		t.Fatalf("uploads %+v: the lost upload was sent again", up)
	}
	if n := s.Stats().Endpoints[hepsiburadasim.EpListings].Requests; n < 2 {
		t.Fatalf("%d listing reads: the outcome was not read from the listings", n)
	}
}
