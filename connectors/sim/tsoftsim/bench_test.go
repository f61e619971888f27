package tsoftsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkUpdateProduct measures one single-object product/updateProducts over HTTP,
// the write every default-mode push makes per product.
func BenchmarkUpdateProduct(b *testing.B) {
	s := New(Options{User: testUser, Password: testPass, RateLimit: -1})
	defer s.Close()
	for i := 0; i < 1000; i++ {
		if _, err := s.AddProduct(Product{Code: fmt.Sprintf("TS-%04d", i), Stock: 1, SellingPrice: 100}); err != nil {
			b.Fatal(err)
		}
	}
	resp, err := http.Post(s.URL+"/rest1/auth/login/"+testUser, "application/x-www-form-urlencoded", strings.NewReader("pass="+testPass))
	if err != nil {
		b.Fatal(err)
	}
	var login struct {
		Data []struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	if err != nil || len(login.Data) != 1 {
		b.Fatal("login", err)
	}
	token := login.Data[0].Token
	bodies := make([]string, 1000)
	for i := range bodies {
		bodies[i] = url.Values{"token": {token}, "data": {fmt.Sprintf(`{"ProductCode":"TS-%04d","Stock":%d,"SellingPrice":149.90}`, i, i)}}.Encode()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		resp, err := http.Post(s.URL+"/rest1/product/updateProducts", "application/x-www-form-urlencoded", strings.NewReader(bodies[n%1000]))
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
