package push

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/ideasoft"
	"syncagent/connectors/sim/ideasoftsim"
	"syncagent/queue"
)

// BenchmarkPushIdeasoft10k pushes 10 000 dirty SKUs (stock and price) through the agent's
// push loop (4 pushes in flight, 10 items each) and the IdeaSoft connector to the
// simulator, on the wall clock. IdeaSoft has no bulk endpoint: one PUT per SKU, plus the
// SKU map's list pages and a token refresh. The store's budget is raised to 6000 requests
// a minute (limits.requests) on both sides so that the run takes under a minute; the
// simulator enforces it as a sliding window. It fails unless every SKU took exactly one
// PUT, none was answered 429, and every item is confirmed; it reports the wall time
// against the least the budget allows: the first 6000 requests at once, the next 6000
// one window after them, so (ceil(requests/6000)-1) minutes. At the assumed default of 120 a minute the same 10 101 requests take 84 min
// (BenchmarkPush10k in connectors/ideasoft, on a fake clock).
//
//	go test -run '^$' -bench PushIdeasoft10k -benchtime 1x ./agent/push/
func BenchmarkPushIdeasoft10k(b *testing.B) {
	const (
		n      = 10_000
		budget = 6000
	)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ctx := context.Background()
		sim := ideasoftsim.New(ideasoftsim.Options{ClientID: "bench-app", ClientSecret: "bench-secret-is", PerMinute: budget})
		q, err := queue.Open(ctx, filepath.Join(b.TempDir(), "agent.db"), queue.Options{})
		if err != nil {
			b.Fatal(err)
		}
		st := connectors.Store{Name: "ideasoft-bench", Marketplace: ideasoft.Marketplace, BaseURL: sim.URL, DataDir: b.TempDir(),
			Scope:       connectors.ScopeStock | connectors.ScopePrice,
			Credentials: connectors.Credentials{"shop": "magaza", "client_id": "bench-app", "client_secret": "bench-secret-is"},
			Limits:      connectors.Limits{Requests: budget, Per: time.Minute}}
		conn, err := connectors.New(&st, connectors.Deps{Log: zerolog.Nop()})
		if err != nil {
			b.Fatal(err)
		}
		c := conn.(*ideasoft.Client)
		back, err := sim.Browse(c.ConsentURL(c.RedirectURI(), "b"), true)
		if err != nil {
			b.Fatal(err)
		}
		u, _ := url.Parse(back)
		if err := ideasoftConsent(ctx, st, u.Query().Get("code"), c.RedirectURI()); err != nil {
			b.Fatal(err)
		}
		q.SetStores(map[string]queue.Rules{st.Name: erpValues})
		var batch []queue.ItemChange
		for i := 0; i < n; i++ {
			sku := fmt.Sprintf("SKU-%06d", i)
			if _, err := sim.AddProduct(ideasoftsim.Product{SKU: sku, Stock: ideasoftsim.Units(1), Price1: 10000}); err != nil {
				b.Fatal(err)
			}
			batch = append(batch, change(sku, int64(2+i%50), "149.90"))
			if len(batch) == 5000 || i == n-1 {
				if _, err := q.Apply(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		caps := conn.Features()
		p := New(st.Name, conn.(Pusher), q, Settings{Marketplace: st.Marketplace, RulesHash: testRules,
			Batch: caps.MaxBatch, Ahead: caps.PushRate.Requests / caps.MaxBatch}, zerolog.Nop()) // as the store factory sets it
		p.desired.done = true

		b.StartTimer()
		start := time.Now()
		var cs cycleStats
		p.send.pushAll(ctx, &cs)
		wall := time.Since(start)
		b.StopTimer()

		ep := sim.Stats().Endpoints
		puts, lists := ep["product-update"], ep["products"]
		api := puts.Requests + lists.Requests
		s, err := q.Stats(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if puts.Requests != n || sim.Stats().Total.RateLimited != 0 || s[st.Name].Confirmed != n {
			b.Fatalf("%d updates for %d SKUs, %d answers of 429, %d confirmed", puts.Requests, n, sim.Stats().Total.RateLimited, s[st.Name].Confirmed)
		}
		// A sliding window lets the first budget go at once and the next budget one
		// window after each of them: (ceil(requests/budget)-1) windows at the least.
		bound := time.Duration((api+budget-1)/budget-1) * time.Minute
		b.ReportMetric(float64(puts.Requests), "puts")
		b.ReportMetric(float64(lists.Requests), "list-pages")
		b.ReportMetric(float64(ep["token"].Requests), "token-requests")
		b.ReportMetric(float64(sim.Stats().Total.RateLimited), "429s")
		b.ReportMetric(float64(sim.Stats().Total.MaxInWindow), "max-per-min")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(bound.Seconds(), "bound-s")
		b.ReportMetric(wall.Seconds()/bound.Seconds(), "ratio-to-limit")
		b.ReportMetric(float64(n)/wall.Seconds(), "items/s")
		q.Close()
		sim.Close()
	}
}

// ideasoftConsent exchanges a consent's code with a connector of its own, as syncagent
// authorize does in its own process: the agent's connector then refreshes the token it
// saved.
func ideasoftConsent(ctx context.Context, st connectors.Store, code, redirect string) error {
	c, err := ideasoft.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		return err
	}
	return c.ExchangeCode(ctx, code, redirect)
}
