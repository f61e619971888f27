// Package hepsiburadasim is an in-process Hepsiburada Marketplace API, emulating what
// shared/marketplaces/hepsiburada.md ("What a faithful simulator must emulate") lists:
// the listing host (listings, inventory/stock/price uploads with their asynchronous
// results, price-band locks and bulk-unlock), the order host (OMS: the paid, unpaid,
// packed, cancelled, shipped, delivered and undelivered feeds with their paging and date
// quirks, order detail, pack/unpack/ship/deliver/cancel, invoice links) and the catalog
// ticket service for product information. Each host answers errors in its own shape and
// every answer carries an x-correlation-id.
//
// One server stands for all hosts: their paths do not overlap (/listings… on
// listing-external, /orders… /packages… /lineitems… on oms-external, /ticket-api… on
// mpop), so a connector's base_url replaces every host with the simulator's URL.
package hepsiburadasim

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"syncagent/connectors/sim/simkit"
)

// Options configure a simulator. Zero values take the documented defaults, or where the
// reference gives none, the assumption named in the comment.
type Options struct {
	// MerchantID is the Basic user and the path's merchant id; ServiceKey the password;
	// Integrator the only User-Agent accepted (any other: 401 even with good credentials).
	MerchantID, ServiceKey, Integrator string
	Addr                               string       // listen address; default 127.0.0.1 on a free port
	Clock                              simkit.Clock // default the wall clock

	PerMinute    int  // requests per minute per client IP, every host (180); negative: unlimited
	NoRetryAfter bool // 429s of the per-minute limit carry no Retry-After (it is optional)
	// OMSPerSecond, when set, adds the per-second limit the [OLD] changelog records for the
	// order host (1 000/s there), announced with X-RateLimit-Limit/-Remaining/-Reset on
	// every order-host answer (0: off).
	OMSPerSecond     int
	CatalogPerSecond int // mpop requests per second (100); over it: 403, as traps.md records

	MaxRows         int           // rows per upload (4 000)
	TooManyRows     int           // status of an upload above MaxRows (400)
	MaxPending      int           // uploads pending or processing per merchant (5); the next one: 200 with a message, no id
	ProcessingDelay time.Duration // an upload is Done this long after it arrived (60 s; the reference gives none)
	ProcessingPolls int           // when > 0: an upload is Done at its N-th status read instead
	ResultTTL       time.Duration // upload results answer 404 this long after the upload (24 h; UNCONFIRMED)
	MaxListingLimit int           // largest listing page `limit` (100; UNCONFIRMED); above it: 400

	FeedRetention time.Duration // cancelled/shipped/delivered/undelivered feeds show the last this long (30 days; assumed)
	TimespanHours bool          // /packages `timespan` counts hours ([ORD]); default minutes ([SDK])
	TicketDelay   time.Duration // a product-information ticket is done this long after it arrived (60 s)
	ClampLimits   bool          // an over-size `limit` on the OMS feeds is clamped instead of answered 400
}

func (o *Options) defaults() {
	simkit.Default(&o.Clock, simkit.RealClock())
	simkit.Default(&o.PerMinute, 180)
	simkit.Default(&o.CatalogPerSecond, 100)
	simkit.Default(&o.MaxRows, 4000)
	simkit.Default(&o.TooManyRows, http.StatusBadRequest)
	simkit.Default(&o.MaxPending, 5)
	simkit.Default(&o.ProcessingDelay, 60*time.Second)
	simkit.Default(&o.ResultTTL, 24*time.Hour)
	simkit.Default(&o.MaxListingLimit, 100)
	simkit.Default(&o.FeedRetention, 30*24*time.Hour)
	simkit.Default(&o.TicketDelay, 60*time.Second)
}

