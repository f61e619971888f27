package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Run runs every case against marketplace's registered connector.
func Run(t *testing.T, marketplace string, h Harness) {
	cases := []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"Capabilities", testCapabilities},
		{"TestSucceeds", testTestSucceeds},
		{"WrongCredentials", testWrongCredentials},
		{"PushConfirmed", testPushConfirmed},
		{"EmptyPush", testEmptyPush},
		{"Paging", testPaging},
		{"MaxBatch", testMaxBatch},
		{"QuantityLimits", testQuantityLimits},
		{"PriceWithoutPriceEndpoint", testPriceUnsupported},
		{"RateLimited429", testRateLimited},
		{"ServerError5xx", testServerError},
		{"LostResponse", testLostResponse},
		{"ConnectionRefused", testConnectionRefused},
		{"PartialRejection", testPartialRejection},
		{"TokenExpiry", testTokenExpiry},
		{"AsyncResults", testAsyncResults},
		{"DuplicateWindow", testDuplicateWindow},
		{"Convergence", testConvergence},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, newEnv(t, marketplace, h))
		})
	}
}

// env is one case's world: a simulator, the shared fake clock, a debug log and the
// errors seen, so the canary check at the end can look at everything.
type env struct {
	t           *testing.T
	marketplace string
	sim         *Sim
	clock       *simkit.FakeClock
	store       connectors.Store
	log         *syncBuffer
	errs        []string
	conn        connectors.Connector
}

func newEnv(t *testing.T, marketplace string, h Harness) *env {
	clock := simkit.NewFakeClock(time.Time{})
	e := &env{t: t, marketplace: marketplace, clock: clock, log: &syncBuffer{}}
	e.sim = h(t, clock)
	e.store = e.sim.Store
	t.Cleanup(e.checkCanary)
	return e
}

// connector builds (once) the connector for e.store through the registry, as the agent does.
func (e *env) connector() connectors.Connector {
	e.t.Helper()
	if e.conn != nil {
		return e.conn
	}
	info, ok := connectors.Find(e.marketplace)
	if !ok {
		e.t.Fatalf("no connector registered for %q", e.marketplace)
	}
	if errs := connectors.Check(&e.store); len(errs) > 0 {
		e.t.Fatalf("the harness's store does not pass connectors.Check: %v", errs)
	}
	c, err := info.New(&e.store, e.deps())
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	e.conn = c
	return c
}

func (e *env) deps() connectors.Deps {
	return connectors.Deps{
		Log: zerolog.New(e.log).Level(zerolog.DebugLevel).With().Str("component", "connector").Str("store", e.store.Name).Logger(),
		Now: e.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			e.clock.Advance(d)
			return nil
		},
	}
}

func (e *env) caps() connectors.Features { return e.connector().Features() }

// pusher is the connector's Pusher; every connector in the suite pushes.
func (e *env) pusher() connectors.Pusher {
	e.t.Helper()
	p, ok := e.connector().(connectors.Pusher)
	if !ok {
		e.t.Fatalf("the %s connector does not push", e.marketplace)
	}
	return p
}

// products makes n products with distinct SKUs and barcodes, starting at index from.
func products(from, n int) []Product {
	out := make([]Product, n)
	for i := range out {
		k := from + i
		out[i] = Product{SKU: fmt.Sprintf("SKU-%05d", k), Barcode: fmt.Sprintf("869%010d", k),
			Qty: 10, Price: 10000, ListPrice: 12000}
	}
	return out
}

func (e *env) seed(n int) []Product {
	ps := products(0, n)
	e.sim.Seed(e.t, ps)
	return ps
}

// change is a new set of values for a product.
type change struct {
	p           Product
	qty         int64
	price, list money.Kurus
}

// item builds the connector item of a change with the fields the connector can push;
// the seeded values are the confirmed ones.
func (e *env) item(c change) connectors.Item {
	caps := e.caps()
	it := connectors.Item{SKU: c.p.SKU, Barcode: c.p.Barcode}
	q, cq := c.qty, c.p.Qty
	it.Qty, it.ConfQty = &q, &cq
	if caps.Updates.Has(connectors.ScopePrice) && c.price != 0 {
		pr, cp := c.price, c.p.Price
		it.Price, it.ConfPrice = &pr, &cp
		if caps.ListPrice {
			l, cl := max(c.list, c.price), c.p.ListPrice
			it.ListPrice, it.ConfListPrice = &l, &cl
		}
	}
	return it
}

// bump is the usual change of a test: a new quantity and, where prices are pushed, a new
// sale and list price.
func bump(p Product, n int) change {
	return change{p: p, qty: p.Qty + int64(n), price: p.Price + money.Kurus(100*n), list: p.ListPrice + money.Kurus(100*n)}
}

func (e *env) push(items []connectors.Item) (connectors.Outcomes, error) {
	e.t.Helper()
	out, err := e.pusher().Push(context.Background(), items)
	e.noteErr(err)
	if err == nil {
		e.checkKeyed(items, out)
	}
	return out, err
}

func (e *env) noteErr(err error) {
	if err != nil {
		e.errs = append(e.errs, err.Error())
	}
}

