package pazarsyncsim

import (
	"strconv"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestTokenEndpoint(t *testing.T) {
	_, _, c := newSim(t, Options{ExpiresIn: 10 * time.Minute})
	c.raw("POST", "/api/auth/token", "application/x-www-form-urlencoded",
		[]byte("client_id=cid&client_secret=csecret&grant_type=client_credentials")).want(t, 400)
	c.do("POST", "/api/auth/token", map[string]string{"client_id": "cid", "client_secret": "csecret", "grant_type": "password"}).want(t, 400)
	a := c.do("POST", "/api/auth/token", map[string]string{"client_id": "cid", "client_secret": "bad", "grant_type": "client_credentials"}).want(t, 401)
	if a.body["error"] != "invalid_client" {
		t.Fatalf("bad credentials body %s", a.raw)
	}
	a = c.do("POST", "/api/auth/token", map[string]string{"client_id": "cid", "client_secret": "csecret", "grant_type": "client_credentials"}).want(t, 200)
	if a.body["token_type"] != "bearer" || a.body["expires_in"] != float64(600) || a.body["access_token"] == "" {
		t.Fatalf("token reply %s", a.raw)
	}
}

func TestBearerLifecycle(t *testing.T) {
	s, clock, c := newSim(t, Options{ExpiresIn: time.Hour})
	c.do("GET", "/api/v1/products", nil).want(t, 401)
	c.token = "eyJ.forged.token"
	if a := c.do("GET", "/api/v1/products", nil).want(t, 401); a.body["error"] != "invalid_token" {
		t.Fatalf("401 body %s", a.raw)
	}
	c.login()
	c.do("GET", "/api/v1/products", nil).want(t, 200)
	clock.Advance(time.Hour - time.Second)
	c.do("GET", "/api/v1/products", nil).want(t, 200)
	clock.Advance(time.Second)
	c.do("GET", "/api/v1/products", nil).want(t, 401)
	// TokenExpiry: tokens die early although expires_in still says an hour.
	s.SetFaults(simkit.Faults{TokenExpiry: 5 * time.Minute})
	c.login()
	clock.Advance(5 * time.Minute)
	c.do("GET", "/api/v1/products", nil).want(t, 401)
	s.SetFaults(simkit.Faults{})
	c.login()
	s.RevokeTokens()
	c.do("GET", "/api/v1/products", nil).want(t, 401)
	c.login()
	c.do("GET", "/api/v1/products", nil).want(t, 200)
}

func TestRateLimitHeaders(t *testing.T) {
	_, clock, c := newSim(t, Options{PerMinute: 5})
	start := clock.Now()
	c.login() // the token call counts too: 1 of 5
	for i := 0; i < 4; i++ {
		a := c.do("GET", "/api/v1/products", nil).want(t, 200)
		if a.header.Get("X-RateLimit-Limit") != "5" || a.header.Get("X-RateLimit-Remaining") != strconv.Itoa(3-i) {
			t.Fatalf("call %d headers %v", i, a.header)
		}
		reset, _ := strconv.ParseInt(a.header.Get("X-RateLimit-Reset"), 10, 64)
		if reset != start.Add(time.Minute).Unix() {
			t.Fatalf("reset %d, want epoch seconds when the oldest counted call leaves the window", reset)
		}
		clock.Advance(time.Second)
	}
	a := c.do("GET", "/api/v1/products", nil).want(t, 429)
	if a.header.Get("X-RateLimit-Remaining") != "0" || a.header.Get("Retry-After") != "56" || a.body["error"] != "rate_limit_exceeded" {
		t.Fatalf("429: %v %s", a.header, a.raw)
	}
	// Unauthenticated replies carry the headers too.
	anon := &client{t: t, base: c.base}
	if a := anon.do("GET", "/api/v1/products", nil).want(t, 401); a.header.Get("X-RateLimit-Limit") == "" {
		t.Fatal("401 without rate-limit headers")
	}
	clock.Advance(56 * time.Second)
	c.do("GET", "/api/v1/products", nil).want(t, 200)

	_, clock2, d := newSim(t, Options{PerMinute: -1, PerDay: 3, NoRetryAfter: true})
	d.login()
	d.do("GET", "/api/v1/products", nil).want(t, 200)
	d.do("GET", "/api/v1/products", nil).want(t, 200)
	if a := d.do("GET", "/api/v1/products", nil).want(t, 429); a.header.Get("Retry-After") != "" {
		t.Fatal("NoRetryAfter ignored")
	}
	clock2.Advance(24 * time.Hour)
	d.login()
	d.do("GET", "/api/v1/products", nil).want(t, 200)
}
