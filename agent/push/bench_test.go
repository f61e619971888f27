package push

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/sim/trendyolsim"
	_ "syncagent/connectors/trendyol" // registers the connector
	"syncagent/queue"
)

const (
	benchSeller = "123456"
	benchKey    = "bench-key"
	benchSecret = "bench-secret"
)

// trendyolStore is a store's connector settings pointing at a simulator.
func trendyolStore(name, url string) connectors.Store {
	return connectors.Store{
		Name: name, Marketplace: "trendyol", BaseURL: url + "/integration",
		Scope:       connectors.ScopeStock | connectors.ScopePrice,
		Credentials: connectors.Credentials{"seller_id": benchSeller, "api_key": benchKey, "api_secret": benchSecret},
	}
}

// benchLoop builds the push loop of one Trendyol store over a fresh outbox holding n
// dirty items, the simulator knowing every barcode.
func benchLoop(b *testing.B, n int, set Settings) (*Loop, *queue.Store, *trendyolsim.Server) {
	b.Helper()
	ctx := context.Background()
	sim := trendyolsim.New(trendyolsim.Options{SellerID: benchSeller, APIKey: benchKey, APISecret: benchSecret})
	b.Cleanup(sim.Close)
	q, err := queue.Open(ctx, filepath.Join(b.TempDir(), "agent.db"), queue.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { q.Close() })
	st := trendyolStore("trendyol-bench", sim.URL)
	conn, err := connectors.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	caps := conn.Features()
	q.SetStores(map[string]queue.Rules{st.Name: erpValues})
	var batch []queue.ItemChange
	for i := 0; i < n; i++ {
		bc := fmt.Sprintf("869%010d", i)
		if err := sim.AddProduct(trendyolsim.Product{Barcode: bc, Quantity: 1, SalePrice: 10000}); err != nil {
			b.Fatal(err)
		}
		c := change(fmt.Sprintf("SKU-%06d", i), int64(2+i%50), "")
		c.Barcode = bc
		batch = append(batch, c)
		if len(batch) == 5000 || i == n-1 {
			if _, err := q.Apply(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	// As the agent's store factory sets them.
	set.Marketplace, set.RulesHash = st.Marketplace, testRules
	if set.Batch == 0 {
		set.Batch = caps.MaxBatch
	}
	set.DupWindow = caps.DuplicateWindow
	set.Ahead = caps.PushRate.Requests
	p := New(st.Name, conn.(Pusher), q, set, zerolog.Nop())
	p.desired.done = true
	return p, q, sim
}

// BenchmarkPushTrendyol100k pushes 100 000 dirty SKUs through the agent's push loop and
// the Trendyol connector to the simulator, which enforces 50 requests per 10 s as a
// sliding window. It fails unless exactly ceil(100000/1000) requests were sent and not
// one was answered 429, and reports the wall time against the least the limit allows:
// the first 50 requests may go at once, the next 50 one window later, so
// (ceil(requests/50)-1) windows. Run with -benchtime=1x (about 10 s per iteration).
func BenchmarkPushTrendyol100k(b *testing.B) {
	const n = 100_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p, q, sim := benchLoop(b, n, Settings{})
		ctx := context.Background()
		b.StartTimer()
		start := time.Now()
		var st cycleStats
		p.send.pushAll(ctx, &st)
		wall := time.Since(start)
		b.StopTimer()

		ep := sim.Stats().Endpoints["price-and-inventory"]
		want := int(math.Ceil(n / 1000.0))
		if ep.Requests != want || ep.RateLimited != 0 || ep.OK != want {
			b.Fatalf("requests %d (want %d), ok %d, 429s %d", ep.Requests, want, ep.OK, ep.RateLimited)
		}
		allowed := time.Duration(math.Ceil(float64(want)/50)-1) * 10 * time.Second
		b.ReportMetric(float64(ep.Requests), "requests")
		b.ReportMetric(float64(ep.RateLimited), "429s")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(wall.Seconds()/allowed.Seconds(), "ratio-to-limit")
		b.ReportMetric(float64(n)/wall.Seconds(), "items/s")

		// Then every item is confirmed from the batch results.
		confirmStart := time.Now()
		for {
			p.cycle(ctx, wakeResults)
			s, err := q.Stats(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if s[p.name].Confirmed == n {
				break
			}
			if time.Since(confirmStart) > 5*time.Minute {
				b.Fatalf("not confirmed: %+v", *s[p.name])
			}
			time.Sleep(100 * time.Millisecond)
		}
		b.ReportMetric(time.Since(confirmStart).Seconds(), "confirm-s")
		if r := sim.Stats().Endpoints["batch-requests"]; r.RateLimited != 0 {
			b.Fatalf("batch results answered 429 %d times", r.RateLimited)
		}
	}
}

// BenchmarkChangeToRequestLatency measures, in on-change mode with a 50 ms debounce,
// the time from a committed change (Apply returned and the source called Changed) to its
// request arriving at the simulated Trendyol. Every change is to an item with no push of
// its own awaiting a result (such a change waits for that result, so that the latest
// value wins), and it comes once the previous one arrived and max_delay has passed, so
// this measures the debounce path, not the on-change rate cap.
func BenchmarkChangeToRequestLatency(b *testing.B) {
	const debounce, maxDelay = 50 * time.Millisecond, 100 * time.Millisecond
	p, q, sim := benchLoop(b, 1, Settings{Debounce: debounce, MaxDelay: maxDelay})
	ctx := context.Background()
	barcode := func(i int) string { return fmt.Sprintf("870%010d", i) }
	for i := 0; i < b.N; i++ {
		if err := sim.AddProduct(trendyolsim.Product{Barcode: barcode(i), Quantity: 1, SalePrice: 10000}); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = p.Stop(sctx)
	}()
	arrived := func() int { return sim.Stats().Endpoints["price-and-inventory"].Requests }
	for deadline := time.Now().Add(30 * time.Second); arrived() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the initial push never arrived")
		}
	}
	time.Sleep(maxDelay)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := arrived()
		c := change(fmt.Sprintf("LAT-%06d", i), int64(100+i), "")
		c.Barcode = barcode(i)
		if _, err := q.Apply(ctx, []queue.ItemChange{c}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		p.Changed()
		deadline := t0.Add(30 * time.Second)
		for arrived() == before {
			if time.Now().After(deadline) {
				b.Fatal("the change never reached the simulator")
			}
			time.Sleep(200 * time.Microsecond)
		}
		lat = append(lat, time.Since(t0))
		b.StopTimer()
		time.Sleep(maxDelay) // let the on-change rate limit pass
		b.StartTimer()
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(f float64) time.Duration { return lat[min(int(f*float64(len(lat))), len(lat)-1)] }
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.95).Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(debounce.Milliseconds()), "debounce-ms")
}
