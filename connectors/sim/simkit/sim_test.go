package simkit

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSimLifecycle(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	s, err := Start(Config{Clock: clock, Routes: []Route{{Method: "GET", Pattern: "/x", Endpoint: "x",
		Handle: func(*Call) Reply { return JSON(200, map[string]any{}) }}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %q: the default address must be loopback", s.URL)
	}
	if !s.Now().Equal(clock.Now()) {
		t.Fatal("Now must read the configured clock")
	}
	resp, err := http.Get(s.URL + "/x")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("before Close: %v %v", resp, err)
	}
	resp.Body.Close()

	// A second Start on the same address reports the listen error instead of panicking.
	addr := strings.TrimPrefix(s.URL, "http://")
	if _, err := Start(Config{Addr: addr}); err == nil {
		t.Fatal("Start on a taken address succeeded")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("Must did not panic on an error")
			}
		}()
		Must(Start(Config{Addr: addr}))
	}()

	s.Close()
	s.Close() // a deferred Close after an explicit one must not panic or block
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("the simulator still accepts connections after Close")
	}
}

func TestSimFaultsAndStats(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	var reasons []string
	s, err := Start(Config{Clock: clock, StatsWindow: time.Minute, NotAllowed: http.StatusNotFound,
		Routes: []Route{{Method: "POST", Pattern: "/items", Endpoint: "items", Handle: func(c *Call) Reply {
			c.Duplicate()
			r, _ := c.Reject("", "SKU-2", "id-9")
			reasons = append(reasons, r)
			return JSON(400, map[string]any{})
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := Faults{Seed: 3, Only: []string{"items"}, RejectKeys: map[string]string{"SKU-2": "sku refused", "id-9": "id refused"}}
	s.SetFaults(f)
	got := s.Faults()
	if got.Seed != 3 || len(got.Only) != 1 || got.RejectKeys["SKU-2"] != "sku refused" {
		t.Fatalf("Faults() = %+v, want what SetFaults set", got)
	}
	got.Only[0] = "changed"
	if s.Faults().Only[0] != "items" {
		t.Fatal("Faults() hands out the simulator's own slice")
	}
	for i := 0; i < 3; i++ {
		resp, err := http.Post(s.URL+"/items", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, _ := http.Get(s.URL + "/items")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("NotAllowed 404: got %d", resp.StatusCode)
	}
	if len(reasons) != 3 || reasons[0] != "sku refused" {
		t.Fatalf("Reject must skip empty keys and answer for the first key it picks: %q", reasons)
	}
	st := s.Stats()
	if st.Window != time.Minute {
		t.Fatalf("stats window %v", st.Window)
	}
	items := st.Endpoints["items"]
	if items.Requests != 3 || items.ClientErrors != 3 || items.Duplicates != 3 || items.MaxInWindow != 3 {
		t.Fatalf("items stats %+v", items)
	}
	if st.Endpoints["unrouted"].Requests != 1 || st.Total.Requests != 4 {
		t.Fatalf("totals %+v, unrouted %+v", st.Total, st.Endpoints["unrouted"])
	}
	s.ResetStats()
	if st := s.Stats(); len(st.Endpoints) != 0 || st.Total.Requests != 0 {
		t.Fatalf("after ResetStats: %+v", st)
	}
}

func TestDefault(t *testing.T) {
	n, d, str := 0, time.Duration(0), "set"
	Default(&n, 50)
	Default(&d, time.Minute)
	Default(&str, "other")
	var c Clock
	Default(&c, RealClock())
	neg := -1
	Default(&neg, 60)
	if n != 50 || d != time.Minute || str != "set" || c == nil || neg != -1 {
		t.Fatalf("Default: %v %v %q %v %v", n, d, str, c, neg)
	}
}

func TestTouch(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"clock moved", t0.Add(time.Minute), t0.Add(time.Minute)},
		{"clock stood still", t0, t0.Add(time.Second)},
		{"clock went back", t0.Add(-time.Hour), t0.Add(time.Second)},
	} {
		last := t0
		Touch(&last, tc.now, time.Second)
		if !last.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, last, tc.want)
		}
	}
}
