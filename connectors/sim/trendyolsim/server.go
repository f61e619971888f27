// Package trendyolsim is an in-process Trendyol Marketplace API: stock/price updates with
// asynchronous batch results, the approved-products read-back and shipment-package
// orders, enforcing the limits of shared/marketplaces/trendyol.md. Its base URL plus
// "/integration" stands for https://apigw.trendyol.com/integration.
package trendyolsim

import (
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"syncagent/connectors/sim/simkit"
)

// Rate-limit groups of the per-minute tier budgets (TD/docs/1-servis-limitleri).
const (
	GroupInventoryWrite = "inventory-write" // price-and-inventory
	GroupProductRead    = "product-read"    // batch results, approved products
	GroupOrdersRead     = "orders-read"     // getShipmentPackages in all three forms
	GroupPackageUpdate  = "package-update"  // updatePackage
	GroupUnsupplied     = "unsupplied"      // cancel package items
)

// PendingStyle is how a batch result shows items that are still being processed; the
// reference only says "without final state", so a connector should pass with each.
type PendingStyle string

const (
	PendingOmitStatus PendingStyle = "omit"        // items listed, no status field (default)
	PendingInProgress PendingStyle = "in-progress" // items listed with status IN_PROGRESS
	PendingNoItems    PendingStyle = "empty"       // items: [] until the batch is done
)

// Options configure a simulator. Zero values take the documented defaults.
type Options struct {
	SellerID, APIKey, APISecret string
	Addr                        string       // listen address; default 127.0.0.1 on a free port
	Clock                       simkit.Clock // default the wall clock

	Window    time.Duration  // per-endpoint rate window (10 s)
	PerWindow int            // requests per endpoint per Window (50)
	PerMinute map[string]int // per-minute budget by group; missing groups take the lowest tier, negative: unlimited

	MaxItems              int           // items per price-and-inventory request (1000)
	MaxStock              int64         // largest quantity (20000)
	PriceChangesPerMinute int           // price updates per barcode per minute (30)
	DuplicateWindow       time.Duration // identical body refused for (15 min)
	DuplicateStatus       int           // status of that refusal (400; UNCONFIRMED)
	SyncValidation        bool          // listPrice<salePrice, quantity>MaxStock: 400 for the request instead of item FAILED
	ResultDelay           time.Duration // time until a batch's items get their final state (1 s)
	ResultTTL             time.Duration // batch results answer 404 after this (4 h)
	Pending               PendingStyle  // how unfinished items look (omit)
	StoreFronts           []string      // accepted storeFrontCode header values (TR)

	ClampOversize   bool          // oversize size/range/barcode lists are clamped instead of answered 400
	OrdersRetired   bool          // GET .../orders answers 426 (switchable with SetOrdersRetired)
	OrderLookback   time.Duration // v2/orders sees packages modified this recently (30 days)
	StreamMaxRange  time.Duration // orders/stream date range limit (14 days)
	StreamRetention time.Duration // orders/stream sees packages modified this recently (90 days)
	OrderDateOffset time.Duration // orderDate is epoch ms shifted by this (3 h: "GMT+3" per the docs)
}

var defaultPerMinute = map[string]int{ // the lowest listing tier
	GroupInventoryWrite: 350, GroupProductRead: 1000, GroupOrdersRead: 30,
	GroupPackageUpdate: 300, GroupUnsupplied: 100,
}

func (o *Options) defaults() {
	simkit.Default(&o.Clock, simkit.RealClock())
	simkit.Default(&o.Window, 10*time.Second)
	simkit.Default(&o.PerWindow, 50)
	simkit.Default(&o.MaxItems, 1000)
	simkit.Default(&o.MaxStock, 20000)
	simkit.Default(&o.PriceChangesPerMinute, 30)
	simkit.Default(&o.DuplicateWindow, 15*time.Minute)
	simkit.Default(&o.DuplicateStatus, http.StatusBadRequest)
	simkit.Default(&o.ResultDelay, time.Second)
	simkit.Default(&o.ResultTTL, 4*time.Hour)
	simkit.Default(&o.Pending, PendingOmitStatus)
	if len(o.StoreFronts) == 0 {
		o.StoreFronts = []string{"TR"}
	}
	simkit.Default(&o.OrderLookback, 30*24*time.Hour)
	simkit.Default(&o.StreamMaxRange, 14*24*time.Hour)
	simkit.Default(&o.StreamRetention, 90*24*time.Hour)
	simkit.Default(&o.OrderDateOffset, 3*time.Hour)
	pm := map[string]int{}
	for g, n := range defaultPerMinute {
		pm[g] = n
	}
	for g, n := range o.PerMinute {
		pm[g] = n
	}
	o.PerMinute = pm
}

