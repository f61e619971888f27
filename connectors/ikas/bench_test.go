package ikas_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/ikas"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/ikassim"
	"syncagent/connectors/sim/simkit"
)

// BenchmarkPush20k sends 20 000 SKUs' stock and prices to the simulated ikas, which
// enforces 50 requests / 10 s, on a fake clock the connector's pacer sleeps on: the
// figures are the calls per kind against the 3000-per-call price limit and the
// 500-per-call stock assumption, the 429s (must be 0), the most requests in any 10 s
// (at most 50), and the time the rate limit costs against the bound it allows.
func BenchmarkPush20k(b *testing.B) {
	const n = 20000
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		clock := simkit.NewFakeClock(time.Time{})
		sim := ikassim.New(ikassim.Options{ClientID: clientID, ClientSecret: clientSecret, StoreName: shop, Clock: clock})
		loc := sim.Locations()[0].ID
		items := make([]connectors.Item, n)
		for i := range items {
			sku := fmt.Sprintf("SKU-%05d", i)
			buy := money.Kurus(5000)
			if _, err := sim.AddProduct(ikassim.Product{Variants: []ikassim.Variant{{SKU: sku, Prices: []ikassim.Price{{Sell: 10000, Buy: &buy}},
				Stock: map[string]float64{loc: 1}}}}); err != nil {
				b.Fatal(err)
			}
			q, p, l := int64(i%50), money.Kurus(12990+i%100), money.Kurus(14990+i%100)
			items[i] = connectors.Item{SKU: sku, Qty: &q, Price: &p, ListPrice: &l}
		}
		st := storeAt(sim.URL)
		deps := connectors.Deps{Log: zerolog.Nop(), Now: clock.Now, Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }}
		c, err := ikas.New(&st, deps)
		if err != nil {
			b.Fatal(err)
		}
		start, wall := clock.Now(), time.Now()
		b.StartTimer()
		max := c.Features().MaxBatch
		for from := 0; from < n; from += max {
			out, err := c.Push(context.Background(), items[from:min(from+max, n)])
			if err != nil {
				b.Fatal(err)
			}
			for sku, o := range out {
				if o.Status != connectors.Confirmed {
					b.Fatalf("%s: %+v", sku, o)
				}
			}
		}
		b.StopTimer()
		took, wallTook := clock.Now().Sub(start), time.Since(wall)
		s := sim.Stats()
		calls := s.Total.Requests - s.Endpoints["token"].Requests
		bound := time.Duration((calls-1)/50) * 10 * time.Second
		if s.Total.RateLimited != 0 || s.Total.MaxInWindow > 50 {
			b.Fatalf("429s %d, most in 10 s %d", s.Total.RateLimited, s.Total.MaxInWindow)
		}
		b.ReportMetric(float64(s.Endpoints["updateVariantPrices"].Requests), "price-calls")
		b.ReportMetric(float64(s.Endpoints["saveVariantStocks"].Requests), "stock-calls")
		b.ReportMetric(float64(s.Endpoints["listProduct"].Requests), "list-calls")
		b.ReportMetric(float64(calls), "calls")
		b.ReportMetric(float64(s.Total.RateLimited), "429s")
		b.ReportMetric(float64(s.Total.MaxInWindow), "max/10s")
		b.ReportMetric(took.Seconds(), "paced-s")
		b.ReportMetric(bound.Seconds(), "bound-s")
		b.ReportMetric(wallTook.Seconds(), "wall-s")
		sim.Close()
	}
}
