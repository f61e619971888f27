package conformance

import (
	"context"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/sim/simkit"
)

// testRateLimited: a 429 with Retry-After becomes Kind RetryAfter with that wait, nothing
// is applied, and the next push waits it out (on the shared clock) before it goes.
func testRateLimited(t *testing.T, e *env) {
	ps := e.seed(2)
	e.connector()
	e.sim.SetFaults(simkit.Faults{Storm429: 7 * time.Second, StormRetryAfter: 7 * time.Second, Only: []string{e.sim.PushEndpoint}})
	_, err := e.push([]connectors.Item{e.item(bump(ps[0], 1))})
	ce := e.wantKind(err, connectors.RetryAfter)
	if ce.RetryAfter != 7*time.Second {
		t.Fatalf("RetryAfter %v, want the 7s the marketplace said", ce.RetryAfter)
	}
	start := e.clock.Now()
	e.clock.Advance(e.sim.AsyncDelay)
	e.wantState(unchanged(ps[0]))
	items := []connectors.Item{e.item(bump(ps[1], 2))}
	out, err := e.push(items)
	if err != nil {
		t.Fatalf("push after the wait: %v", err)
	}
	if waited := e.clock.Now().Sub(start); waited < 7*time.Second {
		t.Fatalf("the next push went after %v; the marketplace asked for 7s", waited)
	}
	out = e.resolve(items, out)
	e.want(out, ps[1].SKU, connectors.Confirmed)
	if n := e.stats(e.sim.PushEndpoint).RateLimited; n != 1 {
		t.Fatalf("%d responses of 429; the pause must prevent a second", n)
	}
}

// testServerError: a 5xx is Transient, nothing applied; the next push succeeds.
func testServerError(t *testing.T, e *env) {
	ps := e.seed(1)
	e.connector()
	e.sim.SetFaults(simkit.Faults{ErrorRate: 1, ErrorStatus: 503, Only: []string{e.sim.PushEndpoint}})
	items := []connectors.Item{e.item(bump(ps[0], 1))}
	_, err := e.push(items)
	if ce := e.wantKind(err, connectors.Transient); ce.Status != 503 {
		t.Fatalf("status %d, want 503", ce.Status)
	}
	e.clock.Advance(e.sim.AsyncDelay)
	e.wantState(unchanged(ps[0]))
	e.sim.SetFaults(simkit.Faults{})
	out, err := e.push(items)
	if err != nil {
		t.Fatal(err)
	}
	e.want(e.resolve(items, out), ps[0].SKU, connectors.Confirmed)
	e.wantState(bump(ps[0], 1))
}

// testLostResponse: the marketplace applies a push and the reply is lost (the connection
// hangs until the client's timeout, or is cut): Kind Unknown, and ReadBack shows the
// true, applied state.
func testLostResponse(t *testing.T, e *env) {
	e.store.Limits.Timeout = 300 * time.Millisecond
	for i, hang := range []bool{true, false} {
		ps := products(i*10, 1)
		e.sim.Seed(t, ps)
		// Let the connector do its preparatory reads (token, id map) before the fault.
		if _, err := e.connector().(connectors.ReadBacker).ReadBack(context.Background(),
			[]connectors.Item{{SKU: ps[0].SKU, Barcode: ps[0].Barcode}}); err != nil {
			t.Fatal(err)
		}
		e.sim.SetFaults(simkit.Faults{DropNext: 1, DropHang: hang, Only: []string{e.sim.PushEndpoint}})
		c := bump(ps[0], 5)
		items := []connectors.Item{e.item(c)}
		_, err := e.push(items)
		e.wantKind(err, connectors.Unknown)
		if n := e.stats(e.sim.PushEndpoint).Dropped; n != i+1 {
			t.Fatalf("the simulator dropped %d replies; the fault did not fire", n)
		}
		e.clock.Advance(e.sim.AsyncDelay)
		e.wantState(c)
		e.compare("ReadBack", e.readBack(items)[c.p.SKU], c)
		e.sim.SetFaults(simkit.Faults{})
	}
}

// testConnectionRefused: nothing listens at the base URL: Transient for Test and Push.
func testConnectionRefused(t *testing.T, e *env) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	u, err := url.Parse(e.store.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	e.store.BaseURL = u.String()
	err = e.connector().(connectors.Tester).Test(context.Background())
	e.noteErr(err)
	e.wantKind(err, connectors.Transient)
	_, err = e.push([]connectors.Item{e.item(bump(products(0, 1)[0], 1))})
	e.wantKind(err, connectors.Transient)
}

// testPartialRejection: items the marketplace refuses are Rejected with its reason, by
// SKU; an unknown product is Rejected; the others are applied.
func testPartialRejection(t *testing.T, e *env) {
	ps := e.seed(6)
	e.sim.SetFaults(simkit.Faults{RejectKeys: map[string]string{e.sim.Key(ps[1]): "REASON-ONE", e.sim.Key(ps[4]): "REASON-TWO"}})
	ghost := products(900, 1)[0]
	items := []connectors.Item{e.item(bump(ghost, 1))}
	for i, p := range ps {
		items = append(items, e.item(bump(p, i+1)))
	}
	out, err := e.push(items)
	if err != nil {
		t.Fatal(err)
	}
	out = e.resolve(items, out)
	for i, p := range ps {
		switch i {
		case 1, 4:
			o := e.want(out, p.SKU, connectors.Rejected)
			want := map[int]string{1: "REASON-ONE", 4: "REASON-TWO"}[i]
			if !strings.Contains(o.Reason, want) {
				t.Fatalf("SKU %s reason %q does not carry the marketplace's %q", p.SKU, o.Reason, want)
			}
			e.wantState(unchanged(p))
		default:
			e.want(out, p.SKU, connectors.Confirmed)
			e.wantState(bump(p, i+1))
		}
	}
	e.want(out, ghost.SKU, connectors.Rejected)
}

