package agent

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/n11sim"
	"syncagent/queue"
)

// BenchmarkN11Push50k runs the agent (the store's push loop on the real outbox) against
// the simulated n11 with 50 000 dirty SKUs and the task delay at 30 s (n11 states none),
// on the wall clock: the agent's own clock is not fakeable end to end. It fails unless
// the 50 000 SKUs went in exactly ceil(50000/1000) = 50 tasks with no request over a
// limit, and reports push-s (the first change committed to the last task accepted)
// against n11's rate, where 50 tasks fit in one minute's 1000 requests so the bound is
// 0 s of waiting, and confirm-s (to every SKU confirmed from the task details, read on
// the agent's check schedule: 2 s after the push, then doubling). Run with
// -benchtime=1x (about a minute).
func BenchmarkN11Push50k(b *testing.B) {
	const n, taskDelay = 50_000, 30 * time.Second
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		sim := n11sim.New(n11sim.Options{AppKey: "n11-key", AppSecret: "bench-secret", TaskDelay: taskDelay, OverLimit: n11sim.OverEmptyPage})
		for k := 0; k < n; k++ {
			if err := sim.AddProduct(n11sim.Product{StockCode: fmt.Sprintf("SKU-%06d", k), Quantity: 1, SalePrice: 10000}); err != nil {
				b.Fatal(err)
			}
		}
		text := fmt.Sprintf(`data_dir: %s/data
stores:
  - name: n11-bench
    marketplace: n11
    base_url: %s
    credentials: {appkey: n11-key, appsecret: bench-secret}
    schedule: {push: "@every 1s"}
    orders: {fetch: false}
`, filepath.ToSlash(dir), sim.URL)
		cfg, err := config.Parse([]byte(text), filepath.Join(dir, "config.yaml"), func(string) (string, bool) { return "", false })
		if err != nil {
			b.Fatal(err)
		}
		a := New(cfg, zerolog.Nop(), Options{Factories: []Factory{StoreFactory()}})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		<-a.Ready()
		b.StartTimer()
		start := time.Now()
		var batch []queue.ItemChange
		for k := 0; k < n; k++ {
			q := int64(2 + k%50)
			p := money.Kurus(9990 + k%100)
			batch = append(batch, queue.ItemChange{SKU: fmt.Sprintf("SKU-%06d", k), Warehouse: config.DefaultWarehouse, Qty: &q,
				PriceList: config.DefaultPriceList, Price: &p, Source: queue.Source{Kind: "bench", Ref: "bench"}})
			if len(batch) == 5000 {
				if _, err := a.Store().Apply(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		committed := time.Since(start)
		want := int(math.Ceil(n / 1000.0))
		var pushed time.Duration
		for {
			ep := sim.Stats().Endpoints["price-stock-update"]
			if pushed == 0 && ep.OK >= want {
				pushed = time.Since(start)
			}
			s, err := a.Store().Stats(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if st := s["n11-bench"]; st != nil && st.Confirmed == n {
				break
			}
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("not confirmed after 5 minutes: %+v", s["n11-bench"])
			}
			time.Sleep(20 * time.Millisecond)
		}
		confirmed := time.Since(start)
		b.StopTimer()
		stop()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		st := sim.Stats()
		ep := st.Endpoints["price-stock-update"]
		if ep.Requests != want || ep.OK != want || st.Total.RateLimited != 0 || sim.Throttled() != 0 {
			b.Fatalf("tasks %d (want %d), ok %d, 429s %d, throttled %d", ep.Requests, want, ep.OK, st.Total.RateLimited, sim.Throttled())
		}
		b.ReportMetric(float64(ep.Requests), "tasks")
		b.ReportMetric(float64(st.Total.RateLimited)+float64(sim.Throttled()), "over-limit")
		b.ReportMetric(float64(st.Endpoints["task-details"].Requests), "detail-reads")
		b.ReportMetric(float64(st.Total.MaxInWindow), "max-per-min")
		b.ReportMetric(committed.Seconds(), "commit-s")
		b.ReportMetric(pushed.Seconds(), "push-s")
		b.ReportMetric(confirmed.Seconds(), "confirm-s")
		b.ReportMetric(taskDelay.Seconds(), "task-delay-s")
		sim.Close()
	}
}
