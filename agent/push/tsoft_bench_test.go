package push

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/tsoftsim"
	_ "syncagent/connectors/tsoft" // registers the connector
	"syncagent/queue"
)

// BenchmarkPushTsoft10k pushes 10 000 dirty SKUs (a new stock and price each) through
// the agent's push loop and the T-Soft connector to the simulated shop, which allows two
// requests a second for the whole shop, the pace the connector assumes. Connector and
// shop share a fake clock, so the shop's seconds are simulated and the benchmark takes
// the CPU time of the exchanges only; one push is in flight at a time (Parallel 1), so
// the fake clock moves exactly as the pacer waits. It fails unless every update was sent
// once, not one request was answered 429 and every SKU was confirmed, and it reports the
// requests, the simulated seconds against the least the rate allows, and wall time.
//
//	single: one product per product/updateProducts (the default): 10 000 updates and a login
//	array:  50 products per call, each call read back to confirm: 200 updates, 200 reads, a login
func BenchmarkPushTsoft10k(b *testing.B) {
	const n = 10_000
	for _, mode := range []struct {
		name, update   string
		updates, reads int
	}{{"single", "single", n, 0}, {"array", "array", n / 50, n / 50}} {
		b.Run(mode.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ctx := context.Background()
				clock := simkit.NewFakeClock(time.Time{})
				sim := tsoftsim.New(tsoftsim.Options{User: "bench", Password: "bench-pass", Clock: clock, ArrayUpdates: true})
				q, err := queue.Open(ctx, filepath.Join(b.TempDir(), "agent.db"), queue.Options{})
				if err != nil {
					b.Fatal(err)
				}
				st := connectors.Store{Name: "tsoft-bench", Marketplace: "tsoft", BaseURL: sim.URL,
					Scope:       connectors.ScopeStock | connectors.ScopePrice,
					Credentials: connectors.Credentials{"user": "bench", "password": "bench-pass"},
					Settings:    map[string]string{"host": "www.ornekmagaza.com.tr", "update_mode": mode.update}}
				conn, err := connectors.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
					Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
				if err != nil {
					b.Fatal(err)
				}
				caps := conn.Features()
				q.SetStores(map[string]queue.Rules{st.Name: erpValues})
				var batch []queue.ItemChange
				for k := 0; k < n; k++ {
					sku := fmt.Sprintf("TS-%05d", k)
					if _, err := sim.AddProduct(tsoftsim.Product{Code: sku, Stock: 1, SellingPrice: 10000}); err != nil {
						b.Fatal(err)
					}
					batch = append(batch, change(sku, int64(2+k%50), money.Kurus(10000+k).String()))
					if len(batch) == 5000 {
						if _, err := q.Apply(ctx, batch); err != nil {
							b.Fatal(err)
						}
						batch = batch[:0]
					}
				}
				set := Settings{Marketplace: st.Marketplace, RulesHash: testRules, Batch: caps.MaxBatch,
					Parallel: 1, Ahead: caps.PushRate.Requests}
				p := New(st.Name, conn.(Pusher), q, set, zerolog.Nop())
				p.desired.done = true
				start := clock.Now()
				b.StartTimer()
				wall := time.Now()
				var cs cycleStats
				p.send.pushAll(ctx, &cs)
				elapsedWall := time.Since(wall)
				b.StopTimer()
				simulated := clock.Now().Sub(start)

				stats := sim.Stats()
				ups, reads := stats.Endpoints["update-products"], stats.Endpoints["product-get"]
				total := stats.Total.Requests
				s, err := q.Stats(ctx)
				if err != nil {
					b.Fatal(err)
				}
				sim.Close()
				q.Close()
				if ups.Requests != mode.updates || reads.Requests != mode.reads || stats.Total.RateLimited != 0 || ups.ClientErrors != 0 {
					b.Fatalf("updates %d (want %d), reads %d (want %d), 429s %d, refused %d",
						ups.Requests, mode.updates, reads.Requests, mode.reads, stats.Total.RateLimited, ups.ClientErrors)
				}
				if s[st.Name].Confirmed != n {
					b.Fatalf("%d of %d confirmed", s[st.Name].Confirmed, n)
				}
				// The first two requests may go at once, each next pair one second later.
				bound := time.Duration(math.Ceil(float64(total)/2)-1) * time.Second
				b.ReportMetric(float64(total), "requests")
				b.ReportMetric(float64(stats.Total.RateLimited), "429s")
				b.ReportMetric(simulated.Seconds(), "sim-s")
				b.ReportMetric(bound.Seconds(), "bound-s")
				b.ReportMetric(simulated.Seconds()/bound.Seconds(), "ratio")
				b.ReportMetric(elapsedWall.Seconds(), "wall-s")
				b.ReportMetric(float64(n)/elapsedWall.Seconds(), "items/s")
				b.Logf("%s: %d requests (%d updates, %d reads), %d × 429; %v simulated against a bound of %v (ratio %.4f); wall %v",
					mode.name, total, ups.Requests, reads.Requests, stats.Total.RateLimited, simulated.Round(time.Millisecond), bound,
					simulated.Seconds()/bound.Seconds(), elapsedWall.Round(time.Millisecond))
			}
		})
	}
}
