package httpx

import (
	"context"
	"testing"
	"time"

	"syncagent/connectors"
)

// TestPacerShortWindowLimitKeptByRemaining: a per-second limit announced beside a
// per-minute budget (X-RateLimit-Limit 4 with a reset within a second) does not become
// 4 a minute; its Remaining and Reset pace the bucket instead. A limit whose reset lies
// within the bucket's own window still lowers the budget.
func TestPacerShortWindowLimitKeptByRemaining(t *testing.T) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: time.Minute}, nil)
	p.Observe("", RateInfo{Limit: 4, HasLimit: true, Remaining: 3, HasRemaining: true, Reset: 800 * time.Millisecond, HasReset: true}, false)
	if got := p.Rate(""); got.Requests != 60 {
		t.Fatalf("a per-second limit lowered the per-minute budget to %d", got.Requests)
	}
	// The server's window: 3 left for 800 ms, then the 4th request waits for the reset.
	start := fc.Now()
	for i := 0; i < 4; i++ {
		done, err := p.Wait(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		done()
	}
	if got := fc.Now().Sub(start); got < 800*time.Millisecond || got > time.Second {
		t.Fatalf("4 requests against 3 left until a reset in 800 ms took %v", got)
	}
	p.Observe("", RateInfo{Limit: 30, HasLimit: true, Remaining: 29, HasRemaining: true, Reset: 40 * time.Second, HasReset: true}, false)
	if got := p.Rate(""); got.Requests != 30 {
		t.Fatalf("a lower limit of the same window left the budget at %d", got.Requests)
	}
}
