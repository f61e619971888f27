package tsoft_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/tsoftsim"
	"syncagent/connectors/tsoft"
)

// shop is a simulated shop and a connector of it on one fake clock.
type shop struct {
	t     *testing.T
	sim   *tsoftsim.Server
	clock *simkit.FakeClock
	store connectors.Store
	c     *tsoft.Client
}

func newShop(t *testing.T, opt tsoftsim.Options, settings ...string) *shop {
	t.Helper()
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	opt.Clock = clock
	if opt.User == "" {
		opt.User = wsUser
	}
	opt.Password = wsPassword
	s := tsoftsim.New(opt)
	t.Cleanup(s.Close)
	sh := &shop{t: t, sim: s, clock: clock, store: storeAt(s.URL, settings...)}
	sh.store.Credentials["user"] = opt.User
	sh.connect()
	return sh
}

// connect builds the connector through the registry's checks, on the shop's clock. A
// new connector has a new pacer, so the clock first moves past the shop's rate window,
// which the previous one may have filled.
func (sh *shop) connect() {
	sh.t.Helper()
	sh.clock.Advance(time.Second)
	if errs := connectors.Check(&sh.store); len(errs) > 0 {
		sh.t.Fatal(errs)
	}
	c, err := tsoft.New(&sh.store, connectors.Deps{Log: zerolog.Nop(), Now: sh.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { sh.clock.Advance(d); return ctx.Err() }})
	if err != nil {
		sh.t.Fatal(err)
	}
	sh.c = c
}

func (sh *shop) add(code string, stock int64, price money.Kurus) {
	sh.t.Helper()
	if _, err := sh.sim.AddProduct(tsoftsim.Product{Code: code, Stock: stock, SellingPrice: price}); err != nil {
		sh.t.Fatal(err)
	}
}

func (sh *shop) push(items ...connectors.Item) (connectors.Outcomes, error) {
	sh.t.Helper()
	return sh.c.Push(context.Background(), items)
}

func qty(n int64) *int64            { return &n }
func tl(k money.Kurus) *money.Kurus { return &k }

func wantKind(t *testing.T, err error, kind connectors.ErrorKind, words ...string) {
	t.Helper()
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != kind {
		t.Fatalf("error %v, want kind %v", err, kind)
	}
	for _, w := range words {
		if !strings.Contains(ce.Error(), w) {
			t.Fatalf("error %q does not say %q", ce.Error(), w)
		}
	}
}

// TestTestTellsTheFailuresApart: test-store's verdicts for each way a T-Soft shop
// refuses, each in words that say what to do in the panel.
func TestTestTellsTheFailuresApart(t *testing.T) {
	ctx := context.Background()
	sh := newShop(t, tsoftsim.Options{})
	if err := sh.c.Test(ctx); err != nil {
		t.Fatalf("a shop that allows everything: %v", err)
	}
	if st := sh.sim.Stats().Endpoints["update-products"]; st.Requests != 1 || st.ClientErrors != 1 {
		t.Fatalf("the update permission is probed with one harmless update: %+v", st)
	}
	for _, p := range sh.sim.Snapshot() {
		t.Fatalf("the probe created or changed a product: %+v", p)
	}

	sh.sim.SetMethods([]string{"product/get"})
	wantKind(t, sh.c.Test(ctx), connectors.Auth, "this user may not call product/updateProducts",
		`(T-Soft: "Controller is not allowed!"; the user is credentials.user)`)
	sh.sim.SetMethods([]string{"product/updateProducts"})
	wantKind(t, sh.c.Test(ctx), connectors.Auth, "may not call product/get")

	// A store that imports orders needs the order list too.
	sh.sim.SetMethods([]string{"product/get", "product/updateProducts"})
	sh.store.Orders = true
	sh.connect()
	wantKind(t, sh.c.Test(ctx), connectors.Auth, "may not call order/get")
	sh.sim.SetMethods(nil)
	if err := sh.c.Test(ctx); err != nil {
		t.Fatal(err)
	}

	sh.sim.SetAllowedIPs([]string{"203.0.113.7"})
	sh.clock.Advance(2 * time.Hour) // a fresh login meets the IP restriction too
	wantKind(t, sh.c.Test(ctx), connectors.Auth, "IP restriction refused this computer", "allowed IP list", "127.0.0.1")
	sh.sim.SetAllowedIPs(nil)

	sh.sim.SetLicence("off-message")
	wantKind(t, sh.c.Test(ctx), connectors.Auth, "no web service (REST1 / Gelişmiş Web Servis) licence", "lisansı bulunmamaktadır")
	sh.sim.SetLicence("off-404")
	wantKind(t, sh.c.Test(ctx), connectors.Auth, "404", "settings.host", "licence")
	sh.sim.SetLicence("on")

	sh.store.Credentials["password"] = "not-the-password"
	sh.connect()
	wantKind(t, sh.c.Test(ctx), connectors.Auth, "did not accept the web-service user and password", "credentials.user and credentials.password", "şifre hatalı")

	// probe_update: off checks reading only.
	sh.store.Credentials["password"] = wsPassword
	sh.store.Settings["probe_update"] = "off"
	sh.store.Orders = false
	sh.connect()
	sh.sim.SetMethods([]string{"product/get"})
	sh.sim.ResetStats()
	if err := sh.c.Test(ctx); err != nil || sh.sim.Stats().Endpoints["update-products"].Requests != 0 {
		t.Fatalf("probe off: %v, %+v", err, sh.sim.Stats().Endpoints["update-products"])
	}
}

