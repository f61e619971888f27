// Package connectors is the contract between the agent and the marketplaces: what a
// connector is (Connector and its optional abilities), how a marketplace declares itself
// (Register with a RegInfo: credential options, features, constructor) and how a store's
// settings are checked against that declaration (Check, which config calls while it
// loads a file). Sub-packages hold the shared HTTP layer (httpx), the conformance suite
// every connector passes, one package per marketplace, and the simulators.
//
// A connector classifies; the agent decides. A connector speaks one marketplace's API for
// one store: it never sleeps and retries beyond one HTTP exchange (the shared pacer may
// wait for the rate limit), never touches SQLite, and never knows about other stores.
// Everything it reports about items is keyed by SKU, never by position in a batch.
package connectors

import (
	"context"
	"time"

	"github.com/rs/zerolog"

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
	// Info is product information to send (InfoUpdater); ConfInfo what the marketplace
	// last confirmed of it. Push ignores both.
	Info, ConfInfo Info
}

// Info is a listing's product information as a seller may change it on an existing
// listing. Nil fields are not sent (and, in an Observed, not known). Images and the
// category/attribute mapping are not product information here.
type Info struct {
	Title       *string
	Description *string // HTML where the marketplace allows it (Features.InfoFields)
	Brand       *string
	VATRate     *int  // percent: 0, 1, 10, 20
	Active      *bool // on sale (true) or passive
}

// Empty reports whether no field is set.
func (i Info) Empty() bool {
	return i.Title == nil && i.Description == nil && i.Brand == nil && i.VATRate == nil && i.Active == nil
}

// InfoFields is a set of Info fields.
type InfoFields uint8

const (
	InfoTitle InfoFields = 1 << iota
	InfoDescription
	InfoBrand
	InfoVATRate
	InfoActive
	// InfoHTML: the description may hold HTML (otherwise it is sent as plain text).
	InfoHTML
)

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

// Observed is what a marketplace currently shows for an item (nil: not shown/unknown).
type Observed struct {
	Qty              *int64
	Price, ListPrice *money.Kurus
	Info             Info // what the connector can read of it
	Found            bool
}

// Deps are what a connector gets from the agent.
type Deps struct {
	Log zerolog.Logger // carries component and store fields
	Now func() time.Time
	// Sleep waits d or until ctx ends (nil: the wall clock). Whoever gives a fake Now gives
	// a Sleep that moves it, so the rate limiter's waits and the clock agree.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Connector is one store's client, built once per store by its RegInfo.New and shared
// by everything the agent does with the store (pushes, result checks, orders), so one
// HTTP client, one rate budget and one token serve them all. What it can do beyond
// telling its features is found by type assertion on the optional interfaces below
// (Abilities does it once).
type Connector interface {
	// Features are the marketplace's documented features with the store's limits applied.
	Features() Features
}

// Tester checks credentials and reachability with the lightest call the marketplace
// offers (the "test API" button); the error says in plain words what is wrong.
type Tester interface {
	Test(ctx context.Context) error
}

// Pusher sends stock and prices.
type Pusher interface {
	// Push sends up to Features().MaxBatch items in as few requests as the API allows.
	// It returns an outcome per item, or an error (*Error) when the request as a whole
	// failed; then no item's fate is known beyond what the error's Kind says.
	Push(ctx context.Context, items []Item) (Outcomes, error)
}

// ResultChecker is implemented by asynchronous connectors (Features.Async).
type ResultChecker interface {
	// CheckResults reads the result of ref for items (the ones pushed under ref). Items
	// not yet processed stay Pending. When the marketplace no longer has the result
	// (expired), it returns an *Error of Kind Expired and the agent reconciles with
	// ReadBack instead of resending blindly.
	CheckResults(ctx context.Context, ref string, items []Item) (Outcomes, error)
}

// ReadBacker can read the current stock and price of items, to reconcile after a lost
// response or an expired batch result.
type ReadBacker interface {
	ReadBack(ctx context.Context, items []Item) (map[string]Observed, error)
}

// InfoUpdater sends product information of existing listings (rules.scope info or all).
type InfoUpdater interface {
	// UpdateInfo sends the Info of up to Features().MaxInfoBatch items (only the fields
	// in Features().InfoFields; others are nil) and returns an outcome per SKU like Push:
	// Pending with a Ref that CheckResults reads (the items then carry their Info), or
	// Rejected with the marketplace's reason (a catalogue product it will not change),
	// which the agent dead-letters for the information only, leaving stock and price.
	UpdateInfo(ctx context.Context, items []Item) (Outcomes, error)
}

// Abilities are a connector's optional interfaces, found once by type assertion (as
// rclone's Features.Fill does); a nil field is an ability the connector lacks. New
// abilities (order status back to the marketplace, product information updates) are
// new interfaces and new fields here; connectors without them need no change.
type Abilities struct {
	Test     Tester
	Push     Pusher
	Results  ResultChecker
	ReadBack ReadBacker
	Orders   OrderFetcher
	Info     InfoUpdater
}

// AbilitiesOf finds what c can do.
func AbilitiesOf(c Connector) Abilities {
	var a Abilities
	a.Test, _ = c.(Tester)
	a.Push, _ = c.(Pusher)
	a.Results, _ = c.(ResultChecker)
	a.ReadBack, _ = c.(ReadBacker)
	a.Orders, _ = c.(OrderFetcher)
	a.Info, _ = c.(InfoUpdater)
	return a
}
