// Package tsoftsim is an in-process T-Soft shop web service ("REST1"), as
// shared/marketplaces/tsoft.md describes it from third-party clients: a per-shop host
// with /rest1/{controller}/{method} paths, form POSTs only with the token in a form
// field and structured input as a JSON string in the field "data"; login of a
// web-service user with a token that expires; the shop's licence, per-method
// permissions and IP allow list; products and sub-products read and updated by code;
// orders by date window; refusals as HTTP 200 with success:false and Turkish words, and
// now and then the shop's PHP error page instead of JSON. Its URL stands for
// https://{shop}/ (the connector's settings.host).
//
// Everything the reference leaves unconfirmed is an option here, with the reading the
// connector's defaults take as the default.
package tsoftsim

import (
	"sync"
	"time"

	"syncagent/connectors/sim/simkit"
)

// Options configure a simulator. Zero values take the defaults.
type Options struct {
	User, Password string       // the web-service user
	Addr           string       // listen address; default 127.0.0.1 on a free port
	Clock          simkit.Clock // default the wall clock

	// TokenTTL is a token's life, announced in expirationTime and enforced (1 h).
	TokenTTL time.Duration
	// Expiration is how expirationTime is written: "dmy" ("d-m-Y H:i:s" in Turkey time,
	// the verified client's reading; default), "epoch" (seconds) or "none".
	Expiration string
	// Methods are the methods ("product/updateProducts") the web-service user may call;
	// nil: all. Login is always allowed. SetMethods changes them while running.
	Methods []string
	// AllowIPs is the shop's IP restriction for the web service; nil: none.
	AllowIPs []string
	// Licence: "on" (default); "off-404": every /rest1 path is the shop's 404 page;
	// "off-message": every call is refused with success:false.
	Licence string
	// RateLimit requests per RateWindow for the whole shop (2 per 1 s, the pace third
	// parties keep; T-Soft documents none); negative: unlimited.
	RateLimit  int
	RateWindow time.Duration
	// Throttle is how a request over the limit is answered: "429" (default, with
	// Retry-After) or "message" (HTTP 200, success:false, "Çok fazla istek…").
	Throttle string
	// MaxLimit is the most rows a list returns (500); ClampLimit clamps a larger limit
	// instead of refusing it.
	MaxLimit   int
	ClampLimit bool
	// ArrayUpdates: product/updateProducts takes a JSON array in data as well as an
	// object; false (default): an array is refused.
	ArrayUpdates bool
	// NoSubProductWrites leaves subProduct/updateSubProducts out (its existence is
	// assumed); reading sub-products works either way.
	NoSubProductWrites bool
	// Numbers is how numbers are written: "comma" (default, as in the order sample:
	// ids and counts as strings, amounts as strings with a decimal comma, timestamps
	// as numbers), "dot" (the same with a decimal point) or "json" (JSON numbers).
	Numbers string
	// Details is how an order row carries its lines: "array" (default), "string" (a
	// JSON string holding the array) or "wrapped" ({"OrderDetail": […]}).
	Details string
	// Statuses are the shop's order status texts by id; default a usual set, with 9
	// İptal Edildi and 10 İade Edildi as T-Soft fixes them.
	Statuses map[int]string
}

func (o *Options) defaults() {
	simkit.Default(&o.Clock, simkit.RealClock())
	simkit.Default(&o.TokenTTL, time.Hour)
	simkit.Default(&o.Expiration, "dmy")
	simkit.Default(&o.Licence, "on")
	simkit.Default(&o.RateLimit, 2)
	simkit.Default(&o.RateWindow, time.Second)
	simkit.Default(&o.Throttle, "429")
	simkit.Default(&o.MaxLimit, 500)
	simkit.Default(&o.Numbers, "comma")
	simkit.Default(&o.Details, "array")
	if o.Statuses == nil {
		o.Statuses = DefaultStatuses()
	}
}

