package push

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"syncagent/connectors"
)

func TestPushBatchesAndNeverResendsUnchanged(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.seed(250, 7, "100.00")
	h.cycle()
	if n := h.m.requestCount(); n != 3 {
		t.Fatalf("250 items at 100 per batch took %d requests, want 3", n)
	}
	h.expect(0, 0, 0, 250)
	if got := h.m.state("SKU-0001", "SKU-0250"); got != "SKU-0001: 7 100.00 100.00\nSKU-0250: 7 100.00 100.00\n" {
		t.Fatalf("store shows\n%s", got)
	}
	if h.health().OKAt.IsZero() {
		t.Error("a successful cycle recorded no health")
	}

	h.cycle()
	h.seed(250, 7, "100.00") // the same file again
	h.cycle()
	if n := h.m.requestCount(); n != 3 {
		t.Fatalf("unchanged values were sent again: %d requests, want 3", n)
	}

	h.set("SKU-0042", 3, "100.00")
	h.cycle()
	if n := h.m.requestCount(); n != 4 {
		t.Fatalf("%d requests after one change, want 4", n)
	}
	if last := h.m.pushed[3]; len(last) != 1 || last[0] != "SKU-0042" {
		t.Fatalf("the change pushed %v, want only SKU-0042", last)
	}
	if got := h.m.state("SKU-0042"); got != "SKU-0042: 3 100.00 100.00\n" {
		t.Fatalf("store shows %s", got)
	}
}

func TestPushItemOutcomes(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.m.reject["SKU-0002"] = "Bu barkoda ait onaylı ürün bulunamadı."
	h.m.retryOnce["SKU-0003"] = "price locked for a minute"
	h.seed(4, 5, "10.00")
	h.cycle()
	h.expect(1, 0, 1, 2) // SKU-0003 waits for its retry time
	if s := h.stats(); s.Retrying != 1 {
		t.Fatalf("retrying %d, want 1", s.Retrying)
	}
	dl, err := h.q.DeadLetters(h.ctx, testStore, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dl) != 1 || dl[0].SKU != "SKU-0002" || dl[0].Reason != "Bu barkoda ait onaylı ürün bulunamadı." {
		t.Fatalf("dead letters %+v", dl)
	}
	h.clock.Advance(29 * time.Second)
	h.wakeCycle()
	if n := h.m.requestCount(); n != 1 {
		t.Fatalf("the retry went before its backoff: %d requests", n)
	}
	if h.p.send.nextDue().IsZero() {
		t.Fatal("the loop does not know when the retry comes due")
	}
	h.clock.Advance(time.Second)
	h.wakeCycle()
	h.expect(0, 0, 1, 3)
	if got := h.m.sentValues("SKU-0003"); len(got) != 2 {
		t.Fatalf("SKU-0003 sent %v, want twice", got)
	}
	// A rejected item gets a fresh chance when its value changes.
	h.set("SKU-0002", 6, "10.00")
	delete(h.m.reject, "SKU-0002")
	h.cycle()
	h.expect(0, 0, 0, 4)
}

func TestPushTransientFailuresBackOffThenSucceed(t *testing.T) {
	h := newHarness(t, testCaps(), func(s *Settings) { s.Batch = 10 })
	e503 := &connectors.Error{Kind: connectors.Transient, Status: 503, Message: "service temporarily unavailable"}
	h.m.errs = []error{e503, nil, e503, e503, e503}
	h.seed(60, 1, "5.00")
	h.cycle()
	// batch 1 fails, batch 2 succeeds, batches 3-5 fail: three in a row stops the cycle.
	if n := h.m.requestCount(); n != 5 {
		t.Fatalf("%d requests, want 5 (the cycle stops after 3 failures in a row)", n)
	}
	h.expect(50, 0, 0, 10) // 40 failed ones wait for their backoff; batch 6 never went
	if s := h.stats(); s.Retrying != 40 {
		t.Fatalf("retrying %d, want 40", s.Retrying)
	}
	if !h.p.gate.until().After(h.clock.Now()) {
		t.Fatal("no hold after the marketplace failed three times in a row")
	}
	if h.health().Error == "" {
		t.Fatal("failures not recorded in health")
	}
	h.wakeCycle() // during the hold: nothing
	if n := h.m.requestCount(); n != 5 {
		t.Fatalf("pushed during the hold: %d requests", n)
	}
	h.clock.Advance(31 * time.Second)
	h.wakeCycle()
	h.expect(0, 0, 0, 60)
	s := h.stats()
	if s.Retrying != 0 || s.Dead != 0 {
		t.Fatalf("%+v", s)
	}
}

