package agent

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/connectors/ideasoft"
	"syncagent/connectors/sim/ideasoftsim"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/queue"
)

// The IdeaSoft end-to-end tests run the real agent against the IdeaSoft simulator over
// loopback HTTP, after the store's one-time consent, as syncagent authorize gives it.

const (
	e2eIsClient = "ideasoft-app-e2e"
	e2eIsSecret = "canary-is-secret-a41f"
)

func startIdeasoftSim(t *testing.T) *ideasoftsim.Server {
	t.Helper()
	s := ideasoftsim.New(ideasoftsim.Options{ClientID: e2eIsClient, ClientSecret: e2eIsSecret, PerMinute: 6000})
	t.Cleanup(s.Close)
	return s
}

// authorizeIdeasoft gives the store's consent: the connector's consent page, the test as
// the admin's browser, the code exchanged and the refresh token saved in the data dir.
func authorizeIdeasoft(t *testing.T, s *ideasoftsim.Server, cfg *config.Config, name string) {
	t.Helper()
	store, ok := cfg.Store(name)
	if !ok {
		t.Fatalf("no store %s", name)
	}
	conn, err := BuildConnector(store, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*ideasoft.Client)
	back, err := s.Browse(c.ConsentURL(c.RedirectURI(), "e2e"), true)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if err := c.ExchangeCode(context.Background(), u.Query().Get("code"), c.RedirectURI()); err != nil {
		t.Fatal(err)
	}
}

