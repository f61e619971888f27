// Package ikassim is an in-process ikas Admin API: the client-credentials token endpoint
// and the two GraphQL endpoints, v1 (legacy) and v2 (current), each of which parses and
// validates every document against its own SDL schema (schema_*.graphql, written from
// shared/marketplaces/ikas.md) with gqlparser, so a misspelt field or a v1 operation
// sent to v2 fails as the real server fails: HTTP 200 with GRAPHQL_VALIDATION_FAILED.
// Behind them: products with variants, prices that are replaced rather than merged,
// stock per stock location, orders with packages, scope checks, the 50 requests / 10 s
// limit and the error-ratio blocks. Its URL stands for both https://<store>.myikas.com
// (the token) and https://api.myikas.com (GraphQL).
package ikassim

import (
	"net/http"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"syncagent/connectors/sim/simkit"
)

// Scopes an app can be granted, as the permission screen groups them (Ürünler,
// Envanter, Siparişler; Görüntüleme = read_, Düzenleme = write_).
const (
	ReadProducts     = "read_products"
	WriteProducts    = "write_products"
	ReadInventories  = "read_inventories"
	WriteInventories = "write_inventories"
	ReadOrders       = "read_orders"
	WriteOrders      = "write_orders"
)

// AllScopes is what an app with every permission of the three groups is granted.
var AllScopes = []string{ReadProducts, WriteProducts, ReadInventories, WriteInventories, ReadOrders, WriteOrders}

// Options configure a simulator. Zero values take the documented defaults (or, where the
// reference says UNCONFIRMED, the assumption named in the comment).
type Options struct {
	ClientID, ClientSecret string
	StoreName              string       // the ikas store name (default "demo-store")
	Addr                   string       // listen address; default 127.0.0.1 on a free port
	Clock                  simkit.Clock // default the wall clock

	Scopes    []string      // granted to the app (default AllScopes)
	ExpiresIn time.Duration // token lifetime announced and enforced (4 h)
	// Status401: an expired or unknown token is answered 401 instead of the documented
	// 200 with errors[].extensions.code LOGIN_REQUIRED (an optional mode).
	Status401 bool

	PerWindow    int           // requests per app per Window (50); negative: unlimited
	Window       time.Duration // 10 s
	NoRetryAfter bool          // 429s without Retry-After (not documented either way)

	MaxLimit       int // pagination limit maximum (200)
	MaxPriceInputs int // variantPriceInputs per call (3000)
	MaxStockInputs int // stockInputs per call: UNCONFIRMED, assumed 500
	// AtomicWrites: a price or stock call with any failed input applies none of its
	// inputs (UNCONFIRMED; the default applies the others, partial success).
	AtomicWrites bool

	// Error-ratio blocks: more than BanRatio failed replies among the last BanWindow's
	// (at least BanMinRequests of them: UNCONFIRMED, assumed 20) blocks every GraphQL call
	// for BanFor with BanStatus (429 or 403). The 60 % rules apply as documented.
	BanWindow      time.Duration // 1 h
	BanRatio       float64       // 0.25
	BanMinRequests int           // 20
	BanFor         time.Duration // 1 h
	BanStatus      int           // 429
	NoBans         bool          // never block (benchmarks that inject nothing need no tally)

	// Locations are the store's stock locations (default one, "Ana Depo").
	Locations []Location
}

func (o *Options) defaults() {
	simkit.Default(&o.Clock, simkit.RealClock())
	simkit.Default(&o.StoreName, "demo-store")
	simkit.Default(&o.ExpiresIn, 4*time.Hour)
	simkit.Default(&o.PerWindow, 50)
	simkit.Default(&o.Window, 10*time.Second)
	simkit.Default(&o.MaxLimit, 200)
	simkit.Default(&o.MaxPriceInputs, 3000)
	simkit.Default(&o.MaxStockInputs, 500)
	simkit.Default(&o.BanWindow, time.Hour)
	simkit.Default(&o.BanRatio, 0.25)
	simkit.Default(&o.BanMinRequests, 20)
	simkit.Default(&o.BanFor, time.Hour)
	simkit.Default(&o.BanStatus, http.StatusTooManyRequests)
	if o.Scopes == nil {
		o.Scopes = AllScopes
	}
	if len(o.Locations) == 0 {
		o.Locations = []Location{{ID: "a0d19a13-7603-4d75-9ed7-dc414b1df8df", Name: "Ana Depo"}}
	}
}

// Server is a running ikas simulator. The embedded Sim gives it URL, Close, SetFaults,
// Faults, Stats (by operation name, MaxInWindow over 10 s) and ResetStats.
type Server struct {
	*simkit.Sim

	opt    Options
	limit  *simkit.Limiter
	rate   simkit.RateHeaders
	tokens *simkit.Tokens
	ban    *banTally
	schema map[string]*ast.Schema // by version, "v1" and "v2"

	mu     sync.Mutex
	st     state
	scopes []string // granted now (SetScopes)
}

// New starts a simulator; it panics only when no loopback port can be had.
func New(opt Options) *Server { return simkit.Must(Start(opt)) }

// Start is New returning the listen error.
func Start(opt Options) (*Server, error) {
	opt.defaults()
	s := &Server{
		opt:    opt,
		limit:  simkit.NewLimiter(opt.PerWindow, opt.Window),
		rate:   simkit.RateHeaders{RetryAfter: !opt.NoRetryAfter},
		tokens: simkit.NewTokens(opt.ExpiresIn, func(int) string { return "eyJhbGciOiJSUzI1NiJ9." + simkit.RandomHex(24) + "." + simkit.RandomHex(16) }),
		ban:    newBanTally(opt),
		schema: schemas(),
		scopes: append([]string(nil), opt.Scopes...),
	}
	s.st.init(opt.Locations)
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: opt.Window, Routes: s.routes(),
		Gate:      s.gate,
		ErrorBody: func(status int, msg string) any { return errorsBody(gqlErr(codeOf(status), msg)) },
		Answered:  s.answered,
	})
	if err != nil {
		return nil, err
	}
	s.Sim = sim
	return s, nil
}

func (s *Server) routes() []simkit.Route {
	return []simkit.Route{
		{Method: "POST", Pattern: "/api/admin/oauth/token", Endpoint: "token", Handle: s.handleToken},
		{Method: "POST", Pattern: "/api/v1/admin/graphql", Endpoint: "graphql-v1", Operation: operationName, Handle: s.graphql("v1")},
		{Method: "POST", Pattern: "/api/v2/admin/graphql", Endpoint: "graphql-v2", Operation: operationName, Handle: s.graphql("v2")},
	}
}
