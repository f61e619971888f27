package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/hepsiburadasim"
	"syncagent/queue"
)

const (
	hbMerchant = "4b1c0a9e-7d2f-4c1a-9e3b-0f5d8a6b21e2"
	hbKey      = "hb-canary-key-3d19"
)

func hbConfig(t *testing.T, url string, testMode bool) (string, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	base := "base_url: " + url
	if testMode {
		base = "test_mode: true"
	}
	text := fmt.Sprintf(`data_dir: %s/data
stores:
  - name: hb
    marketplace: hepsiburada
    %s
    credentials: {merchant_id: %s, service_key: %s, integrator: acme_dev}
`, filepath.ToSlash(dir), base, hbMerchant, hbKey)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, filepath.Join(dir, "data", "syncagent.db")
}

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	code := Main(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// TestUnlockLiftsTheLockByHand: "syncagent unlock STORE SKU…" lifts Hepsiburada's lock
// and says per SKU what it did; with --requeue the dead letter of the unlocked SKU gets
// a fresh start, and only that one.
func TestUnlockLiftsTheLockByHand(t *testing.T) {
	s := hepsiburadasim.New(hepsiburadasim.Options{MerchantID: hbMerchant, ServiceKey: hbKey, Integrator: "acme_dev"})
	defer s.Close()
	for _, sku := range []string{"LOCKED", "FREE"} {
		if _, err := s.AddListing(hepsiburadasim.Listing{MerchantSku: sku, Stock: 3, Price: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Lock("LOCKED", hepsiburadasim.LockBelowBand); err != nil {
		t.Fatal(err)
	}
	cfg, db := hbConfig(t, s.URL, false)

	if code, _, errOut := run(t, "unlock", "hb", "--config", cfg); code != exitUsage || !strings.Contains(errOut, "at least one SKU") {
		t.Fatalf("no SKU: exit %d, %q", code, errOut)
	}
	code, out, errOut := run(t, "unlock", "hb", "LOCKED", "FREE", "GHOST", "--config", cfg)
	if code != 0 || !strings.Contains(out, "LOCKED  unlocked (was locked: PriceIsLessThanThreshold)") ||
		!strings.Contains(out, "FREE    the listing is not locked") || !strings.Contains(out, "GHOST   Hepsiburada has no listing") ||
		!strings.Contains(out, "--requeue") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if l, _ := s.Listing("LOCKED"); l.Locked {
		t.Fatal("the listing is still locked")
	}
	if strings.Contains(out+errOut, hbKey) {
		t.Fatal("the service key was printed")
	}

	// Dead letters for both SKUs; --requeue frees only the one that was unlocked.
	ctx := context.Background()
	q, err := queue.Open(ctx, db, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q.SetStores(map[string]queue.Rules{"hb": queue.RulesFunc(func(it *queue.Item) queue.Desired {
		p := money.Kurus(500)
		return queue.Desired{Price: &p}
	})})
	for _, sku := range []string{"LOCKED", "FREE"} {
		p := money.Kurus(500)
		if _, err := q.Apply(ctx, []queue.ItemChange{{SKU: sku, PriceList: "default", Price: &p, Source: queue.Source{Kind: "file", Ref: "t"}}}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := q.Claim(ctx, "hb", 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %v %v", claimed, err)
	}
	if err := q.Reject(ctx, claimed, "Hepsiburada locked the listing"); err != nil {
		t.Fatal(err)
	}
	q.Close()
	if err := s.Lock("LOCKED", hepsiburadasim.LockBelowBand); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, "unlock", "--requeue", "hb", "LOCKED", "FREE", "--config", cfg)
	if code != 0 || !strings.Contains(out, "1 dead-lettered SKUs of hb requeued") {
		t.Fatalf("--requeue: exit %d, %q %q", code, out, errOut)
	}
	q, err = queue.Open(ctx, db, queue.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	stats, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := stats["hb"]; st == nil || st.Dead != 1 || st.Dirty != 1 {
		t.Fatalf("after --requeue: %+v", st)
	}
}

// TestUnlockRefusesAMarketplaceWithoutLocks: a store whose marketplace has no locks.
func TestUnlockRefusesAMarketplaceWithoutLocks(t *testing.T) {
	path := testStoreConfig(t, "http://127.0.0.1:1", tsSecret, "http://127.0.0.1:1")
	code, out, _ := run(t, "unlock", "ty", "SKU-1", "--config", path)
	if code != exitError || !strings.Contains(out, "trendyol does not lock listings") {
		t.Fatalf("exit %d, %q", code, out)
	}
}

// TestCheckConfigNamesHepsiburadaTestHosts: with test_mode on, check-config says that
// the SIT hosts with their own credentials are used.
func TestCheckConfigNamesHepsiburadaTestHosts(t *testing.T) {
	path, _ := hbConfig(t, "", true)
	code, out, errOut := run(t, "check-config", "--config", path)
	if code != 0 || !strings.Contains(out, "[hepsiburada, active, test mode]") ||
		!strings.Contains(out, "test mode:   test_mode uses Hepsiburada's SIT hosts") || !strings.Contains(out, "their own merchant id and service key") ||
		!strings.Contains(out, "service_key=***") || strings.Contains(out, hbKey) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestTestStoreSaysTheIntegratorMustMatch: good credentials with an integrator name that
// is not the registered one are refused (401), and test-store says to check it.
func TestTestStoreSaysTheIntegratorMustMatch(t *testing.T) {
	s := hepsiburadasim.New(hepsiburadasim.Options{MerchantID: hbMerchant, ServiceKey: hbKey, Integrator: "acme_dev"})
	defer s.Close()
	cfg, _ := hbConfig(t, s.URL, false)
	if code, out, _ := testStoreCmd(t, "hb", "--config", cfg); code != 0 || !strings.HasPrefix(out, "OK: credentials accepted by hepsiburada (merchant "+hbMerchant+")") {
		t.Fatalf("good integrator: exit %d, %q", code, out)
	}
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(text), "integrator: acme_dev", "integrator: acme_dev_v2", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := testStoreCmd(t, "hb", "--config", cfg)
	for _, want := range []string{"FAILED: hepsiburada (merchant " + hbMerchant + ") for store hb", "401", "credentials.integrator",
		"exactly the integrator name registered", "any other User-Agent even with good credentials", "Missing Credentials!"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Fatalf("wrong integrator: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	if strings.Contains(out, hbKey) {
		t.Fatal("the service key was printed")
	}
}
