package trendyol_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/connectors/trendyol"
)

// BenchmarkPush100k pushes 100 000 changed items through the connector to the
// simulated Trendyol on the wall clock, with Trendyol's limit of 50 requests per 10 s
// enforced by the simulator as a sliding window. It checks the request count (exactly
// 100 batches of 1000), that not one 429 came back, and reports the wall time against
// the least the limit allows: the first 50 requests may go at once and the next 50 only
// one window later, so ceil(100/50)-1 windows. Four pushers run at once, as a loop that
// pushes while the previous reply is on its way would. Run it with -benchtime=1x (about
// 10 s) on a machine that is otherwise idle: the bursts are CPU-bound on both sides.
func BenchmarkPush100k(b *testing.B) {
	const items, workers = 100_000, 4
	rate := connectors.Rate{Requests: 50, Per: 10 * time.Second}
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		s := trendyolsim.New(trendyolsim.Options{SellerID: seller, APIKey: apiKey, APISecret: apiSecret})
		batches := make([][]connectors.Item, 0, items/1000)
		var batch []connectors.Item
		for i := 0; i < items; i++ {
			bc := fmt.Sprintf("869%010d", i)
			if err := s.AddProduct(trendyolsim.Product{Barcode: bc, Quantity: 1, SalePrice: 10000, ListPrice: 12000}); err != nil {
				b.Fatal(err)
			}
			q := int64(2 + i%50)
			batch = append(batch, connectors.Item{SKU: "SKU-" + bc, Barcode: bc, Qty: &q})
			if len(batch) == 1000 {
				batches = append(batches, batch)
				batch = nil
			}
		}
		st := storeAt(s.URL)
		c, err := trendyol.New(&st, connectors.Deps{Log: zerolog.Nop()})
		if err != nil {
			b.Fatal(err)
		}
		work := make(chan []connectors.Item, len(batches))
		for _, bt := range batches {
			work <- bt
		}
		close(work)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		pending := 0
		b.StartTimer()
		start := time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for bt := range work {
					out, err := c.Push(context.Background(), bt)
					mu.Lock()
					if err != nil && firstErr == nil {
						firstErr = err
					}
					for _, o := range out {
						if o.Status == connectors.Pending {
							pending++
						}
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		stats := s.Stats().Endpoints["price-and-inventory"]
		s.Close()
		if firstErr != nil {
			b.Fatal(firstErr)
		}
		wantReq := int(math.Ceil(items / 1000.0))
		if stats.Requests != wantReq || pending != items {
			b.Fatalf("%d requests (want %d), %d items pending (want %d)", stats.Requests, wantReq, pending, items)
		}
		if stats.RateLimited != 0 || stats.MaxInWindow > rate.Requests {
			b.Fatalf("%d answers of 429, %d requests in one window (limit %d)", stats.RateLimited, stats.MaxInWindow, rate.Requests)
		}
		minimum := time.Duration(int(math.Ceil(float64(wantReq)/float64(rate.Requests)))-1) * rate.Per
		ratio := elapsed.Seconds() / minimum.Seconds()
		b.ReportMetric(float64(stats.Requests), "requests")
		b.ReportMetric(float64(stats.RateLimited), "429s")
		b.ReportMetric(float64(stats.MaxInWindow), "max-per-10s")
		b.ReportMetric(elapsed.Seconds(), "wall-s")
		b.ReportMetric(minimum.Seconds(), "min-s")
		b.ReportMetric(ratio, "ratio")
		b.ReportMetric(float64(items)/elapsed.Seconds(), "items/s")
		b.Logf("100k items: %d requests, %d × 429, wall %v, minimum %v (ratio %.3f; pacer margin %v)",
			stats.Requests, stats.RateLimited, elapsed.Round(time.Millisecond), minimum, ratio, httpx.Margin(rate.Per))
		if ratio > 1.1 {
			b.Errorf("wall time %v is more than 1.1 × the %v the rate limit allows", elapsed, minimum)
		}
	}
}

// BenchmarkPush1000 measures the connector's own cost of one 1000-item push (checks,
// encoding, the exchange) against a server that answers at once, so the simulator's
// share of BenchmarkPush100k can be told apart.
func BenchmarkPush1000(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"batchRequestId":"b"}`)
	}))
	defer srv.Close()
	st := storeAt(srv.URL)
	st.Limits = connectors.Limits{Requests: 1 << 30, Per: time.Second}
	c, err := trendyol.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	items := make([]connectors.Item, 1000)
	for i := range items {
		q, p, l := int64(i%70), money.Kurus(10000+i), money.Kurus(12000+i)
		items[i] = connectors.Item{SKU: fmt.Sprintf("SKU-%d", i), Barcode: fmt.Sprintf("869%010d", i), Qty: &q, Price: &p, ListPrice: &l}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := c.Push(context.Background(), items); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "items/s")
}
