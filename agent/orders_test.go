package agent

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
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

// An ERP that is down keeps the orders due with the error shown; once it is back they
// are written, each once; an unpaid order waits.
func TestTransferLoopRetriesUntilTheERPIsBack(t *testing.T) {
	ctx := context.Background()
	cfg, err := config.Parse([]byte("stores:\n  - name: s\n    marketplace: trendyol\n    orders: {transfer: true, sink: fake}\nsinks:\n  files:\n    - {name: fake, dir: x}\n"),
		filepath.Join(t.TempDir(), "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	st, err := queue.Open(ctx, filepath.Join(t.TempDir(), "q.db"), queue.Options{RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fake := &fakeSink{down: true, written: map[string]int{}}
	w := &orderWiring{kick: make(chan struct{}, 1), now: time.Now}
	env := &Env{Config: cfg, Store: st, Log: zerolog.Nop()}
	loop := newTransferLoop(env, w, map[string]sinks.Sink{"fake": fake})
	loop.poll = 20 * time.Millisecond
	if err := loop.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer loop.Stop(ctx)
	cfgStore, _ := cfg.Store("s")
	if _, err := st.PutOrders(ctx, queue.OrderBatch{Store: "s", Policy: policyOf(cfgStore),
		Orders: []order.Order{testOrder("1", order.New), testOrder("2", order.New), testOrder("3", order.Awaiting)}}); err != nil {
		t.Fatal(err)
	}
	w.kickTransfers()
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

// Every component of a store gets the same connector.
func TestSharedConnectors(t *testing.T) {
	builds := 0
	b := SharedConnectors(func(s *config.Store, _ connectors.Deps) (connectors.Connector, error) {
		builds++
		return nil, nil
	})
	a, c := &config.Store{Name: "a"}, &config.Store{Name: "c"}
	b(a, connectors.Deps{})
	b(a, connectors.Deps{})
	b(c, connectors.Deps{})
	if builds != 2 {
		t.Fatalf("%d builds for two stores", builds)
	}
}