func parseConfig(t *testing.T, dir, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(text), filepath.Join(dir, "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// runAgent runs an agent with the given factories until the test ends; the log must
// hold no credential and no token of the store.
func runAgent(t *testing.T, cfg *config.Config, logs *syncBuffer, connect ConnectorBuilder, factories ...Factory) *Agent {
	t.Helper()
	a := New(cfg, zerolog.New(logs).Level(zerolog.DebugLevel), Options{Factories: factories, Connect: connect})
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
		for _, secret := range append([]string{e2eIsSecret, e2eIsClient}, tokensOf(t, cfg)...) {
			if strings.Contains(log, secret) {
				t.Errorf("the log holds a credential or token (%.6s…)", secret)
			}
		}
		if t.Failed() {
			lines := strings.Split(log, "\n")
			t.Logf("last log lines:\n%s", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	return a
}

// tokensOf are the tokens in the IdeaSoft token files of cfg's stores.
func tokensOf(t *testing.T, cfg *config.Config) []string {
	var out []string
	for _, s := range cfg.Stores {
		b, err := os.ReadFile(ideasoft.TokenPath(string(cfg.DataDir), s.Name))
		if err != nil {
			continue
		}
		for _, key := range []string{`"refresh_token": "`, `"access_token": "`} {
			if i := strings.Index(string(b), key); i >= 0 {
				v := string(b[i+len(key):])
				out = append(out, v[:strings.Index(v, `"`)])
			}
		}
	}
	return out
}

const ideasoftDropConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: ideasoft-e2e
    marketplace: ideasoft
    base_url: %[2]s
    credentials: {shop: magaza, client_id: %[3]s, client_secret: %[4]s}
    schedule: {push: "@every 1s", debounce: 200ms, max_delay: 1s}
    rules: {scope: stock+price, warehouses: [MERKEZ, DEPO2], add: 1.00}
    orders: {fetch: false}
sources:
  drop_folders:
    - name: e2e-drop
      path: %[5]s
      quiet_period: 200ms
      poll_interval: 500ms
      warehouse: MERKEZ
`

// ideasoftState renders what the simulated shop shows: whole units and price1 as
// IdeaSoft holds it (net for a product kept without VAT).
func ideasoftState(s *ideasoftsim.Server) map[string]string {
	out := map[string]string{}
	for _, p := range s.Snapshot() {
		out[p.SKU] = fmt.Sprintf("%d %s", p.Stock/100, p.Price1)
	}
	return out
}

// An Excel stock list dropped into the folder ends as the stock and prices the store's
// rules say, one PUT per changed product: +1.00 on every price, the stock of both
// warehouses, price1 without VAT for the product IdeaSoft keeps net (A5: 251.00 / 1.20),
// the unknown SKU dead-lettered; the same list again sends nothing.
func TestIdeasoftEndToEndDroppedFile(t *testing.T) {
	dir := t.TempDir()
	drop := filepath.Join(dir, "drop")
	if err := os.MkdirAll(drop, 0o750); err != nil {
		t.Fatal(err)
	}
	s := startIdeasoftSim(t)
	for _, r := range e2eRows {
		if r.sku == "X9" || r.wh != "MERKEZ" {
			continue
		}
		p := ideasoftsim.Product{SKU: r.sku, Barcode: r.barcode, Stock: ideasoftsim.Units(99), Price1: 9999}
		if r.sku == "A5" {
			p.NetPrice, p.Tax = true, 20
		}
		if _, err := s.AddProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	cfg := parseConfig(t, dir, fmt.Sprintf(ideasoftDropConfig, filepath.ToSlash(dir), s.URL, e2eIsClient, e2eIsSecret, filepath.ToSlash(drop)))
	authorizeIdeasoft(t, s, cfg, "ideasoft-e2e")
	a := runAgent(t, cfg, &syncBuffer{}, nil, StoreFactory(), dropFolderFactory())
	e := &e2e{t: t, dir: dir, drop: drop, agent: a}
	e.dropFile("stok.xlsx", e2eRows)
	want := map[string]string{"A1": "15 101.00", "A2": "0 50.99", "A3": "30000 1105.99", "A4": "1 1.50", "A5": "7 209.17", "A6": "3 99.99"}
	await(t, "the shop shows the list after the store's rules", func() bool { return diff(ideasoftState(s), want) == "" })
	await(t, "nothing waits", func() bool {
		st, _ := a.Store().Stats(context.Background())
		return st["ideasoft-e2e"] != nil && st["ideasoft-e2e"].Dirty+st["ideasoft-e2e"].InFlight == 0
	})
	if dl := e.deadLetters(); fmt.Sprint(dl["ideasoft-e2e"]) != "[X9]" {
		t.Fatalf("dead letters %v, want only the unknown X9", dl)
	}
	puts := s.Stats().Endpoints["product-update"].Requests
	if puts != 6 {
		t.Fatalf("%d product updates for 6 changed products", puts)
	}
	e.dropFile("stok-tekrar.xlsx", e2eRows)
	waitImports(t, e, 2)
	time.Sleep(2 * time.Second) // more than the debounce plus a scheduled push
	if n := s.Stats().Endpoints["product-update"].Requests; n != puts {
		t.Fatalf("re-importing the same file sent %d updates", n-puts)
	}
}

const ideasoftOrdersConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s}
stores:
  - name: ideasoft-e2e
    marketplace: ideasoft
    base_url: %[2]s
    credentials: {shop: magaza, client_id: %[3]s, client_secret: %[4]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms, orders: "@every 1s"}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: true, default_warehouse: MERKEZ}
  - name: trendyol-e2e
    marketplace: trendyol
    base_url: %[5]s/integration
    credentials: {seller_id: "555111", api_key: ty-key, api_secret: %[6]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock, warehouses: [MERKEZ]}
    orders: {fetch: false}
  - name: pazarsync-e2e
    marketplace: pazarsync
    base_url: %[7]s
    credentials: {client_id: ps-client, client_secret: %[8]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock, warehouses: [MERKEZ]}
    limits: {requests: 600, per: 1m}
    orders: {fetch: false}
`

// The last two units sell on the IdeaSoft shop: the order is imported, reserved, and
// every other store shows 0 with the next push, without any new reading of the ERP;
// the shop cancels the order and the reservation is released, once.
func TestIdeasoftEndToEndLastUnitsSoldOnTheShop(t *testing.T) {
	dir := t.TempDir()
	s := startIdeasoftSim(t)
	ty := trendyolsim.New(trendyolsim.Options{SellerID: "555111", APIKey: "ty-key", APISecret: e2eTySecret})
	ps := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "ps-client", ClientSecret: e2ePsSecret, PerMinute: 6000})
	t.Cleanup(func() { ty.Close(); ps.Close() })
	if _, err := s.AddProduct(ideasoftsim.Product{SKU: ordSKU, Barcode: ordBarcode, Stock: ideasoftsim.Units(9), Price1: 10000}); err != nil {
		t.Fatal(err)
	}
	if err := ty.AddProduct(trendyolsim.Product{Barcode: ordBarcode, StockCode: ordSKU, Quantity: 9, SalePrice: 10000}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.AddProduct(pazarsyncsim.Product{SKU: ordSKU, Stock: 9, Price: 10000}); err != nil {
		t.Fatal(err)
	}
	cfg := parseConfig(t, dir, fmt.Sprintf(ideasoftOrdersConfig, filepath.ToSlash(dir), s.URL, e2eIsClient, e2eIsSecret, ty.URL, e2eTySecret, ps.URL, e2ePsSecret))
	authorizeIdeasoft(t, s, cfg, "ideasoft-e2e")
	a := runAgent(t, cfg, &syncBuffer{}, nil, append([]Factory{StoreFactory()}, OrderFactories()...)...)
	shown := func() (is, t, p int64) {
		x, _ := s.Product(ordSKU)
		y, _ := ty.Product(ordBarcode)
		z, _ := ps.Product(ordSKU)
		return int64(x.Stock / 100), y.Quantity, z.Stock
	}
	two := int64(2)
	if _, err := a.Store().Apply(context.Background(), []queue.ItemChange{{SKU: ordSKU, Barcode: ordBarcode, Warehouse: "MERKEZ", Qty: &two,
		Source: queue.Source{Kind: "sql", Ref: "logo"}}}); err != nil {
		t.Fatal(err)
	}
	await(t, "every store shows the ERP's 2", func() bool { a, b, c := shown(); return a == 2 && b == 2 && c == 2 })
	tyPushes := ty.Stats().Endpoints["price-and-inventory"].Requests
	psPushes := ps.Stats().Endpoints["stocks-batch"].Requests

	o, err := s.AddOrder(ideasoftsim.Order{Items: []ideasoftsim.OrderItem{{SKU: ordSKU, Quantity: ideasoftsim.Units(2)}}})
	if err != nil {
		t.Fatal(err)
	}
	await(t, "every other store shows 0", func() bool { _, b, c := shown(); return b == 0 && c == 0 })
	// One push cycle: one request to each other store took them to 0.
	if n, m := ty.Stats().Endpoints["price-and-inventory"].Requests-tyPushes, ps.Stats().Endpoints["stocks-batch"].Requests-psPushes; n != 1 || m != 1 {
		t.Fatalf("%d Trendyol and %d PazarSync pushes to show 0; want one each", n, m)
	}
	list, err := a.Store().ListOrders(context.Background(), queue.OrderFilter{Store: "ideasoft-e2e"})
	if err != nil || len(list) != 1 || list[0].Held != 2 {
		t.Fatalf("imported orders %+v %v", list, err)
	}
	if is, _, _ := shown(); is != 0 {
		t.Fatalf("the shop shows %d after selling its last units", is)
	}

	if err := s.CancelOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	// Trendyol refuses the very request that set 2 before for 15 minutes (its duplicate
	// window), so its 2 comes later; the others show it now.
	await(t, "the cancellation is released and the shop and PazarSync show 2 again", func() bool { a, _, c := shown(); return a == 2 && c == 2 })
	rs, err := a.Store().Reservations(context.Background(), "", "")
	if err != nil || len(rs) != 1 || rs[0].State == "held" {
		t.Fatalf("reservations after the cancellation: %+v %v", rs, err)
	}
}

// TestIdeasoftCrashChild is the child of TestIdeasoftCrashBetweenRefreshAndSave: it runs
// the agent of the config it is given, whose IdeaSoft connector exits the process at the
// named stage of its first token refresh. It does nothing as an ordinary test.
func TestIdeasoftCrashChild(t *testing.T) {
	path, stage := os.Getenv("SYNCAGENT_IDEASOFT_CRASH_CONFIG"), os.Getenv("SYNCAGENT_IDEASOFT_CRASH_AT")
	if path == "" {
		t.Skip("child of TestIdeasoftCrashBetweenRefreshAndSave only")
	}
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Println("config:", err)
		os.Exit(3)
	}
	connect := func(s *config.Store, d connectors.Deps) (connectors.Connector, error) {
		c, err := BuildConnector(s, d)
		if err != nil {
			return nil, err
		}
		c.(*ideasoft.Client).OnTokenSave(func(at string) {
			if at == stage {
				os.Exit(75) // the crash: nothing after this stage runs, nothing is flushed
			}
		})
		return c, nil
	}
	a := New(cfg, zerolog.Nop(), Options{Factories: []Factory{StoreFactory()}, Connect: connect})
	if err := a.Run(context.Background()); err != nil {
		fmt.Println("run:", err)
		os.Exit(5)
	}
}

const ideasoftCrashConfig = `data_dir: %[1]s/data
queue: {retry_base: 200ms, retry_max: 2s, lease: 2s}
stores:
  - name: ideasoft-crash
    marketplace: ideasoft
    base_url: %[2]s
    credentials: {shop: magaza, client_id: %[3]s, client_secret: %[4]s}
    schedule: {push: "@every 1s", debounce: 100ms, max_delay: 500ms}
    rules: {scope: stock}
    orders: {fetch: false}
`

// A crash between IdeaSoft's answer to a refresh (which kills the old refresh token)
// and the end of its save: the agent process exits at each stage of the save, for real,
// and is started again. Once the new refresh token has reached the disk the store works
// after the restart and the pending change arrives. A crash before it reached the disk
// (the one window no client can close: IdeaSoft has rotated the token and this process
// held the only copy) leaves the store refused, with the plain instruction to run
// syncagent authorize again in its status, and working again after it.
func TestIdeasoftCrashBetweenRefreshAndSave(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, stage := range []string{"written", "renamed", "saved", "refreshed"} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			s := startIdeasoftSim(t)
			if _, err := s.AddProduct(ideasoftsim.Product{SKU: ordSKU, Stock: ideasoftsim.Units(9), Price1: 10000}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(fmt.Sprintf(ideasoftCrashConfig, filepath.ToSlash(dir), s.URL, e2eIsClient, e2eIsSecret)), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			authorizeIdeasoft(t, s, cfg, "ideasoft-crash")
			st, err := queue.Open(context.Background(), cfg.DBPath(), queue.Options{})
			if err != nil {
				t.Fatal(err)
			}
			five := int64(5)
			if _, err := st.Apply(context.Background(), []queue.ItemChange{{SKU: ordSKU, Warehouse: "MERKEZ", Qty: &five,
				Source: queue.Source{Kind: "sql", Ref: "logo"}}}); err != nil {
				t.Fatal(err)
			}
			st.Close()

			cmd := exec.Command(os.Args[0], "-test.run=^TestIdeasoftCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "SYNCAGENT_IDEASOFT_CRASH_CONFIG="+path, "SYNCAGENT_IDEASOFT_CRASH_AT="+stage)
			out, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 75 {
				t.Fatalf("the child did not crash at %s: %v\n%s", stage, err, out)
			}
			if s.Refreshes() != 1 || s.Stats().Endpoints["product-update"].Requests != 0 {
				t.Fatalf("before the crash: %d refreshes, %d updates", s.Refreshes(), s.Stats().Endpoints["product-update"].Requests)
			}

			// The restart.
			logs := &syncBuffer{}
			a := runAgent(t, cfg, logs, nil, StoreFactory())
			p := func() int64 { x, _ := s.Product(ordSKU); return int64(x.Stock / 100) }
			if stage != "refreshed" {
				await(t, "the store works after the restart", func() bool { return p() == 5 })
				return
			}
			want := "run `syncagent authorize ideasoft-crash` again"
			await(t, "the store's status says to give the consent again", func() bool {
				h, _ := a.Store().HealthOf(context.Background())
				for _, v := range h {
					if strings.Contains(v.Error, want) {
						return true
					}
				}
				stats, _ := a.Store().Stats(context.Background())
				return stats["ideasoft-crash"] != nil && strings.Contains(stats["ideasoft-crash"].LastError, want)
			})
			if p() != 9 {
				t.Fatal("a refused store changed the shop")
			}
			authorizeIdeasoft(t, s, cfg, "ideasoft-crash")
			await(t, "the store works after the new consent", func() bool { return p() == 5 })
		})
	}
}