func TestTestOnARedirectAndAnHTMLPage(t *testing.T) {
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://www.ornekmagaza.com.tr"+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer redirect.Close()
	st := storeAt(redirect.URL)
	if errs := connectors.Check(&st); len(errs) > 0 {
		t.Fatal(errs)
	}
	c, _ := tsoft.New(&st, connectors.Deps{Log: zerolog.Nop()})
	wantKind(t, c.Test(context.Background()), connectors.Auth, "redirects", "https://www.ornekmagaza.com.tr/rest1/auth/login/", "settings.host")

	sh := newShop(t, tsoftsim.Options{})
	sh.sim.SetHTMLFaults(tsoftsim.HTMLFaults{Next: 1, Only: []string{"login"}})
	wantKind(t, sh.c.Test(context.Background()), connectors.Transient, "HTML page", "Fatal error")
	if err := sh.c.Test(context.Background()); err != nil {
		t.Fatalf("the next try: %v", err)
	}
}

// TestHTMLPageAfterAnUpdate: the shop's PHP error page in place of the reply to an
// update is an unknown outcome (read back), to a read a transient failure; never
// decoded as JSON.
func TestHTMLPageAfterAnUpdate(t *testing.T) {
	ctx := context.Background()
	sh := newShop(t, tsoftsim.Options{})
	sh.add("A", 5, 10000)
	sh.add("B", 5, 10000)
	item := func(code string, n int64) connectors.Item {
		return connectors.Item{SKU: code, Qty: qty(n), ConfQty: qty(5)}
	}
	sh.sim.SetHTMLFaults(tsoftsim.HTMLFaults{Next: 1, Only: []string{"update-products"}, Applied: true})
	_, err := sh.push(item("A", 7))
	wantKind(t, err, connectors.Unknown, "HTML page", "read back")
	got, err := sh.c.ReadBack(ctx, []connectors.Item{{SKU: "A"}})
	if err != nil || *got["A"].Qty != 7 {
		t.Fatalf("read back after the page: %v %v", got, err)
	}
	// A PHP 500 page after an update is as unknown; one before it (not applied) too.
	sh.sim.SetHTMLFaults(tsoftsim.HTMLFaults{Next: 1, Only: []string{"update-products"}, Status: 500})
	_, err = sh.push(item("B", 8))
	wantKind(t, err, connectors.Unknown, "500")
	if p, _ := sh.sim.Product("B"); p.Stock != 5 {
		t.Fatal("not applied")
	}
	sh.sim.SetHTMLFaults(tsoftsim.HTMLFaults{Next: 1, Only: []string{"product-get"}})
	_, err = sh.c.ReadBack(ctx, []connectors.Item{{SKU: "A"}})
	wantKind(t, err, connectors.Transient, "HTML page")
}