// Server is a running Hepsiburada simulator. The embedded Sim gives it URL, Close,
// SetFaults, Faults, Stats (MaxInWindow over one minute) and ResetStats.
type Server struct {
	*simkit.Sim

	opt     Options
	minute  *simkit.Limiter // per client IP, every host
	second  *simkit.Limiter // per client IP, order host (OMSPerSecond)
	catalog *simkit.Limiter // per client IP, mpop
	rate    simkit.RateHeaders
	burst   simkit.RateHeaders
	corr    atomic.Int64

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
		minute:  simkit.NewLimiter(opt.PerMinute, time.Minute),
		second:  simkit.NewLimiter(opt.OMSPerSecond, time.Second),
		catalog: simkit.NewLimiter(opt.CatalogPerSecond, time.Second),
		rate:    simkit.RateHeaders{RetryAfter: !opt.NoRetryAfter},
		burst:   simkit.RateHeaders{Limit: true, Reset: true},
	}
	s.st.init(opt.Clock.Now())
	sim, err := simkit.Start(simkit.Config{
		Addr: opt.Addr, Clock: opt.Clock, StatsWindow: time.Minute, Routes: s.routes(),
		Gate:      s.gate,
		ErrorBody: kitErrorBody,
		Stamp: func(h http.Header) {
			h.Set("X-Correlation-Id", "sim-"+strconv.FormatInt(s.corr.Add(1), 10)+"-"+simkit.RandomHex(6))
		},
	})
	if err != nil {
		return nil, err
	}
	s.Sim = sim
	return s, nil
}

// Endpoint (stats) names.
const (
	EpListings        = "listings"
	EpInventoryUpload = "inventory-uploads"
	EpStockUpload     = "stock-uploads"
	EpPriceUpload     = "price-uploads"
	EpInventoryResult = "inventory-upload-result"
	EpStockResult     = "stock-upload-result"
	EpPriceResult     = "price-upload-result"
	EpUnlock          = "bulk-unlock"
	EpOrders          = "orders"
	EpAwaiting        = "paymentawaiting"
	EpCancelled       = "cancelled"
	EpOrderDetail     = "order-detail"
	EpPackages        = "packages"
	EpPack            = "pack"
	EpUnpacked        = "unpacked"
	EpShipped         = "shipped"
	EpDelivered       = "delivered"
	EpUndelivered     = "undelivered"
	EpUnpack          = "unpack"
	EpInTransit       = "intransit"
	EpDeliver         = "deliver"
	EpUndeliver       = "undeliver"
	EpInvoice         = "invoice"
	EpCancelByMerch   = "cancelbymerchant"
	EpTicketImport    = "ticket-import"
	EpTicketStatus    = "ticket-status"
	epWrongCase       = "listing-path-case"
)

// Hosts, for the gate's rules and error shapes.
const (
	hostListing = "listing"
	hostOMS     = "oms"
	hostCatalog = "mpop"
)

