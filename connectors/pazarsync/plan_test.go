package pazarsync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/sim/pazarsyncsim"
)

// TestPlanSettings: settings.plan sets the minute's and the day's budget; a
// daily_requests above the plan's is a config error; an unknown plan is one too.
func TestPlanSettings(t *testing.T) {
	cases := []struct {
		settings map[string]string
		minute   int
		day      int // 0: no daily budget
		err      string
	}{
		{nil, 60, 10_000, ""},
		{map[string]string{"plan": "Temel"}, 60, 10_000, ""},
		{map[string]string{"plan": "İŞLETME"}, 300, 50_000, ""},
		{map[string]string{"plan": "isletme", "daily_requests": "20000"}, 300, 20_000, ""},
		{map[string]string{"plan": "kurumsal"}, 1000, 0, ""},
		{map[string]string{"plan": "kurumsal", "daily_requests": "200000"}, 1000, 200_000, ""},
		{map[string]string{"plan": "gold"}, 0, 0, `settings.plan: "gold" is not a PazarSync plan (temel, işletme or kurumsal)`},
		{map[string]string{"daily_requests": "12000"}, 0, 0, "settings.daily_requests: 12000 is more than the Temel plan's 10000 requests a day"},
		{map[string]string{"daily_requests": "many"}, 0, 0, `settings.daily_requests: "many" must be a whole number`},
		{map[string]string{"tier": "temel"}, 0, 0, `settings.tier: PazarSync takes no setting "tier" (it takes plan, daily_requests)`},
	}
	for _, c := range cases {
		st := storeAt("http://127.0.0.1:1")
		st.Settings = map[string]string{}
		for k, v := range c.settings {
			st.Settings[k] = v
		}
		err := check(&st)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: %v, want %q", c.settings, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.settings, err)
			continue
		}
		conn, err := connectors.New(&st, connectors.Deps{})
		if err != nil {
			t.Fatal(err)
		}
		if r := conn.Features().PushRate; r.Requests != c.minute || r.Per != time.Minute {
			t.Errorf("%v: rate %+v, want %d a minute", c.settings, r, c.minute)
		}
		q, ok := conn.(connectors.QuotaReporter).Quota()
		if ok != (c.day > 0) || q.Limit != c.day || (ok && (q.Per != 24*time.Hour || q.Remaining != c.day || q.Used != 0)) {
			t.Errorf("%v: quota %+v %v, want %d a day", c.settings, q, ok, c.day)
		}
	}
}

