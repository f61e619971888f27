package n11_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/n11sim"
	"syncagent/connectors/sim/simkit"
)

// BenchmarkPush50k pushes 50 000 changed SKUs through the connector to the simulated
// n11 on one fake clock (the pacer's waits move it), then reads the tasks' details on
// the agent's check schedule (2 s after the push, then doubling up to a minute) until
// every SKU is confirmed, with the simulator's task delay at 30 s (n11 states none).
//
// It fails unless exactly ceil(50000/1000) = 50 tasks were sent and no request was
// over a limit (neither a 429 nor a throttled empty page), and reports on the fake
// clock: push-s, the time the 50 tasks took, against the least the rate allows, and
// confirm-s, from the first task to the last SKU confirmed; and on the wall clock the
// CPU-bound cost (items/s). Two budgets: n11's 1000 requests a minute (assumed for every
// endpoint together), where 50 tasks fit in one window, and a store limited to 20 a
// minute (limits.requests), where the pacer must spread them over three windows.
func BenchmarkPush50k(b *testing.B) {
	const n, taskDelay = 50_000, 30 * time.Second
	for _, c := range []struct {
		name  string
		limit int
	}{{"n11-1000-per-min", 1000}, {"store-20-per-min", 20}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				clock := simkit.NewFakeClock(time.Time{})
				sim := n11sim.New(n11sim.Options{AppKey: appKey, AppSecret: appSecret, Clock: clock, TaskDelay: taskDelay,
					GlobalPerMinute: c.limit, OverLimit: n11sim.OverEmptyPage})
				items := make([]connectors.Item, n)
				for k := range items {
					s := sku50k(k)
					if err := sim.AddProduct(n11sim.Product{StockCode: s, Quantity: 1, SalePrice: 10000, ListPrice: 12000}); err != nil {
						b.Fatal(err)
					}
					q, conf := int64(2+k%50), int64(1)
					sale, list := money50k(k)
					items[k] = connectors.Item{SKU: s, Qty: &q, ConfQty: &conf, Price: &sale, ListPrice: &list}
				}
				st := storeAt(sim.URL)
				if c.limit != 1000 {
					st.Limits = connectors.Limits{Requests: c.limit, Per: time.Minute}
				}
				conn, err := connectors.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
					Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
				if err != nil {
					b.Fatal(err)
				}
				pusher, checker := conn.(connectors.Pusher), conn.(connectors.ResultChecker)
				batch := conn.Features().MaxBatch
				b.StartTimer()
				wall := time.Now()
				start := clock.Now()
				type pending struct {
					ref   string
					items []connectors.Item
					next  time.Time
					wait  time.Duration
				}
				var tasks []*pending
				for k := 0; k < n; k += batch {
					chunk := items[k:min(k+batch, n)]
					out, err := pusher.Push(context.Background(), chunk)
					if err != nil {
						b.Fatal(err)
					}
					tasks = append(tasks, &pending{ref: out[chunk[0].SKU].Ref, items: chunk, next: clock.Now().Add(2 * time.Second), wait: 2 * time.Second})
				}
				pushed := clock.Now().Sub(start)
				confirmed := 0
				for len(tasks) > 0 {
					due := tasks[0]
					for _, t := range tasks {
						if t.next.Before(due.next) {
							due = t
						}
					}
					if d := due.next.Sub(clock.Now()); d > 0 {
						clock.Advance(d)
					}
					res, err := checker.CheckResults(context.Background(), due.ref, due.items)
					if err != nil {
						b.Fatal(err)
					}
					done := 0
					for _, it := range due.items {
						switch res[it.SKU].Status {
						case connectors.Confirmed:
							done++
						case connectors.Pending:
						default:
							b.Fatalf("%s: %+v", it.SKU, res[it.SKU])
						}
					}
					if done == len(due.items) {
						confirmed += done
						for j, t := range tasks {
							if t == due {
								tasks = append(tasks[:j], tasks[j+1:]...)
								break
							}
						}
						continue
					}
					due.wait = min(2*due.wait, time.Minute)
					due.next = clock.Now().Add(due.wait)
				}
				took := clock.Now().Sub(start)
				elapsed := time.Since(wall)
				b.StopTimer()

				st2 := sim.Stats()
				ep := st2.Endpoints["price-stock-update"]
				want := int(math.Ceil(n / 1000.0))
				if ep.Requests != want || ep.OK != want || st2.Total.RateLimited != 0 || sim.Throttled() != 0 || confirmed != n {
					b.Fatalf("tasks %d (want %d), ok %d, 429s %d, throttled %d, confirmed %d", ep.Requests, want, ep.OK, st2.Total.RateLimited, sim.Throttled(), confirmed)
				}
				bound := time.Duration(math.Ceil(float64(want)/float64(c.limit))-1) * time.Minute
				if pushed < bound {
					b.Fatalf("50 tasks in %s at %d a minute: faster than the limit allows (%s)", pushed, c.limit, bound)
				}
				b.ReportMetric(float64(ep.Requests), "tasks")
				b.ReportMetric(float64(st2.Total.RateLimited)+float64(sim.Throttled()), "over-limit")
				b.ReportMetric(float64(st2.Endpoints["task-details"].Requests), "detail-reads")
				b.ReportMetric(float64(st2.Total.MaxInWindow), "max-per-min")
				b.ReportMetric(pushed.Seconds(), "push-s")
				b.ReportMetric(bound.Seconds(), "bound-s")
				b.ReportMetric(took.Seconds(), "confirm-s")
				b.ReportMetric(float64(n)/elapsed.Seconds(), "items/s")
				sim.Close()
			}
		})
	}
}

func sku50k(k int) string { return "SKU-" + itoa6(k) }

func itoa6(k int) string {
	b := []byte("000000")
	for i := 5; i >= 0 && k > 0; i-- {
		b[i] = byte('0' + k%10)
		k /= 10
	}
	return string(b)
}

func money50k(k int) (sale, list money.Kurus) {
	sale = money.Kurus(9990 + k%100)
	return sale, sale + 2000
}