// testTokenExpiry: a token that dies before its announced expiry costs one 401, one
// refresh and a resend; a token near its announced expiry is replaced before use.
func testTokenExpiry(t *testing.T, e *env) {
	if e.sim.TokenEndpoint == "" {
		t.Skip("the marketplace has no tokens")
	}
	ps := e.seed(4)
	e.sim.SetFaults(simkit.Faults{TokenExpiry: time.Minute})
	pushOK := func(i int) {
		t.Helper()
		items := []connectors.Item{e.item(bump(ps[i], i+1))}
		out, err := e.push(items)
		if err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		e.want(e.resolve(items, out), ps[i].SKU, connectors.Confirmed)
	}
	pushOK(0)
	tokens := e.stats(e.sim.TokenEndpoint).Requests
	e.clock.Advance(2 * time.Minute)
	pushOK(1)
	if got := e.stats(e.sim.TokenEndpoint).Requests - tokens; got != 1 {
		t.Fatalf("%d token requests after a mid-run expiry; want exactly one refresh", got)
	}
	if n := e.stats(e.sim.PushEndpoint).ClientErrors; n != 1 {
		t.Fatalf("%d refused pushes; want the one 401 that revealed the expiry", n)
	}
	e.sim.SetFaults(simkit.Faults{})
	// The announced lifetime runs out: the connector renews before sending, without a 401.
	tokens = e.stats(e.sim.TokenEndpoint).Requests
	e.clock.Advance(24 * time.Hour)
	pushOK(2)
	if got := e.stats(e.sim.TokenEndpoint).Requests - tokens; got != 1 {
		t.Fatalf("%d token requests after the announced expiry; want one", got)
	}
	if n := e.stats(e.sim.PushEndpoint).ClientErrors; n != 1 {
		t.Fatal("the connector sent an expired token instead of renewing it first")
	}
	if e.sim.RevokeTokens != nil {
		e.sim.RevokeTokens()
		pushOK(3)
	}
	for i := range ps {
		e.wantState(bump(ps[i], i+1))
	}
}

// testAsyncResults: Pending with a Ref; CheckResults keeps unprocessed items Pending,
// then gives Confirmed/Rejected per SKU; an expired result is Kind Expired and ReadBack
// shows the true state.
func testAsyncResults(t *testing.T, e *env) {
	if !e.caps().Async {
		t.Skip("the marketplace answers pushes synchronously")
	}
	ps := e.seed(3)
	e.sim.SetFaults(simkit.Faults{RejectKeys: map[string]string{e.sim.Key(ps[2]): "REASON-ASYNC"}})
	var items []connectors.Item
	for i, p := range ps {
		items = append(items, e.item(bump(p, i+1)))
	}
	out, err := e.push(items)
	if err != nil {
		t.Fatal(err)
	}
	ref := e.want(out, ps[0].SKU, connectors.Pending).Ref
	rc := e.connector().(connectors.ResultChecker)
	if e.sim.AsyncDelay > 0 {
		early, err := rc.CheckResults(context.Background(), ref, items)
		if err != nil {
			t.Fatal(err)
		}
		e.checkKeyed(items, early)
		for _, p := range ps {
			e.want(early, p.SKU, connectors.Pending)
		}
	}
	final := e.resolve(items, out)
	e.want(final, ps[0].SKU, connectors.Confirmed)
	e.want(final, ps[1].SKU, connectors.Confirmed)
	if o := e.want(final, ps[2].SKU, connectors.Rejected); !strings.Contains(o.Reason, "REASON-ASYNC") {
		t.Fatalf("reason %q lost the marketplace's words", o.Reason)
	}
	e.clock.Advance(e.caps().ResultTTL + time.Minute)
	_, err = rc.CheckResults(context.Background(), ref, items)
	e.noteErr(err)
	e.wantKind(err, connectors.Expired)
	got := e.readBack(items)
	e.compare("ReadBack", got[ps[0].SKU], bump(ps[0], 1))
	e.compare("ReadBack", got[ps[1].SKU], bump(ps[1], 2))
	e.compare("ReadBack", got[ps[2].SKU], unchanged(ps[2]))
}

// testDuplicateWindow: an identical push within the marketplace's duplicate window comes
// back as a recognisable unknown outcome, not a blind transient failure; after the
// window the same push goes through.
func testDuplicateWindow(t *testing.T, e *env) {
	w := e.caps().DuplicateWindow
	if w <= 0 {
		t.Skip("the marketplace has no duplicate window")
	}
	ps := e.seed(1)
	items := []connectors.Item{e.item(bump(ps[0], 1))}
	if _, err := e.push(items); err != nil {
		t.Fatal(err)
	}
	_, err := e.push(items)
	e.wantKind(err, connectors.Unknown)
	if !connectors.IsDuplicate(err) {
		t.Fatalf("%v is not recognisable as a duplicate refusal", err)
	}
	e.clock.Advance(w)
	out, err := e.push(items)
	if err != nil {
		t.Fatalf("same push after the window: %v", err)
	}
	e.want(e.resolve(items, out), ps[0].SKU, connectors.Confirmed)
}
