// Package queuetest holds helpers for tests in other packages that need queue state
// which only a longer flow produces (an order written to the ERP, holding stock).
package queuetest

import (
	"context"
	"testing"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/queue"
)

// WrittenOrder stores an order of qty units of sku on store, reserving them in warehouse
// under the erp_reading release rule, and books its write-back to the ERP as done. It
// returns the order number. The reservation is then released by the first ERP reading
// taken after the write-back that shows sku in warehouse.
func WrittenOrder(t testing.TB, st *queue.Store, store, id, sku, warehouse string, qty int64) string {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	o := order.Order{Marketplace: "trendyol", ID: id, Number: "N" + id, RawStatus: "Created", OrderedAt: now, UpdatedAt: now,
		Currency: "TRY", Packages: []order.Package{{ID: id + "-p", Status: order.New, RawStatus: "Created", UpdatedAt: now,
			Lines: []order.Line{{ID: "1", SKU: sku, Quantity: qty, UnitPrice: 10000, Total: money.Kurus(qty) * 10000}}}}}
	o.Derive()
	policy := queue.OrderPolicy{Transfer: true, Deduct: true, Warehouse: warehouse, Release: queue.ReleaseERPReading}
	if _, err := st.PutOrders(ctx, queue.OrderBatch{Store: store, Policy: policy, Orders: []order.Order{o}}); err != nil {
		t.Fatal(err)
	}
	jobs, err := st.DueTransfers(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var outs []queue.TransferOutcome
	for _, j := range jobs {
		outs = append(outs, queue.TransferOutcome{Job: j})
	}
	if err := st.BookTransfers(ctx, outs); err != nil {
		t.Fatal(err)
	}
	return o.Number
}

// ReservationState returns the state of store's reservation of order number ref
// ("held", "released", …) and who released it.
func ReservationState(t testing.TB, st *queue.Store, store, ref string) (state, by string) {
	t.Helper()
	rs, err := st.Reservations(context.Background(), store, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("order %s of %s has %d reservations, want 1: %+v", ref, store, len(rs), rs)
	}
	return rs[0].State, rs[0].ReleasedBy
}
