package ideasoft_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/ideasoft"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/ideasoftsim"
	"syncagent/connectors/sim/simkit"
)

type env struct {
	t     *testing.T
	sim   *ideasoftsim.Server
	clock *simkit.FakeClock
	store connectors.Store
	c     *ideasoft.Client
}

func newEnv(t *testing.T, opt ideasoftsim.Options, settings map[string]string) *env {
	t.Helper()
	clock := simkit.NewFakeClock(time.Time{})
	opt.ClientID, opt.ClientSecret, opt.Clock = clientID, clientSecret, clock
	s := ideasoftsim.New(opt)
	t.Cleanup(s.Close)
	st := storeAt(s.URL, t.TempDir())
	st.Settings = settings
	st.Scope = connectors.ScopeStock | connectors.ScopePrice | connectors.ScopeInfo
	if errs := connectors.Check(&st); len(errs) > 0 {
		t.Fatal(errs)
	}
	consent(t, s, st, clock)
	c, err := ideasoft.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sim: s, clock: clock, store: st, c: c}
}

func (e *env) add(p ideasoftsim.Product) ideasoftsim.Product {
	e.t.Helper()
	np, err := e.sim.AddProduct(p)
	if err != nil {
		e.t.Fatal(err)
	}
	return np
}

func qty(n int64) *int64               { return &n }
func kurus(k money.Kurus) *money.Kurus { return &k }

