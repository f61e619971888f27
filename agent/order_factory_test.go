package agent

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/orders"
	"syncagent/config"
	"syncagent/connectors"
	"syncagent/connectors/httpx"
)

// pacedMarket is a store's connector as a real one is built: its pushes and its order
// fetches go through its one pacer (a real connector's Push and FetchOrders share its
// httpx client). The pacer allows one request an hour, on a clock that records waits.
type pacedMarket struct {
	*market
	pacer *httpx.Pacer

	mu     sync.Mutex
	calls  []string        // "push" or "orders", in the order the pacer let them through
	waited []time.Duration // how long each call waited for the pacer
}

func (m *pacedMarket) wait(ctx context.Context, who string, clock *fakeWaits) error {
	before := clock.total()
	done, err := m.pacer.Wait(ctx, "")
	if err != nil {
		return err
	}
	done()
	m.mu.Lock()
	m.calls = append(m.calls, who)
	m.waited = append(m.waited, clock.total()-before)
	m.mu.Unlock()
	return nil
}

// fakeWaits is a clock whose sleeps move it at once and add up.
type fakeWaits struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *fakeWaits) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeWaits) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	return ctx.Err()
}
func (c *fakeWaits) total() time.Duration { c.mu.Lock(); defer c.mu.Unlock(); return c.slept }

type pacedConn struct {
	m     *pacedMarket
	clock *fakeWaits
}

func (c pacedConn) Features() connectors.Features { return testCaps() }
func (c pacedConn) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if err := c.m.wait(ctx, "push", c.clock); err != nil {
		return nil, err
	}
	return c.m.market.Push(ctx, items)
}
func (c pacedConn) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	if err := c.m.wait(ctx, "orders", c.clock); err != nil {
		return connectors.OrderPage{Cursor: q.Cursor}, err
	}
	return connectors.OrderPage{Cursor: "c1"}, nil
}

// TestOneConnectorAndOnePacerPerStore: the connector of a store is built once, and its
// push loop and its order loop both draw from its one pacer, so together they stay
// within the store's one rate budget: with one request an hour allowed, whichever of
// the two goes second waits the hour.
func TestOneConnectorAndOnePacerPerStore(t *testing.T) {
	f := newFactoryEnv(t)
	clock := &fakeWaits{now: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	builds := 0
	var pm *pacedMarket
	build := func(s *config.Store, _ connectors.Deps) (connectors.Connector, error) {
		builds++
		pm = &pacedMarket{market: newMarket(),
			pacer: httpx.NewPacer(httpx.Clock{Now: clock.Now, Sleep: clock.Sleep}, connectors.Rate{Requests: 1, Per: time.Hour}, nil)}
		return pacedConn{m: pm, clock: clock}, nil
	}
	st := testStoreConfig("shop", true, baseRules())
	st.Orders = config.StoreOrders{Fetch: true}
	st.Schedule.Orders = "@every 1h"
	cfg := &config.Config{Stores: []config.Store{st}, Location: time.UTC}
	conns, err := ConnectStores(cfg, build, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Config: cfg, Store: f.q, Sched: NewScheduler(time.UTC, zerolog.Nop(), nil), Log: zerolog.Nop(), Connectors: conns, Changed: func() {}}
	loops, err := BuildStores(env)
	if err != nil {
		t.Fatal(err)
	}
	w := &orderWiring{}
	fetchers, err := w.buildFetchers(env)
	if err != nil {
		t.Fatal(err)
	}
	if builds != 1 || len(loops) != 1 || len(fetchers) != 1 {
		t.Fatalf("%d connectors built, %d push loops, %d order loops; want 1 each", builds, len(loops), len(fetchers))
	}

	f.apply(change("A", 3, "10.00"))
	runFirstCycle(t, loops[0])
	fetchers[0].(*orders.FetchLoop).Fetch(context.Background())

	pm.mu.Lock()
	defer pm.mu.Unlock()
	if len(pm.calls) != 2 || pm.calls[0] == pm.calls[1] {
		t.Fatalf("calls through the store's pacer: %v; want one push and one order fetch", pm.calls)
	}
	if pm.waited[0] != 0 || pm.waited[1] < time.Hour-time.Minute {
		t.Fatalf("waits %v: the second call did not wait for the budget the first one spent", pm.waited)
	}
	if got := pm.market.state("A"); got != "A: 3 10.00 10.00\n" {
		t.Fatalf("pushed: %s", got)
	}
}
