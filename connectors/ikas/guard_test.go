package ikas_test

import (
	"context"
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/ikas"
	"syncagent/connectors/sim/ikassim"
	"syncagent/connectors/sim/simkit"
)

// A share of all stock calls fails: the guard holds requests back (on the shared fake
// clock) so that ikas never sees more than the target share failed in any hour, and the
// store is never blocked; every change still arrives, later.
func TestGuardKeepsTheStoreUnblocked(t *testing.T) {
	for _, rate := range []float64{0.1, 0.5} {
		// The simulator judges windows of at least as many requests as the guard starts
		// counting at; with fewer, ikas's own minimum is undocumented (docs/ikas.md).
		w := newWorld(t, ikassim.Options{BanMinRequests: ikas.DefaultTuning.MinVolume})
		w.product("G1", "10", "", "", 0)
		c := w.connector()
		w.sim.SetFaults(simkit.Faults{Seed: 3, ErrorRate: rate, Only: []string{"saveVariantStocks"}})
		start := w.clock.Now()
		applied := 0
		for i := int64(1); applied < 60; i++ {
			out, err := c.Push(context.Background(), []connectors.Item{{SKU: "G1", Qty: &i}})
			if err == nil && out["G1"].Status == connectors.Confirmed {
				applied++
			}
			if r := c.ErrorRatio(); r.Requests >= 10 && r.Ratio() > 0.15+1e-9 {
				t.Fatalf("rate %.1f: the guard's own count passed its target: %+v", rate, r)
			}
			if i > 1000 {
				t.Fatalf("rate %.1f: no progress", rate)
			}
		}
		if bans := w.sim.Bans(); len(bans) != 0 {
			t.Fatalf("rate %.1f: blocked: %+v", rate, bans)
		}
		if r := w.sim.MaxErrorRatio(); r > 0.15+1e-9 || (rate < 0.15 && r == 0) {
			t.Fatalf("rate %.1f: ikas saw up to %.3f failed", rate, r)
		}
		if w.sim.Stats().Endpoints["saveVariantStocks"].ServerErrors == 0 {
			t.Fatalf("rate %.1f: no failure was injected", rate)
		}
		r := c.ErrorRatio()
		if r.Limit != 0.25 || r.Target != ikas.DefaultTuning.ErrorTarget || r.Window != time.Hour {
			t.Fatalf("report %+v", r)
		}
		t.Logf("%.0f %% failing: 60 changes took %v (fake clock); ikas saw at most %.1f %% failed in an hour",
			rate*100, w.clock.Now().Sub(start).Round(time.Minute), 100*w.sim.MaxErrorRatio())
	}
}