// TestDailyBudgetIsNeverExceeded: with the day's budget spent the connector sends
// nothing and says when it may go on (Kind RetryAfter, nothing counted against the
// items); PazarSync never has to refuse a request. Status figures follow the count.
func TestDailyBudgetIsNeverExceeded(t *testing.T) {
	s, clock, c := simClient(t, pazarsyncsim.Options{PerDay: 40}, func(st *connectors.Store) {
		st.Settings = map[string]string{"daily_requests": "40"}
	})
	for i := 0; i < 37; i++ { // the token is request 1; the last 2 (5 %) are kept for orders
		if err := c.Test(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	before := s.Stats().Total.Requests
	err := c.Test(context.Background())
	if connectors.KindOf(err) != connectors.RetryAfter || connectors.RetryAfterOf(err) < 23*time.Hour ||
		!strings.Contains(err.Error(), "PazarSync's budget of 40 requests a day is spent (38 sent in the last day, the last 2 kept for fetching orders); nothing was sent") {
		t.Fatalf("got %v", err)
	}
	if s.Stats().Total.Requests != before {
		t.Fatal("a push spent the orders' reserve")
	}
	// The order fetch still goes, at once: the reserve is its.
	t0 := clock.Now()
	if _, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatalf("an order fetch with only the reserve left: %v", err)
	}
	if waited := clock.Now().Sub(t0); waited > time.Minute {
		t.Fatalf("the order fetch waited %s for the budget the pushes spent", waited)
	}
	q, _ := c.Quota()
	if q.Used != 39 || q.Remaining != 1 || q.Limit != 40 ||
		q.What != "PazarSync Temel plan: 40 requests a day" {
		t.Fatalf("quota %+v", q)
	}
	if s.Stats().Total.Requests != before+1 || s.Stats().Total.RateLimited != 0 {
		t.Fatalf("the simulator saw %d more requests (the order fetch's one), %d refused", s.Stats().Total.Requests-before, s.Stats().Total.RateLimited)
	}
	clock.Advance(connectors.RetryAfterOf(err))
	if err := c.Test(context.Background()); err != nil {
		t.Fatalf("after the day: %v", err)
	}
	if s.Stats().Total.RateLimited != 0 {
		t.Fatalf("%d refusals", s.Stats().Total.RateLimited)
	}
}

// TestReadBackOfAFewItemsSearches: a handful of items costs a search each, not a scan of
// a 10 000-product list; many items are read from the list.
func TestReadBackOfAFewItemsSearches(t *testing.T) {
	s, _, c := simClient(t, pazarsyncsim.Options{PerMinute: -1, PerDay: -1}, nil)
	for i := 0; i < 1000; i++ {
		if _, err := s.AddProduct(pazarsyncsim.Product{SKU: fmt.Sprintf("SKU-%04d", i), Name: "Ürün", Stock: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	items := []connectors.Item{{SKU: "SKU-0999"}, {SKU: "SKU-0001"}, {SKU: "SKU-0010"}, {SKU: "missing"}}
	before := s.Stats().Endpoints["products"].Requests
	got, err := c.ReadBack(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().Endpoints["products"].Requests - before; n != 4 {
		t.Fatalf("%d requests for 4 items", n)
	}
	// SKU-0001 also matches SKU-0010 … SKU-0019 by substring: only the exact SKU counts.
	if !got["SKU-0999"].Found || *got["SKU-0999"].Qty != 999 || *got["SKU-0001"].Qty != 1 || *got["SKU-0010"].Qty != 10 || got["missing"].Found {
		t.Fatalf("%+v", got)
	}
	many := make([]connectors.Item, 50)
	for i := range many {
		many[i] = connectors.Item{SKU: fmt.Sprintf("SKU-%04d", i)}
	}
	before = s.Stats().Endpoints["products"].Requests
	if _, err := c.ReadBack(context.Background(), many); err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().Endpoints["products"].Requests - before; n != 1 {
		t.Fatalf("%d requests for the first 50 products of the list", n)
	}
}

// TestOrderScansAreEconomical: a fetch lists the last day's orders and the window's
// cancellations; the whole look-back window is scanned once an hour. A cancellation of an
// older order is seen at the next fetch, its other changes within the hour.
func TestOrderScansAreEconomical(t *testing.T) {
	s, clock, c := simClient(t, pazarsyncsim.Options{PerMinute: -1, PerDay: -1}, nil)
	if _, err := s.AddProduct(pazarsyncsim.Product{SKU: "A", Name: "Ürün", Stock: 100000}); err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	var ids []string
	for i := 0; i < 350; i++ { // 50 a day for a week
		v, err := s.AddOrder(pazarsyncsim.Order{CreatedAt: start.Add(-time.Duration(i) * 7 * 24 * time.Hour / 350), Items: []pazarsyncsim.OrderItem{{SKU: "A", Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	old, older := ids[200], ids[300] // four and six days old
	versions := map[string]string{}
	status := map[string]string{}
	fetch := func() (lists, details int) {
		t.Helper()
		st0 := s.Stats()
		cursor := ""
		if b, ok := versions["cursor"]; ok {
			cursor = b
		}
		for n := 0; ; n++ {
			page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Cursor: cursor, Since: clock.Now().Add(-7 * 24 * time.Hour),
				Known: func(_ context.Context, ids []string) (map[string]string, error) {
					m := map[string]string{}
					for _, id := range ids {
						if v, ok := versions[id]; ok {
							m[id] = v
						}
					}
					return m, nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Orders {
				versions[o.ID], status[o.ID] = o.Version, o.RawStatus
			}
			cursor = page.Cursor
			if !page.More {
				break
			}
		}
		versions["cursor"] = cursor
		st1 := s.Stats()
		return st1.Endpoints["orders"].Requests - st0.Endpoints["orders"].Requests, st1.Endpoints["order"].Requests - st0.Endpoints["order"].Requests
	}
	if lists, details := fetch(); lists != 4 || details != 350 || len(status) != 350 {
		t.Fatalf("first fetch: %d list pages, %d details, %d orders", lists, details, len(status))
	}
	clock.Advance(5 * time.Minute)
	if lists, details := fetch(); lists != 2 || details != 0 {
		t.Fatalf("a fetch 5 minutes later: %d list pages (want the last day's and the cancellations), %d details", lists, details)
	}
	clock.Advance(time.Minute)
	if err := s.CancelOrder(old); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOrderStatus(older, "shipped"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if lists, details := fetch(); lists != 2 || details != 1 || status[old] != "cancelled" {
		t.Fatalf("after a cancellation: %d list pages, %d details, status %q", lists, details, status[old])
	}
	clock.Advance(time.Hour)
	if lists, details := fetch(); lists != 4 || details != 1 || status[older] != "shipped" {
		t.Fatalf("the hourly full scan: %d list pages, %d details", lists, details)
	}
}
