package agent

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/erpbridge/sinks/sinktest"
	"syncagent/queue"
)

// TestOrdersCrashChild is the child of TestOrdersKilledMidTransfer: it runs the agent of
// the config it is given until it is killed. It does nothing as an ordinary test.
func TestOrdersCrashChild(t *testing.T) {
	path := os.Getenv("SYNCAGENT_ORDERS_CRASH_CONFIG")
	if path == "" {
		t.Skip("child of TestOrdersKilledMidTransfer only")
	}
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Println("config:", err)
		os.Exit(3)
	}
	os.MkdirAll(string(cfg.DataDir), 0o750)
	logf, err := os.OpenFile(filepath.Join(string(cfg.DataDir), "child.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		fmt.Println("log:", err)
		os.Exit(4)
	}
	a := New(cfg, zerolog.New(logf).Level(zerolog.InfoLevel), Options{Factories: append([]Factory{StoreFactory()}, OrderFactories()...)})
	if err := a.Run(context.Background()); err != nil {
		fmt.Println("run:", err)
		os.Exit(5)
	}
}

const crashConfig = `data_dir: %[1]s/data
queue: {retry_base: 100ms, retry_max: 1s}
stores:
  - name: trendyol-crash
    marketplace: trendyol
    base_url: %[2]s/integration
    credentials: {seller_id: "555111", api_key: ty-key, api_secret: %[4]s}
    schedule: {orders: "@every 1s"}
    rules: {scope: stock}
    orders: {fetch: true, transfer: true, sink: erp-db, default_warehouse: MERKEZ}
  - name: pazarsync-crash
    marketplace: pazarsync
    base_url: %[3]s
    credentials: {client_id: ps-client, client_secret: %[5]s}
    schedule: {orders: "@every 1s"}
    rules: {scope: stock}
    limits: {requests: 6000, per: 1m}
    orders: {fetch: true, transfer: true, sink: erp-files, default_warehouse: MERKEZ}
sinks:
  files:
    - {name: erp-files, dir: %[6]s, format: json}
  sql:
    - name: erp-db
      driver: postgres
      dsn: ${ERP_ORDERS_DSN}
      header: %[7]q
      line: %[8]q
`

