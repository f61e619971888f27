// Package pazarsyncsim is an in-process PazarSync REST API: OAuth2 client-credentials
// tokens, products, synchronous batch stock updates with per-item failures, orders, and
// X-RateLimit-* headers on every reply, as in shared/marketplaces/pazarsync.md. Its URL
// stands for https://api.pazarsync.com. There is no price endpoint, as in the seed.
package pazarsyncsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"syncagent/connectors/sim/simkit"
)

// Options configure a simulator. Zero values take the documented defaults (Temel plan).
type Options struct {
	ClientID, ClientSecret string
	Addr                   string       // listen address; default 127.0.0.1 on a free port
	Clock                  simkit.Clock // default the wall clock

	ExpiresIn    time.Duration // token lifetime announced and enforced (3600 s)
	PerMinute    int           // requests per client per minute (60); negative: unlimited
	PerDay       int           // requests per client per day (10 000); negative: unlimited
	NoRetryAfter bool          // leave Retry-After out of 429s (it is assumed, not documented)
	MaxBatch     int           // items per stocks/batch request (100)
	ClampLimit   bool          // limit > 100 is clamped instead of answered 400
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = simkit.RealClock()
	}
	if o.ExpiresIn == 0 {
		o.ExpiresIn = time.Hour
	}
	if o.PerMinute == 0 {
		o.PerMinute = 60
	}
	if o.PerDay == 0 {
		o.PerDay = 10000
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = 100
	}
}

// Server is a running PazarSync simulator. The embedded Sim gives it URL, Close,
// SetFaults, Faults, Stats (MaxInWindow over one minute) and ResetStats.
type Server struct {
	*simkit.Sim

	opt    Options
	minute *simkit.Limiter // per client, as is day
	day    *simkit.Limiter
	rate   simkit.RateHeaders
	tokens *simkit.Tokens

	mu sync.Mutex
	st state
}

// New starts a simulator; it panics only when no loopback port can be had.
func New(opt Options) *Server { return simkit.Must(Start(opt)) }

// Start is New returning the listen error.
func Start(opt Options) (*Server, error) {
	opt.defaults()
	s := &Server{
		opt:    opt,
		minute: simkit.NewLimiter(opt.PerMinute, time.Minute),
		day:    simkit.NewLimiter(opt.PerDay, 24*time.Hour),
		rate:   simkit.RateHeaders{Limit: true, Reset: true, RetryAfter: !opt.NoRetryAfter},
		// A JWT-looking opaque string: a client must not parse it.
		tokens: simkit.NewTokens(opt.ExpiresIn, func(int) string {
			return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + simkit.RandomHex(24) + "." + simkit.RandomHex(16)
		}),
	}
	s.st.init()
	routes := []simkit.Route{
		{Method: "POST", Pattern: "/api/auth/token", Endpoint: "token", Handle: s.handleToken},
		{Method: "GET", Pattern: "/api/v1/products", Endpoint: "products", Handle: s.handleListProducts},
		{Method: "POST", Pattern: "/api/v1/products", Endpoint: "create-product", Handle: s.handleCreateProduct},
		{Method: "GET", Pattern: "/api/v1/products/{id}", Endpoint: "product", Handle: s.handleGetProduct},
		{Method: "PUT", Pattern: "/api/v1/products/{id}/stock", Endpoint: "product-stock", Handle: s.handleProductStock},
		{Method: "PATCH", Pattern: "/api/v1/products/{id}/stock", Endpoint: "product-stock", Handle: s.handleProductStock},
		{Method: "POST", Pattern: "/api/v1/stocks/batch", Endpoint: "stocks-batch", Handle: s.handleStockBatch},
		{Method: "GET", Pattern: "/api/v1/orders", Endpoint: "orders", Handle: s.handleListOrders},
		{Method: "GET", Pattern: "/api/v1/orders/{id}", Endpoint: "order", Handle: s.handleGetOrder},
	}
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: time.Minute, Routes: routes,
		Gate:      s.gate,
		ErrorBody: func(status int, msg string) any { return errBody(errCode(status), msg) },
		// A missing endpoint must look missing: PATCH /api/v1/products/{id} (a price
		// update) answers 404 like any path PazarSync does not have.
		NotAllowed: http.StatusNotFound,
	})
	if err != nil {
		return nil, err
	}
	s.Sim = sim
	return s, nil
}

// RevokeTokens invalidates every issued token at once, as a credential rotation in the
// PazarSync panel would: the next call of a connector mid-sync gets 401.
func (s *Server) RevokeTokens() { s.tokens.RevokeAll() }

func errBody(code, msg string) map[string]any { return map[string]any{"error": code, "message": msg} }

func errCode(status int) string {
	switch status {
	case 400:
		return "bad_request"
	case 401:
		return "unauthorized"
	case 404:
		return "not_found"
	case 413:
		return "payload_too_large"
	case 422:
		return "validation_failed"
	case 429:
		return "rate_limit_exceeded"
	}
	if status >= 500 {
		return "server_error"
	}
	return "error"
}

func fail(status int, msg string) simkit.Reply {
	return simkit.JSON(status, errBody(errCode(status), msg))
}

// gate authenticates (/api/v1 by bearer token, the token endpoint by the client id in
// its body) and counts the request against that client's minute and day budgets.
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	key := "anonymous"
	var unauthorized *simkit.Reply
	if c.Endpoint == "token" {
		var body struct {
			ClientID string `json:"client_id"`
		}
		if json.Unmarshal(c.Body, &body) == nil && body.ClientID == s.opt.ClientID {
			key = body.ClientID
		}
	} else {
		client, err := s.tokens.Bearer(c)
		if err != nil {
			r := fail(http.StatusUnauthorized, err.Error())
			r.Body.(map[string]any)["error"] = "invalid_token"
			r.Header = http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
			unauthorized = &r
		} else {
			key = client
			c.Principal = client
		}
	}
	d := simkit.Spend(c.Now, simkit.Budget{Limiter: s.minute, Key: key}, simkit.Budget{Limiter: s.day, Key: key})
	if r := s.rate.Answer(c, d, errBody(errCode(429), "rate limit exceeded for your plan")); r != nil {
		return r
	}
	return unauthorized
}

// handleToken serves POST /api/auth/token: a JSON body (not a form) with the client
// credentials; bad ones get 401 {"error":"invalid_client"}.
func (s *Server) handleToken(c *simkit.Call) simkit.Reply {
	if ct := c.R.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return simkit.JSON(http.StatusBadRequest, errBody("invalid_request", "Content-Type must be application/json"))
	}
	var req struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		GrantType    string `json:"grant_type"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return simkit.JSON(http.StatusBadRequest, errBody("invalid_request", "request body is not valid JSON"))
	}
	if req.GrantType != "client_credentials" {
		return simkit.JSON(http.StatusBadRequest, errBody("unsupported_grant_type", "grant_type must be client_credentials"))
	}
	if req.ClientID != s.opt.ClientID || req.ClientSecret != s.opt.ClientSecret || req.ClientID == "" {
		return simkit.JSON(http.StatusUnauthorized, errBody("invalid_client", "client authentication failed"))
	}
	tok := s.tokens.Issue(c, req.ClientID)
	return simkit.JSON(http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "bearer", "expires_in": int64(s.opt.ExpiresIn / time.Second),
	})
}