func TestPushRetryAfterHoldsWithoutCountingAttempts(t *testing.T) {
	h := newHarness(t, testCaps(), func(s *Settings) { s.Batch = 10 })
	h.m.errs = []error{nil, &connectors.Error{Kind: connectors.RetryAfter, Status: 429, RetryAfter: 7 * time.Second, Message: "too many requests"}}
	h.seed(30, 1, "5.00")
	h.cycle()
	if n := h.m.requestCount(); n != 2 {
		t.Fatalf("%d requests; the cycle must stop at the 429", n)
	}
	h.expect(20, 0, 0, 10) // the throttled batch and the unsent third one wait
	if s := h.stats(); s.Retrying != 0 {
		t.Fatalf("a Retry-After counted attempts: %+v", s)
	}
	h.clock.Advance(6 * time.Second)
	h.wakeCycle()
	if n := h.m.requestCount(); n != 2 {
		t.Fatalf("sent before Retry-After ended: %d requests", n)
	}
	h.clock.Advance(time.Second)
	h.wakeCycle()
	h.expect(0, 0, 0, 30)
	for _, sku := range []string{"SKU-0011", "SKU-0020"} {
		if got := h.m.sentValues(sku); len(got) != 2 {
			t.Fatalf("%s sent %d times, want 2", sku, len(got))
		}
	}
}

func TestPushAuthFailurePausesUntilTheSchedule(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.m.errs = []error{&connectors.Error{Kind: connectors.Auth, Status: 401, Message: "ClientApiAuthenticationException"}}
	h.seed(5, 1, "5.00")
	h.cycle()
	h.expect(5, 0, 0, 0) // released, claimable, no attempt counted
	if s := h.stats(); s.Retrying != 0 {
		t.Fatalf("an auth failure counted attempts: %+v", s)
	}
	if hl := h.health(); !strings.Contains(hl.Error, "ClientApiAuthenticationException") || !strings.Contains(hl.State, "paused") {
		t.Fatalf("health %+v", hl)
	}
	h.clock.Advance(time.Hour)
	h.wakeCycle()
	if n := h.m.requestCount(); n != 1 {
		t.Fatalf("pushed while paused: %d requests", n)
	}
	if at, _ := h.p.nextWake(); !at.IsZero() {
		t.Fatalf("a paused store plans a wake-up at %v", at)
	}
	h.cycle() // the next scheduled push
	h.expect(0, 0, 0, 5)
}

func TestPushPermanentRefusalFindsTheBadItem(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.m.poison = "SKU-0006"
	h.seed(8, 2, "9.99")
	h.cycle()
	h.expect(0, 0, 1, 7)
	// 8 → 4 ok + 4 → 2 ok + 2 → 1 ok + 1 bad
	if n := h.m.requestCount(); n != 7 {
		t.Fatalf("%d requests to find one bad item of 8, want 7", n)
	}
	dl, _ := h.q.DeadLetters(h.ctx, testStore, 10)
	if len(dl) != 1 || dl[0].SKU != "SKU-0006" || !strings.Contains(dl[0].Reason, "SKU-0006 is invalid") {
		t.Fatalf("dead letters %+v", dl)
	}
}

func TestPushRefusalOfEveryRequestPausesWithoutDeadLetters(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.m.status404 = true
	h.seed(150, 2, "9.99")
	h.cycle()
	if n := h.m.requestCount(); n != 1 {
		t.Fatalf("%d requests against a missing endpoint, want 1", n)
	}
	h.expect(150, 0, 0, 0)
	if hl := h.health(); !strings.Contains(hl.Error, "404") {
		t.Fatalf("health %+v", hl)
	}
}

func TestPushAsyncResults(t *testing.T) {
	caps := testCaps()
	caps.Async = true
	h := newHarness(t, caps, nil)
	h.m.pendingN = 1
	h.m.reject["SKU-0003"] = "Liste fiyatı satış fiyatından düşük olamaz."
	h.seed(3, 4, "20.00")
	h.cycle()
	h.expect(0, 3, 0, 0)
	h.wakeCycle() // before FirstCheck: no read
	if h.m.reads != 0 {
		t.Fatalf("result read %d times before it was due", h.m.reads)
	}
	h.clock.Advance(2 * time.Second)
	h.wakeCycle() // still processing
	h.expect(0, 3, 0, 0)
	h.clock.Advance(4 * time.Second)
	h.wakeCycle()
	h.expect(0, 0, 1, 2)
	if h.m.reads != 2 || h.m.requestCount() != 1 {
		t.Fatalf("reads %d, pushes %d", h.m.reads, h.m.requestCount())
	}
}

