package connectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"syncagent/config"
	"syncagent/connectors/order"
)

// OrderQuery is one call of OrderFetcher.FetchOrders.
type OrderQuery struct {
	// Cursor is what the previous call returned, as the queue stored it together with
	// that call's orders; "" before the first fetch of a store (or after a reset).
	Cursor string
	// Since is the oldest change the store cares about (now − orders.lookback): where a
	// first fetch starts, and how far back a marketplace without an updated-since filter
	// re-scans to find changed orders.
	Since time.Time
	// Known returns the Version the queue holds for each of ids (absent: not known). A
	// connector that needs a detail call per order asks it to skip the unchanged ones.
	// It may be nil (then every order is fetched in detail).
	Known func(ctx context.Context, ids []string) (map[string]string, error)
}

// OrderPage is the answer of one FetchOrders call.
type OrderPage struct {
	// Orders are new and changed orders. An order may come again unchanged, or only with
	// the packages that changed: the queue stores each once per (store, ID) and merges.
	Orders []order.Order
	// Cursor goes into the queue in the same transaction as Orders; the next call gets it.
	Cursor string
	// More means the marketplace has more right now: call again at once with Cursor.
	More bool
}

// OrderFetcher imports a store's orders. FetchOrders makes as few requests as one page
// of the marketplace's order list allows (plus a detail call per new or changed order
// where the list has no lines), spaced as the marketplace asks; it never retries on its
// own, and a failure leaves the stored cursor where it was, so the next call repeats the
// page. Errors are *Error, classified like Push's.
//
// Every order is normalized (order.Order): dates are true instants (the agent puts them
// in the store's time zone), amounts exact, statuses mapped (unpaid orders are
// order.Awaiting), lines keyed by the merchant's SKU.
type OrderFetcher interface {
	FetchOrders(ctx context.Context, q OrderQuery) (OrderPage, error)
}

// OrderFactory builds the order fetcher of a store. conn is the store's connector as
// the agent built it, so that orders and pushes share one HTTP client, one rate limit
// and one token where the marketplace counts them together; a factory that gets a
// connector of another type (a test double) builds its own client from store.
type OrderFactory func(conn Connector, store *config.Store, deps Deps) (OrderFetcher, error)

var orderRegistry = map[string]OrderFactory{}

// SharedClient is what an OrderFactory starts with: conn itself when it is the
// marketplace's own client type C, otherwise (a test double) a client that build makes
// from the store's settings.
func SharedClient[C Connector](conn Connector, build func() (C, error)) (C, error) {
	if c, ok := conn.(C); ok {
		return c, nil
	}
	return build()
}

// RegisterOrders adds a marketplace's order fetcher; its connector package calls it
// from init, beside Register.
func RegisterOrders(marketplace string, f OrderFactory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := orderRegistry[marketplace]; dup {
		panic("connectors: orders of " + marketplace + " registered twice")
	}
	orderRegistry[marketplace] = f
}

// ErrNoOrders is returned for a marketplace whose orders this build cannot fetch.
var ErrNoOrders = errors.New("this version cannot fetch orders from this marketplace")

// NewOrderFetcher builds the order fetcher of store on its connector conn.
func NewOrderFetcher(conn Connector, store *config.Store, deps Deps) (OrderFetcher, error) {
	regMu.RLock()
	f, ok := orderRegistry[store.Marketplace]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("store %s: marketplace %s: %w (set orders.fetch: false)", store.Name, store.Marketplace, ErrNoOrders)
	}
	return f(conn, store, deps)
}

// FetchesOrders reports whether marketplace has an order fetcher in this build.
func FetchesOrders(marketplace string) bool {
	regMu.RLock()
	defer regMu.RUnlock()
	_, ok := orderRegistry[marketplace]
	return ok
}
