package push

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
)

// start runs the loop's goroutine, as the agent does, so PushNow and Resync reach it.
func (h *harness) start() {
	h.t.Helper()
	if err := h.p.Start(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = h.p.Stop(context.Background()) })
}

func TestPushNowSendsItemsWaitingForTheirRetryAndEndsAPause(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.m.errs = []error{&connectors.Error{Kind: connectors.Transient, Status: 503, Message: "service temporarily unavailable"}}
	h.seed(3, 5, "10.00")
	h.start() // the start cycle fails once: the items wait 30 s for their retry
	r, err := h.p.PushNow(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed || r.Text != "pushed 3 items to shop in 1 request: 3 confirmed, 0 awaiting fake's result, 0 to retry, 0 rejected (3 of them were waiting for a retry)" {
		t.Fatalf("push-now: %+v", r)
	}
	h.expect(0, 0, 0, 3)
	// Refused credentials pause the store until the next scheduled push; push-now is one.
	h.set("SKU-0001", 6, "10.00")
	h.m.set(func(f *fakeMarket) {
		f.errs = []error{&connectors.Error{Kind: connectors.Auth, Status: 401, Message: "ClientApiAuthenticationException"}}
	})
	r, _ = h.p.PushNow(h.ctx)
	if !r.Failed || !strings.Contains(r.Text, "nothing could be pushed to shop") {
		t.Fatalf("refused credentials: %+v", r)
	}
	if !h.p.gate.isPaused() {
		t.Fatal("no pause after refused credentials")
	}
	r, _ = h.p.PushNow(h.ctx)
	if r.Failed || !strings.HasPrefix(r.Text, "pushed 1 item to shop in 1 request: 1 confirmed") {
		t.Fatalf("push-now after the credentials were fixed: %+v", r)
	}
	if r, _ := h.p.PushNow(h.ctx); r.Text != "nothing was waiting to be pushed to shop" {
		t.Fatalf("nothing to do: %+v", r)
	}
}

func TestPushNowKeepsAWaitTheMarketplaceAskedFor(t *testing.T) {
	h := newHarness(t, testCaps(), func(s *Settings) { s.Location = time.UTC })
	h.m.errs = []error{&connectors.Error{Kind: connectors.RetryAfter, Status: 429, RetryAfter: time.Hour, Message: "too many requests"}}
	h.seed(2, 5, "10.00")
	h.start()
	r, err := h.p.PushNow(h.ctx)
	if err != nil || !r.Failed || r.Text != "shop waits until 2026-10-01 13:00:00 +00, as fake asked or because it did not answer; nothing is sent before then" {
		t.Fatalf("%+v %v", r, err)
	}
	if n := h.m.requestCount(); n != 1 {
		t.Fatalf("%d requests: push-now broke the marketplace's Retry-After", n)
	}
	// status shows the same wait, in the configured zone with the zone named.
	if got := h.health().State; got != "waiting until 2026-10-01 13:00:00 +00" {
		t.Fatalf("health state %q", got)
	}
}

func TestResyncPushesWhatTheStoreShowsDifferently(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.seed(4, 5, "10.00")
	h.cycle()
	h.expect(0, 0, 0, 4)
	// Someone sold two in the marketplace's panel and changed a price there; a listing
	// was deleted. The outbox still believes the store shows what it confirmed.
	h.m.set(func(f *fakeMarket) {
		o := f.shown["SKU-0001"]
		three := int64(3)
		o.Qty = &three
		f.shown["SKU-0001"] = o
		o = f.shown["SKU-0002"]
		o.Price = kp("9.50")
		f.shown["SKU-0002"] = o
		delete(f.shown, "SKU-0004")
	})
	h.start()
	if r, _ := h.p.PushNow(h.ctx); r.Text != "nothing was waiting to be pushed to shop" {
		t.Fatalf("push-now cannot know: %+v", r)
	}
	r, err := h.p.Resync(h.ctx)
	if err != nil || r.Failed {
		t.Fatalf("%+v %v", r, err)
	}
	want := "read 4 items back from shop: 2 show other values than they should (SKU-0001: stock 3 at the store, should be 5; SKU-0002: price 9.50 at the store, should be 10.00)" +
		"; 1 is not listed at fake (SKU-0004): a stock or price update cannot create a listing" +
		". Then: pushed 2 items to shop in 1 request: 2 confirmed, 0 awaiting fake's result, 0 to retry, 0 rejected"
	if r.Text != want {
		t.Fatalf("resync reported\n%s\nwant\n%s", r.Text, want)
	}
	if got := h.m.state("SKU-0001", "SKU-0002", "SKU-0003"); got != "SKU-0001: 5 10.00 10.00\nSKU-0002: 5 10.00 10.00\nSKU-0003: 5 10.00 10.00\n" {
		t.Fatalf("the store shows\n%s", got)
	}
	// The unlisted item is left alone: a push could not create it.
	if vals := h.m.sentValues("SKU-0004"); len(vals) != 1 {
		t.Fatalf("SKU-0004 sent %v", vals)
	}
}

// pushOnly hides the fake's other abilities: a marketplace that cannot be read back.
type pushOnly struct{ m *fakeMarket }

func (p pushOnly) Push(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	return p.m.Push(ctx, items)
}

func TestResyncNeedsAMarketplaceThatCanBeReadBack(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	h.p = New(testStore, pushOnly{h.m}, h.q, h.conf, zerolog.Nop())
	h.start()
	r, err := h.p.Resync(h.ctx)
	if err != nil || !r.Failed || !strings.Contains(r.Text, "fake's connector cannot read what a store shows, so shop cannot be resynced") {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestAsksOfALoopThatIsNotRunning(t *testing.T) {
	h := newHarness(t, testCaps(), nil)
	if _, err := h.p.PushNow(h.ctx); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("before Start: %v", err)
	}
	h.start()
	if err := h.p.Stop(h.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.p.Resync(h.ctx); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after Stop: %v", err)
	}
}
