package ikas_test

import (
	"context"
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/ikassim"
)

// Every status the store's orders can be in, multi-package orders, a null customer, a
// line whose variant.sku is null and exact money.
func TestOrderFixtures(t *testing.T) {
	w := newWorld(t, ikassim.Options{})
	w.store.Orders = true
	for _, s := range []string{"O1", "O2", "O3"} {
		w.product(s, "100.00", "", "", 50)
	}
	add := func(o ikassim.Order) ikassim.OrderView {
		t.Helper()
		v, err := w.sim.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	line := func(sku string, q int) ikassim.OrderLine { return ikassim.OrderLine{SKU: sku, Quantity: q} }
	paid := add(ikassim.Order{Lines: []ikassim.OrderLine{{SKU: "O1", Quantity: 3, Price: k("33.33"), FinalPrice: k("99.99")}}, Shipping: k("29.90")})
	waiting := add(ikassim.Order{PaymentStatus: "WAITING", Lines: []ikassim.OrderLine{line("O1", 1)}})
	draft := add(ikassim.Order{Status: "DRAFT", PaymentStatus: "WAITING", Lines: []ikassim.OrderLine{line("O2", 1)}})
	cancelled := add(ikassim.Order{Lines: []ikassim.OrderLine{line("O2", 2)}})
	refunded := add(ikassim.Order{Lines: []ikassim.OrderLine{line("O3", 1)}, Packages: [][]int{{0}}})
	partial := add(ikassim.Order{Lines: []ikassim.OrderLine{line("O1", 1), line("O2", 1)}})
	multi := add(ikassim.Order{Lines: []ikassim.OrderLine{line("O1", 1), line("O2", 2), line("O3", 3)}, Packages: [][]int{{0}, {1}}})
	pos := add(ikassim.Order{NoCustomer: true, Lines: []ikassim.OrderLine{{SKU: "O3", Quantity: 1, NullSKU: true}}})
	w.clock.Advance(time.Minute)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.sim.CancelOrder(cancelled.ID))
	must(w.sim.SetPackageStatus(refunded.ID, refunded.ID+"-k1", "DELIVERED"))
	must(w.sim.SetOrderStatus(refunded.ID, "REFUNDED"))
	must(w.sim.CancelLine(partial.ID, partial.LineIDs[1]))
	w.clock.Advance(time.Second)

	got := map[string]order.Order{}
	cursor := ""
	for i := 0; i < 10; i++ {
		page, err := w.connector().FetchOrders(context.Background(), connectors.OrderQuery{Cursor: cursor, Since: w.clock.Now().Add(-24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Orders {
			got[o.ID] = o
		}
		cursor = page.Cursor
		if !page.More {
			break
		}
	}
	want := map[string]order.Status{paid.ID: order.New, waiting.ID: order.Awaiting, draft.ID: order.Awaiting, cancelled.ID: order.Cancelled,
		refunded.ID: order.Returned, partial.ID: order.New, multi.ID: order.New, pos.ID: order.New}
	for id, st := range want {
		if got[id].Status != st {
			t.Errorf("order %s (%s): %s, want %s", got[id].Number, got[id].RawStatus, got[id].Status, st)
		}
	}
	o := got[paid.ID]
	l := o.LiveLines()[0].Line
	if l.UnitPrice != k("33.33") || l.Total != k("99.99") || l.Discount != 0 || o.ShippingFee != k("29.90") || o.StatedTotal != k("129.89") || o.Totals().Total != o.StatedTotal {
		t.Errorf("money: line %+v, shipping %v, stated %v, computed %v", l, o.ShippingFee, o.StatedTotal, o.Totals().Total)
	}
	if q := got[partial.ID].Quantities(); q["O1"] != 1 || q["O2"] != 0 {
		t.Errorf("partially cancelled: %v", q)
	}
	if q := got[cancelled.ID].Quantities(); len(q) != 0 {
		t.Errorf("cancelled: %v", q)
	}
	m := got[multi.ID]
	if len(m.Packages) != 3 || m.Packages[0].Status != order.New || len(m.Packages[0].Lines) != 1 || m.Packages[1].Status != order.Shipped {
		t.Errorf("multi-package: %+v", m.Packages)
	}
	if q := m.Quantities(); q["O1"] != 1 || q["O2"] != 2 || q["O3"] != 3 {
		t.Errorf("multi-package units %v", q)
	}
	p := got[pos.ID]
	if p.Customer.Name != "" || p.LiveLines()[0].SKU != "O3" {
		t.Errorf("null customer / null sku: %+v %+v", p.Customer, p.LiveLines())
	}
	if len(got) != len(want) {
		t.Errorf("%d orders fetched, want %d", len(got), len(want))
	}

	// Packing everything leaves the order's own package empty and counting for nothing.
	w.clock.Advance(time.Minute)
	if _, err := w.sim.Fulfill(multi.ID, "FULFILLED", multi.LineIDs[2]); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Second)
	page, err := w.conn.FetchOrders(context.Background(), connectors.OrderQuery{Cursor: cursor, Since: w.clock.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range page.Orders {
		if o.ID == multi.ID {
			merged := order.Merge(&m, &o)
			if merged.Status != order.Shipped || merged.Quantities()["O3"] != 3 || merged.Quantities()["O1"] != 1 {
				t.Fatalf("all packed: %s %v", merged.Status, merged.Quantities())
			}
			return
		}
	}
	t.Fatal("the packed order did not come again")
}
