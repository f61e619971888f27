package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/simkit"
)

func testOrdersRegistered(t *testing.T, e *orderEnv) {
	if connectors.AbilitiesOf(e.connector()).Orders == nil {
		t.Fatalf("the %s connector does not fetch orders", e.marketplace)
	}
	e.fetcherOf()
}

// testOrdersPaging: more orders than fit a page are all fetched, each once, with their
// lines and amounts, in as many list calls as pages, spaced as the marketplace asks.
func testOrdersPaging(t *testing.T, e *orderEnv) {
	ps := e.os.seedFor(e, 3, 1000)
	n := e.os.PageSize*2 + e.os.PageSize/2
	want := map[string]int64{}
	for i := 0; i < n; i++ {
		p := ps[i%len(ps)]
		id := e.place([]OrderLine{{p, 1 + i%2}}, false)
		want[id] = int64(1 + i%2)
		e.clock.Advance(time.Second)
	}
	start := e.clock.Now()
	got, _ := e.fetchAll()
	if len(e.orders) != n {
		t.Fatalf("%d distinct orders fetched, %d placed", len(e.orders), n)
	}
	seen := map[string]int{}
	for _, o := range got {
		seen[o.ID]++
	}
	for id, q := range want {
		o := e.order(id)
		if tot := o.Quantities()[skuOfOrder(o)]; tot != q || o.Status != order.New {
			t.Fatalf("order %s: %d units, status %s; want %d, new", id, tot, o.Status, q)
		}
		if seen[id] > 1 {
			t.Fatalf("order %s came %d times in one pass", id, seen[id])
		}
	}
	list := e.stats(e.os.ListEndpoint).Requests
	if list < 3 {
		t.Fatalf("%d orders in %d list calls: the list was not paged", n, list)
	}
	if e.os.MinSpacing > 0 {
		if took := e.clock.Now().Sub(start); took < time.Duration(list-1)*e.os.MinSpacing {
			t.Fatalf("%d list calls within %v: the marketplace asks for %v between calls", list, took, e.os.MinSpacing)
		}
	}
}

func skuOfOrder(o order.Order) string {
	for _, l := range o.LiveLines() {
		return l.SKU
	}
	return ""
}

// testOrdersIncremental: with the stored cursor, a second fetch brings no change, and a
// new order is fetched by the next one.
func testOrdersIncremental(t *testing.T, e *orderEnv) {
	ps := e.os.seedFor(e, 2, 100)
	first := e.place([]OrderLine{{ps[0], 1}}, false)
	e.fetchAll()
	e.order(first)
	e.clock.Advance(time.Minute)
	again, _ := e.fetchAll()
	for _, o := range again {
		if o.ID == first && o.Status != order.New {
			t.Fatalf("an unchanged order came back changed: %s", o.Status)
		}
	}
	e.clock.Advance(time.Minute)
	second := e.place([]OrderLine{{ps[1], 2}}, false)
	e.clock.Advance(time.Second)
	e.fetchAll()
	if q := e.order(second).Quantities()[ps[1].SKU]; q != 2 {
		t.Fatalf("the new order has %d units of %s, want 2", q, ps[1].SKU)
	}
	if len(e.orders) != 2 {
		t.Fatalf("%d orders known, want 2", len(e.orders))
	}
}

// testOrdersWindow: a first fetch reaching three weeks back finds an old order and a new
// one, whatever the marketplace's longest date range per call.
func testOrdersWindow(t *testing.T, e *orderEnv) {
	ps := e.os.seedFor(e, 1, 100)
	e.since = e.clock.Now().Add(-time.Hour)
	old := e.place([]OrderLine{{ps[0], 1}}, false)
	e.clock.Advance(20 * 24 * time.Hour)
	recent := e.place([]OrderLine{{ps[0], 1}}, false)
	e.clock.Advance(time.Second)
	e.fetchAll()
	e.order(old)
	e.order(recent)
}

