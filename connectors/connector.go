// Package connectors defines what a marketplace connector is, the registry that builds
// one from a store's config, and (in sub-packages) the shared HTTP layer, the conformance
// suite and one package per marketplace.
//
// A connector classifies; the agent decides. A connector speaks one marketplace's API for
// one store: it never sleeps and retries beyond one HTTP exchange (the shared pacer may
// wait for the rate limit), never touches SQLite, and never knows about other stores.
// Everything it reports about items is keyed by SKU, never by position in a batch.
package connectors

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors/money"
)

// Item is one SKU's values to push. Nil fields are not pushed. The Conf* fields are the
// values the marketplace last confirmed (nil: unknown), so a connector may leave out a
// field that did not change (some marketplaces limit price changes per item).
type Item struct {
	SKU, Barcode             string
	Qty                      *int64
	Price, ListPrice         *money.Kurus
	ConfQty                  *int64
	ConfPrice, ConfListPrice *money.Kurus
}

// Status is the fate of one item of a push or of a result check.
type Status int

const (
	// Confirmed: the marketplace applied the values.
	Confirmed Status = iota
	// Pending: accepted for asynchronous processing; Ref names the batch/task to check.
	Pending
	// Retry: not applied this time for a reason that may pass (throttled per item, a
	// temporary lock); the agent retries with backoff.
	Retry
	// Rejected: the marketplace refused the values for a reason that will not pass by
	// itself (unknown barcode, price below the allowed band); the item is dead-lettered
	// with Reason until its values change.
	Rejected
)

func (s Status) String() string {
	return [...]string{"confirmed", "pending", "retry", "rejected"}[s]
}

// Outcome is what happened to one item.
type Outcome struct {
	Status Status
	Reason string // the marketplace's words for Retry and Rejected
	Ref    string // Pending: the reference CheckResults takes (connector-defined; may combine several batch ids)
}

// Outcomes maps SKU → outcome. A connector returns one for every item it was given.
type Outcomes map[string]Outcome

// Key is the identifier a marketplace addresses items by.
type Key int

const (
	KeySKU     Key = iota // the merchant's stock code
	KeyBarcode            // the item's barcode (Trendyol)
	KeyMapped             // a marketplace id looked up from SKU or barcode (Giyim Moda, ikas)
)

// Rate is a request budget: Requests per Per.
type Rate struct {
	Requests int
	Per      time.Duration
}

// Capabilities describe what a connector can do and within which documented limits.
type Capabilities struct {
	Marketplace string
	MaxBatch    int  // items per push request
	PushRate    Rate // documented budget of the push endpoint
	Async       bool // pushes are confirmed later (CheckResults)
	Key         Key
	Stock       bool          // can push quantities
	Price       bool          // can push sale prices
	ListPrice   bool          // has a separate list (struck-through) price
	MaxStock    int64         // highest quantity accepted; 0: none documented
	ResultTTL   time.Duration // async: how long batch results can be read (0: unknown)
	// DuplicateWindow: the marketplace refuses a byte-identical request repeated within
	// this window (Trendyol: 15 min), so a retry must differ or wait for reconciliation.
	DuplicateWindow time.Duration
	Orders          bool // can fetch orders
}

// Connector is one store's marketplace client.
type Connector interface {
	Capabilities() Capabilities
	// Test checks credentials and reachability with the lightest call the marketplace
	// offers (the "test API" button); the error says in plain words what is wrong.
	Test(ctx context.Context) error
	// Push sends up to Capabilities().MaxBatch items in as few requests as the API allows.
	// It returns an outcome per item, or an error (*Error) when the request as a whole
	// failed; then no item's fate is known beyond what the error's Kind says.
	Push(ctx context.Context, items []Item) (Outcomes, error)
}

// ResultChecker is implemented by asynchronous connectors.
type ResultChecker interface {
	// CheckResults reads the result of ref for items (the ones pushed under ref). Items
	// not yet processed stay Pending. When the marketplace no longer has the result
	// (expired), it returns an *Error of Kind Expired and the agent reconciles with
	// ReadBack instead of resending blindly.
	CheckResults(ctx context.Context, ref string, items []Item) (Outcomes, error)
}

// Observed is what a marketplace currently shows for an item (nil: not shown/unknown).
type Observed struct {
	Qty              *int64
	Price, ListPrice *money.Kurus
	Found            bool
}

// ReadBacker can read the current stock and price of items, to reconcile after a lost
// response or an expired batch result.
type ReadBacker interface {
	ReadBack(ctx context.Context, items []Item) (map[string]Observed, error)
}

// ErrorKind classifies a failed request.
type ErrorKind int

const (
	// Transient: not applied; retry with backoff (5xx before processing, connection refused).
	Transient ErrorKind = iota
	// Unknown: the request may have been applied (timeout after sending, lost response).
	Unknown
	// RetryAfter: throttled; wait Error.RetryAfter, which counts as no failure of the items.
	RetryAfter
	// Permanent: the request will never succeed as sent (400 for the whole batch).
	Permanent
	// Auth: credentials are wrong or lack permission; nothing will succeed until fixed.
	Auth
	// Expired: an asynchronous result is no longer available.
	Expired
)

func (k ErrorKind) String() string {
	return [...]string{"transient", "unknown outcome", "retry-after", "permanent", "auth", "expired"}[k]
}

// Error is a classified request failure. Message never contains credentials.
type Error struct {
	Kind       ErrorKind
	Status     int           // HTTP status, 0 when none
	RetryAfter time.Duration // Kind RetryAfter
	Message    string        // what happened, in words an operator can act on
	Err        error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Status != 0 {
		msg = fmt.Sprintf("%d: %s", e.Status, msg)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err (Transient for an unclassified error).
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Transient
}

// Deps are what a connector gets from the agent.
type Deps struct {
	Log zerolog.Logger // carries component and store fields
	Now func() time.Time
	// Sleep waits d or until ctx ends (nil: the wall clock). Whoever gives a fake Now gives
	// a Sleep that moves it, so the rate limiter's waits and the clock agree.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Factory builds a connector for a store.
type Factory struct {
	// New builds the connector. It must not do network I/O (Test does).
	New func(store *config.Store, deps Deps) (Connector, error)
	// Validate checks the store's config against what the marketplace supports
	// (credentials present, scope possible) and names the config key in its error.
	Validate func(store *config.Store) error
	// Capabilities are the marketplace's documented capabilities, before overrides.
	Capabilities Capabilities
}

var (
	regMu    sync.RWMutex
	registry = map[string]Factory{}
)

// Register adds a marketplace; each connector package calls it from init, and
// connectors/all imports them all.
func Register(marketplace string, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[marketplace]; dup {
		panic("connectors: " + marketplace + " registered twice")
	}
	registry[marketplace] = f
}

// Lookup returns the factory of a marketplace.
func Lookup(marketplace string) (Factory, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	f, ok := registry[marketplace]
	return f, ok
}

// Registered lists the marketplaces with a connector.
func Registered() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ErrNoConnector is returned for a marketplace without a connector in this build.
var ErrNoConnector = errors.New("no connector for this marketplace in this version")

// New builds the connector for store.
func New(store *config.Store, deps Deps) (Connector, error) {
	f, ok := Lookup(store.Marketplace)
	if !ok {
		return nil, fmt.Errorf("store %s: marketplace %s: %w", store.Name, store.Marketplace, ErrNoConnector)
	}
	if f.Validate != nil {
		if err := f.Validate(store); err != nil {
			return nil, fmt.Errorf("store %s: %w", store.Name, err)
		}
	}
	return f.New(store, deps)
}