// TestPartialPushKeepsWhatWasConfirmed: when a request of a one-product-per-call push
// fails, the products already answered keep their outcomes and the rest are Retry.
func TestPartialPushKeepsWhatWasConfirmed(t *testing.T) {
	sh := newShop(t, tsoftsim.Options{RateLimit: 3, Throttle: "message"}, "update_mode", "single")
	sh.store.Limits = connectors.Limits{Requests: 100, Per: time.Second} // faster than the shop allows
	sh.connect()
	for _, c := range []string{"A", "B", "C"} {
		sh.add(c, 1, 10000)
	}
	out, err := sh.push(connectors.Item{SKU: "A", Qty: qty(2)}, connectors.Item{SKU: "B", Qty: qty(3)}, connectors.Item{SKU: "C", Qty: qty(4)})
	if err != nil {
		t.Fatal(err)
	}
	// login, A, B, then C is throttled.
	if out["A"].Status != connectors.Confirmed || out["B"].Status != connectors.Confirmed || out["C"].Status != connectors.Retry ||
		!strings.Contains(out["C"].Reason, "Çok fazla istek") {
		t.Fatalf("outcomes %+v", out)
	}
	snap := sh.sim.Snapshot()
	if snap["A"].Stock != 2 || snap["B"].Stock != 3 || snap["C"].Stock != 1 {
		t.Fatalf("shop %+v", snap)
	}
	// The throttle as HTTP 200 holds the pacer a window, like a 429.
	start := sh.clock.Now()
	out, err = sh.push(connectors.Item{SKU: "C", Qty: qty(4)})
	if err != nil || out["C"].Status != connectors.Confirmed || sh.clock.Now().Sub(start) < time.Second {
		t.Fatalf("after the pause: %v %v, waited %v", out, err, sh.clock.Now().Sub(start))
	}
}

// TestTokenRenewedBeforeItsExpiration: the token is replaced before the time the shop
// gives, read in each form; without a readable time, settings.token_ttl decides.
func TestTokenRenewedBeforeItsExpiration(t *testing.T) {
	for _, tc := range []struct {
		expiration, ttl string
		life            time.Duration
	}{{"dmy", "", 10 * time.Minute}, {"epoch", "", 10 * time.Minute}, {"none", "5m", 5 * time.Minute}} {
		t.Run(tc.expiration, func(t *testing.T) {
			var set []string
			if tc.ttl != "" {
				set = []string{"token_ttl", tc.ttl}
			}
			sh := newShop(t, tsoftsim.Options{TokenTTL: 10 * time.Minute, Expiration: tc.expiration}, set...)
			sh.add("A", 1, 10000)
			for i := int64(2); i < 6; i++ {
				if out, err := sh.push(connectors.Item{SKU: "A", Qty: qty(i)}); err != nil || out["A"].Status != connectors.Confirmed {
					t.Fatalf("push %d: %v %v", i, out, err)
				}
				sh.clock.Advance(tc.life - 30*time.Second) // inside the last tenth of its life
			}
			st := sh.sim.Stats()
			if st.Endpoints["login"].Requests != 4 || st.Endpoints["update-products"].ClientErrors != 0 {
				t.Fatalf("%d logins, %d refused updates: the token must be renewed before it dies",
					st.Endpoints["login"].Requests, st.Endpoints["update-products"].ClientErrors)
			}
		})
	}
}

