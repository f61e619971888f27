package conformance

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"syncagent/connectors"
)

// testCapabilities: the registration, the connector and a store's limits agree, and the
// connector has the abilities every marketplace needs.
func testCapabilities(t *testing.T, e *env) {
	info, ok := connectors.Find(e.marketplace)
	if !ok {
		t.Fatalf("%s is not registered", e.marketplace)
	}
	caps := e.caps()
	want := info.Features
	if e.sim.Features != nil {
		want = *e.sim.Features
	}
	if caps != want {
		t.Fatalf("connector features %+v differ from the ones declared (%+v) for a store without limits", caps, want)
	}
	if info.Description == "" || len(info.Options) == 0 {
		t.Fatalf("registration without a description or credential options: %+v", info)
	}
	if caps.MaxBatch < 1 || caps.PushRate.Requests < 1 || caps.PushRate.Per <= 0 || !caps.Updates.Has(connectors.ScopeStock) {
		t.Fatalf("implausible features %+v", caps)
	}
	a := connectors.AbilitiesOf(e.connector())
	if a.Test == nil || a.Push == nil {
		t.Fatal("every connector tests its credentials and pushes")
	}
	if caps.Async && (a.Results == nil || caps.ResultTTL <= 0) {
		t.Fatal("an async connector needs CheckResults and a ResultTTL")
	}
	if !caps.Async && a.Results != nil {
		t.Fatal("a synchronous connector with CheckResults: declare Async")
	}
	if a.ReadBack == nil {
		t.Fatal("every connector reads back, to reconcile lost replies and expired results")
	}
	if caps.ListPrice && !caps.Updates.Has(connectors.ScopePrice) {
		t.Fatal("a list price without a sale price")
	}

	limited := e.store
	limited.Limits = connectors.Limits{BatchSize: 7, Requests: 5, Per: time.Minute}
	c, err := info.New(&limited, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	got := c.Features()
	if got.MaxBatch != 7 || got.PushRate != (connectors.Rate{Requests: 5, Per: time.Minute}) {
		t.Fatalf("limits.batch_size/requests/per not applied: %+v", got)
	}
}

func testTestSucceeds(t *testing.T, e *env) {
	if err := e.connector().(connectors.Tester).Test(context.Background()); err != nil {
		t.Fatalf("Test with valid credentials: %v", err)
	}
}

// testWrongCredentials: Test and Push fail with Kind Auth and a plain message that names
// the config keys to fix; nothing is applied.
func testWrongCredentials(t *testing.T, e *env) {
	ps := e.seed(1)
	e.sim.BreakCredentials(&e.store)
	err := e.connector().(connectors.Tester).Test(context.Background())
	e.noteErr(err)
	ce := e.wantKind(err, connectors.Auth)
	if strings.ContainsAny(ce.Message, "{}") || !strings.Contains(ce.Message, "credentials.") {
		t.Fatalf("Test message %q is not plain words naming the credentials to check", ce.Message)
	}
	_, err = e.push([]connectors.Item{e.item(bump(ps[0], 1))})
	e.wantKind(err, connectors.Auth)
	e.wantState(unchanged(ps[0]))
}

// testPushConfirmed: pushed values are confirmed (at once or through CheckResults), the
// simulator holds them and ReadBack shows them.
func testPushConfirmed(t *testing.T, e *env) {
	ps := e.seed(5)
	var changes []change
	var items []connectors.Item
	for i, p := range ps {
		c := bump(p, i+1)
		changes = append(changes, c)
		items = append(items, e.item(c))
	}
	out, err := e.push(items)
	if err != nil {
		t.Fatal(err)
	}
	if e.caps().Async {
		for _, p := range ps {
			e.want(out, p.SKU, connectors.Pending)
		}
	}
	out = e.resolve(items, out)
	for _, c := range changes {
		e.want(out, c.p.SKU, connectors.Confirmed)
		e.wantState(c)
	}
	got := e.readBack(items)
	for _, c := range changes {
		e.compare("ReadBack", got[c.p.SKU], c)
	}
}

func testEmptyPush(t *testing.T, e *env) {
	out, err := e.push(nil)
	if err != nil || len(out) != 0 {
		t.Fatalf("empty push: %v, %d outcomes", err, len(out))
	}
	if n := e.stats(e.sim.PushEndpoint).Requests; n != 0 {
		t.Fatalf("an empty push sent %d requests", n)
	}
}

// testPaging: with a catalogue several pages long, pushing to products on the last page
// works and ReadBack finds every product, so the connector pages.
func testPaging(t *testing.T, e *env) {
	ps := e.seed(2*e.sim.ReadPage + 3)
	first, last := bump(ps[0], 3), bump(ps[len(ps)-1], 4)
	items := []connectors.Item{e.item(first), e.item(last)}
	out, err := e.push(items)
	if err != nil {
		t.Fatal(err)
	}
	out = e.resolve(items, out)
	e.want(out, first.p.SKU, connectors.Confirmed)
	e.want(out, last.p.SKU, connectors.Confirmed)
	before := e.stats(e.sim.ReadEndpoint).Requests
	all := make([]connectors.Item, 0, len(ps)+1)
	for _, p := range ps {
		all = append(all, connectors.Item{SKU: p.SKU, Barcode: p.Barcode})
	}
	ghost := products(len(ps)+100, 1)[0]
	all = append(all, connectors.Item{SKU: ghost.SKU, Barcode: ghost.Barcode})
	got := e.readBack(all)
	if n := e.stats(e.sim.ReadEndpoint).Requests - before; n < 2 {
		t.Fatalf("ReadBack of %d products took %d request(s) of %s; it must page", len(ps), n, e.sim.ReadEndpoint)
	}
	for i, p := range ps {
		want := unchanged(p)
		switch i {
		case 0:
			want = first
		case len(ps) - 1:
			want = last
		}
		e.compare("ReadBack", got[p.SKU], want)
	}
	if got[ghost.SKU].Found {
		t.Fatal("ReadBack found a product the marketplace does not have")
	}
}

// testMaxBatch: a push of MaxBatch items is one request the marketplace accepts (one
// per item where it has no bulk endpoint: Features.PerItem); one item more is refused
// before anything is sent (the agent claims at most MaxBatch).
func testMaxBatch(t *testing.T, e *env) {
	n := e.caps().MaxBatch
	ps := e.seed(n + 1)
	items := make([]connectors.Item, 0, n+1)
	for _, p := range ps {
		items = append(items, e.item(bump(p, 1)))
	}
	out, err := e.push(items[:n])
	if err != nil {
		t.Fatal(err)
	}
	want := 1
	if e.caps().PerItem {
		want = n
	}
	st := e.stats(e.sim.PushEndpoint)
	if st.Requests != want || st.ClientErrors != 0 {
		t.Fatalf("a push of MaxBatch=%d items took %d requests (want %d), %d refused", n, st.Requests, want, st.ClientErrors)
	}
	out = e.resolve(items[:n], out)
	for _, it := range items[:n] {
		e.want(out, it.SKU, connectors.Confirmed)
	}
	_, err = e.pusher().Push(context.Background(), items)
	e.noteErr(err)
	e.wantKind(err, connectors.Permanent)
	if got := e.stats(e.sim.PushEndpoint).Requests; got != want {
		t.Fatalf("a push above MaxBatch sent a request")
	}
}

// testQuantityLimits: a quantity above MaxStock or below zero is never sent; the item is
// Rejected with a reason that says the limit, and the rest of the push goes through.
// (The agent caps at MaxStock; a connector that clamped would make the confirmed value
// differ from what the store shows.)
func testQuantityLimits(t *testing.T, e *env) {
	caps := e.caps()
	ps := e.seed(3)
	ok := change{p: ps[0], qty: 5}
	if caps.MaxStock > 0 {
		ok.qty = caps.MaxStock
	}
	neg := change{p: ps[2], qty: -1}
	items := []connectors.Item{e.item(ok), e.item(neg)}
	if caps.MaxStock > 0 {
		items = append(items, e.item(change{p: ps[1], qty: caps.MaxStock + 1}))
	}
	out, err := e.push(items)
	if err != nil {
		t.Fatal(err)
	}
	if caps.MaxStock > 0 {
		o := e.want(out, ps[1].SKU, connectors.Rejected)
		if !strings.Contains(o.Reason, strconv.FormatInt(caps.MaxStock, 10)) {
			t.Fatalf("reason %q does not say the maximum %d", o.Reason, caps.MaxStock)
		}
	}
	e.want(out, neg.p.SKU, connectors.Rejected)
	out = e.resolve(items, out)
	e.want(out, ok.p.SKU, connectors.Confirmed)
	e.wantState(ok)
	e.wantState(unchanged(ps[1]))
	e.wantState(unchanged(ps[2]))
}

// testPriceUnsupported: a connector without a price endpoint refuses an item with a
// price instead of dropping the price silently (the agent would record it as confirmed).
func testPriceUnsupported(t *testing.T, e *env) {
	if e.caps().Updates.Has(connectors.ScopePrice) {
		t.Skip("the marketplace takes prices")
	}
	ps := e.seed(2)
	withPrice := e.item(bump(ps[0], 1))
	pr := ps[0].Price + 500
	withPrice.Price = &pr
	plain := e.item(bump(ps[1], 2))
	items := []connectors.Item{withPrice, plain}
	out, err := e.push(items)
	if err != nil {
		t.Fatal(err)
	}
	e.want(out, ps[0].SKU, connectors.Rejected)
	out = e.resolve(items, out)
	e.want(out, ps[1].SKU, connectors.Confirmed)
	e.wantState(unchanged(ps[0]))
	e.wantState(bump(ps[1], 2))
}
