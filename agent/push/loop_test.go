package push

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/queue"
)

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

// liveLoop is a push loop running on its own goroutine in real time.
type liveLoop struct {
	q *queue.Store
	m *fakeMarket
	p *Loop
}

func startLiveLoop(t *testing.T, caps connectors.Features, debounce, maxDelay time.Duration) *liveLoop {
	t.Helper()
	ctx := context.Background()
	q, err := queue.Open(ctx, filepath.Join(t.TempDir(), "agent.db"), queue.Options{RetryBase: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	q.SetStores(map[string]queue.Rules{testStore: erpValues})
	m := newFakeMarket(caps, nil)
	p := New(testStore, m, q, Settings{Marketplace: "fake", RulesHash: testRules, Batch: caps.MaxBatch, Debounce: debounce, MaxDelay: maxDelay}, zerolog.Nop())
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// The first cycle runs at start; a change applied while it runs may go with it.
	eventually(t, "the first cycle", func() bool { return p.Stats().Cycles >= 1 })
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Stop(sctx)
	})
	return &liveLoop{q: q, m: m, p: p}
}

func (l *liveLoop) apply(t *testing.T, sku string, qty int64, price string) {
	t.Helper()
	if _, err := l.q.Apply(context.Background(), []queue.ItemChange{change(sku, qty, price)}); err != nil {
		t.Fatal(err)
	}
	l.p.Changed()
}

func TestLoopPushesAfterChangesWithoutASchedule(t *testing.T) {
	l := startLiveLoop(t, testCaps(), 20*time.Millisecond, 200*time.Millisecond)
	l.apply(t, "A", 3, "10.00")
	l.apply(t, "A", 4, "10.00")
	eventually(t, "the change reaches the store", func() bool { return l.m.state("A") == "A: 4 10.00 10.00\n" })
	if got := l.m.sentValues("A"); len(got) != 1 {
		t.Fatalf("two quick changes sent %v, want one push of the latest", got)
	}
}

func TestLoopChangeDuringAPushEndsWithTheLatestValue(t *testing.T) {
	l := startLiveLoop(t, testCaps(), 10*time.Millisecond, 50*time.Millisecond)
	block := make(chan struct{})
	entered := make(chan struct{}, 4)
	l.m.set(func(f *fakeMarket) { f.block, f.entered = block, entered })
	l.apply(t, "A", 1, "10.00")
	<-entered // the push of 1 is in flight
	l.apply(t, "A", 2, "11.00")
	l.m.set(func(f *fakeMarket) { f.block, f.entered = nil, nil })
	close(block)
	eventually(t, "the latest value reaches the store", func() bool { return l.m.state("A") == "A: 2 11.00 11.00\n" })
	if got := fmt.Sprint(l.m.sentValues("A")); got != "[1 10.00 2 11.00]" {
		t.Fatalf("sent %s", got)
	}
	eventually(t, "the outbox settles", func() bool {
		s, _ := l.q.Stats(context.Background())
		return s[testStore] != nil && s[testStore].Confirmed == 1 && s[testStore].Dirty == 0
	})
}

func TestLoopStopCutsTheRequestInFlightAndLeavesNoLease(t *testing.T) {
	l := startLiveLoop(t, testCaps(), 10*time.Millisecond, 50*time.Millisecond)
	block := make(chan struct{})
	defer close(block)
	entered := make(chan struct{}, 4)
	l.m.set(func(f *fakeMarket) { f.block, f.entered = block, entered })
	l.apply(t, "A", 1, "10.00")
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	s, _ := l.q.Stats(context.Background())
	st := s[testStore]
	if st.InFlight != 0 || st.Dirty != 1 {
		t.Fatalf("after stop: %+v; the item must be claimable, not leased", st)
	}
}

func TestLoopStopReleasesARequestThatHadNotGoneOut(t *testing.T) {
	l := startLiveLoop(t, testCaps(), 10*time.Millisecond, 50*time.Millisecond)
	block := make(chan struct{})
	defer close(block)
	entered := make(chan struct{}, 4)
	l.m.set(func(f *fakeMarket) { f.block, f.entered, f.notSent = block, entered, true })
	l.apply(t, "A", 1, "10.00")
	<-entered // waiting, as for the rate limit
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	s, _ := l.q.Stats(context.Background())
	if st := s[testStore]; st.InFlight != 0 || st.Dirty != 1 || st.Retrying != 0 {
		t.Fatalf("after stop: %+v; the item must be claimable with no attempt counted", st)
	}
}

func TestLoopTriggerPushesAndSurvivesAConnectorPanic(t *testing.T) {
	l := startLiveLoop(t, testCaps(), 0, 0) // schedule only
	l.m.set(func(f *fakeMarket) { f.panicNext = true })
	l.apply(t, "A", 1, "10.00")
	l.p.Trigger()
	eventually(t, "the panicking push is booked as a retry", func() bool {
		s, _ := l.q.Stats(context.Background())
		return s[testStore] != nil && s[testStore].Retrying == 1 && s[testStore].InFlight == 0
	})
	l.apply(t, "B", 2, "20.00")
	if l.m.requestCount() != 1 {
		t.Fatal("a schedule-only store pushed on a change")
	}
	l.p.Trigger()
	eventually(t, "the next scheduled push goes out", func() bool { return l.m.state("B") == "B: 2 20.00 20.00\n" })
}
