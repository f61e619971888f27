package ideasoft_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/ideasoft"
	"syncagent/connectors/sim/ideasoftsim"
	"syncagent/connectors/sim/simkit"
)

// BenchmarkPush10k pushes 10 000 changed SKUs of a 10 000-product shop, MaxBatch items a
// push, on a fake clock shared by the connector's pacer and the simulator's limiter,
// which enforces the connector's assumed budget (120 requests a minute, as a sliding
// window). IdeaSoft has no bulk endpoint, so this is the price of a full resync: one PUT
// per SKU (two with whole bodies), plus the SKU map's list pages and one token refresh.
// Reported: requests by kind, the simulated time against the least the budget allows
// (sim-min, bound-min), the answers of 429 (must be 0), the most requests seen in any
// minute, and the wall time per push.
//
//	go test -run '^$' -bench Push10k -benchtime 1x ./connectors/ideasoft/
func BenchmarkPush10k(b *testing.B) {
	for _, mode := range []string{"partial", "full"} {
		b.Run(mode, func(b *testing.B) { benchPush(b, 10_000, mode) })
	}
}

func benchPush(b *testing.B, n int, mode string) {
	clock := simkit.NewFakeClock(time.Time{})
	s := ideasoftsim.New(ideasoftsim.Options{ClientID: clientID, ClientSecret: clientSecret, Clock: clock})
	defer s.Close()
	items := make([]connectors.Item, n)
	for i := range items {
		sku := fmt.Sprintf("SKU-%05d", i)
		if _, err := s.AddProduct(ideasoftsim.Product{SKU: sku, Stock: ideasoftsim.Units(1), Price1: 10000}); err != nil {
			b.Fatal(err)
		}
		items[i] = connectors.Item{SKU: sku}
	}
	st := storeAt(s.URL, b.TempDir())
	st.Settings = map[string]string{"put_body": mode}
	consent(b, s, st, clock)
	ctx := context.Background()
	b.ResetTimer()
	for iter := 0; iter < b.N; iter++ {
		b.StopTimer()
		c, err := ideasoft.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
			Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
		if err != nil {
			b.Fatal(err)
		}
		s.ResetStats()
		for i := range items {
			q := int64(iter*7 + i%50 + 2)
			items[i].Qty = &q
		}
		start := clock.Now()
		b.StartTimer()
		batch := c.Features().MaxBatch
		for i := 0; i < n; i += batch {
			out, err := c.Push(ctx, items[i:min(i+batch, n)])
			if err != nil {
				b.Fatal(err)
			}
			for sku, o := range out {
				if o.Status != connectors.Confirmed {
					b.Fatalf("%s: %v %s", sku, o.Status, o.Reason)
				}
			}
		}
		b.StopTimer()
		took := clock.Now().Sub(start)
		ep := s.Stats().Endpoints
		puts, reads, lists, toks := ep["product-update"].Requests, ep["product"].Requests, ep["products"].Requests, ep["token"].Requests
		api := puts + reads + lists
		rate := c.Features().PushRate
		// The sliding window lets Requests go at once and each next Requests one window
		// later: (ceil(requests/Requests)-1) windows at the least.
		bound := time.Duration((api+rate.Requests-1)/rate.Requests-1) * rate.Per
		limited := s.Stats().Total.RateLimited
		if limited != 0 || puts != n {
			b.Fatalf("%d answers of 429, %d updates for %d SKUs", limited, puts, n)
		}
		b.ReportMetric(float64(puts), "puts")
		b.ReportMetric(float64(reads), "reads")
		b.ReportMetric(float64(lists), "list-pages")
		b.ReportMetric(float64(toks), "token-requests")
		b.ReportMetric(float64(limited), "429s")
		b.ReportMetric(took.Minutes(), "sim-min")
		b.ReportMetric(bound.Minutes(), "bound-min")
		b.ReportMetric(float64(s.Stats().Total.MaxInWindow), "max-per-min")
		b.StartTimer()
	}
}
