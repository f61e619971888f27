// Package conformance is the one suite every connector passes against its simulator, in
// the manner of rclone's fstest/fstests and watermill's pubsub/tests: a connector package
// supplies a small Harness (how to start its simulator, seed products, set faults and
// read the simulator's own state) and calls Run from its conformance_test.go.
//
// Every case runs a fresh simulator on a fake clock that the connector shares (Deps.Now
// and Deps.Sleep), so rate-limit waits, token lifetimes and result expiry take no wall
// time, and every case ends by checking that no credential reached the debug log or an
// error message.
package conformance

import (
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Product is a catalogue entry the suite seeds. Every product has both a SKU and a
// barcode; a harness seeds what its marketplace keeps.
type Product struct {
	SKU, Barcode     string
	Qty              int64
	Price, ListPrice money.Kurus
}

// Sim is one running simulator as the suite sees it.
type Sim struct {
	// Store is an active store at the simulator with valid credentials. Use long,
	// distinctive secret values: the suite greps the logs for them.
	Store connectors.Store
	// BreakCredentials makes the store's credentials wrong (a wrong secret).
	BreakCredentials func(*connectors.Store)
	// Seed adds products to the simulator's catalogue, in order.
	Seed func(t testing.TB, ps []Product)
	// Key is the name under which Faults.RejectKeys matches a product.
	Key       func(p Product) string
	SetFaults func(simkit.Faults)
	// State reads the simulator's own view of a product (Found false: not there).
	State func(p Product) connectors.Observed
	Stats func() simkit.Stats

	PushEndpoint  string // stats name of the push endpoint
	ReadEndpoint  string // stats name of the list the connector pages through to read back
	TokenEndpoint string // stats name of the token endpoint; "" when the marketplace has no tokens
	ReadPage      int    // items per page (or per call) of ReadEndpoint as the connector reads it
	// Features, when set, are what the connector declares for Store where the store's
	// settings change the registration's (T-Soft's update_mode: array is no longer one
	// request per item); nil: the registration's Features.
	Features *connectors.Features
	// AsyncDelay is how long (on the simulator's clock) a batch takes to get its results.
	AsyncDelay time.Duration
	// RevokeTokens invalidates every issued token at once (nil: not supported).
	RevokeTokens func()
}

// Harness starts a fresh simulator on clock for one case and stops it at the end of t.
type Harness func(t *testing.T, clock *simkit.FakeClock) *Sim
