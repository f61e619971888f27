package agent

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/queue"
)

// factoryEnv is an agent environment over one database that can be rebuilt with another
// config, as a restart with an edited config file does.
type factoryEnv struct {
	t      *testing.T
	q      *queue.Store
	market map[string]*fakeMarket
}

func newFactoryEnv(t *testing.T) *factoryEnv {
	q, err := queue.Open(context.Background(), filepath.Join(t.TempDir(), "agent.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return &factoryEnv{t: t, q: q, market: map[string]*fakeMarket{}}
}

func testStoreConfig(name string, active bool, rules config.Rules) config.Store {
	return config.Store{
		Name: name, Marketplace: "fake", Active: active,
		Schedule: config.StoreSchedule{Push: "*/5 * * * *", Debounce: config.Duration(time.Second), MaxDelay: config.Duration(5 * time.Second)},
		Rules:    rules,
	}
}

// build runs the store factory for stores; markets persist across builds by store name.
func (f *factoryEnv) build(changed func(), stores ...config.Store) (*Env, map[string]*pushLoop) {
	f.t.Helper()
	cfg := &config.Config{Stores: stores, Location: time.UTC}
	cfg.Queue.RetryBase = config.Duration(30 * time.Second)
	cfg.Queue.RetryMax = config.Duration(time.Hour)
	cfg.Queue.MaxAttempts = 8
	env := &Env{Config: cfg, Store: f.q, Sched: NewScheduler(time.UTC, zerolog.Nop(), nil), Log: zerolog.Nop(), Changed: changed}
	builder := func(s *config.Store, _ connectors.Deps) (connectors.Connector, error) {
		m := f.market[s.Name]
		if m == nil {
			m = newFakeMarket(testCaps(), nil)
			f.market[s.Name] = m
		}
		return m, nil
	}
	loops, err := BuildStores(env, builder)
	if err != nil {
		f.t.Fatal(err)
	}
	byName := map[string]*pushLoop{}
	for _, l := range loops {
		p := l.(*pushLoop)
		byName[p.name] = p
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
	env, loops := f.build(func() { calls++ },
		testStoreConfig("on", true, baseRules()),
		testStoreConfig("off", false, baseRules()))
	if len(loops) != 1 || loops["on"] == nil {
		t.Fatalf("loops %v, want only the active store", loops)
	}
	if _, ok := f.market["off"]; ok {
		t.Fatal("a connector was built for a passive store")
	}
	f.apply(change("A", 1, "10.00"))
	stats, _ := f.q.Stats(context.Background())
	if stats["off"] != nil || stats["on"] == nil || stats["on"].Dirty != 1 {
		t.Fatalf("outbox rows: %+v", stats)
	}
	if h, _ := f.q.RulesHash(context.Background(), "off"); h != passiveHash {
		t.Fatalf("passive store recorded %q", h)
	}
	env.Changed()
	if calls != 1 {
		t.Fatal("the previous Changed was not called")
	}
	select {
	case <-loops["on"].changed:
	default:
		t.Fatal("Changed did not reach the store's loop")
	}
	if !env.Sched.Trigger("push:on") {
		t.Fatal("no scheduled push job for the store")
	}
}

func TestStoreRulesChangeRecomputesDesiredState(t *testing.T) {
	f := newFactoryEnv(t)
	ctx := context.Background()
	_, loops := f.build(nil, testStoreConfig("shop", true, baseRules()))
	f.apply(change("A", 5, "100.00"), change("B", 6, "200.00"))
	loops["shop"].cycle(ctx, wakeSchedule)
	m := f.market["shop"]
	if got := m.state(); got != "A: 5 100.00 100.00\nB: 6 200.00 200.00\n" {
		t.Fatalf("first push:\n%s", got)
	}

	// Same rules after a restart: nothing to recompute, nothing sent.
	_, loops = f.build(nil, testStoreConfig("shop", true, baseRules()))
	loops["shop"].cycle(ctx, wakeSchedule)
	if n := m.requestCount(); n != 1 {
		t.Fatalf("%d requests after a restart with the same rules, want 1", n)
	}

	// A new markup, a buffer and the .90 ending: every item's desired state changes.
	r := baseRules()
	r.MarkupPercent = pct("10")
	r.Rounding = ".90"
	r.StockBuffer = 1
	_, loops = f.build(nil, testStoreConfig("shop", true, r))
	loops["shop"].cycle(ctx, wakeSchedule)
	if got := m.state(); got != "A: 4 110.90 110.90\nB: 5 220.90 220.90\n" {
		t.Fatalf("after the rules changed:\n%s", got)
	}
	if h, _ := f.q.RulesHash(ctx, "shop"); h != RulesFingerprint(r, testCaps()) {
		t.Fatalf("fingerprint not recorded: %q", h)
	}
}

func TestStoreBecomingActiveRecomputesDesiredState(t *testing.T) {
	f := newFactoryEnv(t)
	ctx := context.Background()
	_, loops := f.build(nil, testStoreConfig("shop", true, baseRules()))
	f.apply(change("A", 5, "100.00"))
	loops["shop"].cycle(ctx, wakeSchedule)

	_, loops = f.build(nil, testStoreConfig("shop", false, baseRules()))
	if len(loops) != 0 {
		t.Fatal("a passive store got a loop")
	}
	f.apply(change("A", 9, "120.00"), change("C", 2, "30.00")) // not computed for the passive store

	_, loops = f.build(nil, testStoreConfig("shop", true, baseRules()))
	loops["shop"].cycle(ctx, wakeSchedule)
	if got := f.market["shop"].state(); got != "A: 9 120.00 120.00\nC: 2 30.00 30.00\n" {
		t.Fatalf("after becoming active:\n%s", got)
	}
}

func TestStoreRemovedAndAddedBackRecomputesDesiredState(t *testing.T) {
	f := newFactoryEnv(t)
	ctx := context.Background()
	_, loops := f.build(nil, testStoreConfig("shop", true, baseRules()))
	f.apply(change("A", 5, "100.00"))
	loops["shop"].cycle(ctx, wakeSchedule)

	_, _ = f.build(nil, testStoreConfig("other", true, baseRules())) // "shop" left the config
	f.apply(change("A", 7, "100.00"))

	_, loops = f.build(nil, testStoreConfig("shop", true, baseRules()))
	loops["shop"].cycle(ctx, wakeSchedule)
	if got := f.market["shop"].state("A"); got != "A: 7 100.00 100.00\n" {
		t.Fatalf("after coming back: %s", got)
	}
}

func TestBatchSize(t *testing.T) {
	for _, tc := range []struct {
		max, limit, want int
	}{{1000, 0, 1000}, {1000, 200, 200}, {0, 0, 100}, {0, 50, 50}, {100, 500, 500}} {
		if got := batchSize(connectors.Capabilities{MaxBatch: tc.max}, config.Limits{BatchSize: tc.limit}); got != tc.want {
			t.Errorf("max %d limit %d: %d, want %d", tc.max, tc.limit, got, tc.want)
		}
	}
}