// checkKeyed insists on one outcome per item, keyed by SKU, and a Ref on every Pending.
func (e *env) checkKeyed(items []connectors.Item, out connectors.Outcomes) {
	e.t.Helper()
	if len(out) != len(items) {
		e.t.Fatalf("%d outcomes for %d items", len(out), len(items))
	}
	for _, it := range items {
		o, ok := out[it.SKU]
		if !ok {
			e.t.Fatalf("no outcome for SKU %s", it.SKU)
		}
		if o.Status == connectors.Pending && o.Ref == "" {
			e.t.Fatalf("SKU %s is pending without a Ref", it.SKU)
		}
		if (o.Status == connectors.Rejected || o.Status == connectors.Retry) && o.Reason == "" {
			e.t.Fatalf("SKU %s is %v without a reason", it.SKU, o.Status)
		}
	}
}

// resolve turns Pending outcomes into final ones: it lets the simulator finish its
// batches and asks CheckResults, grouped by Ref.
func (e *env) resolve(items []connectors.Item, out connectors.Outcomes) connectors.Outcomes {
	e.t.Helper()
	byRef := map[string][]connectors.Item{}
	for _, it := range items {
		if o := out[it.SKU]; o.Status == connectors.Pending {
			byRef[o.Ref] = append(byRef[o.Ref], it)
		}
	}
	if len(byRef) == 0 {
		return out
	}
	rc, ok := e.connector().(connectors.ResultChecker)
	if !ok {
		e.t.Fatal("outcomes are Pending but the connector is no ResultChecker")
	}
	e.clock.Advance(e.sim.AsyncDelay)
	final := connectors.Outcomes{}
	for k, v := range out {
		final[k] = v
	}
	for ref, its := range byRef {
		res, err := rc.CheckResults(context.Background(), ref, its)
		e.noteErr(err)
		if err != nil {
			e.t.Fatalf("CheckResults(%s): %v", ref, err)
		}
		e.checkKeyed(its, res)
		for k, v := range res {
			final[k] = v
		}
	}
	return final
}

func (e *env) want(out connectors.Outcomes, sku string, st connectors.Status) connectors.Outcome {
	e.t.Helper()
	o := out[sku]
	if o.Status != st {
		e.t.Fatalf("SKU %s is %v (%q), want %v", sku, o.Status, o.Reason, st)
	}
	return o
}

// wantState compares the simulator's own state with a change (or the seeded values),
// on the fields the connector pushes.
func (e *env) wantState(c change) {
	e.t.Helper()
	e.compare("simulator", e.sim.State(c.p), c)
}

func (e *env) compare(what string, got connectors.Observed, c change) {
	e.t.Helper()
	caps := e.caps()
	if !got.Found {
		e.t.Fatalf("%s: SKU %s not found", what, c.p.SKU)
	}
	if got.Qty == nil || *got.Qty != c.qty {
		e.t.Fatalf("%s: SKU %s quantity %v, want %d", what, c.p.SKU, deref(got.Qty), c.qty)
	}
	if caps.Updates.Has(connectors.ScopePrice) && c.price != 0 && (got.Price == nil || *got.Price != c.price) {
		e.t.Fatalf("%s: SKU %s price %v, want %v", what, c.p.SKU, deref(got.Price), c.price)
	}
	if caps.ListPrice && c.price != 0 && (got.ListPrice == nil || *got.ListPrice != max(c.list, c.price)) {
		e.t.Fatalf("%s: SKU %s list price %v, want %v", what, c.p.SKU, deref(got.ListPrice), max(c.list, c.price))
	}
}

func unchanged(p Product) change { return change{p: p, qty: p.Qty, price: p.Price, list: p.ListPrice} }

func deref[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func (e *env) readBack(items []connectors.Item) map[string]connectors.Observed {
	e.t.Helper()
	rb, ok := e.connector().(connectors.ReadBacker)
	if !ok {
		e.t.Fatal("the connector is no ReadBacker; reconciliation after a lost reply needs one")
	}
	got, err := rb.ReadBack(context.Background(), items)
	e.noteErr(err)
	if err != nil {
		e.t.Fatalf("ReadBack: %v", err)
	}
	return got
}

func (e *env) stats(endpoint string) simkit.EndpointStats { return e.sim.Stats().Endpoints[endpoint] }

func (e *env) wantKind(err error, kind connectors.ErrorKind) *connectors.Error {
	e.t.Helper()
	var ce *connectors.Error
	if !errors.As(err, &ce) {
		e.t.Fatalf("error %v (%T), want a *connectors.Error of kind %v", err, err, kind)
	}
	if ce.Kind != kind {
		e.t.Fatalf("error kind %v (%v), want %v", ce.Kind, ce, kind)
	}
	return ce
}

// checkCanary fails the case when a credential of the store appears in the debug log or
// in an error message, in clear, in base64 or as the Basic pair.
func (e *env) checkCanary() {
	var secrets []string
	if info, ok := connectors.Find(e.marketplace); ok {
		for _, o := range info.Options {
			if v := e.sim.Store.Credentials.Get(o.Name); o.Secret && len(v) >= 8 {
				secrets = append(secrets, v)
			}
		}
	}
	forms := append([]string(nil), secrets...)
	for _, s := range secrets {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(s)))
		for _, t := range secrets {
			if s != t {
				forms = append(forms, base64.StdEncoding.EncodeToString([]byte(s+":"+t))) // a Basic pair
			}
		}
	}
	text := e.log.String() + "\n" + strings.Join(e.errs, "\n")
	for _, f := range forms {
		if strings.Contains(text, f) {
			e.t.Errorf("a credential (%q…) reached the debug log or an error message", f[:4])
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