// TestOrdersKilledMidTransfer kills the agent with SIGKILL at random moments while it
// imports orders from two stores and writes them to PostgreSQL and to files, restarts
// it, and finally checks that every order is in the ERP exactly once. The ERP's header
// insert is slowed so that kills land between an ERP commit and the agent's record of
// it, the case the existence check and the unique key are there for.
func TestOrdersKilledMidTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	files := filepath.Join(dir, "erp-in")
	erp := sinktest.Open(t, "postgres")
	ty := trendyolsim.New(trendyolsim.Options{SellerID: "555111", APIKey: "ty-key", APISecret: e2eTySecret})
	ps := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "ps-client", ClientSecret: e2ePsSecret, PerMinute: 60000})
	defer ty.Close()
	defer ps.Close()
	ty.AddProduct(trendyolsim.Product{Barcode: ordBarcode, StockCode: ordSKU, Quantity: 1000, SalePrice: 10000})
	ps.AddProduct(pazarsyncsim.Product{SKU: ordSKU, Stock: 1000, Price: 10000})
	const n = 80
	var tyNumbers, psNumbers []string
	for i := 0; i < n; i++ {
		p, err := ty.AddOrder(trendyolsim.Order{Lines: []trendyolsim.OrderLine{{Barcode: ordBarcode, Quantity: 1 + i%3}}})
		if err != nil {
			t.Fatal(err)
		}
		tyNumbers = append(tyNumbers, p.OrderNumber)
		o, err := ps.AddOrder(pazarsyncsim.Order{Items: []pazarsyncsim.OrderItem{{SKU: ordSKU, Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		psNumbers = append(psNumbers, o.OrderNumber)
	}
	sk := erp.Sink(t, "erp-db")
	// 30 ms inside every header insert: an ERP that takes its time.
	header := strings.Replace(sk.Header, ":customer_name,", ":customer_name || (SELECT '' FROM pg_sleep(0.03)),", 1)
	if header == sk.Header {
		t.Fatal("the sample header statement changed; adapt the slowdown")
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	text := fmt.Sprintf(crashConfig, filepath.ToSlash(dir), ty.URL, ps.URL, e2eTySecret, e2ePsSecret, filepath.ToSlash(files), header, sk.Line)
	if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOrdersCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), "SYNCAGENT_ORDERS_CRASH_CONFIG="+cfgPath, "ERP_ORDERS_DSN="+erp.DSN)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	kill := func(cmd *exec.Cmd) {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	progress := func() (int, int) {
		ents, _ := os.ReadDir(files)
		return len(erp.Written(t)), len(ents)
	}
	// Each round kills the agent a random moment after it wrote something new: in the
	// middle of a batch, whose writes the agent records together at its end.
	partial := 0
	for round := 1; round <= 25; round++ {
		w0, f0 := progress()
		if w0 == n && f0 == n {
			break
		}
		cmd := start()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if w, f := progress(); w > w0 || f > f0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		kill(cmd)
		w, f := progress()
		if w < n || f < n {
			partial++
		}
		t.Logf("round %d: killed with %d/%d orders in PostgreSQL and %d/%d files", round, w, n, f, n)
	}
	if partial < 3 {
		t.Fatalf("only %d kills landed before every order was written: the test proves too little", partial)
	}
	cmd := start()
	defer kill(cmd)
	deadline := time.Now().Add(60 * time.Second)
	for {
		w, f := progress()
		if w == n && f == n && allDone(t, filepath.Join(dir, "data", "syncagent.db"), 2*n) {
			break
		}
		if time.Now().After(deadline) {
			if b, err := os.ReadFile(filepath.Join(dir, "data", "child.log")); err == nil {
				lines := strings.Split(string(b), "\n")
				t.Logf("child log:\n%s", strings.Join(lines[max(0, len(lines)-30):], "\n"))
			}
			t.Fatalf("after the last restart only %d/%d orders reached PostgreSQL and %d/%d files", w, n, f, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	written := erp.Written(t)
	for _, num := range tyNumbers {
		if written[num] != 1 {
			t.Errorf("Trendyol order %s is in the ERP %d times", num, written[num])
		}
	}
	var lines int
	erp.DB.QueryRow("SELECT COUNT(*) FROM " + erp.Table("erp_order_lines")).Scan(&lines)
	if lines != n {
		t.Errorf("%d order lines in the ERP, want %d", lines, n)
	}
	// Some order reached the ERP before a kill and was found there on the next attempt.
	if b, _ := os.ReadFile(filepath.Join(dir, "data", "child.log")); !strings.Contains(string(b), `"already_there":`) ||
		strings.Count(string(b), `"already_there":0`) == strings.Count(string(b), `"already_there":`) {
		t.Errorf("no write was found already in the ERP after a kill: the case the unique key is for never happened")
	}
	ents, _ := os.ReadDir(files)
	names := map[string]bool{}
	for _, e := range ents {
		names[e.Name()] = true
	}
	for _, num := range psNumbers {
		if !names["pazarsync-crash_"+num+".json"] {
			t.Errorf("PazarSync order %s has no file", num)
		}
	}
	if len(ents) != n {
		t.Errorf("the ERP folder holds %d entries, want %d (no leftovers)", len(ents), n)
	}
}

// allDone reports whether the agent's queue holds want orders, all written.
func allDone(t *testing.T, db string, want int) bool {
	st, err := queue.Open(context.Background(), db, queue.Options{ReadOnly: true})
	if err != nil {
		return false
	}
	defer st.Close()
	all, err := st.ListOrders(context.Background(), queue.OrderFilter{Limit: 1000})
	if err != nil || len(all) != want {
		return false
	}
	for _, o := range all {
		if o.TransferState != queue.TransferDone {
			return false
		}
	}
	return true
}
