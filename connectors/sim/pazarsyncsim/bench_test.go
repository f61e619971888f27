package pazarsyncsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkStocksBatch100 measures one full 100-item batch stock update over HTTP.
func BenchmarkStocksBatch100(b *testing.B) {
	s := New(Options{ClientID: "c", ClientSecret: "s", PerMinute: -1, PerDay: -1})
	defer s.Close()
	items := make([]map[string]any, 100)
	for i := range items {
		sku := fmt.Sprintf("SKU-%03d", i)
		_, _ = s.AddProduct(Product{SKU: sku, Stock: 1, Price: 100})
		items[i] = map[string]any{"sku": sku, "stock": i}
	}
	body, _ := json.Marshal(map[string]any{"items": items})
	tb, _ := json.Marshal(map[string]string{"client_id": "c", "client_secret": "s", "grant_type": "client_credentials"})
	resp, err := http.Post(s.URL+"/api/auth/token", "application/json", bytes.NewReader(tb))
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/stocks/batch", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "items/s")
}
