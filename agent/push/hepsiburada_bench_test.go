package push

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	_ "syncagent/connectors/hepsiburada" // registers the connector
	"syncagent/connectors/sim/hepsiburadasim"
	"syncagent/connectors/sim/simkit"
	"syncagent/queue"
)

const (
	hbBenchMerchant = "4b1c0a9e-7d2f-4c1a-9e3b-0f5d8a6b21e2"
	hbBenchKey      = "bench-service-key"
)

// BenchmarkPushHepsiburada50k pushes 50 000 dirty SKUs (stock and price) through the
// agent's push loop and the Hepsiburada connector to the simulator, on one fake clock
// shared by the outbox, the loop, the connector's pacer and the simulator, until every
// item is confirmed from the upload results. The simulator enforces 180 requests a
// minute and 5 pending uploads, and processes an upload in 60 s (the reference gives no
// figure). It fails unless exactly ceil(50000/4000) uploads were accepted, none was
// refused for the pending limit, no request met a 429 and no more than 180 arrived in
// any minute; it reports the time to all confirmed on the fake clock against the least
// the limits allow: the SKU map's listing pages at 180 a minute, then
// ceil(uploads/5) waves of 60 s. Run with -benchtime=1x.
func BenchmarkPushHepsiburada50k(b *testing.B) {
	const (
		n     = 50_000
		delay = 60 * time.Second
	)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ctx := context.Background()
		clock := simkit.NewFakeClock(time.Time{})
		sim := hepsiburadasim.New(hepsiburadasim.Options{MerchantID: hbBenchMerchant, ServiceKey: hbBenchKey, Integrator: "bench",
			Clock: clock, ProcessingDelay: delay})
		q, err := queue.Open(ctx, filepath.Join(b.TempDir(), "agent.db"), queue.Options{Now: clock.Now,
			Jitter: func() float64 { return 0.5 }})
		if err != nil {
			b.Fatal(err)
		}
		st := connectors.Store{Name: "hepsiburada-bench", Marketplace: "hepsiburada", BaseURL: sim.URL,
			Scope:       connectors.ScopeStock | connectors.ScopePrice,
			Credentials: connectors.Credentials{"merchant_id": hbBenchMerchant, "service_key": hbBenchKey, "integrator": "bench"}}
		// Sleepers advance the shared clock to the end of their own wait, not by the sum
		// of every concurrent wait.
		var mu sync.Mutex
		sleep := func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			if target := clock.Now().Add(d); target.After(clock.Now()) {
				clock.Set(target)
			}
			mu.Unlock()
			return ctx.Err()
		}
		conn, err := connectors.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now, Sleep: sleep})
		if err != nil {
			b.Fatal(err)
		}
		caps := conn.Features()
		q.SetStores(map[string]queue.Rules{st.Name: erpValues})
		var batch []queue.ItemChange
		for k := 0; k < n; k++ {
			sku := fmt.Sprintf("SKU-%06d", k)
			if _, err := sim.AddListing(hepsiburadasim.Listing{MerchantSku: sku, Stock: 1, Price: 10000}); err != nil {
				b.Fatal(err)
			}
			batch = append(batch, change(sku, int64(2+k%50), fmt.Sprintf("%d.%02d", 100+k%400, k%100)))
			if len(batch) == 5000 || k == n-1 {
				if _, err := q.Apply(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		p := New(st.Name, conn.(Pusher), q, Settings{Marketplace: st.Marketplace, RulesHash: testRules, Batch: caps.MaxBatch,
			Ahead: caps.PushRate.Requests, DupWindow: caps.DuplicateWindow, Now: clock.Now}, zerolog.Nop())
		p.desired.done = true
		sim.ResetStats()

		b.StartTimer()
		wall, start := time.Now(), clock.Now()
		why := wakeSchedule
		cycles := 0
		for ; ; cycles++ {
			p.cycle(ctx, why)
			s, err := q.Stats(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if ss := s[st.Name]; ss != nil && ss.Confirmed == n {
				break
			}
			at, w := p.nextWake()
			if at.IsZero() || cycles > 10000 {
				b.Fatalf("the loop has nothing to wake for, or runs forever: %+v", s[st.Name])
			}
			if at.After(clock.Now()) {
				clock.Set(at)
			}
			why = w
		}
		elapsed, fake := time.Since(wall), clock.Now().Sub(start)
		b.StopTimer()

		stats := sim.Stats()
		up := stats.Endpoints[hepsiburadasim.EpInventoryUpload]
		peak, refused := sim.PeakPendingUploads()
		wantUploads := int(math.Ceil(float64(n) / float64(caps.MaxBatch)))
		if up.OK != wantUploads || up.Requests != wantUploads || refused != 0 || peak > 5 {
			b.Fatalf("uploads %d accepted of %d sent (want %d), %d refused for the pending limit, peak %d pending", up.OK, up.Requests, wantUploads, refused, peak)
		}
		if stats.Total.RateLimited != 0 || stats.Total.MaxInWindow > 180 {
			b.Fatalf("%d answers of 429, at most %d requests in a minute (limit 180)", stats.Total.RateLimited, stats.Total.MaxInWindow)
		}
		pages := stats.Endpoints[hepsiburadasim.EpListings].Requests
		mapBound := time.Duration(math.Ceil(float64(pages)/180)-1) * time.Minute
		waves := int(math.Ceil(float64(wantUploads) / 5))
		bound := mapBound + time.Duration(waves)*delay
		b.ReportMetric(float64(up.OK), "uploads")
		b.ReportMetric(float64(peak), "peak-pending")
		b.ReportMetric(float64(stats.Total.Requests), "requests")
		b.ReportMetric(float64(pages), "listing-pages")
		b.ReportMetric(float64(stats.Endpoints[hepsiburadasim.EpInventoryResult].Requests), "result-reads")
		b.ReportMetric(float64(stats.Total.MaxInWindow), "max-per-min")
		b.ReportMetric(fake.Seconds(), "confirmed-fake-s")
		b.ReportMetric(bound.Seconds(), "bound-s")
		b.ReportMetric(fake.Seconds()/bound.Seconds(), "ratio")
		b.ReportMetric(elapsed.Seconds(), "wall-s")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "items/s")
		b.Logf("%d SKUs: %d uploads (peak %d pending, %d refused), %d requests (%d listing pages, max %d a minute, %d × 429); "+
			"all confirmed after %v on the fake clock against a bound of %v (map %v + %d waves × %v), ratio %.2f; %d cycles; wall %v",
			n, up.OK, peak, refused, stats.Total.Requests, pages, stats.Total.MaxInWindow, stats.Total.RateLimited,
			fake.Round(time.Second), bound, mapBound, waves, delay, fake.Seconds()/bound.Seconds(), cycles, elapsed.Round(time.Millisecond))
		sim.Close()
		q.Close()
	}
}