// testOrdersStatusChange: an order that moves on comes back under the same ID with the
// new status: an update, never a second order.
func testOrdersStatusChange(t *testing.T, e *orderEnv) {
	ps := e.os.seedFor(e, 2, 100)
	id := e.place([]OrderLine{{ps[0], 2}, {ps[1], 1}}, false)
	e.fetchAll()
	before := e.order(id)
	e.clock.Advance(time.Minute)
	e.os.Advance(t, id)
	e.clock.Advance(time.Second)
	got, _ := e.fetchAll()
	var came bool
	for _, o := range got {
		came = came || o.ID == id
	}
	after := e.order(id)
	if !came || after.Status == before.Status || !(after.Status == order.Processing || after.Status.HasShipped()) {
		t.Fatalf("after the marketplace moved the order on: came back %v, status %s → %s", came, before.Status, after.Status)
	}
	if len(e.orders) != 1 {
		t.Fatalf("%d orders after a status change, want 1", len(e.orders))
	}
	q := after.Quantities()
	if q[ps[0].SKU] != 2 || q[ps[1].SKU] != 1 {
		t.Fatalf("units after the status change: %v", q)
	}
}

// testOrdersCancellation: a cancelled line and a cancelled order leave no live units.
func testOrdersCancellation(t *testing.T, e *orderEnv) {
	ps := e.os.seedFor(e, 2, 100)
	id := e.place([]OrderLine{{ps[0], 2}, {ps[1], 1}}, false)
	e.fetchAll()
	if e.os.CancelLine != nil {
		e.clock.Advance(time.Minute)
		e.os.CancelLine(t, id, OrderLine{ps[1], 1})
		e.clock.Advance(2 * time.Hour) // past any refresh interval of open orders
		e.fetchAll()
		q := e.order(id).Quantities()
		if q[ps[0].SKU] != 2 || q[ps[1].SKU] != 0 || e.order(id).Status == order.Cancelled {
			t.Fatalf("after cancelling the line of %s: %v, status %s", ps[1].SKU, q, e.order(id).Status)
		}
	}
	e.clock.Advance(time.Minute)
	e.os.Cancel(t, id)
	e.clock.Advance(time.Second)
	e.fetchAll()
	o := e.order(id)
	if o.Status != order.Cancelled || len(o.Quantities()) != 0 {
		t.Fatalf("a cancelled order: status %s, live units %v", o.Status, o.Quantities())
	}
	if len(e.orders) != 1 {
		t.Fatalf("%d orders after the cancellation, want 1", len(e.orders))
	}
}

// testOrdersUnpaid: an order whose payment is not confirmed is Awaiting, with its units
// (to reserve), and becomes New once paid.
func testOrdersUnpaid(t *testing.T, e *orderEnv) {
	if e.os.Pay == nil {
		t.Skip("the marketplace has no unpaid orders")
	}
	ps := e.os.seedFor(e, 1, 100)
	id := e.place([]OrderLine{{ps[0], 3}}, true)
	e.fetchAll()
	if o := e.order(id); o.Status != order.Awaiting || o.Quantities()[ps[0].SKU] != 3 {
		t.Fatalf("unpaid order: status %s, units %v", o.Status, o.Quantities())
	}
	e.clock.Advance(2 * time.Hour)
	e.os.Pay(t, id)
	e.clock.Advance(time.Second)
	e.fetchAll()
	if o := e.order(id); o.Status != order.New {
		t.Fatalf("paid order: status %s, want new", o.Status)
	}
}

// testOrdersFailure: a failed list call is a classified error and hands the cursor back
// unchanged, so nothing is skipped; the next call succeeds.
func testOrdersFailure(t *testing.T, e *orderEnv) {
	ps := e.os.seedFor(e, 1, 100)
	e.fetchAll()
	id := e.place([]OrderLine{{ps[0], 1}}, false)
	e.clock.Advance(time.Minute)
	e.os.SetFaults(simkit.Faults{ErrorRate: 1, ErrorStatus: 503, Only: []string{e.os.ListEndpoint}})
	page, err := e.fetcherOf().FetchOrders(context.Background(), connectors.OrderQuery{Cursor: e.cursor, Since: e.since, Known: e.known})
	e.noteErr(err)
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.Transient {
		t.Fatalf("a 503 on the order list: %v, want a transient *connectors.Error", err)
	}
	if page.Cursor != e.cursor || len(page.Orders) != 0 {
		t.Fatalf("a failed fetch moved the cursor %q → %q", e.cursor, page.Cursor)
	}
	e.os.SetFaults(simkit.Faults{})
	e.fetchAll()
	e.order(id)
}

// seedFor seeds n products with qty units each and returns them.
func (s *OrderSim) seedFor(e *orderEnv, n int, qty int64) []Product {
	ps := products(0, n)
	for i := range ps {
		ps[i].Qty = qty
	}
	s.Seed(e.t, ps)
	return ps
}
