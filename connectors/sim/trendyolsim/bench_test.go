package trendyolsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

// BenchmarkPriceInventory1000 measures the simulator's cost per 1000-item request
// (parse, validate, store, finish, read back), so agent benchmarks can tell the
// simulator's share from the connector's.
func BenchmarkPriceInventory1000(b *testing.B) {
	clock := simkit.NewFakeClock(time.Time{})
	s := New(Options{SellerID: seller, APIKey: "k", APISecret: "s", Clock: clock, PerWindow: -1,
		PerMinute: map[string]int{GroupInventoryWrite: -1}, ResultDelay: time.Nanosecond})
	defer s.Close()
	for i := 0; i < 1000; i++ {
		_ = s.AddProduct(Product{Barcode: bc(i), Quantity: 1, SalePrice: 100, ListPrice: 200})
	}
	bodies := make([][]byte, 0, 64)
	for v := 0; v < 64; v++ {
		items := make([]item, 1000)
		for i := range items {
			items[i] = item{"barcode": bc(i), "quantity": v + i%7}
		}
		j, _ := json.Marshal(priceBody(items...))
		bodies = append(bodies, j)
	}
	url := s.URL + "/integration" + invPath
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if n%64 == 0 {
			clock.Advance(16 * time.Minute) // each body may be sent again
		}
		req, _ := http.NewRequest("POST", url, bytes.NewReader(bodies[n%64]))
		req.Header.Set("User-Agent", seller+" - Bench")
		req.SetBasicAuth("k", "s")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(fmt.Sprint(err, resp))
		}
		resp.Body.Close()
	}
	s.CompleteBatches()
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "items/s")
}
