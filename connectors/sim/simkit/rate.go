package simkit

import (
	"net/http"
	"strconv"
	"time"
)

// Budget is one limiter and the key a request spends from it (a seller, a client, a
// credential; Trendyol also a seller and endpoint).
type Budget struct {
	Limiter *Limiter
	Key     string
}

// Spend counts a request against each budget in turn and stops at the first that
// refuses, as a gateway checks its limits one after the other: a request refused by a
// later budget has still spent from the earlier ones. The answer carries the first
// budget's Limit, the one a marketplace's headers announce; its Remaining, Reset and
// RetryAfter come from the refusing budget, or from the first when all allowed.
func Spend(now time.Time, budgets ...Budget) Decision {
	var first Decision
	for i, b := range budgets {
		d := b.Limiter.Take(b.Key, now)
		if i == 0 {
			first = d
		}
		if !d.Allowed {
			d.Limit, d.Remaining = first.Limit, 0
			return d
		}
	}
	first.Allowed = true
	return first
}

// RateHeaders says which rate-limit headers a marketplace sends. The zero value sends
// none, as Trendyol's bare 429 does.
type RateHeaders struct {
	Limit      bool // X-RateLimit-Limit and X-RateLimit-Remaining on every reply the gate saw
	Reset      bool // with them X-RateLimit-Reset: epoch seconds, rounded up, when a request is allowed again
	RetryAfter bool // Retry-After on a 429: whole seconds, rounded up, at least 1
}

// Answer puts d's headers on the call's reply (whatever the reply turns out to be: a
// later 401 carries them too) and returns the 429 with body when d refused the
// request, nil when it was allowed. An unlimited decision gets no headers.
func (h RateHeaders) Answer(c *Call, d Decision, body any) *Reply {
	if d.Limit > 0 && h.Limit {
		c.Header.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
		c.Header.Set("X-RateLimit-Remaining", strconv.Itoa(max(d.Remaining, 0)))
		if h.Reset {
			c.Header.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(d.Reset), 10))
		}
	}
	if d.Allowed {
		return nil
	}
	r := JSON(http.StatusTooManyRequests, body)
	if h.RetryAfter {
		r.Header = http.Header{"Retry-After": {RetryAfterSeconds(d.RetryAfter)}}
	}
	return &r
}

func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// RetryAfterSeconds renders d as whole seconds, rounded up and at least 1: a client told
// "0" would retry at once into the same refusal.
func RetryAfterSeconds(d time.Duration) string {
	sec := int64((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return strconv.FormatInt(sec, 10)
}
