package simkit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestLimiterSlidingWindow(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	l := NewLimiter(3, 10*time.Second)
	for i := 0; i < 3; i++ {
		if d := l.Take("a", clock.Now()); !d.Allowed || d.Remaining != 2-i {
			t.Fatalf("request %d: %+v", i, d)
		}
		clock.Advance(4 * time.Second) // t=0,4,8
	}
	// t=12: the request at t=0 has left the window, so one more is allowed.
	if d := l.Take("a", clock.Now()); !d.Allowed {
		t.Fatalf("t=12 refused: %+v", d)
	}
	// t=12 again: requests at 4, 8, 12 fill the window; refused until t=14.
	d := l.Take("a", clock.Now())
	if d.Allowed || d.RetryAfter != 2*time.Second || !d.Reset.Equal(clock.Now().Add(2*time.Second)) {
		t.Fatalf("want refusal with 2s wait, got %+v", d)
	}
	if d := l.Take("b", clock.Now()); !d.Allowed {
		t.Fatal("keys must not share a window")
	}
	// A burst straddling an aligned 10 s bucket boundary is still caught.
	l2 := NewLimiter(2, 10*time.Second)
	c2 := NewFakeClock(time.Date(2026, 1, 1, 0, 0, 9, 0, time.UTC))
	l2.Take("k", c2.Now())
	l2.Take("k", c2.Now())
	c2.Advance(2 * time.Second)
	if l2.Take("k", c2.Now()).Allowed {
		t.Fatal("burst across a bucket boundary allowed")
	}
	if d := NewLimiter(0, time.Second).Take("k", c2.Now()); !d.Allowed {
		t.Fatal("zero limit must mean unlimited")
	}
}

func TestInjectorDeterministic(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	run := func() []bool {
		in := newInjector(clock)
		in.Set(Faults{Seed: 42, ErrorRate: 0.3})
		var out []bool
		for i := 0; i < 200; i++ {
			_, fail := in.ServerError("x")
			out = append(out, fail)
		}
		return out
	}
	a, b := run(), run()
	fails := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d differs between runs with the same seed", i)
		}
		if a[i] {
			fails++
		}
	}
	if fails < 30 || fails > 90 {
		t.Fatalf("error rate 0.3 gave %d/200 failures", fails)
	}
	in := newInjector(clock)
	in.Set(Faults{Seed: 7, RejectRate: 0.5, RejectKeys: map[string]string{"K1": "bad"}})
	if r, ok := in.Reject("K1"); !ok || r != "bad" {
		t.Fatalf("explicit key: %q %v", r, ok)
	}
	rejected := 0
	for i := 0; i < 1000; i++ {
		k := "SKU-" + string(rune('a'+i%26)) + strings.Repeat("x", i%7) + string(rune('0'+i%10)) + string(rune('A'+i/26%26))
		_, r1 := in.Reject(k)
		_, r2 := in.Reject(k)
		if r1 != r2 {
			t.Fatalf("key %s rejected inconsistently", k)
		}
		if r1 {
			rejected++
		}
	}
	if rejected < 350 || rejected > 650 {
		t.Fatalf("reject rate 0.5 gave %d/1000", rejected)
	}
	in.Set(Faults{DropNext: 2, Only: []string{"w"}})
	if d, _ := in.Drop("r"); d {
		t.Fatal("drop applied outside Only")
	}
	d1, _ := in.Drop("w")
	d2, _ := in.Drop("w")
	d3, _ := in.Drop("w")
	if !d1 || !d2 || d3 || in.Get().DropNext != 0 {
		t.Fatalf("DropNext=2 gave %v %v %v", d1, d2, d3)
	}
	in.Set(Faults{TokenExpiry: time.Minute})
	if in.tokenLifetime(time.Hour) != time.Minute || in.tokenLifetime(time.Second) != time.Second || in.tokenLifetime(0) != time.Minute {
		t.Fatal("TokenExpiry must only shorten lifetimes, and bound endless ones")
	}
}

