package httpx

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"syncagent/connectors"
)

// maxInWindow counts the most sends inside any window (t-per, t], the way the
// simulators' gateways count arrivals.
func maxInWindow(sends []time.Time, per time.Duration) int {
	sorted := append([]time.Time(nil), sends...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	best, lo := 0, 0
	for hi, t := range sorted {
		for !sorted[lo].After(t.Add(-per)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

func TestPacerSlidingWindow(t *testing.T) {
	fc := newFakeClock()
	rate := connectors.Rate{Requests: 50, Per: 10 * time.Second}
	p := NewPacer(fc.clock(), rate, nil)
	start := fc.Now()
	var sends []time.Time
	for i := 0; i < 120; i++ {
		done, err := p.Wait(context.Background(), "push")
		if err != nil {
			t.Fatal(err)
		}
		sends = append(sends, fc.Now())
		done()
	}
	for i := 0; i < 50; i++ {
		if !sends[i].Equal(start) {
			t.Fatalf("send %d waited %v; the first 50 may go at once", i, sends[i].Sub(start))
		}
	}
	want := start.Add(10*time.Second + Margin(10*time.Second))
	if !sends[50].Equal(want) {
		t.Fatalf("send 51 at +%v, want +%v (one window plus the margin)", sends[50].Sub(start), want.Sub(start))
	}
	// Widen the window by the margin: even a request that arrives that much late stays
	// inside the budget.
	if n := maxInWindow(sends, 10*time.Second+Margin(10*time.Second)-time.Nanosecond); n > 50 {
		t.Fatalf("%d sends inside one window (with margin), limit 50", n)
	}
}

func TestPacerRandomArrivalsStayUnder(t *testing.T) {
	fc := newFakeClock()
	per := 10 * time.Second
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 7, Per: per}, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	var sends []time.Time
	for i := 0; i < 500; i++ {
		fc.Advance(time.Duration(rng.IntN(3000)) * time.Millisecond)
		done, err := p.Wait(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		sends = append(sends, fc.Now())
		done()
	}
	if n := maxInWindow(sends, per+Margin(per)-time.Nanosecond); n > 7 {
		t.Fatalf("%d sends in one window, limit 7", n)
	}
}

func TestPacerConcurrentReservationsStayUnder(t *testing.T) {
	fc := newFakeClock()
	per := time.Minute
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: per}, nil)
	var mu sync.Mutex
	var sends []time.Time
	start := fc.Now()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				// Reserve at a fixed "now" and answer at once, recording the send time
				// itself: other goroutines move the fake clock too.
				p.mu.Lock()
				b := p.bucket("")
				at, busy := b.earliest(start)
				if busy != nil {
					p.mu.Unlock()
					t.Error("a send waited for a reply although every reply was in")
					return
				}
				s := b.commit(at)
				close(s.done)
				b.inflight--
				p.mu.Unlock()
				mu.Lock()
				sends = append(sends, at)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n := maxInWindow(sends, per+Margin(per)-time.Nanosecond); n > 60 {
		t.Fatalf("%d sends in one window, limit 60", n)
	}
	if len(sends) != 240 {
		t.Fatalf("%d sends", len(sends))
	}
}

// TestPacerCountsFromTheReply: the server counts a request when it arrives, at the
// latest when it answers; a slow reply moves the window along with it.
func TestPacerCountsFromTheReply(t *testing.T) {
	fc := newFakeClock()
	per := 10 * time.Second
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 2, Per: per}, nil)
	t0 := fc.Now()
	doneA, _ := p.Wait(context.Background(), "")
	doneB, _ := p.Wait(context.Background(), "")
	fc.Advance(3 * time.Second) // A's reply takes 3 s
	doneA()
	doneB()
	doneC, err := p.Wait(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	doneC()
	if got, want := fc.Now().Sub(t0), 3*time.Second+per+Margin(per); got != want {
		t.Fatalf("third send at +%v, want +%v (one window after A's reply)", got, want)
	}
}

func TestPacerWaitsForTheReplyAWindowBack(t *testing.T) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 1, Per: time.Second}, nil)
	doneA, _ := p.Wait(context.Background(), "")
	released := make(chan time.Time, 1)
	go func() {
		done, err := p.Wait(context.Background(), "")
		if err != nil {
			t.Error(err)
		}
		released <- fc.Now()
		done()
	}()
	select {
	case <-released:
		t.Fatal("the next send went while the reply a window back was still out")
	default:
	}
	fc.Advance(5 * time.Second)
	replyAt := fc.Now()
	doneA()
	if at := <-released; at.Before(replyAt.Add(time.Second)) {
		t.Fatalf("sent %v after the reply; the window is 1s", at.Sub(replyAt))
	}
}

