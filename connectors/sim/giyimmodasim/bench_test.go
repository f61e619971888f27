package giyimmodasim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// BenchmarkBulkUpdate100 measures one 100-item bulk update over HTTP.
func BenchmarkBulkUpdate100(b *testing.B) {
	s := New(Options{APIKey: "k", APISecret: "s", PerMinute: -1})
	defer s.Close()
	items := make([]map[string]any, 100)
	for i := range items {
		p, _ := s.AddProduct(Product{Stock: 1, UnitPrice: 100})
		items[i] = map[string]any{"id": p.ID, "current_stock": i, "unit_price": 12.5}
	}
	body, _ := json.Marshal(map[string]any{"products": items})
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		req, _ := http.NewRequest("POST", s.URL+"/api/seller/products/bulk-update", bytes.NewReader(body))
		req.Header.Set("X-API-Key", "k")
		req.Header.Set("X-API-Secret", "s")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "items/s")
}