func TestPushChangeWhileAwaitingEndsWithLatestValue(t *testing.T) {
	caps := testCaps()
	caps.Async = true
	h := newHarness(t, caps, nil)
	h.seed(1, 4, "20.00")
	h.cycle()
	h.set("SKU-0001", 9, "21.00") // while the batch awaits its result
	h.cycle()
	if n := h.m.requestCount(); n != 1 {
		t.Fatalf("an awaiting item was pushed again before its result: %d requests", n)
	}
	h.clock.Advance(2 * time.Second)
	h.wakeCycle() // result confirms 4/20.00, the row is dirty with 9/21.00 and goes now
	if got := h.m.sentValues("SKU-0001"); fmt.Sprint(got) != "[4 20.00 9 21.00]" {
		t.Fatalf("sent %v", got)
	}
	h.clock.Advance(2 * time.Second)
	h.wakeCycle()
	h.expect(0, 0, 0, 1)
	if got := h.m.state(); got != "SKU-0001: 9 21.00 21.00\n" {
		t.Fatalf("store shows %s", got)
	}
}

func TestPushLostAnswerIsReconciledByReadBack(t *testing.T) {
	caps := testCaps()
	caps.Async = true
	caps.DuplicateWindow = 15 * time.Minute
	h := newHarness(t, caps, nil)
	h.m.errs = []error{&connectors.Error{Kind: connectors.Unknown, Message: "connection reset after the request was sent"}}
	h.m.applyErr = true // applied, then the answer is lost
	h.seed(5, 3, "15.00")
	h.cycle()
	h.expect(0, 5, 0, 0)
	h.clock.Advance(2 * time.Second)
	h.wakeCycle()
	h.expect(0, 0, 0, 5)
	if n := h.m.requestCount(); n != 1 {
		t.Fatalf("%d pushes; the applied values must not be sent again", n)
	}
}

func TestPushLostAnswerNotAppliedWaitsOutTheDuplicateWindow(t *testing.T) {
	caps := testCaps()
	caps.Async = true
	caps.DuplicateWindow = 15 * time.Minute
	h := newHarness(t, caps, nil)
	// Not applied, answer lost: the marketplace saw the body, so a repeat within 15
	// minutes would be refused.
	h.m.errs = []error{&connectors.Error{Kind: connectors.Unknown, Message: "timeout awaiting the answer"}}
	h.m.list("SKU-0001", "SKU-0002") // listed, with other values
	h.seed(2, 3, "15.00")
	h.cycle()
	h.restart() // what the loop remembers of sent requests is gone; the outbox must suffice
	for i := 0; i < 30; i++ {
		h.clock.Advance(time.Minute)
		h.wakeCycle()
	}
	if h.m.duplicates != 0 {
		t.Fatalf("%d requests refused as duplicates", h.m.duplicates)
	}
	if n := h.m.requestCount(); n != 2 {
		t.Fatalf("%d pushes, want the lost one and one resend", n)
	}
	h.clock.Advance(2 * time.Second)
	h.wakeCycle()
	h.expect(0, 0, 0, 2)
	if got := h.m.state(); got != "SKU-0001: 3 15.00 15.00\nSKU-0002: 3 15.00 15.00\n" {
		t.Fatalf("store shows\n%s", got)
	}
	if len(h.m.pushed) < 2 {
		t.Fatal("no resend")
	}
}

func TestPushExpiredResultIsReconciled(t *testing.T) {
	caps := testCaps()
	caps.Async = true
	caps.DuplicateWindow = 15 * time.Minute
	h := newHarness(t, caps, nil)
	h.seed(2, 3, "15.00")
	h.cycle()
	h.m.expire = true
	h.clock.Advance(5 * time.Hour) // the agent was down longer than the result TTL
	h.wakeCycle()
	h.expect(0, 0, 0, 2)
	if n := h.m.requestCount(); n != 1 {
		t.Fatalf("%d pushes; applied values were sent again", n)
	}
}

func TestPushItemRetryNeverRepeatsAnIdenticalRequest(t *testing.T) {
	caps := testCaps()
	caps.Async = true
	caps.DuplicateWindow = 15 * time.Minute
	h := newHarness(t, caps, nil)
	h.m.retryOnce["SKU-0001"] = "Aynı barkod için dakikada 30'dan fazla fiyat güncellemesi yapılamaz."
	h.seed(1, 3, "15.00")
	h.cycle()
	for i := 0; i < 40; i++ {
		h.clock.Advance(30 * time.Second)
		h.wakeCycle()
	}
	if h.m.duplicates != 0 {
		t.Fatalf("%d requests refused as duplicates", h.m.duplicates)
	}
	h.expect(0, 0, 0, 1)
	if n := h.m.requestCount(); n != 2 {
		t.Fatalf("%d pushes, want 2", n)
	}
	if s := h.stats(); s.Dead != 0 {
		t.Fatalf("%+v", s)
	}
}

func TestPushUnknownOutcomeWithoutDuplicateRuleResends(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.m.errs = []error{&connectors.Error{Kind: connectors.Unknown, Message: "timeout"}}
	h.m.applyErr = true
	h.seed(3, 3, "15.00")
	h.cycle()
	h.expect(3, 0, 0, 0)
	h.clock.Advance(30 * time.Second)
	h.wakeCycle()
	h.expect(0, 0, 0, 3)
	if n := h.m.requestCount(); n != 2 {
		t.Fatalf("%d pushes", n)
	}
}