func TestPacerWaitForReplyEndsWithContext(t *testing.T) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 1, Per: time.Second}, nil)
	if _, err := p.Wait(context.Background(), ""); err != nil { // never answered
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Wait(ctx, ""); err == nil {
		t.Fatal("Wait returned without error after its context ended")
	}
}

func TestPacerBucketsAreSeparate(t *testing.T) {
	fc := newFakeClock()
	r := connectors.Rate{Requests: 1, Per: time.Minute}
	p := NewPacer(fc.clock(), r, map[string]connectors.Rate{"read": {Requests: 1, Per: time.Minute}})
	for _, b := range []string{"push", "read"} {
		done, err := p.Wait(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		done()
	}
	if len(fc.slept) != 0 {
		t.Fatalf("separate buckets waited on each other: %v", fc.slept)
	}
}

func TestPacerHoldsAfterRefusal(t *testing.T) {
	cases := []struct {
		name string
		ri   RateInfo
		want time.Duration
	}{
		{"retry-after", RateInfo{RetryAfter: 7 * time.Second, HasRetryAfter: true}, 7 * time.Second},
		{"reset when no retry-after", RateInfo{Reset: 20 * time.Second, HasReset: true}, 20 * time.Second},
		{"one window when the server says nothing", RateInfo{}, 10 * time.Second},
		{"retry-after in the past", RateInfo{HasRetryAfter: true, RetryAfterWasPastOrEmpty: true}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fc := newFakeClock()
			p := NewPacer(fc.clock(), connectors.Rate{Requests: 50, Per: 10 * time.Second}, nil)
			if got := p.Observe("push", c.ri, true); got != c.want {
				t.Fatalf("wait %v, want %v", got, c.want)
			}
			if got := p.HeldFor("push"); got != c.want {
				t.Fatalf("held for %v, want %v", got, c.want)
			}
			start := fc.Now()
			done, err := p.Wait(context.Background(), "push")
			if err != nil {
				t.Fatal(err)
			}
			done()
			if got := fc.Now().Sub(start); got != c.want {
				t.Fatalf("next request waited %v, want %v", got, c.want)
			}
		})
	}
}

func TestPacerServerBudget(t *testing.T) {
	fc := newFakeClock()
	per := time.Minute
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: per}, nil)
	done, _ := p.Wait(context.Background(), "")
	// The server says: 1 left until the reset in 20 s (someone else uses the account).
	p.Observe("", RateInfo{Remaining: 1, HasRemaining: true, Reset: 20 * time.Second, HasReset: true}, false)
	done()
	start := fc.Now()
	for i := 0; i < 2; i++ {
		done, err := p.Wait(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		done()
	}
	if got, want := fc.Now().Sub(start), 20*time.Second+Margin(per); got != want {
		t.Fatalf("second request after the server's budget waited %v, want %v (until the reset)", got, want)
	}
}

func TestPacerLimitHeaderOnlyLowers(t *testing.T) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: time.Minute}, nil)
	p.Observe("", RateInfo{Limit: 300, HasLimit: true}, false)
	if got := p.Rate(""); got.Requests != 60 {
		t.Fatalf("a higher server limit raised the budget to %d", got.Requests)
	}
	p.Observe("", RateInfo{Limit: 30, HasLimit: true}, false)
	if got := p.Rate(""); got.Requests != 30 {
		t.Fatalf("a lower server limit left the budget at %d", got.Requests)
	}
}

func TestPacerWaitEndsWithContext(t *testing.T) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 1, Per: time.Minute}, nil)
	done, _ := p.Wait(context.Background(), "")
	done()
	fc.blocks = true
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Wait(ctx, ""); err == nil {
		t.Fatal("Wait returned without error after its context ended")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := p.bucket("").inflight; n != 0 {
		t.Fatalf("%d requests still counted in flight", n)
	}
}

