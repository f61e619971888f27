package orders

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/erpbridge/sinks"
	"syncagent/erpbridge/sinks/sinktest"
	"syncagent/queue"
)

// BenchmarkOrdersToPostgres imports 10,000 orders (pages of 100, each with its
// reservations and the desired stock of three stores recomputed in the same
// transaction) and writes them to PostgreSQL through the sample SQL sink, four at a time
// as the transfer loop does. It reports orders/s of the import, of the write-back, and of
// both.
func BenchmarkOrdersToPostgres(b *testing.B) {
	const n, page, skus = 10_000, 100, 500
	ctx := context.Background()
	erp := sinktest.Open(b, "postgres")
	sink, err := sinks.NewSQL(erp.Sink(b, "erp-db"), sinks.SQLOptions{MaxConns: WriteParallel})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	// The stock of MERKEZ less what orders hold there, as a stock-only store's rules.
	rules := queue.RulesFunc(func(it *queue.Item) queue.Desired {
		q, ok := it.Stock["MERKEZ"]
		if !ok {
			return queue.Desired{}
		}
		q = max(q-it.Reserved["MERKEZ"], 0)
		return queue.Desired{Qty: &q}
	})
	var imp, wr time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := queue.Open(ctx, filepath.Join(b.TempDir(), "q.db"), queue.Options{})
		if err != nil {
			b.Fatal(err)
		}
		st.SetStores(map[string]queue.Rules{"a": rules, "b": rules, "c": rules})
		var stock []queue.ItemChange
		for k := 0; k < skus; k++ {
			q := int64(1_000_000)
			stock = append(stock, queue.ItemChange{SKU: fmt.Sprintf("SKU-%04d", k), Warehouse: "MERKEZ", Qty: &q, Source: queue.Source{Kind: "manual", Ref: "bench"}})
		}
		if _, err := st.Apply(ctx, stock); err != nil {
			b.Fatal(err)
		}
		orders := benchOrders(i, n, skus)
		b.StartTimer()

		t0 := time.Now()
		for p := 0; p < n; p += page {
			if _, err := st.PutOrders(ctx, queue.OrderBatch{Store: "s", Policy: testPolicy, Orders: orders[p : p+page],
				CursorName: "orders:s:cursor", Cursor: fmt.Sprint(p)}); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		loop := NewTransferLoop(st, map[string]sinks.Sink{"erp-db": sink}, TransferSettings{Targets: testTargets("erp-db")}, zerolog.Nop())
		loop.cycle(ctx)
		t2 := time.Now()
		imp += t1.Sub(t0)
		wr += t2.Sub(t1)

		b.StopTimer()
		if left, _ := st.ListOrders(ctx, queue.OrderFilter{Pending: true, Limit: 1}); len(left) != 0 {
			b.Fatalf("orders left unwritten: %+v", left)
		}
		st.Close()
		b.StartTimer()
	}
	total := float64(n * b.N)
	b.ReportMetric(total/imp.Seconds(), "imported/s")
	b.ReportMetric(total/wr.Seconds(), "written/s")
	b.ReportMetric(total/(imp+wr).Seconds(), "orders/s")
	if w := erp.Count(b, "erp_orders"); w != n*b.N {
		b.Fatalf("%d orders in PostgreSQL, want %d", w, n*b.N)
	}
}

// benchOrders are n paid orders of one to three lines over skus SKUs; run makes the
// order numbers unique across iterations.
func benchOrders(run, n, skus int) []order.Order {
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	out := make([]order.Order, n)
	for i := range out {
		num := fmt.Sprintf("B%02d%07d", run, i)
		pk := order.Package{ID: num, Status: order.New, RawStatus: "Created", UpdatedAt: at}
		for l := 0; l <= i%3; l++ {
			q := int64(1 + (i+l)%2)
			pk.Lines = append(pk.Lines, order.Line{ID: fmt.Sprint(l), SKU: fmt.Sprintf("SKU-%04d", (i*7+l)%skus), Name: "Ürün",
				Quantity: q, UnitPrice: 14990, Total: 14990 * money.Kurus(q), VATRate: 2000})
		}
		o := order.Order{Marketplace: "trendyol", ID: num, Number: num, RawStatus: "Created", OrderedAt: at, UpdatedAt: at, Currency: "TRY",
			Customer: order.Customer{Name: "Ayşe Yılmaz"}, ShipTo: order.Address{City: "İstanbul"}, Packages: []order.Package{pk}}
		o.Derive()
		out[i] = o
	}
	return out
}
