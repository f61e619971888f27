package connectors

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// RegInfo is a marketplace's declaration of itself, in the manner of rclone's
// fs.RegInfo: everything the agent and the config need to know about a marketplace
// without building a connector. A connector package registers one from init, and
// connectors/all imports the package; nothing else lists marketplaces.
type RegInfo struct {
	// Name is how stores name the marketplace in the config (marketplace: trendyol).
	Name string
	// Description is the marketplace as an operator reads it ("Trendyol").
	Description string
	// TestHosts says what test_mode: true switches to (its hosts, its credentials), for
	// check-config; "" when there is nothing to add.
	TestHosts string
	// Options are the keys a store may have under credentials:, in the order check-config
	// prints them. Any other key is a config error.
	Options []Option
	// Settings are the keys a store may have under settings:: what the marketplace needs
	// to know of the store that is no credential (the ikas stock location, a shop's
	// host). Any other key is a config error.
	Settings []Option
	// Features are the marketplace's documented features and limits.
	Features Features
	// Check validates what no single option can (two options together). Each problem is
	// a *FieldError naming the store key it is about. Nil: nothing more to check.
	Check func(s *Store) []error
	// New builds the connector of a store that passed Check. It must not do network I/O
	// (Tester.Test does).
	New func(s *Store, deps Deps) (Connector, error)
}

// Option is one credential or setting of a marketplace (rclone's fs.Option).
type Option struct {
	Name string // the key under credentials: or settings:, e.g. "api_key"
	// Help says what the value is and where the merchant finds it; errors about the key
	// quote it ("the Trendyol API KEY, from Hesap Bilgilerim › Entegrasyon Bilgileri").
	Help     string
	Required bool
	Secret   bool   // masked wherever the agent prints it; its value is kept out of logs
	Identity bool   // names the account (a seller id, a shop): shown by test-store and status
	Default  string // the value when the key is absent
	// Valid checks a given value (nil: any); its error says what is wrong with the
	// value, without the key, which the caller adds.
	Valid func(v string) error
}

// Features are what a marketplace can do, within its documented limits.
type Features struct {
	// Updates are the kinds of change the marketplace takes; a store's rules.scope may
	// ask only for these.
	Updates Scope
	// TestMode says what test_mode: true means for the marketplace.
	TestMode TestMode
	Key      Key  // what the marketplace addresses items by
	MaxBatch int  // items per push request
	PushRate Rate // documented budget of the push endpoint
	// Async: pushes are confirmed later by a batch result (ResultChecker); otherwise the
	// reply of the push itself confirms.
	Async     bool
	ListPrice bool          // has a separate list (struck-through) price
	MaxStock  int64         // highest quantity accepted; 0: none documented
	ResultTTL time.Duration // async: how long batch results can be read (0: unknown)
	// DuplicateWindow: the marketplace refuses a byte-identical request repeated within
	// this window (Trendyol: 15 min), so a retry must differ or wait for reconciliation.
	DuplicateWindow time.Duration
	// PerItem: the marketplace has no bulk endpoint, so a push of n items is n requests
	// (IdeaSoft: a PUT per product), each counted by PushRate; MaxBatch is then the items
	// one Push takes, not one request's.
	PerItem bool
	// InfoFields are the Info fields a seller may change on an existing listing, and
	// MaxInfoBatch the items per information update (Updates has ScopeInfo).
	InfoFields   InfoFields
	MaxInfoBatch int
}

// TestMode is how a marketplace serves test_mode.
type TestMode int

const (
	// NoSandbox: the marketplace has no test environment, so test_mode needs a base_url
	// pointing at a test server, or it would write to the live store.
	NoSandbox TestMode = iota
	// Sandbox: the marketplace has test hosts; test_mode switches to them (with the
	// credentials issued for them).
	Sandbox
)

// Key is the identifier a marketplace addresses items by.
type Key int

const (
	KeySKU     Key = iota // the merchant's stock code
	KeyBarcode            // the item's barcode (Trendyol)
	KeyMapped             // a marketplace id looked up from SKU or barcode (Giyim Moda, ikas)
)

func (k Key) String() string {
	return [...]string{"SKU", "barcode", "marketplace id mapped from SKU or barcode"}[k]
}

// Describe is one line of what the features mean for a store, for check-config:
// "items by barcode, 1000 a request, 50 requests / 10s, confirmed asynchronously".
func (f Features) Describe() string {
	confirm := "confirmed in the reply"
	if f.Async {
		confirm = "confirmed asynchronously"
	}
	per := fmt.Sprintf("%d a request", f.MaxBatch)
	if f.PerItem {
		per = fmt.Sprintf("one request per item, %d a push", f.MaxBatch)
	}
	return fmt.Sprintf("items by %s, %s, %d requests / %s, %s, updates %s", f.Key, per, f.PushRate.Requests, f.PushRate.Per, confirm, f.Updates)
}

// Rate is a request budget: Requests per Per.
type Rate struct {
	Requests int
	Per      time.Duration
}

// WithLimits returns the features with a store's limits applied: limits.batch_size
// replaces MaxBatch and limits.requests/per replace PushRate. The limits exist to go
// below the documented figures (a shared account) or, on the marketplace's word, above
// them (a higher plan); they are taken as given.
func (f Features) WithLimits(l Limits) Features {
	if l.BatchSize > 0 {
		f.MaxBatch = l.BatchSize
	}
	if l.Requests > 0 && l.Per > 0 {
		f.PushRate = Rate{Requests: l.Requests, Per: l.Per}
	}
	return f
}

var (
	regMu    sync.RWMutex
	registry = map[string]*RegInfo{}
)

// Register adds a marketplace; each connector package calls it from init.
func Register(info *RegInfo) {
	if info.Name == "" || info.New == nil {
		panic("connectors: a registration needs a Name and New")
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[info.Name]; dup {
		panic("connectors: " + info.Name + " registered twice")
	}
	registry[info.Name] = info
}

// Find returns the registration of a marketplace.
func Find(name string) (*RegInfo, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	info, ok := registry[name]
	return info, ok
}

// Names lists the registered marketplaces, sorted.
func Names() []string {
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

// New builds the connector of store. The store is expected to have passed Check (config
// does it at load); New checks again, so a hand-built Store cannot skip it.
func New(s *Store, deps Deps) (Connector, error) {
	info, ok := Find(s.Marketplace)
	if !ok {
		return nil, fmt.Errorf("store %s: marketplace %s: %w", s.Name, s.Marketplace, ErrNoConnector)
	}
	if errs := info.check(s); len(errs) > 0 {
		return nil, fmt.Errorf("store %s: %w", s.Name, errors.Join(errs...))
	}
	return info.New(s, deps)
}