// TestPacerQuotaRefusesRatherThanSleepingForHours: a spent long window (a plan's daily
// budget) is not slept through: Wait says at once when the budget has room again and
// counts nothing; short waits for it are slept like any other.
func TestPacerQuotaRefusesRatherThanSleepingForHours(t *testing.T) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: time.Minute}, nil)
	day := connectors.Rate{Requests: 3, Per: 24 * time.Hour}
	p.SetQuota(day)
	start := fc.Now()
	for i := 0; i < 3; i++ {
		done, err := p.Wait(context.Background(), fmt.Sprint("bucket-", i)) // every bucket counts
		if err != nil {
			t.Fatal(err)
		}
		fc.Advance(time.Second)
		done()
	}
	if rate, used, next, ok := p.QuotaUsage(); !ok || rate != day || used != 3 || !next.Equal(start.Add(time.Second+24*time.Hour+Margin(24*time.Hour))) {
		t.Fatalf("usage %v %d %v %v", rate, used, next.Sub(start), ok)
	}
	before := fc.Now()
	_, err := p.Wait(context.Background(), "bucket-0")
	var qe *QuotaError
	if !errors.As(err, &qe) || qe.Used != 3 || qe.Rate != day || !qe.Until.Equal(start.Add(time.Second+24*time.Hour+Margin(24*time.Hour))) || qe.Wait != qe.Until.Sub(before) {
		t.Fatalf("got %v (%+v)", err, qe)
	}
	if !fc.Now().Equal(before) {
		t.Fatalf("Wait slept %v before refusing", fc.Now().Sub(before))
	}
	if _, used, _, _ := p.QuotaUsage(); used != 3 {
		t.Fatalf("a refused request was counted: %d", used)
	}
	// Within a minute of room, the request waits for it.
	fc.Advance(qe.Wait - 30*time.Second)
	done, err := p.Wait(context.Background(), "bucket-1")
	if err != nil {
		t.Fatal(err)
	}
	done()
	if got := fc.Now(); !got.Equal(qe.Until) {
		t.Fatalf("sent at %v, want when the first send left the window (%v)", got.Sub(start), qe.Until.Sub(start))
	}
	if _, used, _, _ := p.QuotaUsage(); used != 3 {
		t.Fatalf("used %d in the last day", used)
	}
}

// TestPacerQuotaNeverExceeded: random traffic over three days never puts more than the
// budget into any window of its length.
func TestPacerQuotaNeverExceeded(t *testing.T) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: time.Minute}, nil)
	p.SetQuota(connectors.Rate{Requests: 500, Per: 24 * time.Hour})
	rng := rand.New(rand.NewPCG(3, 4))
	var sends []time.Time
	refused := 0
	for fc.Now().Before(newFakeClock().Now().Add(72 * time.Hour)) {
		fc.Advance(time.Duration(rng.IntN(600)) * time.Second)
		for burst := rng.IntN(40); burst > 0; burst-- {
			done, err := p.Wait(context.Background(), "")
			var qe *QuotaError
			if errors.As(err, &qe) {
				refused++
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			sends = append(sends, fc.Now())
			done()
		}
	}
	if n := maxInWindow(sends, 24*time.Hour+Margin(24*time.Hour)-time.Nanosecond); n > 500 {
		t.Fatalf("%d sends in one day, budget 500", n)
	}
	if refused == 0 || len(sends) < 1000 {
		t.Fatalf("%d sends, %d refusals: the test did not reach the budget", len(sends), refused)
	}
}

// TestPacerQuotaReserveKeepsTheLastRequestsForOrders: with a reserve, requests without
// UseQuotaReserve are refused once only the reserve is left, and the reserved ones still
// go, so order fetches outlive pushes that would spend the whole day.
func TestPacerQuotaReserveKeepsTheLastRequestsForOrders(t *testing.T) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: time.Minute}, nil)
	p.SetQuota(connectors.Rate{Requests: 5, Per: 24 * time.Hour})
	p.SetQuotaReserve(2)
	send := func(ctx context.Context) error {
		done, err := p.Wait(ctx, "")
		if err != nil {
			return err
		}
		fc.Advance(time.Second)
		done()
		return nil
	}
	for i := 0; i < 3; i++ {
		if err := send(context.Background()); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	var qe *QuotaError
	if err := send(context.Background()); !errors.As(err, &qe) {
		t.Fatalf("a push spent the reserve: %v", err)
	}
	orders := UseQuotaReserve(context.Background())
	for i := 0; i < 2; i++ {
		if err := send(orders); err != nil {
			t.Fatalf("order fetch %d within the reserve: %v", i, err)
		}
	}
	if err := send(orders); !errors.As(err, &qe) {
		t.Fatalf("the reserve went beyond the budget: %v", err)
	}
	if _, used, _, _ := p.QuotaUsage(); used != 5 {
		t.Fatalf("used %d, want the whole budget of 5", used)
	}
}
