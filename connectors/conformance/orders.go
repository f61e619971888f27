package conformance

import (
	"context"
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/simkit"
)

// OrderLine is one line of an order the suite places: a seeded product and a quantity.
type OrderLine struct {
	P   Product
	Qty int
}

// OrderSim is a running simulator as the order cases see it. Every hook works on the
// simulator's own state, as the marketplace (or its buyer) would.
type OrderSim struct {
	// Store is an active store at the simulator (canary credentials, as for Sim).
	Store connectors.Store
	Seed  func(t testing.TB, ps []Product)
	// AddOrder places an order now and returns the id the connector reports as
	// order.Order.ID. unpaid asks for an order whose payment is not confirmed yet.
	AddOrder func(t testing.TB, lines []OrderLine, unpaid bool) string
	// Pay confirms an unpaid order's payment (nil: the marketplace has no unpaid orders).
	Pay func(t testing.TB, id string)
	// Advance moves an order on as the marketplace does (to shipped or further).
	Advance func(t testing.TB, id string)
	// Cancel cancels a whole order; CancelLine one line of it, all its units (nil: not
	// supported by the simulator).
	Cancel     func(t testing.TB, id string)
	CancelLine func(t testing.TB, id string, l OrderLine)
	SetFaults  func(simkit.Faults)
	Stats      func() simkit.Stats

	ListEndpoint string // stats name of the order list the connector pages through
	PageSize     int    // orders per list page as the connector reads it
	// MinSpacing is the least time the marketplace asks between two list calls (0: none).
	MinSpacing time.Duration
}

// OrderHarness starts a fresh simulator on clock for one case.
type OrderHarness func(t *testing.T, clock *simkit.FakeClock) *OrderSim

// RunOrders runs the order cases against marketplace's registered order fetcher.
func RunOrders(t *testing.T, marketplace string, h OrderHarness) {
	cases := []struct {
		name string
		fn   func(*testing.T, *orderEnv)
	}{
		{"Registered", testOrdersRegistered},
		{"Paging", testOrdersPaging},
		{"CursorIncremental", testOrdersIncremental},
		{"WindowAcrossWeeks", testOrdersWindow},
		{"StatusChangeIsUpdate", testOrdersStatusChange},
		{"Cancellation", testOrdersCancellation},
		{"Unpaid", testOrdersUnpaid},
		{"FailureKeepsCursor", testOrdersFailure},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := simkit.NewFakeClock(time.Time{})
			e := &orderEnv{env: &env{t: t, marketplace: marketplace, clock: clock, log: &syncBuffer{}}}
			e.os = h(t, clock)
			e.sim = &Sim{Store: e.os.Store, Stats: e.os.Stats}
			e.store = e.os.Store
			t.Cleanup(e.checkCanary)
			c.fn(t, e)
		})
	}
}

// orderEnv is one order case: the suite's env plus the queue the agent would keep,
// reduced to what the cases check: one merged order per ID and the stored cursor.
type orderEnv struct {
	*env
	os      *OrderSim
	fetcher connectors.OrderFetcher
	cursor  string
	orders  map[string]order.Order
	since   time.Time
}

func (e *orderEnv) fetcherOf() connectors.OrderFetcher {
	e.t.Helper()
	if e.fetcher == nil {
		f, ok := e.connector().(connectors.OrderFetcher)
		if !ok {
			e.t.Fatalf("the %s connector does not fetch orders", e.marketplace)
		}
		e.fetcher = f
	}
	return e.fetcher
}

func (e *orderEnv) known(_ context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if o, ok := e.orders[id]; ok {
			out[id] = o.Version
		}
	}
	return out, nil
}

// fetchAll calls FetchOrders while it says More, storing each page's orders (merged by
// ID, as the queue does) and its cursor. It returns the orders of every page, in order,
// and the number of calls.
func (e *orderEnv) fetchAll() ([]order.Order, int) {
	e.t.Helper()
	if e.orders == nil {
		e.orders = map[string]order.Order{}
	}
	if e.since.IsZero() {
		e.since = e.clock.Now().Add(-7 * 24 * time.Hour)
	}
	var got []order.Order
	for calls := 1; calls <= 200; calls++ {
		page, err := e.fetcherOf().FetchOrders(context.Background(), connectors.OrderQuery{
			Cursor: e.cursor, Since: e.since, Known: e.known})
		e.noteErr(err)
		if err != nil {
			e.t.Fatalf("FetchOrders (call %d): %v", calls, err)
		}
		for _, o := range page.Orders {
			e.checkOrder(o)
			if old, ok := e.orders[o.ID]; ok {
				o = order.Merge(&old, &o)
			}
			e.orders[o.ID] = o
			got = append(got, o)
		}
		e.cursor = page.Cursor
		if !page.More {
			return got, calls
		}
	}
	e.t.Fatal("FetchOrders still says More after 200 calls")
	return nil, 0
}

// checkOrder insists on the normalized shape every sink relies on.
func (e *orderEnv) checkOrder(o order.Order) {
	e.t.Helper()
	if o.ID == "" || o.Number == "" || o.Marketplace != e.marketplace || len(o.Packages) == 0 {
		e.t.Fatalf("order %q (number %q, marketplace %q) lacks its keys or packages", o.ID, o.Number, o.Marketplace)
	}
	if o.OrderedAt.IsZero() || o.OrderedAt.After(e.clock.Now().Add(time.Minute)) {
		e.t.Fatalf("order %s: ordered at %v, now is %v", o.ID, o.OrderedAt, e.clock.Now())
	}
	if o.Currency == "" || o.Status == "" || o.RawStatus == "" {
		e.t.Fatalf("order %s: currency %q status %q raw %q", o.ID, o.Currency, o.Status, o.RawStatus)
	}
	for _, p := range o.Packages {
		for _, l := range p.Lines {
			if l.SKU == "" || l.Quantity < 1 || l.UnitPrice <= 0 || l.Total <= 0 {
				e.t.Fatalf("order %s line %+v: SKU, quantity and amounts must be set", o.ID, l)
			}
		}
	}
}

func (e *orderEnv) place(lines []OrderLine, unpaid bool) string {
	e.t.Helper()
	id := e.os.AddOrder(e.t, lines, unpaid)
	if id == "" {
		e.t.Fatal("AddOrder returned no id")
	}
	return id
}

func (e *orderEnv) order(id string) order.Order {
	e.t.Helper()
	o, ok := e.orders[id]
	if !ok {
		e.t.Fatalf("order %s was not fetched", id)
	}
	return o
}
