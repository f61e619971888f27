package connectors

import (
	"context"
	"time"

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

// OrderFetcher imports a store's orders; a connector that can do it implements it on the
// same value that pushes, so orders and pushes share the store's rate budget and token. FetchOrders makes as few requests as one page
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
