// Package ideasoftsim is an in-process IdeaSoft (Ideashop) Admin API of one shop, as in
// shared/marketplaces/ideasoft.md: the panel's one-time consent page and the OAuth2
// token endpoint (authorization code, then refresh tokens that rotate: the old one dies
// at once), bearer tokens with scopes, products with variants as child products and one
// PUT per product, orders listed by sinceId and creation date (no updated-at filter), a
// per-app request budget answered with 429, and the faults the reference lists (500 after
// a PUT was applied, token endpoint failures through simkit.Faults). Its URL stands for
// https://{magaza}.myideasoft.com: the Admin API is under /admin-api, the consent page is
// /panel/auth and the token endpoint /oauth/v2/token.
package ideasoftsim

import (
	"net/http"
	"sync"
	"time"

	"syncagent/connectors/sim/simkit"
)

// Options configure a simulator. Zero values take the defaults given in the comments;
// where the reference says UNCONFIRMED the option is a switch.
type Options struct {
	ClientID, ClientSecret string       // the API app of the panel (Entegrasyonlar › API)
	Addr                   string       // listen address; default 127.0.0.1 on a free port
	Clock                  simkit.Clock // default the wall clock

	// RedirectURI is the redirect URI registered with the app
	// (http://127.0.0.1:53682/callback); the consent page refuses any other.
	RedirectURI string
	// LoopbackAnyPort lets a loopback redirect URI (127.0.0.1, localhost) differ from the
	// registered one in its port only, as RFC 8252 §7.3 asks (false: exact match;
	// whether IdeaSoft does either is UNCONFIRMED).
	LoopbackAnyPort bool
	// Scopes granted to the app (product_read product_update order_read order_update);
	// a call needing another is answered 403.
	Scopes []string

	CodeTTL    time.Duration // authorization code lifetime (30 s)
	AccessTTL  time.Duration // access token lifetime, announced and enforced (24 h)
	RefreshTTL time.Duration // refresh token lifetime (60 days)
	// RevokeAccessOnRefresh: a refresh also kills the access tokens issued before it
	// (false: they live out their time; UNCONFIRMED).
	RevokeAccessOnRefresh bool

	PerMinute    int  // /admin-api requests per app per minute (120; negative: unlimited); the real figure is UNCONFIRMED
	NoRetryAfter bool // leave Retry-After out of 429s
	LimitStatus  int  // the answer to limit > 100 on a list: 400 (default) or 422
	// PartialPut is what a PUT with only some of the Product's required fields does:
	// "merge" (default: the fields sent change, the rest stay) or "reject" (422 listing
	// the missing required fields). UNCONFIRMED.
	PartialPut string

	// Webhooks (/admin-api/client_webhooks) are delivered when a test calls
	// DeliverWebhooks, signed with X-Ideashop-Hmac-Sha256; the agent itself uses none.
	WebhookClient      *http.Client  // sends deliveries (default: a 10 s timeout, the receiver's limit)
	WebhookAttempts    int           // attempts of one delivery before it is given up (3)
	WebhookRetryGap    time.Duration // simulator time between attempts (1 min)
	WebhookRemoveAfter int           // deliveries given up in a row before the subscription is removed (3)
}

// DefaultRedirectURI is the redirect URI the simulator's app is registered with.
const DefaultRedirectURI = "http://127.0.0.1:53682/callback"

// AllScopes are the scopes an app with read-write access to products and orders has.
var AllScopes = []string{"product_read", "product_update", "order_read", "order_update"}

func (o *Options) defaults() {
	simkit.Default(&o.Clock, simkit.RealClock())
	simkit.Default(&o.RedirectURI, DefaultRedirectURI)
	simkit.Default(&o.CodeTTL, 30*time.Second)
	simkit.Default(&o.AccessTTL, 24*time.Hour)
	simkit.Default(&o.RefreshTTL, 60*24*time.Hour)
	simkit.Default(&o.PerMinute, 120)
	simkit.Default(&o.LimitStatus, http.StatusBadRequest)
	simkit.Default(&o.PartialPut, "merge")
	simkit.Default(&o.WebhookClient, &http.Client{Timeout: 10 * time.Second})
	simkit.Default(&o.WebhookAttempts, 3)
	simkit.Default(&o.WebhookRetryGap, time.Minute)
	simkit.Default(&o.WebhookRemoveAfter, 3)
	if o.Scopes == nil {
		o.Scopes = AllScopes
	}
}

// Server is a running IdeaSoft simulator. The embedded Sim gives it URL, Close,
// SetFaults, Faults, Stats (MaxInWindow over one minute), ResetStats and Now.
type Server struct {
	*simkit.Sim

	opt    Options
	limit  *simkit.Limiter // per app
	rate   simkit.RateHeaders
	access *simkit.Tokens

	mu sync.Mutex
	st state
}

// New starts a simulator; it panics only when no loopback port can be had.
func New(opt Options) *Server { return simkit.Must(Start(opt)) }

// Start is New returning the listen error.
func Start(opt Options) (*Server, error) {
	opt.defaults()
	s := &Server{
		opt:   opt,
		limit: simkit.NewLimiter(opt.PerMinute, time.Minute),
		rate:  simkit.RateHeaders{RetryAfter: !opt.NoRetryAfter},
		access: simkit.NewTokens(opt.AccessTTL, func(int) string {
			return "ist_at_" + simkit.RandomHex(24)
		}),
	}
	s.st.init()
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: time.Minute, Routes: s.routes(),
		Gate:      s.gate,
		ErrorBody: func(status int, msg string) any { return errBody(status, msg) },
	})
	if err != nil {
		return nil, err
	}
	s.Sim = sim
	return s, nil
}

func (s *Server) routes() []simkit.Route {
	return []simkit.Route{
		{Method: "GET", Pattern: "/panel/auth", Endpoint: "consent", Handle: s.handleConsentPage},
		{Method: "POST", Pattern: "/panel/auth", Endpoint: "consent", Handle: s.handleConsent},
		{Method: "POST", Pattern: "/oauth/v2/token", Endpoint: "token", Handle: s.handleToken},
		{Method: "GET", Pattern: "/admin-api/products", Endpoint: "products", Group: "product_read", Handle: s.handleListProducts},
		{Method: "GET", Pattern: "/admin-api/products/count", Endpoint: "products-count", Group: "product_read", Handle: s.handleCountProducts},
		{Method: "GET", Pattern: "/admin-api/products/{id}", Endpoint: "product", Group: "product_read", Handle: s.handleGetProduct},
		{Method: "PUT", Pattern: "/admin-api/products/{id}", Endpoint: "product-update", Group: "product_update", Handle: s.handleUpdateProduct},
		{Method: "GET", Pattern: "/admin-api/orders", Endpoint: "orders", Group: "order_read", Handle: s.handleListOrders},
		{Method: "GET", Pattern: "/admin-api/orders/{id}", Endpoint: "order", Group: "order_read", Handle: s.handleGetOrder},
		{Method: "GET", Pattern: "/admin-api/client_webhooks", Endpoint: "webhooks", Handle: s.handleListWebhooks},
		{Method: "POST", Pattern: "/admin-api/client_webhooks", Endpoint: "webhooks", Handle: s.handleAddWebhook},
		{Method: "DELETE", Pattern: "/admin-api/client_webhooks/{id}", Endpoint: "webhook", Handle: s.handleDeleteWebhook},
	}
}
