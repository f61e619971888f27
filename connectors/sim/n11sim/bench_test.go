package n11sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

// BenchmarkPriceStock1000 measures the simulator's cost per 1000-item task (parse,
// validate, queue, process, read the details back), so agent benchmarks can tell the
// simulator's share from the connector's.
func BenchmarkPriceStock1000(b *testing.B) {
	clock := simkit.NewFakeClock(time.Time{})
	s := New(Options{AppKey: "k", AppSecret: "s", Clock: clock, GlobalPerMinute: -1, TaskDelay: time.Nanosecond})
	defer s.Close()
	for i := 0; i < 1000; i++ {
		_ = s.AddProduct(Product{StockCode: sku(i), Quantity: 1, SalePrice: 100, ListPrice: 200})
	}
	items := make([]item, 1000)
	for i := range items {
		items[i] = item{"stockCode": sku(i), "quantity": i % 7, "listPrice": 12.50, "salePrice": 9.90, "currencyType": "TL"}
	}
	body, _ := json.Marshal(taskBodyOf(items...))
	post := func(path string, body []byte) map[string]any {
		req, _ := http.NewRequest("POST", s.URL+path, bytes.NewReader(body))
		req.Header.Set("appkey", "k")
		req.Header.Set("appsecret", "s")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		id := post(pathPrice, body)["id"]
		clock.Advance(time.Millisecond)
		d, _ := json.Marshal(details(id, 0, 1000))
		if st := post(pathDetails, d)["status"]; st != "PROCESSED" {
			b.Fatalf("task %v: %v", id, st)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "items/s")
}
