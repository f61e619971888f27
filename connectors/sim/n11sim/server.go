// Package n11sim is an in-process n11 REST API (shared/marketplaces/n11.md, "What a
// faithful simulator must emulate"): appkey/appsecret headers refused per path family,
// the asynchronous product tasks (price-stock-update, product-update) with a queue delay
// and paged task details with injected per-SKU failures, the seller's product list,
// shipmentPackages with its clamping, single-status filter and GMT+3 epoch dates, order
// line acceptance, the documented 1000 requests a minute on shipmentPackages beside a
// global limit, and both over-limit answers (429, or a 200 with an empty page). Its URL
// stands for https://api.n11.com.
package n11sim

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"syncagent/connectors/sim/simkit"
)

// Rule is how the simulator answers a request that breaks a rule.
type Rule string

const (
	// RuleReject answers HTTP 200 with the task's status REJECT and the reasons.
	RuleReject Rule = "reject"
	// RuleError answers HTTP 400 with a Spring error body.
	RuleError Rule = "error"
	// RuleFail accepts the task and fails the item (per-SKU FAIL) when it is processed.
	RuleFail Rule = "fail"
)

// OverLimit is what a request over a rate limit gets.
type OverLimit string

const (
	Over429       OverLimit = "429"   // HTTP 429 (with Retry-After when Options.RetryAfter)
	OverEmptyPage OverLimit = "empty" // reads get 200 with an empty page; writes still get 429
)

// SplitMode is what a package split leaves behind.
type SplitMode string

const (
	// SplitParentUnpacked: the split package turns Unpacked and the new packages keep
	// its status (n11.md §6).
	SplitParentUnpacked SplitMode = "parent-unpacked"
	// SplitChildrenUnpacked: the split package turns Cancelled and the new packages are
	// created Unpacked (n11's older support-centre page).
	SplitChildrenUnpacked SplitMode = "children-unpacked"
)

// Options configure a simulator. Zero values take the defaults in the comments.
type Options struct {
	AppKey, AppSecret string
	Addr              string       // listen address; default 127.0.0.1 on a free port
	Clock             simkit.Clock // default the wall clock

	MaxSKUs       int           // items per task (1000)
	TaskDelay     time.Duration // how long a task stays IN_QUEUE (30 s; the reference gives none)
	TaskPolls     int           // and at least this many task-details reads (0)
	TaskRetention time.Duration // details of a processed task answer an empty page after this (24 h, assumed)
	TaskPageMax   int           // items per task-details page at most; larger sizes are clamped (1000, assumed)
	WholeRules    Rule          // >MaxSKUs, no skus, no integrator: RuleReject (default) or RuleError
	ItemRules     Rule          // price pair, decimals, list ≥ sale, currency, quantity: RuleFail (default) or RuleReject
	MaxQuantity   int64         // largest quantity (999 999, product-create's cap; unconfirmed here); negative: none
	TitleUpdates  bool          // product-update changes titles (unconfirmed; default: an item with a title FAILs)

	QueryMax int // product-query page size at most; more is a 500 (250)

	OrdersMax     int           // shipmentPackages page size; more is clamped (100)
	OrderWindow   time.Duration // date ranges are clamped to this (15 days)
	DateOffset    time.Duration // epoch ms are of this wall clock (3 h: "GMT+3")
	UTCDates      bool          // epoch ms are true instants (DateOffset ignored)
	FilterCreated bool          // startDate/endDate filter the creation date even with orderByField=true
	SplitMode     SplitMode     // SplitParentUnpacked (default) or SplitChildrenUnpacked

	RestAuth403 bool // /rest wrong credentials: 403 text/plain (measured 2026-10-08) instead of 400 JSON

	OrdersPerMinute int       // shipmentPackages per account (1000, documented); negative: unlimited
	GlobalPerMinute int       // every call per account (1000, assumed); negative: unlimited
	OverLimit       OverLimit // Over429 (default) or OverEmptyPage
	RetryAfter      bool      // 429s carry Retry-After (none was ever seen from n11)
}