// Order status ids of the default set.
const (
	StatusApproval  = 1  // Onay Bekliyor
	StatusPayment   = 2  // Ödeme Bekliyor
	StatusApproved  = 3  // Onaylandı
	StatusPreparing = 4  // Hazırlanıyor
	StatusShipped   = 5  // Kargoya Verildi
	StatusDelivered = 6  // Teslim Edildi
	StatusCancelled = 9  // İptal Edildi (fixed by T-Soft)
	StatusReturned  = 10 // İade Edildi (fixed by T-Soft)
)

// DefaultStatuses are the status texts of a usual shop.
func DefaultStatuses() map[int]string {
	return map[int]string{
		StatusApproval: "Onay Bekliyor", StatusPayment: "Ödeme Bekliyor", StatusApproved: "Onaylandı",
		StatusPreparing: "Hazırlanıyor", StatusShipped: "Kargoya Verildi", StatusDelivered: "Teslim Edildi",
		StatusCancelled: "İptal Edildi", StatusReturned: "İade Edildi",
	}
}

// Server is a running T-Soft simulator. The embedded Sim gives it URL, Close,
// SetFaults, Faults and Now; Stats and ResetStats are its own (a success:false reply
// counts as a client error whatever its HTTP status).
type Server struct {
	*simkit.Sim

	opt    Options
	limit  *simkit.Limiter
	tokens *simkit.Tokens

	mu      sync.Mutex
	st      state
	gates   gates          // licence, permissions, IP list: changed by hooks
	html    htmlInjector   // the PHP error page fault
	refused map[string]int // success:false answers by endpoint
}

// New starts a simulator; it panics only when no loopback port can be had.
func New(opt Options) *Server { return simkit.Must(Start(opt)) }

// Start is New returning the listen error.
func Start(opt Options) (*Server, error) {
	opt.defaults()
	s := &Server{
		opt:   opt,
		limit: simkit.NewLimiter(opt.RateLimit, opt.RateWindow),
		// T-Soft's tokens look like PHP session ids.
		tokens:  simkit.NewTokens(opt.TokenTTL, func(int) string { return simkit.RandomHex(13) }),
		refused: map[string]int{},
	}
	s.gates = gates{licence: opt.Licence, ips: opt.AllowIPs, methods: opt.Methods}
	s.st.init()
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: opt.RateWindow, Routes: s.routes(),
		Gate:      s.gate,
		ErrorBody: func(_ int, msg string) any { return failBody(msg) },
		// Only POST exists; another method on a known path looks like no path at all.
		NotAllowed: 404,
	})
	if err != nil {
		return nil, err
	}
	s.Sim = sim
	return s, nil
}

func (s *Server) routes() []simkit.Route {
	r := []simkit.Route{
		{Method: "POST", Pattern: "/rest1/auth/login/{user}", Endpoint: "login", Handle: s.handleLogin},
		{Method: "POST", Pattern: "/rest1/product/get", Endpoint: "product-get", Handle: s.handleProductGet},
		{Method: "POST", Pattern: "/rest1/product/updateProducts", Endpoint: "update-products", Handle: s.handleUpdateProducts},
		{Method: "POST", Pattern: "/rest1/subProduct/getSubProducts", Endpoint: "subproduct-get", Handle: s.handleSubProducts},
		{Method: "POST", Pattern: "/rest1/order/get", Endpoint: "order-get", Handle: s.handleOrderGet},
		{Method: "POST", Pattern: "/rest1/order2/getOrders", Endpoint: "order2-get", Handle: s.handleOrder2},
	}
	if !s.opt.NoSubProductWrites {
		r = append(r, simkit.Route{Method: "POST", Pattern: "/rest1/subProduct/updateSubProducts", Endpoint: "update-subproducts", Handle: s.handleUpdateSubProducts})
	}
	for i := range r {
		r[i].Handle = s.html.wrap(r[i].Endpoint, r[i].Handle)
	}
	return r
}
