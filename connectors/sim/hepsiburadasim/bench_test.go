package hepsiburadasim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

// BenchmarkInventoryUpload4000 measures the simulator's cost of one 4000-row inventory
// upload (parse, store, finish on the next read, read the result), so the agent's
// benchmark can tell the simulator's share from the connector's.
func BenchmarkInventoryUpload4000(b *testing.B) {
	clock := simkit.NewFakeClock(time.Time{})
	s := New(Options{MerchantID: merchant, ServiceKey: key, Integrator: integ, Clock: clock, PerMinute: -1, ProcessingDelay: time.Second})
	defer s.Close()
	rows := make([]row, 4000)
	for i := range rows {
		if _, err := s.AddListing(Listing{MerchantSku: sku(i), Stock: 1, Price: 1000}); err != nil {
			b.Fatal(err)
		}
		rows[i] = row{"merchantSku": sku(i), "availableStock": i % 50, "price": 10 + float64(i%7)}
	}
	body, _ := json.Marshal(rows)
	send := func(method, path string, body []byte) map[string]any {
		req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
		req.Header.Set("User-Agent", integ)
		req.SetBasicAuth(merchant, key)
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
		id := send("POST", lst+"/inventory-uploads", body)["id"].(string)
		clock.Advance(time.Second)
		if r := send("GET", lst+"/inventory-uploads/id/"+id, nil); r["status"] != StatusDone {
			b.Fatalf("status %v", r["status"])
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}