func (o *Options) defaults() {
	simkit.Default(&o.Clock, simkit.RealClock())
	simkit.Default(&o.MaxSKUs, 1000)
	simkit.Default(&o.TaskDelay, 30*time.Second)
	simkit.Default(&o.TaskRetention, 24*time.Hour)
	simkit.Default(&o.TaskPageMax, 1000)
	simkit.Default(&o.WholeRules, RuleReject)
	simkit.Default(&o.ItemRules, RuleFail)
	simkit.Default(&o.MaxQuantity, 999_999)
	simkit.Default(&o.QueryMax, 250)
	simkit.Default(&o.OrdersMax, 100)
	simkit.Default(&o.OrderWindow, 15*24*time.Hour)
	simkit.Default(&o.DateOffset, 3*time.Hour)
	if o.UTCDates {
		o.DateOffset = 0
	}
	simkit.Default(&o.SplitMode, SplitParentUnpacked)
	simkit.Default(&o.OrdersPerMinute, 1000)
	simkit.Default(&o.GlobalPerMinute, 1000)
	simkit.Default(&o.OverLimit, Over429)
}

// Server is a running n11 simulator. The embedded Sim gives it URL, Close, SetFaults,
// Faults, Stats (MaxInWindow over one minute) and ResetStats.
type Server struct {
	*simkit.Sim

	opt       Options
	global    *simkit.Limiter // per appkey, every call
	orders    *simkit.Limiter // per appkey, shipmentPackages
	rate      simkit.RateHeaders
	throttled atomic.Int64 // over-limit answers given as an empty 200 page

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
		global: simkit.NewLimiter(opt.GlobalPerMinute, time.Minute),
		orders: simkit.NewLimiter(opt.OrdersPerMinute, time.Minute),
		rate:   simkit.RateHeaders{RetryAfter: opt.RetryAfter},
	}
	s.st.init(opt.Clock.Now())
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: time.Minute, Routes: s.routes(),
		Gate: s.gate,
		// The kit's own errors (storm 429, injected 5xx, …) in each path family's shape.
		ErrorBodyFor: func(c *simkit.Call, status int, msg string) any {
			if family(c.R.URL.Path) == "rest" {
				return restError(status, "SELLER_API."+strings.TrimSuffix(springName(status), "Exception"), msg)
			}
			return springError(springName(status), msg, "")
		},
	})
	if err != nil {
		return nil, err
	}
	s.Sim = sim
	return s, nil
}

func (s *Server) routes() []simkit.Route {
	routes := []simkit.Route{
		{Method: "GET", Pattern: "/ms/product-query", Endpoint: "product-query", Handle: s.handleProductQuery},
		{Method: "POST", Pattern: "/ms/product/tasks/price-stock-update", Endpoint: "price-stock-update", Handle: s.handlePriceStock},
		{Method: "POST", Pattern: "/ms/product/tasks/product-update", Endpoint: "product-update", Handle: s.handleProductUpdate},
		{Method: "POST", Pattern: "/ms/product/task-details/page-query", Endpoint: "task-details", Handle: s.handleTaskDetails},
		{Method: "GET", Pattern: "/rest/delivery/v1/shipmentPackages", Endpoint: "shipment-packages", Handle: s.handleShipmentPackages},
		{Method: "PUT", Pattern: "/rest/order/v1/update", Endpoint: "order-update", Handle: s.handleOrderUpdate},
		{Method: "GET", Pattern: "/cdn/categories", Endpoint: "categories", Handle: s.handleCategories},
	}
	// Any other path under n11's families answers 503 with an HTML page, as prod does.
	for _, p := range []string{"/ms/", "/rest/", "/cdn/"} {
		for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH"} {
			routes = append(routes, simkit.Route{Method: m, Pattern: p, Endpoint: "unknown", Handle: unknownPath})
		}
	}
	return routes
}

// Throttled is how many over-limit requests were answered with an empty 200 page
// (OverEmptyPage); 429 answers are in Stats as RateLimited.
func (s *Server) Throttled() int64 { return s.throttled.Load() }