func TestPushParallelRequestsLoseNothing(t *testing.T) {
	h := newHarness(t, testCaps(), func(s *Settings) { s.Batch = 7; s.Parallel = 4 })
	h.m.reject["SKU-0100"] = "bad barcode"
	h.m.retryOnce["SKU-0200"] = "locked"
	h.seed(300, 3, "12.50")
	h.cycle()
	if n := h.m.requestCount(); n != 43 { // ceil(300/7)
		t.Fatalf("%d requests, want 43", n)
	}
	h.expect(1, 0, 1, 298)
	seen := map[string]int{}
	for _, batch := range h.m.pushed {
		for _, sku := range batch {
			seen[sku]++
		}
	}
	if len(seen) != 300 {
		t.Fatalf("%d SKUs pushed, want 300", len(seen))
	}
	for sku, n := range seen {
		if n != 1 {
			t.Fatalf("%s pushed %d times in one cycle", sku, n)
		}
	}
	h.clock.Advance(time.Minute)
	h.wakeCycle()
	h.expect(0, 0, 1, 299)
}

func TestPushParallelStopsSendingAtA429(t *testing.T) {
	h := newHarness(t, testCaps(), func(s *Settings) { s.Batch = 10; s.Parallel = 4 })
	h.m.errs = []error{&connectors.Error{Kind: connectors.RetryAfter, Status: 429, RetryAfter: 7 * time.Second, Message: "too many requests"}}
	h.seed(200, 1, "5.00")
	h.cycle()
	if n := h.m.requestCount(); n > 4 {
		t.Fatalf("%d requests; after a 429 only those already in flight may go", n)
	}
	s := h.stats()
	if s.Dirty+s.Confirmed != 200 || s.InFlight != 0 || s.Retrying != 0 {
		t.Fatalf("%+v", s)
	}
}

func TestPushLostAnswerForAnUnlistedItemIsRejectedWithoutResending(t *testing.T) {
	caps := testCaps()
	caps.Async = true
	caps.DuplicateWindow = 15 * time.Minute
	h := newHarness(t, caps, nil)
	h.m.errs = []error{&connectors.Error{Kind: connectors.Unknown, Message: "connection reset"}}
	h.m.applyErr = true
	h.m.reject["SKU-0002"] = "Bu barkoda ait onaylı ürün bulunamadı."
	h.seed(2, 3, "15.00")
	h.cycle()
	h.clock.Advance(2 * time.Second)
	h.wakeCycle()
	h.expect(0, 0, 1, 1)
	dl, _ := h.q.DeadLetters(h.ctx, testStore, 10)
	if len(dl) != 1 || dl[0].SKU != "SKU-0002" || !strings.Contains(dl[0].Reason, "does not list this item") {
		t.Fatalf("dead letters %+v", dl)
	}
	if n := h.m.requestCount(); n != 1 {
		t.Fatalf("%d pushes; nothing is to be sent again", n)
	}
}

func TestPushClaimsAheadWhileRequestsWaitAndLosesNothing(t *testing.T) {
	h := newHarness(t, testCaps(), func(s *Settings) { s.Batch = 5; s.Parallel = 2; s.Ahead = 10 })
	h.m.delay = 20 * time.Millisecond // slow answers: the loop claims ahead meanwhile
	h.seed(100, 4, "7.00")
	h.cycle()
	if n := h.m.requestCount(); n != 20 {
		t.Fatalf("%d requests, want 20", n)
	}
	h.expect(0, 0, 0, 100)
	seen := map[string]int{}
	for _, batch := range h.m.pushed {
		for _, sku := range batch {
			seen[sku]++
		}
	}
	for i := 1; i <= 100; i++ {
		if sku := fmt.Sprintf("SKU-%04d", i); seen[sku] != 1 {
			t.Fatalf("%s pushed %d times", sku, seen[sku])
		}
	}
}

func TestPushReleasesClaimedAheadBatchesWhenItStops(t *testing.T) {
	h := newHarness(t, testCaps(), func(s *Settings) { s.Batch = 5; s.Parallel = 2; s.Ahead = 10 })
	h.m.delay = 20 * time.Millisecond
	h.m.errs = []error{nil, nil, &connectors.Error{Kind: connectors.RetryAfter, Status: 429, RetryAfter: time.Minute, Message: "slow down"}}
	h.seed(100, 4, "7.00")
	h.cycle()
	s := h.stats()
	if s.InFlight != 0 || s.Dirty+s.Confirmed != 100 || s.Retrying != 0 {
		t.Fatalf("after a 429 with batches claimed ahead: %+v", s)
	}
}
