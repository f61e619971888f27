package simkit

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// TestStampOnEveryAnswer: Config.Stamp reaches the handler's answers and the kit's own
// (unknown path, 429 storm), as a marketplace's gateway stamps every reply; every
// answer's Date is the simulator's clock, which its resets are reckoned on.
func TestStampOnEveryAnswer(t *testing.T) {
	var n atomic.Int64
	clock := NewFakeClock(time.Time{})
	s, err := Start(Config{Clock: clock,
		Routes: []Route{{Method: "GET", Pattern: "/x", Endpoint: "x", Handle: func(*Call) Reply { return JSON(200, map[string]any{}) }}},
		Stamp:  func(h http.Header) { h.Set("X-Correlation-Id", strconv.FormatInt(n.Add(1), 10)) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || !d.Equal(clock.Now().Truncate(time.Second)) {
			t.Fatalf("Date %q, want the simulator's clock %v", resp.Header.Get("Date"), clock.Now())
		}
		return resp.StatusCode, resp.Header.Get("X-Correlation-Id")
	}
	seen := map[string]bool{}
	for _, path := range []string{"/x", "/nowhere"} {
		st, id := get(path)
		if id == "" || seen[id] {
			t.Fatalf("%s answered %d with correlation id %q (seen %v)", path, st, id, seen)
		}
		seen[id] = true
	}
	s.SetFaults(Faults{Storm429: time.Minute})
	if st, id := get("/x"); st != 429 || id == "" || seen[id] {
		t.Fatalf("storm answer %d with correlation id %q", st, id)
	}
}
