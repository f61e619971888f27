package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateInfo is what one reply says about the rate limit. Waits are measured from the
// moment the reply was received; dates in headers are compared with the reply's own Date
// header, so a PC whose clock is off by minutes still waits the right time.
type RateInfo struct {
	Limit, Remaining         int
	HasLimit, HasRemaining   bool
	Reset                    time.Duration // until the server's window resets
	HasReset                 bool
	RetryAfter               time.Duration
	HasRetryAfter            bool
	RetryAfterWasPastOrEmpty bool // a Retry-After date in the past: retry now
}

// maxHeaderWait bounds any wait read from a header: a day quota resets within a day, and
// a larger figure is a misread (a millisecond epoch taken for seconds, a clock gone wild)
// that must not park a store for weeks.
const maxHeaderWait = 25 * time.Hour

// epochSeconds separates "seconds from now" from "Unix time in seconds": no rate window
// is 31 years long, and no Unix time of this century is below it.
const epochSeconds = 1_000_000_000

// ParseRateInfo reads Retry-After and the X-RateLimit-* (or draft RateLimit-*) headers.
// serverNow is the reply's Date header, or the local time of receipt when it has none.
func ParseRateInfo(h http.Header, serverNow time.Time) RateInfo {
	var ri RateInfo
	if v, ok := headerInt(h, "X-RateLimit-Limit", "RateLimit-Limit"); ok {
		ri.Limit, ri.HasLimit = int(v), true
	}
	if v, ok := headerInt(h, "X-RateLimit-Remaining", "RateLimit-Remaining"); ok {
		ri.Remaining, ri.HasRemaining = int(max(v, 0)), true
	}
	if raw := first(h, "X-RateLimit-Reset", "RateLimit-Reset"); raw != "" {
		if d, ok := parseReset(raw, serverNow); ok {
			ri.Reset, ri.HasReset = d, true
		}
	}
	if raw := strings.TrimSpace(h.Get("Retry-After")); raw != "" {
		if d, past, ok := parseRetryAfter(raw, serverNow); ok {
			ri.RetryAfter, ri.HasRetryAfter, ri.RetryAfterWasPastOrEmpty = d, true, past
		}
	}
	return ri
}

// ServerDate returns the reply's Date header, or zero when it is missing or unreadable.
func ServerDate(h http.Header) time.Time {
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	return t
}

func first(h http.Header, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(h.Get(n)); v != "" {
			return v
		}
	}
	return ""
}

func headerInt(h http.Header, names ...string) (int64, bool) {
	raw := first(h, names...)
	if raw == "" {
		return 0, false
	}
	// Some gateways send a list ("60, 60;w=60"); the first figure is the one in force.
	if i := strings.IndexAny(raw, ",;"); i >= 0 {
		raw = strings.TrimSpace(raw[:i])
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	return v, err == nil
}

// parseReset reads X-RateLimit-Reset as a Unix time (seconds, or milliseconds when it is
// that large), as seconds from now when it is small, or as an HTTP date.
func parseReset(raw string, serverNow time.Time) (time.Duration, bool) {
	if f, err := strconv.ParseFloat(raw, 64); err == nil {
		if f < 0 {
			return 0, false
		}
		var d time.Duration
		switch {
		case f >= 1000*epochSeconds:
			d = time.UnixMilli(int64(f)).Sub(serverNow)
		case f >= epochSeconds:
			d = time.Unix(int64(f), 0).Sub(serverNow)
		default:
			d = time.Duration(f * float64(time.Second))
		}
		return clampWait(d), true
	}
	if t, err := http.ParseTime(raw); err == nil {
		return clampWait(t.Sub(serverNow)), true
	}
	return 0, false
}

// parseRetryAfter reads delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date in the
// past means "now".
func parseRetryAfter(raw string, serverNow time.Time) (d time.Duration, past, ok bool) {
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		if n < 0 {
			return 0, false, false
		}
		return clampWait(time.Duration(n) * time.Second), n == 0, true
	}
	t, err := http.ParseTime(raw)
	if err != nil {
		return 0, false, false
	}
	d = t.Sub(serverNow)
	return clampWait(d), d <= 0, true
}

func clampWait(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return min(d, maxHeaderWait)
}
