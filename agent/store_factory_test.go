package agent

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/push"
	"syncagent/config"
	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/queue"
)

// eventually waits for cond, failing after a deadline far beyond any expected latency:
// it proves that something happens, not how fast.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testCaps() connectors.Features {
	return connectors.Features{MaxBatch: 100, Updates: connectors.ScopeStock | connectors.ScopePrice, ListPrice: true, MaxStock: 20000}
}

// change sets quantity and price of sku in the default warehouse and price list.
func change(sku string, qty int64, price string) queue.ItemChange {
	c := queue.ItemChange{SKU: sku, Barcode: "B" + sku, Warehouse: config.DefaultWarehouse, Qty: ip(qty), Source: queue.Source{Kind: "manual"}}
	if price != "" {
		c.PriceList = config.DefaultPriceList
		c.Price = kp(price)
	}
	return c
}

// market is a marketplace that applies every push, enough to see what the factory's
// loops send; the push loop's own tests fake the faults.
type market struct {
	mu       sync.Mutex
	shown    map[string]connectors.Item
	requests int
}

func newMarket() *market { return &market{shown: map[string]connectors.Item{}} }

func (m *market) Features() connectors.Features { return testCaps() }
func (m *market) Test(context.Context) error    { return nil }

func (m *market) Push(_ context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
	out := connectors.Outcomes{}
	for _, it := range items {
		m.shown[it.SKU] = it
		out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
	}
	return out, nil
}

func (m *market) requestCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.requests
}

// state renders what the store shows for skus (all when none is given), sorted:
// "SKU: qty price list" per line.
func (m *market) state(skus ...string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(skus) == 0 {
		for k := range m.shown {
			skus = append(skus, k)
		}
	}
	sort.Strings(skus)
	opt := func(k *money.Kurus) string {
		if k == nil {
			return "-"
		}
		return k.String()
	}
	var b strings.Builder
	for _, s := range skus {
		it, ok := m.shown[s]
		if !ok {
			fmt.Fprintf(&b, "%s: none\n", s)
			continue
		}
		qty := "-"
		if it.Qty != nil {
			qty = fmt.Sprint(*it.Qty)
		}
		fmt.Fprintf(&b, "%s: %s %s %s\n", s, qty, opt(it.Price), opt(it.ListPrice))
	}
	return b.String()
}

// runFirstCycle starts a store's loop, waits for the cycle it runs at start (which
// pushes whatever is dirty) and stops it.
func runFirstCycle(t *testing.T, l StoreLoop) {
	t.Helper()
	p := startLoop(t, l)
	stopLoop(t, p)
}

func startLoop(t *testing.T, l StoreLoop) *push.Loop {
	t.Helper()
	p := l.(*push.Loop)
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the loop's first cycle", func() bool { return p.Stats().Cycles >= 1 })
	return p
}

func stopLoop(t *testing.T, p *push.Loop) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// factoryEnv is an agent environment over one database that can be rebuilt with another
// config, as a restart with an edited config file does.
type factoryEnv struct {
	t      *testing.T
	q      *queue.Store
	market map[string]*market
}

