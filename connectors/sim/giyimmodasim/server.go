// Package giyimmodasim is an in-process Giyim Moda seller API (a Laravel backend):
// X-API-Key/X-API-Secret auth, success/message/data envelopes, paged product and order
// lists, the synchronous partial-success bulk update, order status, cancel and invoice
// upload, as in shared/marketplaces/giyimmoda.md. Its URL stands for
// https://www.giyimmoda.com.tr; every path starts with /api/seller.
package giyimmodasim

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"syncagent/connectors/sim/simkit"
)

// Options configure a simulator. Zero values take the defaults below.
type Options struct {
	APIKey, APISecret string
	SellerID          int64  // the seller the credentials belong to (10)
	Email, Password   string // enables the assumed POST /api/seller/login bearer mode
	Addr              string // listen address; default 127.0.0.1 on a free port
	Clock             simkit.Clock

	PerMinute      int    // requests per credential per minute (600); negative: unlimited
	RateHeaders    bool   // send Laravel's X-RateLimit-Limit/Remaining (and Retry-After on 429); the real headers are unknown
	MaxBulk        int    // items per bulk update (100, assumed)
	BulkUpdatePath string // the bulk update's path (POST /api/seller/products/bulk-update, assumed)
	StrictBulk     bool   // a malformed item fails the whole bulk update with 422, as a Laravel validator would
	ForeignStatus  int    // status for another seller's order (404; or 403)

	// The order detail's shape is not documented; these switch the simulator between
	// the readings a connector must survive.
	AddressObject bool   // shipping_address as a JSON object; default a string holding JSON, as the platform stores it
	UnitLinePrice bool   // order_details price and tax per unit; default per line (unit × quantity), as the platform writes them
	LinesKey      string // the key the detail's lines come under ("order_details"); "-" leaves them out
}

func (o *Options) defaults() {
	simkit.Default(&o.Clock, simkit.RealClock())
	simkit.Default(&o.SellerID, 10)
	simkit.Default(&o.PerMinute, 600)
	simkit.Default(&o.MaxBulk, 100)
	simkit.Default(&o.BulkUpdatePath, "/api/seller/products/bulk-update")
	simkit.Default(&o.ForeignStatus, http.StatusNotFound)
	simkit.Default(&o.LinesKey, "order_details")
}

// Server is a running Giyim Moda simulator. The embedded Sim gives it URL, Close,
// SetFaults, Faults, Stats (MaxInWindow over one minute) and ResetStats.
type Server struct {
	*simkit.Sim

	opt     Options
	limiter *simkit.Limiter // per credential
	rate    simkit.RateHeaders
	tokens  *simkit.Tokens // login tokens: Sanctum's "<id>|<random>", no expiry of their own

	mu sync.Mutex
	st state
}

// New starts a simulator; it panics only when no loopback port can be had.
func New(opt Options) *Server { return simkit.Must(Start(opt)) }

// Start is New returning the listen error.
func Start(opt Options) (*Server, error) {
	opt.defaults()
	s := &Server{
		opt:     opt,
		limiter: simkit.NewLimiter(opt.PerMinute, time.Minute),
		rate:    simkit.RateHeaders{Limit: opt.RateHeaders, RetryAfter: opt.RateHeaders},
		tokens:  simkit.NewTokens(0, func(n int) string { return strconv.Itoa(n) + "|" + simkit.RandomHex(20) }),
	}
	s.st.init()
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: time.Minute, Routes: s.routes(),
		Gate:      s.gate,
		ErrorBody: func(_ int, msg string) any { return failBody(msg, nil) },
	})
	if err != nil {
		return nil, err
	}
	s.Sim = sim
	return s, nil
}

func (s *Server) routes() []simkit.Route {
	const base = "/api/seller"
	return []simkit.Route{
		{Method: "POST", Pattern: base + "/login", Endpoint: "login", Handle: s.handleLogin},
		{Method: "GET", Pattern: base + "/profile", Endpoint: "profile", Handle: s.handleProfile},
		{Method: "GET", Pattern: base + "/shop", Endpoint: "shop", Handle: s.handleProfile},
		{Method: "GET", Pattern: base + "/products", Endpoint: "products", Handle: s.handleListProducts},
		{Method: "POST", Pattern: s.opt.BulkUpdatePath, Endpoint: "bulk-update", Handle: s.handleBulkUpdate},
		{Method: "GET", Pattern: base + "/orders", Endpoint: "orders", Handle: s.handleListOrders},
		{Method: "GET", Pattern: base + "/orders/{id}", Endpoint: "order", Handle: s.handleGetOrder},
		{Method: "PUT", Pattern: base + "/orders/{id}/status", Endpoint: "order-status", Handle: s.handleOrderStatus},
		{Method: "POST", Pattern: base + "/orders/{id}/cancel", Endpoint: "order-cancel", Handle: s.handleCancel},
		{Method: "POST", Pattern: base + "/orders/{id}/upload-invoice", Endpoint: "upload-invoice", Handle: s.handleInvoice},
	}
}
