package connectors

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Store is what a connector is told about its store: the settings that config loaded
// and checked against the marketplace's registration. A connector never sees the rest
// of the config (rules, schedules, sinks), and never the other stores.
type Store struct {
	Name        string
	Marketplace string
	TestMode    bool   // the marketplace's test environment (or, without one, base_url)
	BaseURL     string // overrides the marketplace's host (a proxy, a simulator); "": its own
	Credentials Credentials
	Settings    map[string]string // the marketplace's settings: keys (RegInfo.Settings)
	Scope       Scope             // what the agent keeps up to date on this store
	Orders      bool              // the agent fetches this store's orders
	Limits      Limits
	// DataDir is the agent's data folder (data_dir): where a connector keeps what must
	// survive a restart and is no credential of the config (IdeaSoft: its rotating
	// refresh token). "" when the store was built without one (a test, a tool).
	DataDir string
}

// Limits are a store's overrides of the marketplace's documented limits: lower for an
// account shared with another tool, higher only on the marketplace's word.
type Limits struct {
	Requests  int           // requests allowed per Per (0: the documented rate)
	Per       time.Duration // window of Requests
	BatchSize int           // items per request (0: the documented maximum)
	Timeout   time.Duration // one HTTP exchange (0: the connector's default)
}

// Timeout is limits.timeout when set, else def.
func (s *Store) Timeout(def time.Duration) time.Duration {
	if s.Limits.Timeout > 0 {
		return s.Limits.Timeout
	}
	return def
}

// Credentials are a store's credential values by option name (Option.Name), as
// RegInfo.Options declares them; absent options hold their default. Every way of
// printing them shows names only, so a Store can be logged without leaking.
type Credentials map[string]string

// Get returns the value of option name ("" when not set).
func (c Credentials) Get(name string) string { return c[name] }

func (c Credentials) String() string {
	names := make([]string, 0, len(c))
	for k := range c {
		names = append(names, k)
	}
	slices.Sort(names)
	return "credentials(" + strings.Join(names, ", ") + ")"
}

// GoString keeps %#v from printing the values.
func (c Credentials) GoString() string { return c.String() }

// Format makes every fmt verb print the names only.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// Scope is what the agent keeps up to date on a store (rules.scope): a set of kinds of
// change. A marketplace registers the kinds it can update (Features.Updates); a store
// may ask only for those.
type Scope uint8

const (
	ScopeStock Scope = 1 << iota // quantities
	ScopePrice                   // sale and list prices
	ScopeInfo                    // product information (Info): title, description, brand, VAT, on sale

	scopeAll = 1 << 7 // written "all": every kind this version updates
	// ScopeAll is every kind of change the agent keeps up to date. Product information
	// joins it once the agent carries information from the sources to the stores; until
	// then a connector may already declare and implement ScopeInfo.
	ScopeAll = scopeAll | ScopeStock | ScopePrice
)

// ScopeNames are the values rules.scope takes.
var ScopeNames = []string{"all", "stock", "price", "stock+price"}

// ParseScope reads a rules.scope value.
func ParseScope(s string) (Scope, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "all":
		return ScopeAll, nil
	case "stock":
		return ScopeStock, nil
	case "price":
		return ScopePrice, nil
	case "stock+price", "price+stock":
		return ScopeStock | ScopePrice, nil
	}
	return 0, fmt.Errorf("%q is not one of %s", s, strings.Join(ScopeNames, ", "))
}

// UnmarshalText lets config read a Scope.
func (s *Scope) UnmarshalText(b []byte) error {
	v, err := ParseScope(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Choices are the values a Scope may be written as, for config's suggestions.
func (Scope) Choices() []string { return ScopeNames }

// Has reports whether s includes every kind of k.
func (s Scope) Has(k Scope) bool { k &^= scopeAll; return k != 0 && s&k == k }

// Kinds is s without the "all" marker: the kinds of change it asks for.
func (s Scope) Kinds() Scope { return s &^ scopeAll }

func (s Scope) String() string {
	if s&scopeAll != 0 {
		return "all"
	}
	var names []string
	for _, k := range []struct {
		k    Scope
		name string
	}{{ScopeStock, "stock"}, {ScopePrice, "price"}, {ScopeInfo, "info"}} {
		if s&k.k != 0 {
			names = append(names, k.name)
		}
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, "+")
}

// words names the kinds of s as a sentence does ("quantities and prices").
func (s Scope) words() string {
	var w []string
	if s&ScopeStock != 0 {
		w = append(w, "quantities")
	}
	if s&ScopePrice != 0 {
		w = append(w, "prices")
	}
	if s&ScopeInfo != 0 {
		w = append(w, "product information")
	}
	return strings.Join(w, " and ")
}