// testServer serves one counter endpoint through the kit's request path.
func testServer(t *testing.T, clock Clock, gate func(*Call) *Reply) (*Sim, *atomic.Int64) {
	t.Helper()
	var applied atomic.Int64
	routes := []Route{{Method: "POST", Pattern: "/apply", Endpoint: "apply", Handle: func(c *Call) Reply {
		applied.Add(1)
		return JSON(200, map[string]any{"applied": applied.Load(), "body": string(c.Body)})
	}}}
	s, err := Start(Config{Clock: clock, StatsWindow: 10 * time.Second, Routes: routes, Gate: gate,
		ErrorBody: func(st int, m string) any { return map[string]any{"status": st, "error": m} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, &applied
}

func post(t *testing.T, client *http.Client, url string) (*http.Response, map[string]any, error) {
	t.Helper()
	resp, err := client.Post(url, "application/json", strings.NewReader(`{"x":1}`))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &m)
	return resp, m, nil
}

func TestServerPipeline(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	s, applied := testServer(t, clock, nil)
	c := &http.Client{}
	resp, m, err := post(t, c, s.URL+"/apply")
	if err != nil || resp.StatusCode != 200 || m["body"] != `{"x":1}` {
		t.Fatalf("plain call: %v %v %v", resp, m, err)
	}
	// Storm: 429 with Retry-After for the storm's remaining time, nothing applied.
	s.SetFaults(Faults{Storm429: 30 * time.Second})
	clock.Advance(10 * time.Second)
	resp, m, _ = post(t, c, s.URL+"/apply")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "20" || m["error"] == nil {
		t.Fatalf("storm: %d %q %v", resp.StatusCode, resp.Header.Get("Retry-After"), m)
	}
	clock.Advance(20 * time.Second)
	if resp, _, _ = post(t, c, s.URL+"/apply"); resp.StatusCode != 200 {
		t.Fatalf("after storm: %d", resp.StatusCode)
	}
	// Every injected 5xx happens before the handler.
	s.SetFaults(Faults{Seed: 1, ErrorRate: 1, ErrorStatus: 502})
	before := applied.Load()
	if resp, _, _ = post(t, c, s.URL+"/apply"); resp.StatusCode != 502 || applied.Load() != before {
		t.Fatalf("5xx: status %d, applied %d→%d", resp.StatusCode, before, applied.Load())
	}
	// Dropped answer: the change is applied, the client gets no reply.
	s.SetFaults(Faults{DropNext: 1})
	before = applied.Load()
	if _, _, err = post(t, c, s.URL+"/apply"); err == nil {
		t.Fatal("dropped request returned a reply")
	}
	if applied.Load() != before+1 {
		t.Fatal("dropped request was not applied")
	}
	// Hanging drop: the client times out after the change was applied.
	s.SetFaults(Faults{DropNext: 1, DropHang: true})
	before = applied.Load()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/apply", strings.NewReader("{}"))
	if _, err = c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hanging drop: want deadline exceeded, got %v", err)
	}
	if applied.Load() != before+1 {
		t.Fatal("hanging request was not applied")
	}
	// Unknown path and wrong method use the marketplace's error body.
	r404, _ := c.Get(s.URL + "/nope")
	r405, _ := c.Get(s.URL + "/apply")
	r404.Body.Close()
	r405.Body.Close()
	if r404.StatusCode != 404 || r405.StatusCode != 405 {
		t.Fatalf("404/405: %d %d", r404.StatusCode, r405.StatusCode)
	}
	st := s.Stats().Endpoints["apply"]
	if st.Requests != 6 || st.OK != 2 || st.RateLimited != 1 || st.ServerErrors != 1 || st.Dropped != 2 {
		t.Fatalf("stats: %+v", st)
	}
	// Requests at t=0, t=10 (storm), then four at t=30: the densest 10 s window holds 4.
	if st.MaxInWindow != 4 {
		t.Fatalf("MaxInWindow = %d", st.MaxInWindow)
	}
}

func TestServerGateAndLatency(t *testing.T) {
	clock := RealClock()
	s, applied := testServer(t, clock, func(c *Call) *Reply {
		if c.R.Header.Get("X-Key") != "ok" {
			return &Reply{Status: 401, Body: map[string]string{"error": "auth"}}
		}
		return nil
	})
	resp, _, _ := post(t, http.DefaultClient, s.URL+"/apply")
	if resp.StatusCode != 401 || applied.Load() != 0 {
		t.Fatalf("gate: %d applied=%d", resp.StatusCode, applied.Load())
	}
	s.SetFaults(Faults{Latency: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/apply", strings.NewReader("{}"))
	req.Header.Set("X-Key", "ok")
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("latency: want timeout, got %v", err)
	}
	if applied.Load() != 0 {
		t.Fatal("a request the client abandoned during latency was applied")
	}
}

func TestJSONFields(t *testing.T) {
	if k, err := Decimal(json.RawMessage("112.85")); err != nil || k != 11285 {
		t.Fatalf("Decimal: %v %v", k, err)
	}
	if _, err := Decimal(json.RawMessage(`"112.85"`)); !errors.Is(err, ErrNotNumber) {
		t.Fatalf("Decimal string: %v", err)
	}
	if _, err := Decimal(json.RawMessage("1.005")); err == nil {
		t.Fatal("Decimal accepted three decimals")
	}
	if k, err := LooseDecimal(json.RawMessage(`"199.99"`)); err != nil || k != 19999 {
		t.Fatalf("LooseDecimal: %v %v", k, err)
	}
	if n, err := Integer(json.RawMessage("100.0")); err != nil || n != 100 {
		t.Fatalf("Integer: %v %v", n, err)
	}
	if _, err := Integer(json.RawMessage("1.5")); !errors.Is(err, ErrNotInteger) {
		t.Fatalf("Integer fraction: %v", err)
	}
	if n, err := LooseInteger(json.RawMessage(`"50"`)); err != nil || n != 50 {
		t.Fatalf("LooseInteger: %v %v", n, err)
	}
	if _, err := LooseInteger(json.RawMessage("50.0")); err == nil {
		t.Fatal("LooseInteger accepted 50.0")
	}
	for raw, want := range map[string]bool{"true": true, "0": false, `"1"`: true} {
		if b, err := LooseBool(json.RawMessage(raw)); err != nil || b != want {
			t.Fatalf("LooseBool(%s) = %v %v", raw, b, err)
		}
	}
	if _, err := LooseBool(json.RawMessage(`"yes"`)); err == nil {
		t.Fatal("LooseBool accepted yes")
	}
	if !Absent(nil) || !Absent(json.RawMessage(" null")) || Absent(json.RawMessage("0")) {
		t.Fatal("Absent")
	}
}