func (s *Server) routes() []simkit.Route {
	const lst = "/listings/merchantid/{merchantId}"
	const ord = "/orders/merchantid/{merchantId}"
	const pkg = "/packages/merchantid/{merchantId}"
	const pn = pkg + "/packagenumber/{packageNumber}"
	const tk = "/ticket-api/api/integrator"
	return []simkit.Route{
		{Method: "GET", Pattern: lst, Endpoint: EpListings, Group: hostListing, Handle: s.handleListings},
		{Method: "POST", Pattern: lst + "/inventory-uploads", Endpoint: EpInventoryUpload, Group: hostListing, Handle: s.handleUpload(kindInventory)},
		{Method: "POST", Pattern: lst + "/stock-uploads", Endpoint: EpStockUpload, Group: hostListing, Handle: s.handleUpload(kindStock)},
		{Method: "POST", Pattern: lst + "/price-uploads", Endpoint: EpPriceUpload, Group: hostListing, Handle: s.handleUpload(kindPrice)},
		{Method: "GET", Pattern: lst + "/inventory-uploads/id/{id}", Endpoint: EpInventoryResult, Group: hostListing, Handle: s.handleUploadResult(kindInventory)},
		{Method: "GET", Pattern: lst + "/stock-uploads/id/{id}", Endpoint: EpStockResult, Group: hostListing, Handle: s.handleUploadResult(kindStock)},
		{Method: "GET", Pattern: lst + "/price-uploads/id/{id}", Endpoint: EpPriceResult, Group: hostListing, Handle: s.handleUploadResult(kindPrice)},
		{Method: "POST", Pattern: lst + "/bulk-unlock", Endpoint: EpUnlock, Group: hostListing, Handle: s.handleUnlock},
		// listing-external is strict about path casing: /merchantId/ is a 400.
		{Method: "GET", Pattern: "/listings/merchantId/{rest...}", Endpoint: epWrongCase, Group: hostListing, Handle: wrongCase},
		{Method: "POST", Pattern: "/listings/merchantId/{rest...}", Endpoint: epWrongCase, Group: hostListing, Handle: wrongCase},

		{Method: "GET", Pattern: ord, Endpoint: EpOrders, Group: hostOMS, Handle: s.handleOrders},
		{Method: "GET", Pattern: ord + "/paymentawaiting", Endpoint: EpAwaiting, Group: hostOMS, Handle: s.handleAwaiting},
		{Method: "GET", Pattern: ord + "/cancelled", Endpoint: EpCancelled, Group: hostOMS, Handle: s.handleCancelled},
		{Method: "GET", Pattern: ord + "/ordernumber/{orderNumber}", Endpoint: EpOrderDetail, Group: hostOMS, Handle: s.handleOrderDetail},
		{Method: "GET", Pattern: pkg, Endpoint: EpPackages, Group: hostOMS, Handle: s.handlePackages},
		{Method: "POST", Pattern: pkg, Endpoint: EpPack, Group: hostOMS, Handle: s.handlePack},
		{Method: "GET", Pattern: pkg + "/status/unpacked", Endpoint: EpUnpacked, Group: hostOMS, Handle: s.handleUnpacked},
		{Method: "GET", Pattern: pkg + "/shipped", Endpoint: EpShipped, Group: hostOMS, Handle: s.handleTracking(lineShipped)},
		{Method: "GET", Pattern: pkg + "/delivered", Endpoint: EpDelivered, Group: hostOMS, Handle: s.handleTracking(lineDelivered)},
		{Method: "GET", Pattern: pkg + "/undelivered", Endpoint: EpUndelivered, Group: hostOMS, Handle: s.handleTracking(lineUndelivered)},
		{Method: "POST", Pattern: pn + "/unpack", Endpoint: EpUnpack, Group: hostOMS, Handle: s.handleUnpack},
		{Method: "POST", Pattern: pn + "/intransit", Endpoint: EpInTransit, Group: hostOMS, Handle: s.handleMove(lineShipped)},
		{Method: "POST", Pattern: pn + "/deliver", Endpoint: EpDeliver, Group: hostOMS, Handle: s.handleMove(lineDelivered)},
		{Method: "POST", Pattern: pn + "/undeliver", Endpoint: EpUndeliver, Group: hostOMS, Handle: s.handleMove(lineUndelivered)},
		{Method: "PUT", Pattern: pn + "/invoice", Endpoint: EpInvoice, Group: hostOMS, Handle: s.handleInvoice},
		{Method: "POST", Pattern: "/lineitems/merchantid/{merchantId}/id/{lineId}/cancelbymerchant", Endpoint: EpCancelByMerch, Group: hostOMS, Handle: s.handleCancelByMerchant},

		{Method: "POST", Pattern: tk + "/import", Endpoint: EpTicketImport, Group: hostCatalog, Handle: s.handleTicketImport},
		{Method: "GET", Pattern: tk + "/status/{trackingId}", Endpoint: EpTicketStatus, Group: hostCatalog, Handle: s.handleTicketStatus},
	}
}
