package httpx

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestParseRateInfo(t *testing.T) {
	server := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	date := server.Format(http.TimeFormat)
	cases := []struct {
		name   string
		h      map[string]string
		check  func(RateInfo) bool
		expect string
	}{
		{"retry-after seconds", map[string]string{"Retry-After": "7"},
			func(r RateInfo) bool { return r.HasRetryAfter && r.RetryAfter == 7*time.Second }, "7s"},
		{"retry-after zero is now", map[string]string{"Retry-After": "0"},
			func(r RateInfo) bool { return r.HasRetryAfter && r.RetryAfter == 0 && r.RetryAfterWasPastOrEmpty }, "0, past"},
		{"retry-after date against Date", map[string]string{"Date": date, "Retry-After": server.Add(90 * time.Second).Format(http.TimeFormat)},
			func(r RateInfo) bool { return r.RetryAfter == 90*time.Second }, "90s"},
		{"retry-after date in the past", map[string]string{"Date": date, "Retry-After": server.Add(-time.Hour).Format(http.TimeFormat)},
			func(r RateInfo) bool { return r.HasRetryAfter && r.RetryAfter == 0 && r.RetryAfterWasPastOrEmpty }, "0, past"},
		{"retry-after garbage ignored", map[string]string{"Retry-After": "soon"},
			func(r RateInfo) bool { return !r.HasRetryAfter }, "absent"},
		{"retry-after negative ignored", map[string]string{"Retry-After": "-5"},
			func(r RateInfo) bool { return !r.HasRetryAfter }, "absent"},
		{"reset as epoch seconds", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(server.Add(42*time.Second).Unix(), 10)},
			func(r RateInfo) bool { return r.HasReset && r.Reset == 42*time.Second }, "42s"},
		{"reset as epoch milliseconds", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(server.Add(1500*time.Millisecond).UnixMilli(), 10)},
			func(r RateInfo) bool { return r.Reset == 1500*time.Millisecond }, "1.5s"},
		{"reset as seconds from now", map[string]string{"X-RateLimit-Reset": "30"},
			func(r RateInfo) bool { return r.HasReset && r.Reset == 30*time.Second }, "30s"},
		{"reset in the past", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(server.Add(-10*time.Second).Unix(), 10)},
			func(r RateInfo) bool { return r.HasReset && r.Reset == 0 }, "0"},
		{"absurd reset is clamped", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(server.Add(400*24*time.Hour).Unix(), 10)},
			func(r RateInfo) bool { return r.Reset == maxHeaderWait }, "25h"},
		{"limit and remaining", map[string]string{"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0"},
			func(r RateInfo) bool { return r.HasLimit && r.Limit == 60 && r.HasRemaining && r.Remaining == 0 }, "60/0"},
		{"draft header names and lists", map[string]string{"RateLimit-Limit": "100, 100;w=60", "RateLimit-Remaining": "3", "RateLimit-Reset": "12"},
			func(r RateInfo) bool { return r.Limit == 100 && r.Remaining == 3 && r.Reset == 12*time.Second }, "100/3/12s"},
		{"negative remaining is zero", map[string]string{"X-RateLimit-Remaining": "-2"},
			func(r RateInfo) bool { return r.HasRemaining && r.Remaining == 0 }, "0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range c.h {
				h.Set(k, v)
			}
			now := server
			if d := ServerDate(h); !d.IsZero() {
				now = d
			}
			if got := ParseRateInfo(h, now); !c.check(got) {
				t.Fatalf("got %+v, want %s", got, c.expect)
			}
		})
	}
}

func TestServerDate(t *testing.T) {
	h := http.Header{"Date": {"Thu, 01 Oct 2026 09:00:05 GMT"}}
	if got := ServerDate(h); !got.Equal(time.Date(2026, 10, 1, 9, 0, 5, 0, time.UTC)) {
		t.Fatalf("ServerDate = %v", got)
	}
	if !ServerDate(http.Header{"Date": {"yesterday"}}).IsZero() || !ServerDate(http.Header{}).IsZero() {
		t.Fatal("an unreadable or missing Date must give the zero time")
	}
}