func (e *env) push(items ...connectors.Item) connectors.Outcomes {
	e.t.Helper()
	out, err := e.c.Push(context.Background(), items)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func want(t *testing.T, out connectors.Outcomes, sku string, st connectors.Status, reason string) {
	t.Helper()
	if o := out[sku]; o.Status != st || !strings.Contains(o.Reason, reason) {
		t.Fatalf("%s: %v %q; want %v with %q", sku, o.Status, o.Reason, st, reason)
	}
}

// Prices are with VAT; a product IdeaSoft keeps net (taxIncluded 0) gets price1 without
// it, and reads back with it. Variants are products: stock goes to each variant, never
// to a main product that has them. A product priced in another currency gets no TL price.
func TestPricesVariantsAndCurrencies(t *testing.T) {
	e := newEnv(t, ideasoftsim.Options{}, nil)
	e.add(ideasoftsim.Product{SKU: "NET", NetPrice: true, Tax: 20, Price1: 10000})
	main := e.add(ideasoftsim.Product{SKU: "TS", Name: "Tişört"})
	e.add(ideasoftsim.Product{SKU: "TS-RED-M", Name: "Kırmızı M", Parent: main.ID, Stock: ideasoftsim.Units(1)})
	e.add(ideasoftsim.Product{SKU: "USD", Currency: "USD", Price1: 500})
	out := e.push(
		connectors.Item{SKU: "NET", Price: kurus(14990)},
		connectors.Item{SKU: "TS", Qty: qty(5)},
		connectors.Item{SKU: "TS-RED-M", Qty: qty(12), Price: kurus(14990)},
		connectors.Item{SKU: "USD", Price: kurus(9990), Qty: qty(2)},
		connectors.Item{SKU: "GHOST", Qty: qty(1)},
	)
	want(t, out, "NET", connectors.Confirmed, "")
	want(t, out, "TS", connectors.Rejected, "has 1 variants")
	want(t, out, "TS-RED-M", connectors.Confirmed, "")
	want(t, out, "USD", connectors.Rejected, "in USD")
	want(t, out, "GHOST", connectors.Rejected, "no product with this SKU")
	if p, _ := e.sim.Product("NET"); p.Price1 != 12492 {
		t.Fatalf("net price1 %s, want 124.92 (149.90 / 1.20)", p.Price1)
	}
	if p, _ := e.sim.Product("TS-RED-M"); p.Stock != ideasoftsim.Units(12) || p.Price1 != 14990 || p.FullName != "Tişört Kırmızı M" {
		t.Fatalf("variant %+v", p)
	}
	got, err := e.c.ReadBack(context.Background(), []connectors.Item{{SKU: "NET"}, {SKU: "TS-RED-M"}, {SKU: "GHOST"}})
	if err != nil {
		t.Fatal(err)
	}
	if *got["NET"].Price != 14990 || *got["TS-RED-M"].Qty != 12 || got["GHOST"].Found {
		t.Fatalf("read back %+v", got)
	}
	// The VAT settings changed in the panel after the list was read: the price is sent
	// again with them rather than confirmed at a wrong gross.
	if err := e.sim.SetProduct("TS-RED-M", func(p *ideasoftsim.Product) { p.NetPrice = true; p.Tax = 10 }); err != nil {
		t.Fatal(err)
	}
	out = e.push(connectors.Item{SKU: "TS-RED-M", Price: kurus(11000), ConfPrice: kurus(14990)})
	want(t, out, "TS-RED-M", connectors.Retry, "VAT settings changed")
	out = e.push(connectors.Item{SKU: "TS-RED-M", Price: kurus(11000), ConfPrice: kurus(14990)})
	want(t, out, "TS-RED-M", connectors.Confirmed, "")
	if p, _ := e.sim.Product("TS-RED-M"); p.Price1 != 10000 {
		t.Fatalf("price1 %s after the VAT change, want 100.00", p.Price1)
	}
}

// A SKU moved to another product in the panel after the list was read: the reply names
// the other SKU, the list is read again, and the next push reaches the right product.
func TestSKUMovedInThePanel(t *testing.T) {
	e := newEnv(t, ideasoftsim.Options{}, nil)
	e.add(ideasoftsim.Product{SKU: "OLD", Stock: ideasoftsim.Units(1), Price1: 1000})
	e.push(connectors.Item{SKU: "OLD", Qty: qty(2)})
	e.sim.Rekey("OLD", "MOVED")
	e.add(ideasoftsim.Product{SKU: "OLD", Stock: ideasoftsim.Units(1), Price1: 1000})
	out := e.push(connectors.Item{SKU: "OLD", Qty: qty(5)})
	want(t, out, "OLD", connectors.Retry, "has the SKU \"MOVED\" now")
	e.clock.Advance(time.Minute)
	out = e.push(connectors.Item{SKU: "OLD", Qty: qty(5)})
	want(t, out, "OLD", connectors.Confirmed, "")
	if p, _ := e.sim.Product("OLD"); p.Stock != ideasoftsim.Units(5) {
		t.Fatalf("the product that has the SKU now: %+v", p)
	}
}

// A 500 to a PUT that IdeaSoft applied is an unknown outcome; a read-back shows the
// truth before anything is sent again.
func TestServerErrorAfterTheChangeIsUnknown(t *testing.T) {
	e := newEnv(t, ideasoftsim.Options{}, nil)
	e.add(ideasoftsim.Product{SKU: "A1", Stock: ideasoftsim.Units(3), Price1: 1000})
	e.push(connectors.Item{SKU: "A1", Qty: qty(4)})
	e.sim.FailAfterApply(1)
	_, err := e.c.Push(context.Background(), []connectors.Item{{SKU: "A1", Qty: qty(7)}})
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.Unknown || ce.Status != 500 {
		t.Fatalf("a 500 after the change: %v", err)
	}
	got, err := e.c.ReadBack(context.Background(), []connectors.Item{{SKU: "A1"}})
	if err != nil || *got["A1"].Qty != 7 {
		t.Fatalf("read back after the 500: %+v %v", got, err)
	}
}

// Where IdeaSoft wants every required field in a PUT (UNCONFIRMED), auto mode notices the
// first refusal, retries the item, and sends whole products from then on without losing
// anything the product had. full sends two requests per product from the start.
func TestWholeProductBodies(t *testing.T) {
	e := newEnv(t, ideasoftsim.Options{PartialPut: "reject"}, nil)
	e.add(ideasoftsim.Product{SKU: "A1", Name: "Kupa", Stock: ideasoftsim.Units(3), Price1: 1000, ShortDetail: "seramik"})
	out := e.push(connectors.Item{SKU: "A1", Qty: qty(9)})
	want(t, out, "A1", connectors.Retry, "refused a partial product update")
	out = e.push(connectors.Item{SKU: "A1", Qty: qty(9), Price: kurus(1250)})
	want(t, out, "A1", connectors.Confirmed, "")
	p, _ := e.sim.Product("A1")
	if p.Stock != ideasoftsim.Units(9) || p.Price1 != 1250 || p.Name != "Kupa" || p.ShortDetail != "seramik" {
		t.Fatalf("after a whole-body update: %+v", p)
	}

	f := newEnv(t, ideasoftsim.Options{PartialPut: "reject"}, map[string]string{"put_body": "full"})
	f.add(ideasoftsim.Product{SKU: "B1", Stock: ideasoftsim.Units(1), Price1: 1000})
	out = f.push(connectors.Item{SKU: "B1", Qty: qty(2)}) // reads the SKU map first
	want(t, out, "B1", connectors.Confirmed, "")
	st := f.sim.Stats().Endpoints
	if st["product"].Requests != 1 || st["product-update"].Requests != 1 {
		t.Fatalf("full bodies: %d reads, %d updates; want 1 and 1", st["product"].Requests, st["product-update"].Requests)
	}
	p2 := f.add(ideasoftsim.Product{SKU: "B2", Stock: ideasoftsim.Units(1), Price1: 1000})
	f.sim.SetFaults(simkit.Faults{RejectKeys: map[string]string{"B2": "Stok kodu kilitli"}})
	out = f.push(connectors.Item{SKU: "B2", Qty: qty(3)})
	want(t, out, "B2", connectors.Rejected, "Stok kodu kilitli")
	if p, _ := f.sim.Product("B2"); p.Stock != p2.Stock {
		t.Fatal("a refused update changed the product")
	}
}

// A push stops at a failure that is no item's own (here IdeaSoft's budget, spent by
// another program of the shop): what was decided stays decided, the rest is Retry; the
// pacer then holds off as IdeaSoft asked.
func TestPushStopsAtAThrottle(t *testing.T) {
	e := newEnv(t, ideasoftsim.Options{PerMinute: 2}, nil)
	for _, sku := range []string{"A1", "A2", "A3"} {
		e.add(ideasoftsim.Product{SKU: sku, Stock: ideasoftsim.Units(1), Price1: 1000})
	}
	st := e.store
	st.Limits = connectors.Limits{Requests: 100, Per: time.Minute} // more than IdeaSoft allows here
	c, err := ideasoft.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: e.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { e.clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	// The SKU map (one list request), A1's update, then A2's meets the 429.
	out, err := c.Push(context.Background(), []connectors.Item{{SKU: "A1", Qty: qty(2)}, {SKU: "A2", Qty: qty(2)}, {SKU: "A3", Qty: qty(2)}})
	if err != nil {
		t.Fatal(err)
	}
	want(t, out, "A1", connectors.Confirmed, "")
	want(t, out, "A2", connectors.Retry, "not sent in this push")
	want(t, out, "A3", connectors.Retry, "too many requests")
	if p, _ := e.sim.Product("A2"); p.Stock != ideasoftsim.Units(1) {
		t.Fatal("A2 changed")
	}
	start := e.clock.Now()
	out, err = c.Push(context.Background(), []connectors.Item{{SKU: "A2", Qty: qty(2)}})
	if err != nil {
		t.Fatal(err)
	}
	want(t, out, "A2", connectors.Confirmed, "")
	if waited := e.clock.Now().Sub(start); waited < 30*time.Second {
		t.Fatalf("the next update went %v after the 429", waited)
	}
	if n := e.sim.Stats().Endpoints["product-update"].RateLimited; n != 1 {
		t.Fatalf("%d answers of 429; want the one", n)
	}
}

// Product information goes through the same update: title, VAT rate and on sale; what
// IdeaSoft's connector cannot send is refused, never dropped.
func TestUpdateInfo(t *testing.T) {
	e := newEnv(t, ideasoftsim.Options{}, nil)
	main := e.add(ideasoftsim.Product{SKU: "TS", Name: "Tişört"})
	e.add(ideasoftsim.Product{SKU: "TS-M", Name: "M", Parent: main.ID})
	e.add(ideasoftsim.Product{SKU: "K1", Name: "Kupa", Tax: 20})
	title, vat, off, desc := "Kupa Büyük", 10, false, "<p>seramik</p>"
	oldTitle := "Kupa"
	out, err := e.c.UpdateInfo(context.Background(), []connectors.Item{
		{SKU: "K1", Info: connectors.Info{Title: &title, VATRate: &vat, Active: &off}, ConfInfo: connectors.Info{Title: &oldTitle}},
		{SKU: "TS-M", Info: connectors.Info{Title: &title}},
		{SKU: "TS", Info: connectors.Info{Description: &desc}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want(t, out, "K1", connectors.Confirmed, "")
	want(t, out, "TS-M", connectors.Rejected, "is a variant")
	want(t, out, "TS", connectors.Rejected, "does not send descriptions")
	p, _ := e.sim.Product("K1")
	if p.Name != title || p.Tax != 10 || !p.Passive {
		t.Fatalf("after the information update: %+v", p)
	}
	got, err := e.c.ReadBack(context.Background(), []connectors.Item{{SKU: "K1"}})
	if err != nil || *got["K1"].Info.Title != title || *got["K1"].Info.VATRate != 10 || *got["K1"].Info.Active {
		t.Fatalf("read back: %+v %v", got["K1"].Info, err)
	}
	f := e.c.Features()
	if !f.Updates.Has(connectors.ScopeInfo) || f.InfoFields&connectors.InfoDescription != 0 || f.MaxInfoBatch != f.MaxBatch {
		t.Fatalf("features %+v", f)
	}
}

// Orders: statuses and payment statuses mapped, the shop's own statuses as the store's
// settings say, a fractional quantity counted whole (rounded up), TL as TRY, and a
// cancellation coming back as an update of the same order.
func TestOrders(t *testing.T) {
	e := newEnv(t, ideasoftsim.Options{}, map[string]string{"personal_status_2": "shipped"})
	e.store.Orders = true
	e.add(ideasoftsim.Product{SKU: "KG", Price1: 20000, Stock: ideasoftsim.Units(10), Tax: 1})
	e.add(ideasoftsim.Product{SKU: "A1", Price1: 14990, Stock: ideasoftsim.Units(10)})
	place := func(o ideasoftsim.Order) int64 {
		t.Helper()
		v, err := e.sim.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		return v.ID
	}
	kg := place(ideasoftsim.Order{Items: []ideasoftsim.OrderItem{{SKU: "KG", Quantity: 150}}, Shipping: 2990})
	havale := place(ideasoftsim.Order{PaymentStatus: "in_transaction", Items: []ideasoftsim.OrderItem{{SKU: "A1", Quantity: ideasoftsim.Units(2)}}})
	own := place(ideasoftsim.Order{Items: []ideasoftsim.OrderItem{{SKU: "A1", Quantity: ideasoftsim.Units(1)}}})
	if err := e.sim.SetOrderStatus(own, "personal_status_2"); err != nil {
		t.Fatal(err)
	}
	since := e.clock.Now().Add(-24 * time.Hour)
	byID := map[string]order.Order{}
	fetch := func(cursor string) string {
		t.Helper()
		for {
			page, err := e.c.FetchOrders(context.Background(), connectors.OrderQuery{Cursor: cursor, Since: since,
				Known: func(_ context.Context, ids []string) (map[string]string, error) {
					m := map[string]string{}
					for _, id := range ids {
						if o, ok := byID[id]; ok {
							m[id] = o.Version
						}
					}
					return m, nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Orders {
				byID[o.ID] = o
			}
			cursor = page.Cursor
			if !page.More {
				return cursor
			}
		}
	}
	cursor := fetch("")
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	o := byID[id(kg)]
	l := o.Packages[0].Lines[0]
	if o.Status != order.New || o.Currency != "TRY" || l.Quantity != 2 || l.UnitPrice != 20000 || l.Total != 30000 || l.Discount != 10000 || l.VATRate != 100 || o.ShippingFee != 2990 {
		t.Fatalf("the kilogram order: %+v %+v", o, l)
	}
	if o := byID[id(havale)]; o.Status != order.Awaiting || o.Quantities()["A1"] != 2 {
		t.Fatalf("the bank transfer waiting for its payment: %s %v", o.Status, o.Quantities())
	}
	if o := byID[id(own)]; o.Status != order.Shipped || o.RawStatus != "personal_status_2 (payment success)" {
		t.Fatalf("the shop's own status 2: %s %q", o.Status, o.RawStatus)
	}
	if err := e.sim.CancelOrder(kg); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetPaymentStatus(havale, "success"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	n := len(byID)
	fetch(cursor)
	if len(byID) != n || byID[id(kg)].Status != order.Cancelled || byID[id(havale)].Status != order.New {
		t.Fatalf("after a cancellation and a payment: %d orders, %s, %s", len(byID), byID[id(kg)].Status, byID[id(havale)].Status)
	}
}

// The registration: what check-config prints, which options are secret, and the
// settings' checks, each error naming the key and saying what is wrong.
func TestRegistration(t *testing.T) {
	info, ok := connectors.Find(ideasoft.Marketplace)
	if !ok {
		t.Fatal("not registered")
	}
	if d := info.Features.Describe(); d != "items by marketplace id mapped from SKU or barcode, one request per item, 10 a push, 120 requests / 1m0s, confirmed in the reply, updates stock+price+info" {
		t.Fatalf("Describe: %s", d)
	}
	for _, o := range info.Options {
		if (o.Name == "shop") != o.Identity || (o.Name != "shop") != o.Secret {
			t.Errorf("option %s: identity %v, secret %v", o.Name, o.Identity, o.Secret)
		}
	}
	cases := []struct {
		name  string
		edit  func(*connectors.Store)
		key   string
		words string
	}{
		{"no data dir", func(s *connectors.Store) { s.DataDir = "" }, "data_dir", "refresh token in the data dir"},
		{"a URL as the shop", func(s *connectors.Store) { s.Credentials["shop"] = "https://magaza.myideasoft.com/" }, "credentials.shop", "no https://"},
		{"upper case", func(s *connectors.Store) { s.Credentials["shop"] = "Magaza" }, "credentials.shop", "lower case"},
		{"a relative redirect URI", func(s *connectors.Store) { s.Settings = map[string]string{"redirect_uri": "/callback"} }, "settings.redirect_uri", "exactly as registered"},
		{"put_body", func(s *connectors.Store) { s.Settings = map[string]string{"put_body": "whole"} }, "settings.put_body", "auto, partial or full"},
		{"a personal status", func(s *connectors.Store) { s.Settings = map[string]string{"personal_status_2": "kargoda"} }, "settings.personal_status_2", "shipped"},
	}
	for _, c := range cases {
		st := storeAt("http://127.0.0.1:1", t.TempDir())
		c.edit(&st)
		errs := connectors.Check(&st)
		var fe *connectors.FieldError
		if len(errs) != 1 || !errors.As(errs[0], &fe) || fe.Key != c.key || !strings.Contains(fe.Msg, c.words) {
			t.Errorf("%s: %v", c.name, errs)
		}
	}
	st := storeAt("http://127.0.0.1:1", t.TempDir())
	st.Credentials["shop"] = "magaza.myideasoft.com"
	if errs := connectors.Check(&st); len(errs) != 0 || st.Settings["redirect_uri"] != ideasoft.DefaultRedirectURI || st.Settings["put_body"] != "auto" {
		t.Fatalf("a valid store: %v %v", errs, st.Settings)
	}
}
