package pazarsync_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/pazarsync"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/simkit"
)

func check(st *connectors.Store) error { return errors.Join(connectors.Check(st)...) }

// TestRegistration: PazarSync documents no price endpoint, so a scope with prices is a
// config error naming the scope, the reason and the fix; missing credentials are named.
func TestRegistration(t *testing.T) {
	for _, scope := range []string{"all", "price", "stock+price"} {
		st := storeAt("http://127.0.0.1:1")
		st.Scope, _ = connectors.ParseScope(scope)
		err := check(&st)
		if err == nil || !strings.Contains(err.Error(), `rules.scope: "`+scope+`" asks for prices`) ||
			!strings.Contains(err.Error(), "set rules.scope: stock") || !strings.Contains(err.Error(), "no way to update prices") {
			t.Fatalf("scope %s: %v", scope, err)
		}
	}
	st := storeAt("http://127.0.0.1:1")
	if err := check(&st); err != nil {
		t.Fatalf("scope stock refused: %v", err)
	}
	st.Credentials["client_id"] = ""
	if err := check(&st); err == nil || !strings.HasPrefix(err.Error(), "credentials.client_id: is required (the client id from the PazarSync panel: Ayarlar → API)") {
		t.Fatalf("got %v", err)
	}
}

// fakeBatch is a PazarSync whose stocks/batch answer is scripted, for reply shapes the
// simulator does not produce.
func fakeBatch(t *testing.T, reply string) *pazarsync.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/auth/token":
			_, _ = io.WriteString(w, `{"access_token":"t","token_type":"bearer","expires_in":3600}`)
		case "/api/v1/products":
			_, _ = io.WriteString(w, `{"data":[{"id":"prod_9","sku":"B","stock":1}],"meta":{"current_page":1,"total_pages":1}}`)
		case "/api/v1/products/prod_7":
			_, _ = io.WriteString(w, `{"id":"prod_7","sku":"C","stock":3}`)
		case "/api/v1/products/prod_404":
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"not_found","message":"product not found"}`)
		default:
			_, _ = io.WriteString(w, reply)
		}
	}))
	t.Cleanup(srv.Close)
	st := storeAt(srv.URL)
	c, err := pazarsync.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func qty(n int64) *int64 { return &n }

func TestOddErrorShapes(t *testing.T) {
	items := []connectors.Item{{SKU: "A", Qty: qty(1)}, {SKU: "B", Qty: qty(2)}, {SKU: "C", Qty: qty(3)}}
	R, C, X := connectors.Rejected, connectors.Confirmed, connectors.Retry
	cases := []struct {
		name     string
		reply    string
		readBack bool // learn product ids first
		want     map[string]connectors.Status
		reason   map[string]string
		items    []connectors.Item // default A, B, C
	}{
		{"all applied", `{"updated":3,"failed":0,"errors":[]}`, false, map[string]connectors.Status{"A": C, "B": C, "C": C}, nil, nil},
		{"named by sku", `{"updated":2,"failed":1,"errors":[{"sku":"B","message":"product not found"}]}`, false,
			map[string]connectors.Status{"A": C, "B": R, "C": C}, map[string]string{"B": "no product with this SKU"}, nil},
		{"more failures than names: the unnamed are retried, not guessed, with PazarSync's words", `{"updated":1,"failed":2,"errors":["something went wrong",{"sku":"B","message":"product not found"}]}`, false,
			map[string]connectors.Status{"A": X, "B": R, "C": X}, map[string]string{"A": `named only 1; whether this item was applied is not known, so it is sent again (PazarSync said: "something went wrong")`, "C": "something went wrong"}, nil},
		{"named by product id", `{"updated":2,"failed":1,"errors":[{"product_id":"prod_9","error":"product is locked"}]}`, true,
			map[string]connectors.Status{"A": C, "B": X, "C": C}, map[string]string{"B": "locked"}, nil},
		{"product id never seen: looked up", `{"updated":2,"failed":1,"errors":[{"product_id":"prod_7","error":"product is locked"}]}`, false,
			map[string]connectors.Status{"A": C, "B": C, "C": X}, map[string]string{"C": "locked"}, nil},
		{"product id that cannot be looked up: raw words in the retry", `{"updated":2,"failed":1,"errors":[{"product_id":"prod_404","error":"locked"}]}`, false,
			map[string]connectors.Status{"A": X, "B": X, "C": X}, map[string]string{"B": `PazarSync said: {"product_id":"prod_404","error":"locked"}`}, nil},
		{"one item, one unnamed failure: the words are its own", `{"updated":0,"failed":1,"errors":["Stok kodu pasif durumda"]}`, false,
			map[string]connectors.Status{"A": R}, map[string]string{"A": "Stok kodu pasif durumda"}, []connectors.Item{{SKU: "A", Qty: qty(1)}}},
		{"every item failed, none named", `{"updated":0,"failed":3,"errors":["service error"]}`, false,
			map[string]connectors.Status{"A": X, "B": X, "C": X}, map[string]string{"A": `refused 3 items of the batch without naming which (PazarSync said: "service error"); none of them was applied`}, nil},
		{"field errors", `{"updated":2,"failed":1,"errors":[{"sku":"C","errors":{"stock":["must be at least 0"]}}]}`, false,
			map[string]connectors.Status{"A": C, "B": C, "C": R}, map[string]string{"C": "stock: must be at least 0"}, nil},
		{"counts that do not add up", `{"updated":1,"failed":0}`, false, map[string]connectors.Status{"A": X, "B": X, "C": X},
			map[string]string{"A": "errors[] named nothing more"}, nil},
		{"an sku from outside the batch", `{"updated":2,"failed":1,"errors":[{"sku":"Z","message":"x"}]}`, false,
			map[string]connectors.Status{"A": X, "B": X, "C": X}, map[string]string{"C": `{"sku":"Z","message":"x"}`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := fakeBatch(t, c.reply)
			if c.readBack {
				if _, err := cl.ReadBack(context.Background(), items[:1]); err != nil {
					t.Fatal(err)
				}
			}
			its := items
			if c.items != nil {
				its = c.items
			}
			out, err := cl.Push(context.Background(), its)
			if err != nil {
				t.Fatal(err)
			}
			for sku, st := range c.want {
				if out[sku].Status != st {
					t.Fatalf("%s: %v (%q), want %v", sku, out[sku].Status, out[sku].Reason, st)
				}
			}
			for sku, r := range c.reason {
				if !strings.Contains(out[sku].Reason, r) {
					t.Fatalf("%s: reason %q, want it to say %q", sku, out[sku].Reason, r)
				}
			}
		})
	}
}

func simClient(t *testing.T, opt pazarsyncsim.Options, mod func(*connectors.Store)) (*pazarsyncsim.Server, *simkit.FakeClock, *pazarsync.Client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Time{})
	opt.ClientID, opt.ClientSecret, opt.Clock = clientID, clientSecret, clock
	s := pazarsyncsim.New(opt)
	t.Cleanup(s.Close)
	st := storeAt(s.URL)
	if mod != nil {
		mod(&st)
	}
	c, err := pazarsync.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, c
}

func TestServerLimitHeaderLowersTheBudget(t *testing.T) {
	// The account's plan is smaller than the store's limits claim; X-RateLimit-Limit
	// says so on the first reply and the client keeps under it from then on.
	s, clock, c := simClient(t, pazarsyncsim.Options{PerMinute: 5}, func(st *connectors.Store) {
		st.Limits = connectors.Limits{Requests: 100, Per: time.Minute}
	})
	start := clock.Now()
	for i := 0; i < 12; i++ {
		if err := c.Test(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	total := s.Stats().Total
	if total.RateLimited != 0 {
		t.Fatalf("%d answers of 429", total.RateLimited)
	}
	if took := clock.Now().Sub(start); took < 2*time.Minute {
		t.Fatalf("13 requests at 5 a minute took only %v on the clock", took)
	}
}

func TestNoThrottleOnTheDefaultPlan(t *testing.T) {
	s, _, c := simClient(t, pazarsyncsim.Options{}, nil)
	for i := 0; i < 130; i++ {
		if err := c.Test(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if st := s.Stats().Total; st.RateLimited != 0 || st.MaxInWindow > 60 {
		t.Fatalf("%d answers of 429, %d requests in one minute", st.RateLimited, st.MaxInWindow)
	}
}

func TestTestModeNeedsABaseURL(t *testing.T) {
	st := storeAt("")
	st.TestMode = true
	if err := check(&st); err == nil || !strings.Contains(err.Error(), "test_mode is on, but PazarSync has no test environment") {
		t.Fatalf("got %v", err)
	}
	st.BaseURL = "http://127.0.0.1:9"
	if err := check(&st); err != nil {
		t.Fatal(err)
	}
}
