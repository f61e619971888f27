package httpx

import (
	"context"
	"strings"
	"testing"
	"time"

	"syncagent/connectors"
)

// BenchmarkPacerWait is the pacer's cost per request when the budget allows it at once.
func BenchmarkPacerWait(b *testing.B) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 1 << 20, Per: time.Minute}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		done, err := p.Wait(ctx, "push")
		if err != nil {
			b.Fatal(err)
		}
		done()
	}
}

// BenchmarkRedactBody is the cost of hiding secrets in a body for a debug line, paid only
// when debug logging is on.
func BenchmarkRedactBody(b *testing.B) {
	r := NewRedactor("tySECRET-canary-94ae1c", "tyKEY-canary-0b6d2f")
	items := strings.Repeat(`{"barcode":"8690000000001","quantity":5,"salePrice":112.85},`, 1000)
	for _, c := range []struct{ name, body string }{
		{"items-60KiB", `{"items":[` + items + `{}]}`},
		{"token-4KiB", `{"access_token":"abc",` + items[:4000] + `"x":1}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				_ = r.Body([]byte(c.body), maxLog)
			}
		})
	}
}

// BenchmarkPacerWaitDailyQuota is the cost per request with a full daily window of
// 10 000 (PazarSync Temel) beside the per-minute one.
func BenchmarkPacerWaitDailyQuota(b *testing.B) {
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: time.Minute}, nil)
	p.SetQuota(connectors.Rate{Requests: 10000, Per: 24 * time.Hour})
	ctx := context.Background()
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		fc.Advance(8700 * time.Millisecond) // 9 931 a day: the window stays all but full
		done, err := p.Wait(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		done()
	}
}
