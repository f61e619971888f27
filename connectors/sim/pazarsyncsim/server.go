// Package pazarsyncsim is an in-process PazarSync REST API: OAuth2 client-credentials
// tokens, products, synchronous batch stock updates with per-item failures, orders, and
// X-RateLimit-* headers on every reply, as in shared/marketplaces/pazarsync.md. Its URL
// stands for https://api.pazarsync.com. There is no price endpoint, as in the seed.
package pazarsyncsim

import (
	"net/http"
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
	simkit.Default(&o.Clock, simkit.RealClock())
	simkit.Default(&o.ExpiresIn, time.Hour)
	simkit.Default(&o.PerMinute, 60)
	simkit.Default(&o.PerDay, 10000)
	simkit.Default(&o.MaxBatch, 100)
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
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: time.Minute, Routes: s.routes(),
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

func (s *Server) routes() []simkit.Route {
	return []simkit.Route{
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
}
