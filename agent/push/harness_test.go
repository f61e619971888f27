package push

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/queue"
)

// testClock is a clock the tests move; the queue and the loop share it, so retries and
// result checks come due exactly when a test says.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is one store's push loop over a real SQLite outbox and a fake marketplace,
// driven cycle by cycle on a test clock.
type harness struct {
	t     *testing.T
	ctx   context.Context
	clock *testClock
	q     *queue.Store
	m     *fakeMarket
	conf  Settings
	p     *Loop
}

const (
	testStore = "shop"
	testRules = "test-rules" // the fingerprint the tests' outbox is computed with
)

// erpValues are the rules of these tests: a store shows the ERP's values as they are, the
// quantity of every warehouse less what orders hold, the default price list's prices,
// and the sale price as the list price when there is none. The agent's store rules have
// tests of their own.
var erpValues = queue.RulesFunc(func(it *queue.Item) queue.Desired {
	var d queue.Desired
	var sum int64
	for wh, q := range it.Stock {
		sum += q - it.Reserved[wh]
	}
	if len(it.Stock) > 0 {
		d.Qty = ip(max(sum, 0))
	}
	if pe := it.Prices[config.DefaultPriceList]; pe.Price != nil && *pe.Price > 0 {
		sale, list := *pe.Price, *pe.Price
		if pe.ListPrice != nil && *pe.ListPrice > sale {
			list = *pe.ListPrice
		}
		d.Price, d.ListPrice = &sale, &list
	}
	return d
})

func ip(v int64) *int64 { return &v }

func kp(s string) *money.Kurus {
	k, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return &k
}

func testCaps() connectors.Features {
	return connectors.Features{MaxBatch: 100, Updates: connectors.ScopeStock | connectors.ScopePrice, ListPrice: true, MaxStock: 20000}
}

func newHarness(t *testing.T, caps connectors.Features, tune func(s *Settings)) *harness {
	t.Helper()
	clock := newTestClock()
	ctx := context.Background()
	q, err := queue.Open(ctx, filepath.Join(t.TempDir(), "agent.db"), queue.Options{
		Now: clock.Now, RetryBase: 30 * time.Second, RetryMax: time.Hour, MaxAttempts: 8,
		Jitter: func() float64 { return 0.5 }, // no jitter: retry times are exact
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	m := newFakeMarket(caps, clock.Now)
	q.SetStores(map[string]queue.Rules{testStore: erpValues})
	// One request at a time, so the fake's scripted faults meet the batches in order.
	set := Settings{Marketplace: "fake", RulesHash: testRules, Batch: caps.MaxBatch, Parallel: 1,
		DupWindow: caps.DuplicateWindow, RetryBase: 30 * time.Second, Now: clock.Now}
	if tune != nil {
		tune(&set)
	}
	p := New(testStore, m, q, set, zerolog.Nop())
	return &harness{t: t, ctx: ctx, clock: clock, q: q, m: m, conf: set, p: p}
}

// restart replaces the loop with a new one on the same outbox and marketplace, as an
// agent restart does: everything the loop kept in memory is gone.
func (h *harness) restart() {
	h.p = New(testStore, h.m, h.q, h.conf, zerolog.Nop())
}

// seed sets quantity and price of n SKUs named SKU-0001… in one transaction.
func (h *harness) seed(n int, qty int64, price string) {
	h.t.Helper()
	var ch []queue.ItemChange
	for i := 1; i <= n; i++ {
		ch = append(ch, change(fmt.Sprintf("SKU-%04d", i), qty, price))
	}
	if _, err := h.q.Apply(h.ctx, ch); err != nil {
		h.t.Fatal(err)
	}
}

func change(sku string, qty int64, price string) queue.ItemChange {
	c := queue.ItemChange{SKU: sku, Barcode: "B" + sku, Warehouse: config.DefaultWarehouse, Qty: ip(qty), Source: queue.Source{Kind: "manual"}}
	if price != "" {
		c.PriceList = config.DefaultPriceList
		c.Price = kp(price)
	}
	return c
}

func (h *harness) set(sku string, qty int64, price string) {
	h.t.Helper()
	if _, err := h.q.Apply(h.ctx, []queue.ItemChange{change(sku, qty, price)}); err != nil {
		h.t.Fatal(err)
	}
}

// cycle runs one scheduled cycle, as a cron tick would.
func (h *harness) cycle() {
	h.p.gate.resume()
	h.p.cycle(h.ctx, wakeSchedule)
}

// wakeCycle runs a cycle as a timer wake-up would (a pause is kept).
func (h *harness) wakeCycle() { h.p.cycle(h.ctx, wakeRetry) }

func (h *harness) stats() queue.StoreStats {
	h.t.Helper()
	all, err := h.q.Stats(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	if s := all[testStore]; s != nil {
		return *s
	}
	return queue.StoreStats{}
}

// expect checks the outbox counts: dirty (waiting), in flight, dead, confirmed.
func (h *harness) expect(dirty, inFlight, dead, confirmed int) {
	h.t.Helper()
	s := h.stats()
	if s.Dirty != dirty || s.InFlight != inFlight || s.Dead != dead || s.Confirmed != confirmed {
		h.t.Fatalf("outbox: waiting %d, in flight %d, dead %d, confirmed %d; want %d, %d, %d, %d (last error %q)",
			s.Dirty, s.InFlight, s.Dead, s.Confirmed, dirty, inFlight, dead, confirmed, s.LastError)
	}
}

func (h *harness) health() queue.Health {
	h.t.Helper()
	all, err := h.q.HealthOf(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return all["store:"+testStore]
}
