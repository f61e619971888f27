package simkit

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestSpendChecksBudgetsInOrder(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	minute := NewLimiter(2, time.Minute)
	day := NewLimiter(3, 24*time.Hour)
	spend := func() Decision {
		return Spend(clock.Now(), Budget{minute, "c"}, Budget{day, "c"})
	}
	if d := spend(); !d.Allowed || d.Limit != 2 || d.Remaining != 1 {
		t.Fatalf("first: %+v, want the first budget's figures", d)
	}
	clock.Advance(10 * time.Second)
	spend()
	d := spend()
	if d.Allowed || d.Limit != 2 || d.Remaining != 0 || d.RetryAfter != 50*time.Second {
		t.Fatalf("minute full: %+v", d)
	}
	clock.Advance(time.Minute)
	spend() // the third of the day
	clock.Advance(time.Minute)
	d = spend()
	wantWait := 24*time.Hour - 2*time.Minute - 10*time.Second
	if d.Allowed || d.Limit != 2 || d.Remaining != 0 || d.RetryAfter != wantWait {
		t.Fatalf("day full: %+v, want the minute's Limit and the day's wait %v", d, wantWait)
	}
	// The day refused, yet the minute budget was spent: one left, not two.
	if m := minute.Take("c", clock.Now()); !m.Allowed || m.Remaining != 0 {
		t.Fatalf("a request refused by a later budget must have spent from the earlier ones: %+v", m)
	}
	if d := Spend(clock.Now(), Budget{nil, "c"}, Budget{NewLimiter(-1, time.Minute), "c"}); !d.Allowed || d.Limit != 0 {
		t.Fatalf("unlimited budgets: %+v", d)
	}
}

func TestRateHeadersAnswer(t *testing.T) {
	now := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	allowed := Decision{Allowed: true, Limit: 60, Remaining: 7, Reset: now.Add(1500 * time.Millisecond)}
	refused := Decision{Limit: 60, Reset: now.Add(2100 * time.Millisecond), RetryAfter: 2100 * time.Millisecond}
	body := map[string]string{"error": "slow down"}
	for _, tc := range []struct {
		name                          string
		h                             RateHeaders
		d                             Decision
		limit, remaining, reset, wait string
		status                        int // 0: allowed, no reply
	}{
		{"all headers, allowed", RateHeaders{true, true, true}, allowed, "60", "7", unix(now, 2), "", 0},
		{"all headers, refused", RateHeaders{true, true, true}, refused, "60", "0", unix(now, 3), "3", 429},
		{"Limit without Reset", RateHeaders{Limit: true}, allowed, "60", "7", "", "", 0},
		{"bare 429", RateHeaders{}, refused, "", "", "", "", 429},
		{"unlimited", RateHeaders{true, true, true}, Decision{Allowed: true}, "", "", "", "", 0},
	} {
		c := &Call{Header: http.Header{}}
		r := tc.h.Answer(c, tc.d, body)
		got := []string{c.Header.Get("X-RateLimit-Limit"), c.Header.Get("X-RateLimit-Remaining"), c.Header.Get("X-RateLimit-Reset")}
		if got[0] != tc.limit || got[1] != tc.remaining || got[2] != tc.reset {
			t.Errorf("%s: headers %q, want %q %q %q", tc.name, got, tc.limit, tc.remaining, tc.reset)
		}
		switch {
		case tc.status == 0 && r != nil:
			t.Errorf("%s: an allowed request got a reply %+v", tc.name, r)
		case tc.status != 0 && (r == nil || r.Status != tc.status || r.Body == nil || r.Header.Get("Retry-After") != tc.wait):
			t.Errorf("%s: reply %+v, want %d with Retry-After %q", tc.name, r, tc.status, tc.wait)
		}
	}
	if RetryAfterSeconds(0) != "1" || RetryAfterSeconds(time.Millisecond) != "1" || RetryAfterSeconds(time.Minute) != "60" {
		t.Fatal("Retry-After must be whole seconds, rounded up, at least 1")
	}
}

// TestRateGateOverHTTP runs a gate built from the kit's pieces the way a simulator
// does: the headers reach the wire on a 429 and on a later refusal by auth as well.
func TestRateGateOverHTTP(t *testing.T) {
	clock := NewFakeClock(time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC))
	lim := NewLimiter(2, time.Minute)
	headers := RateHeaders{Limit: true, Reset: true, RetryAfter: true}
	gate := func(c *Call) *Reply {
		if r := headers.Answer(c, Spend(c.Now, Budget{lim, "k"}), map[string]string{"error": "rate_limit_exceeded"}); r != nil {
			return r
		}
		if c.R.Header.Get("X-Key") != "ok" {
			return &Reply{Status: 401, Body: map[string]string{"error": "auth"}}
		}
		return nil
	}
	s, applied := testServer(t, clock, gate)
	resp, _, _ := post(t, http.DefaultClient, s.URL+"/apply")
	if resp.StatusCode != 401 || resp.Header.Get("X-RateLimit-Remaining") != "1" || resp.Header.Get("X-RateLimit-Reset") != "1790856060" {
		t.Fatalf("401 after the rate check: %d %v", resp.StatusCode, resp.Header)
	}
	clock.Advance(15 * time.Second)
	post(t, http.DefaultClient, s.URL+"/apply")
	resp, m, _ := post(t, http.DefaultClient, s.URL+"/apply")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "45" || m["error"] != "rate_limit_exceeded" || applied.Load() != 0 {
		t.Fatalf("429: %d %v %v applied=%d", resp.StatusCode, resp.Header, m, applied.Load())
	}
	if st := s.Stats().Endpoints["apply"]; st.RateLimited != 1 || st.ClientErrors != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func unix(t time.Time, plus int64) string { return strconv.FormatInt(t.Unix()+plus, 10) }
