package ideasoftsim

import (
	"strconv"
	"testing"
)

// BenchmarkProductUpdate measures the hot write path: one PUT of stock and price.
func BenchmarkProductUpdate(b *testing.B) {
	s := newSim(b, Options{PerMinute: -1})
	tk := s.login()
	var ids []int64
	for i := 0; i < 1000; i++ {
		p, err := s.AddProduct(Product{SKU: "B" + strconv.Itoa(i), Stock: Units(1), Price1: 100})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := s.call("PUT", "/admin-api/products/"+itoa64(ids[i%len(ids)]), "application/json",
			`{"stockAmount":`+strconv.Itoa(i%50)+`,"price1":149.90}`, tk.AccessToken)
		if r.status != 200 {
			b.Fatal(r.status)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