func TestEmailUserLogsIn(t *testing.T) {
	sh := newShop(t, tsoftsim.Options{User: "depo@ornekmagaza.com.tr"})
	if err := sh.c.Test(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestDiscountedPrices: with prices: discounted the sale price is DiscountedPrice and
// the list price SellingPrice, both read back; a list price below the sale price is
// refused unsent.
func TestDiscountedPrices(t *testing.T) {
	sh := newShop(t, tsoftsim.Options{Numbers: "dot"}, "prices", "discounted")
	if !sh.c.Features().ListPrice {
		t.Fatal("prices: discounted pushes a list price")
	}
	sh.add("A", 1, 10000)
	sh.add("B", 1, 10000)
	out, err := sh.push(
		connectors.Item{SKU: "A", Price: tl(8990), ListPrice: tl(9990)},
		connectors.Item{SKU: "B", Price: tl(9990), ListPrice: tl(8990)})
	if err != nil || out["A"].Status != connectors.Confirmed || out["B"].Status != connectors.Rejected || !strings.Contains(out["B"].Reason, "below sale price") {
		t.Fatalf("%+v %v", out, err)
	}
	if p, _ := sh.sim.Product("A"); p.DiscountedPrice != 8990 || p.SellingPrice != 9990 {
		t.Fatalf("shop %+v", p)
	}
	got, err := sh.c.ReadBack(context.Background(), []connectors.Item{{SKU: "A"}, {SKU: "B"}})
	if err != nil || *got["A"].Price != 8990 || *got["A"].ListPrice != 9990 || *got["B"].Price != 10000 || *got["B"].ListPrice != 10000 {
		t.Fatalf("read back %+v %v (B has no discount: it sells at SellingPrice)", got, err)
	}
	// The default: the sale price is SellingPrice; no list price.
	sd := newShop(t, tsoftsim.Options{})
	sd.add("A", 1, 10000)
	if sd.c.Features().ListPrice {
		t.Fatal("prices: selling has no list price")
	}
	if out, err := sd.push(connectors.Item{SKU: "A", Price: tl(12345)}); err != nil || out["A"].Status != connectors.Confirmed {
		t.Fatal(out, err)
	}
	if p, _ := sd.sim.Product("A"); p.SellingPrice != 12345 || p.DiscountedPrice != 0 {
		t.Fatalf("shop %+v", p)
	}
}

// TestVariants: variant codes are refused with variants off (the verified client's
// choice) and written through the sub-product method with variants on, including a
// variant added in the panel after the variant list was read.
func TestVariants(t *testing.T) {
	ctx := context.Background()
	off := newShop(t, tsoftsim.Options{})
	off.add("GOMLEK", 0, 30000)
	if _, err := off.sim.AddSubProduct(tsoftsim.SubProduct{Code: "GOMLEK-M", MainCode: "GOMLEK", Stock: 1, SellingPrice: 30000}); err != nil {
		t.Fatal(err)
	}
	out, err := off.push(connectors.Item{SKU: "GOMLEK-M", Qty: qty(4)})
	if err != nil || out["GOMLEK-M"].Status != connectors.Rejected || !strings.Contains(out["GOMLEK-M"].Reason, "settings.variants: on") ||
		!strings.Contains(out["GOMLEK-M"].Reason, "bulunamadı") {
		t.Fatalf("variants off: %+v %v", out, err)
	}

	on := newShop(t, tsoftsim.Options{}, "variants", "on")
	on.add("GOMLEK", 0, 30000)
	on.add("PANTOLON", 3, 45000)
	for _, v := range []string{"GOMLEK-S", "GOMLEK-M"} {
		if _, err := on.sim.AddSubProduct(tsoftsim.SubProduct{Code: v, MainCode: "GOMLEK", Stock: 1, SellingPrice: 30000}); err != nil {
			t.Fatal(err)
		}
	}
	out, err = on.push(connectors.Item{SKU: "GOMLEK-M", Qty: qty(4), Price: tl(29990)}, connectors.Item{SKU: "PANTOLON", Qty: qty(2)})
	if err != nil || out["GOMLEK-M"].Status != connectors.Confirmed || out["PANTOLON"].Status != connectors.Confirmed {
		t.Fatalf("variants on: %+v %v", out, err)
	}
	if v, _ := on.sim.SubProduct("GOMLEK-M"); v.Stock != 4 || v.SellingPrice != 29990 {
		t.Fatalf("variant %+v", v)
	}
	got, err := on.c.ReadBack(ctx, []connectors.Item{{SKU: "GOMLEK-M"}, {SKU: "GOMLEK-S"}, {SKU: "PANTOLON"}, {SKU: "YOK"}})
	if err != nil || *got["GOMLEK-M"].Qty != 4 || *got["GOMLEK-S"].Qty != 1 || *got["PANTOLON"].Qty != 2 || got["YOK"].Found {
		t.Fatalf("read back %+v %v", got, err)
	}
	// A variant added in the panel is found once the list is a minute old.
	if _, err := on.sim.AddSubProduct(tsoftsim.SubProduct{Code: "GOMLEK-L", MainCode: "GOMLEK", Stock: 1, SellingPrice: 30000}); err != nil {
		t.Fatal(err)
	}
	on.clock.Advance(2 * time.Minute)
	out, err = on.push(connectors.Item{SKU: "GOMLEK-L", Qty: qty(6)})
	if err != nil || out["GOMLEK-L"].Status != connectors.Confirmed {
		t.Fatalf("new variant: %+v %v", out, err)
	}
	if v, _ := on.sim.SubProduct("GOMLEK-L"); v.Stock != 6 {
		t.Fatalf("new variant %+v", v)
	}
	// An unknown code is refused without a rescan when the list is fresh.
	scans := on.sim.Stats().Endpoints["subproduct-get"].Requests
	out, _ = on.push(connectors.Item{SKU: "YOK", Qty: qty(1)})
	if out["YOK"].Status != connectors.Rejected || on.sim.Stats().Endpoints["subproduct-get"].Requests != scans {
		t.Fatalf("unknown code: %+v, %d scans", out, on.sim.Stats().Endpoints["subproduct-get"].Requests-scans)
	}

	// With prices: discounted a variant's price cannot be set apart.
	dv := newShop(t, tsoftsim.Options{}, "variants", "on", "prices", "discounted")
	dv.add("GOMLEK", 0, 30000)
	if _, err := dv.sim.AddSubProduct(tsoftsim.SubProduct{Code: "GOMLEK-M", MainCode: "GOMLEK", Stock: 1, SellingPrice: 30000}); err != nil {
		t.Fatal(err)
	}
	out, err = dv.push(connectors.Item{SKU: "GOMLEK-M", Qty: qty(2), Price: tl(25000), ListPrice: tl(30000)})
	if err != nil || out["GOMLEK-M"].Status != connectors.Rejected || !strings.Contains(out["GOMLEK-M"].Reason, "one price") {
		t.Fatalf("%+v %v", out, err)
	}
}

// TestArrayModeNamesEachRefusal: update_mode: array sends one call and confirms each
// product by reading it back; a refused one carries the words that name it.
func TestArrayModeNamesEachRefusal(t *testing.T) {
	sh := newShop(t, tsoftsim.Options{ArrayUpdates: true}, "update_mode", "array")
	for _, c := range []string{"A", "B", "C"} {
		sh.add(c, 1, 10000)
	}
	sh.sim.SetFaults(simkit.Faults{RejectKeys: map[string]string{"B": "ürün pazaryeri onayında"}})
	out, err := sh.push(connectors.Item{SKU: "A", Qty: qty(5)}, connectors.Item{SKU: "B", Qty: qty(6)},
		connectors.Item{SKU: "C", Qty: qty(7)}, connectors.Item{SKU: "YOK", Qty: qty(1)})
	if err != nil {
		t.Fatal(err)
	}
	if out["A"].Status != connectors.Confirmed || out["C"].Status != connectors.Confirmed ||
		out["B"].Status != connectors.Rejected || !strings.Contains(out["B"].Reason, "B: ürün pazaryeri onayında") ||
		out["YOK"].Status != connectors.Rejected || !strings.Contains(out["YOK"].Reason, "YOK kodlu ürün bulunamadı") {
		t.Fatalf("%+v", out)
	}
	if st := sh.sim.Stats().Endpoints; st["update-products"].Requests != 1 || st["product-get"].Requests != 1 {
		t.Fatalf("one update and one read-back: %+v", st)
	}
	// A shop that refuses arrays refuses the whole call: nothing is confirmed.
	no := newShop(t, tsoftsim.Options{}, "update_mode", "array")
	no.add("A", 1, 10000)
	out, err = no.push(connectors.Item{SKU: "A", Qty: qty(5)})
	if err != nil || out["A"].Status != connectors.Retry || !strings.Contains(out["A"].Reason, "tek bir ürün nesnesi") {
		t.Fatalf("arrays refused: %+v %v", out, err)
	}
}

// TestReadBackRefusesAShopThatIgnoresTheFilter: a product/get that answers products not
// asked for would make every other product look missing; it is an error instead.
func TestReadBackRefusesAShopThatIgnoresTheFilter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/rest1/auth/login/") {
			_, _ = w.Write([]byte(`{"success":true,"data":[{"token":"t0k3n-value","expirationTime":"01-10-2026 13:00:00"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"success":true,"data":[{"ProductCode":"BASKA","Stock":"1","SellingPrice":"1,00"}],"summary":{"totalRecordCount":900}}`))
	}))
	defer srv.Close()
	c := contractClient(t, srv.URL)
	_, err := c.ReadBack(context.Background(), []connectors.Item{{SKU: "A"}})
	wantKind(t, err, connectors.Permanent, "ignores the filter")
}