func newFactoryEnv(t *testing.T) *factoryEnv {
	q, err := queue.Open(context.Background(), filepath.Join(t.TempDir(), "agent.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return &factoryEnv{t: t, q: q, market: map[string]*market{}}
}

func testStoreConfig(name string, active bool, rules config.Rules) config.Store {
	return config.Store{
		Name: name, Marketplace: "fake", Active: active,
		Schedule: config.StoreSchedule{Push: "*/5 * * * *", Debounce: config.Duration(time.Second), MaxDelay: config.Duration(5 * time.Second)},
		Rules:    rules,
	}
}

// build runs the store factory for stores; markets persist across builds by store name.
func (f *factoryEnv) build(changed func(), stores ...config.Store) (*Env, map[string]StoreLoop) {
	f.t.Helper()
	cfg := &config.Config{Stores: stores, Location: time.UTC}
	cfg.Queue.RetryBase = config.Duration(30 * time.Second)
	cfg.Queue.RetryMax = config.Duration(time.Hour)
	cfg.Queue.MaxAttempts = 8
	env := &Env{Config: cfg, Store: f.q, Sched: NewScheduler(time.UTC, zerolog.Nop(), nil), Log: zerolog.Nop(), Changed: changed}
	builder := func(s *config.Store, _ connectors.Deps) (connectors.Connector, error) {
		m := f.market[s.Name]
		if m == nil {
			m = newMarket()
			f.market[s.Name] = m
		}
		return m, nil
	}
	conns, err := ConnectStores(cfg, builder, zerolog.Nop())
	if err != nil {
		f.t.Fatal(err)
	}
	env.Connectors = conns
	loops, err := BuildStores(env)
	if err != nil {
		f.t.Fatal(err)
	}
	byName := map[string]StoreLoop{}
	for _, l := range loops {
		byName[strings.TrimPrefix(l.Name(), "store:")] = l
	}
	return env, byName
}

func (f *factoryEnv) apply(changes ...queue.ItemChange) {
	f.t.Helper()
	if _, err := f.q.Apply(context.Background(), changes); err != nil {
		f.t.Fatal(err)
	}
}

func TestStoreFactoryActiveStoresOnly(t *testing.T) {
	f := newFactoryEnv(t)
	calls := 0
	on := testStoreConfig("on", true, baseRules())
	on.Schedule.Debounce = config.Duration(10 * time.Millisecond)
	env, loops := f.build(func() { calls++ }, on, testStoreConfig("off", false, baseRules()))
	if len(loops) != 1 || loops["on"] == nil {
		t.Fatalf("loops %v, want only the active store", loops)
	}
	if _, ok := f.market["off"]; ok {
		t.Fatal("a connector was built for a passive store")
	}
	p := startLoop(t, loops["on"]) // the schedule is not running: only Changed can push now
	defer stopLoop(t, p)
	f.apply(change("A", 1, "10.00"))
	stats, _ := f.q.Stats(context.Background())
	if stats["off"] != nil || stats["on"] == nil || stats["on"].Dirty != 1 {
		t.Fatalf("outbox rows: %+v", stats)
	}
	if h, _ := f.q.RulesHash(context.Background(), "off"); h != push.PassiveRules {
		t.Fatalf("passive store recorded %q", h)
	}
	env.Changed()
	if calls != 1 {
		t.Fatal("the previous Changed was not called")
	}
	eventually(t, "Changed reaches the store's loop, which pushes", func() bool { return f.market["on"].state("A") == "A: 1 10.00 10.00\n" })
	if !env.Sched.Trigger("push:on") {
		t.Fatal("no scheduled push job for the store")
	}
}

func TestStoreRulesChangeRecomputesDesiredState(t *testing.T) {
	f := newFactoryEnv(t)
	ctx := context.Background()
	_, loops := f.build(nil, testStoreConfig("shop", true, baseRules()))
	f.apply(change("A", 5, "100.00"), change("B", 6, "200.00"))
	runFirstCycle(t, loops["shop"])
	m := f.market["shop"]
	if got := m.state(); got != "A: 5 100.00 100.00\nB: 6 200.00 200.00\n" {
		t.Fatalf("first push:\n%s", got)
	}

	// Same rules after a restart: nothing to recompute, nothing sent.
	_, loops = f.build(nil, testStoreConfig("shop", true, baseRules()))
	runFirstCycle(t, loops["shop"])
	if n := m.requestCount(); n != 1 {
		t.Fatalf("%d requests after a restart with the same rules, want 1", n)
	}

	// A new markup, a buffer and the .90 ending: every item's desired state changes.
	r := baseRules()
	r.MarkupPercent = pct("10")
	r.Rounding = 90
	r.StockBuffer = 1
	_, loops = f.build(nil, testStoreConfig("shop", true, r))
	runFirstCycle(t, loops["shop"])
	if got := m.state(); got != "A: 4 110.90 110.90\nB: 5 220.90 220.90\n" {
		t.Fatalf("after the rules changed:\n%s", got)
	}
	if h, _ := f.q.RulesHash(ctx, "shop"); h != RulesFingerprint(r, testCaps()) {
		t.Fatalf("fingerprint not recorded: %q", h)
	}
}

func TestStoreBecomingActiveRecomputesDesiredState(t *testing.T) {
	f := newFactoryEnv(t)
	_, loops := f.build(nil, testStoreConfig("shop", true, baseRules()))
	f.apply(change("A", 5, "100.00"))
	runFirstCycle(t, loops["shop"])

	_, loops = f.build(nil, testStoreConfig("shop", false, baseRules()))
	if len(loops) != 0 {
		t.Fatal("a passive store got a loop")
	}
	f.apply(change("A", 9, "120.00"), change("C", 2, "30.00")) // not computed for the passive store

	_, loops = f.build(nil, testStoreConfig("shop", true, baseRules()))
	runFirstCycle(t, loops["shop"])
	if got := f.market["shop"].state(); got != "A: 9 120.00 120.00\nC: 2 30.00 30.00\n" {
		t.Fatalf("after becoming active:\n%s", got)
	}
}

func TestStoreRemovedAndAddedBackRecomputesDesiredState(t *testing.T) {
	f := newFactoryEnv(t)
	_, loops := f.build(nil, testStoreConfig("shop", true, baseRules()))
	f.apply(change("A", 5, "100.00"))
	runFirstCycle(t, loops["shop"])

	_, _ = f.build(nil, testStoreConfig("other", true, baseRules())) // "shop" left the config
	f.apply(change("A", 7, "100.00"))

	_, loops = f.build(nil, testStoreConfig("shop", true, baseRules()))
	runFirstCycle(t, loops["shop"])
	if got := f.market["shop"].state("A"); got != "A: 7 100.00 100.00\n" {
		t.Fatalf("after coming back: %s", got)
	}
}

func TestBatchSize(t *testing.T) {
	for _, tc := range []struct {
		max, limit, want int
	}{{1000, 0, 1000}, {1000, 200, 200}, {0, 0, 100}, {0, 50, 50}, {100, 500, 500}} {
		f := connectors.Features{MaxBatch: tc.max}.WithLimits(connectors.Limits{BatchSize: tc.limit})
		if got := batchSize(f); got != tc.want {
			t.Errorf("max %d limit %d: %d, want %d", tc.max, tc.limit, got, tc.want)
		}
	}
}
