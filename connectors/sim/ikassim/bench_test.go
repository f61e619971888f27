package ikassim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"syncagent/connectors/money"
)

// BenchmarkSaveVariantStocks500 measures one 500-entry stock call over HTTP, document
// validation included.
func BenchmarkSaveVariantStocks500(b *testing.B) {
	s := New(Options{ClientID: "c", ClientSecret: "s", PerWindow: -1, NoBans: true})
	defer s.Close()
	loc := s.Locations()[0].ID
	inputs := make([]any, 500)
	for i := range inputs {
		p, _ := s.AddProduct(Product{Variants: []Variant{{SKU: fmt.Sprint(i), Prices: []Price{{Sell: money.Kurus(100)}}, Stock: map[string]float64{loc: 1}}}})
		inputs[i] = map[string]any{"productId": p.ID, "variantId": p.Variants[0].ID, "stockLocationId": loc, "stockCount": i}
	}
	body, _ := json.Marshal(map[string]any{"query": stocksQ, "variables": map[string]any{"i": map[string]any{"stockInputs": inputs}}})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}, "client_secret": {"s"}}
	resp, err := http.Post(s.URL+"/api/admin/oauth/token", "application/x-www-form-urlencoded", bytes.NewReader([]byte(form.Encode())))
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
		req, _ := http.NewRequest("POST", s.URL+"/api/v2/admin/graphql", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "items/s")
}