// TestOrdersNormalized: a shop's own status ids through settings.order_statuses, 9 and
// 10 fixed, variants' lines by SubProductCode, exact amounts with a discount.
func TestOrdersNormalized(t *testing.T) {
	sh := newShop(t, tsoftsim.Options{}, "order_statuses", "1=awaiting, 4=processing")
	sh.add("GOMLEK", 0, 30000)
	sh.add("KEMER", 5, 12550)
	if _, err := sh.sim.AddSubProduct(tsoftsim.SubProduct{Code: "GOMLEK-M", MainCode: "GOMLEK", Stock: 3, SellingPrice: 29990}); err != nil {
		t.Fatal(err)
	}
	v, err := sh.sim.AddOrder(tsoftsim.Order{Lines: []tsoftsim.OrderLine{{Code: "GOMLEK-M", Quantity: 2}, {Code: "KEMER", Quantity: 3, Discount: 1005}}})
	if err != nil {
		t.Fatal(err)
	}
	fetch := func() order.Order {
		t.Helper()
		page, err := sh.c.FetchOrders(context.Background(), connectors.OrderQuery{Since: sh.clock.Now().Add(-24 * time.Hour)})
		if err != nil || len(page.Orders) != 1 {
			t.Fatalf("%+v %v", page, err)
		}
		return page.Orders[0]
	}
	o := fetch()
	q := o.Quantities()
	if o.Status != order.Awaiting || q["GOMLEK-M"] != 2 || q["KEMER"] != 3 || o.StatedTotal != 2*29990+3*12550-1005 ||
		o.Totals().Total != o.StatedTotal || o.Customer.Name != "Ayşe Yılmaz" || o.ShipTo.City != "İstanbul" || o.ShipTo.District != "Kadıköy" {
		t.Fatalf("order %+v", o)
	}
	for _, l := range o.Packages[0].Lines {
		if l.SKU == "KEMER" && (l.Discount != 1005 || l.Total != 3*12550-1005 || l.VATRate != 2000) {
			t.Fatalf("line %+v", l)
		}
	}
	for _, step := range []struct {
		status int
		want   order.Status
	}{{tsoftsim.StatusPreparing, order.Processing}, {tsoftsim.StatusShipped, order.Shipped}, {tsoftsim.StatusCancelled, order.Cancelled}} {
		sh.clock.Advance(time.Minute)
		if err := sh.sim.SetOrderStatus(v.ID, step.status); err != nil {
			t.Fatal(err)
		}
		if o := fetch(); o.Status != step.want {
			t.Fatalf("status %d: %s, want %s", step.status, o.Status, step.want)
		}
	}
	if o := fetch(); len(o.Quantities()) != 0 || o.Packages[0].CargoTracking == "" {
		t.Fatalf("a cancelled order holds nothing: %+v", o)
	}
}

// TestVariantMethodMissing: a shop without the assumed sub-product method refuses the
// variants (and test-store says why), while main products are written.
func TestVariantMethodMissing(t *testing.T) {
	sh := newShop(t, tsoftsim.Options{NoSubProductWrites: true}, "variants", "on")
	sh.add("GOMLEK", 0, 30000)
	sh.add("KEMER", 1, 12000)
	if _, err := sh.sim.AddSubProduct(tsoftsim.SubProduct{Code: "GOMLEK-M", MainCode: "GOMLEK", Stock: 1, SellingPrice: 30000}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, sh.c.Test(context.Background()), connectors.Permanent, "no subProduct/updateSubProducts method", "settings.variants: off")
	out, err := sh.push(connectors.Item{SKU: "GOMLEK-M", Qty: qty(3)}, connectors.Item{SKU: "KEMER", Qty: qty(4)})
	if err != nil || out["GOMLEK-M"].Status != connectors.Rejected || !strings.Contains(out["GOMLEK-M"].Reason, "404") || out["KEMER"].Status != connectors.Confirmed {
		t.Fatalf("%+v %v", out, err)
	}
}