// Server is a running Trendyol simulator. The embedded Sim gives it URL (the API lives
// under URL + "/integration"), Close, SetFaults, Faults, Stats (MaxInWindow over the
// 10 s rate window) and ResetStats.
type Server struct {
	*simkit.Sim

	opt    Options
	window *simkit.Limiter            // per seller and endpoint
	tiers  map[string]*simkit.Limiter // per seller, by rate-limit group
	rate   simkit.RateHeaders         // none: the documented 429 has no Retry-After and no rate-limit headers
	auth   string

	mu      sync.Mutex
	st      state
	retired bool
}

// New starts a simulator; it panics only when no loopback port can be had.
func New(opt Options) *Server { return simkit.Must(Start(opt)) }

// Start is New returning the listen error.
func Start(opt Options) (*Server, error) {
	opt.defaults()
	s := &Server{
		opt:     opt,
		window:  simkit.NewLimiter(opt.PerWindow, opt.Window),
		tiers:   map[string]*simkit.Limiter{},
		auth:    "Basic " + base64.StdEncoding.EncodeToString([]byte(opt.APIKey+":"+opt.APISecret)),
		retired: opt.OrdersRetired,
	}
	for g, n := range opt.PerMinute {
		s.tiers[g] = simkit.NewLimiter(n, time.Minute)
	}
	s.st.init(opt.Clock.Now())
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: opt.Window, Routes: s.routes(),
		Gate: s.gate,
		ErrorBodyFor: func(c *simkit.Call, status int, msg string) any {
			return errorBody(c.R.URL.Path, errKey(status), msg)
		},
	})
	if err != nil {
		return nil, err
	}
	s.Sim = sim
	return s, nil
}

func (s *Server) routes() []simkit.Route {
	const inv = "/integration/inventory/sellers/{sellerId}"
	const prod = "/integration/product/sellers/{sellerId}/products"
	const ord = "/integration/order/sellers/{sellerId}"
	return []simkit.Route{
		{Method: "POST", Pattern: inv + "/products/price-and-inventory", Endpoint: "price-and-inventory", Group: GroupInventoryWrite, Handle: s.handlePriceInventory},
		{Method: "GET", Pattern: prod + "/batch-requests/{batchRequestId}", Endpoint: "batch-requests", Group: GroupProductRead, Handle: s.handleBatchResult},
		{Method: "GET", Pattern: prod + "/approved/inventory-and-price", Endpoint: "approved-inventory", Group: GroupProductRead, Handle: s.handleApproved},
		{Method: "GET", Pattern: ord + "/orders", Endpoint: "orders", Group: GroupOrdersRead, Handle: s.handleOrdersV1},
		{Method: "GET", Pattern: ord + "/v2/orders", Endpoint: "orders-v2", Group: GroupOrdersRead, Handle: s.handleOrdersV2},
		{Method: "GET", Pattern: ord + "/orders/stream", Endpoint: "orders-stream", Group: GroupOrdersRead, Handle: s.handleStream},
		{Method: "PUT", Pattern: ord + "/shipment-packages/{packageId}", Endpoint: "update-package", Group: GroupPackageUpdate, Handle: s.handleUpdatePackage},
		{Method: "PUT", Pattern: ord + "/shipment-packages/{packageId}/items/unsupplied", Endpoint: "unsupplied", Group: GroupUnsupplied, Handle: s.handleUnsupplied},
	}
}
