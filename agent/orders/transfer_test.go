package orders

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors/order"
	"syncagent/erpbridge/sinks"
	"syncagent/queue"
)

// fakeSink is an ERP that can be down; it counts what reached it.
type fakeSink struct {
	mu      sync.Mutex
	down    bool
	written map[string]int // order number (or number/cancel-seq) → writes that reached the ERP
	tries   int
}

func (f *fakeSink) Name() string { return "fake" }
func (f *fakeSink) Close() error { return nil }
func (f *fakeSink) Write(_ context.Context, j *sinks.Job) (sinks.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.down {
		return 0, &sinks.Error{Sink: "fake", Kind: sinks.Down, Order: j.Order.Number, Err: errors.New("connection refused")}
	}
	key := j.Order.Number
	if j.Cancel != nil {
		key += "/cancel"
	}
	if f.written[key] > 0 {
		return sinks.AlreadyThere, nil
	}
	f.written[key]++
	return sinks.Written, nil
}

func (f *fakeSink) set(down bool) { f.mu.Lock(); f.down = down; f.mu.Unlock() }
func (f *fakeSink) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.written[key]
}

func testOrder(id string, st order.Status) order.Order {
	o := order.Order{Marketplace: "trendyol", ID: id, Number: id, RawStatus: string(st), Currency: "TRY", OrderedAt: time.Now(),
		Packages: []order.Package{{ID: id, Status: st, Lines: []order.Line{{ID: "1", SKU: "A1", Quantity: 1, UnitPrice: 100, Total: 100}}}}}
	o.Derive()
	return o
}

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

// testTargets and testPolicy are what the agent makes of a store s on trendyol that
// transfers its orders through sink (orders: {transfer: true, sink: <sink>}, defaults
// otherwise).
func testTargets(sink string) map[string]Target {
	return map[string]Target{"s": {Marketplace: "trendyol", Transfer: true, Sink: sink, Warehouse: config.DefaultWarehouse}}
}

var testPolicy = queue.OrderPolicy{Transfer: true, Deduct: true, Warehouse: config.DefaultWarehouse, Release: queue.ReleaseERPReading}

// An ERP that is down keeps the orders due with the error shown; once it is back they
// are written, each once; an unpaid order waits.
func TestTransferLoopRetriesUntilTheERPIsBack(t *testing.T) {
	ctx := context.Background()
	st, err := queue.Open(ctx, filepath.Join(t.TempDir(), "q.db"), queue.Options{RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fake := &fakeSink{down: true, written: map[string]int{}}
	loop := NewTransferLoop(st, map[string]sinks.Sink{"fake": fake},
		TransferSettings{Targets: testTargets("fake"), Poll: 20 * time.Millisecond}, zerolog.Nop())
	if err := loop.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer loop.Stop(ctx)
	if _, err := st.PutOrders(ctx, queue.OrderBatch{Store: "s", Policy: testPolicy,
		Orders: []order.Order{testOrder("1", order.New), testOrder("2", order.New), testOrder("3", order.Awaiting)}}); err != nil {
		t.Fatal(err)
	}
	loop.Kick()
	eventually(t, "the failure recorded and shown", func() bool {
		l, _ := st.ListOrders(ctx, queue.OrderFilter{Pending: true})
		h, _ := st.HealthOf(ctx)
		return len(l) == 3 && l[1].TransferState == queue.TransferFailed && l[1].LastError != "" && h["sink:fake"].Error != ""
	})
	fake.set(false)
	eventually(t, "both paid orders written", func() bool { return fake.count("1") == 1 && fake.count("2") == 1 })
	eventually(t, "the queue records them", func() bool {
		l, _ := st.ListOrders(ctx, queue.OrderFilter{Pending: true})
		return len(l) == 1 && l[0].Number == "3" && l[0].TransferState == queue.TransferWaiting
	})
	if fake.count("3") != 0 {
		t.Fatal("an unpaid order was written")
	}
}
