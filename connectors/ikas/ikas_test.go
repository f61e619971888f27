package ikas_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/ikas"
	"syncagent/connectors/sim/ikassim"
	"syncagent/connectors/sim/simkit"
)

// The price object replaces the stored one: the connector sends the sale and list price
// it manages and the buy price as ikas holds it, so the merchant's buy price survives;
// with discount_price: keep the merchant's discount survives too.
func TestPriceObjectKeepsTheMerchantsFields(t *testing.T) {
	w := newWorld(t, ikassim.Options{})
	w.product("A1", "200.00", "180.00", "95.50", 5)
	w.product("A2", "50.00", "", "", 5)
	out := w.push(
		connectors.Item{SKU: "A1", Price: kp("149.90"), ListPrice: kp("179.90")},
		connectors.Item{SKU: "A2", Price: kp("60.00"), ListPrice: kp("60.00")})
	for _, sku := range []string{"A1", "A2"} {
		if out[sku].Status != connectors.Confirmed {
			t.Fatalf("%s: %+v", sku, out[sku])
		}
	}
	p := w.variant("A1").DefaultPrice()
	if p.Sell != k("179.90") || str(p.Discount) != "149.90" || str(p.Buy) != "95.50" {
		t.Fatalf("A1 price object %v/%v/%v; want sell 179.90, discount 149.90 and the merchant's buy 95.50 intact", p.Sell, str(p.Discount), str(p.Buy))
	}
	if p := w.variant("A2").DefaultPrice(); p.Sell != k("60.00") || p.Discount != nil || p.Buy != nil {
		t.Fatalf("A2 price object %+v", p)
	}

	// A merchant edits the buy price in the panel; the next push (after the map's age)
	// sends back the new one, not the one read before.
	w.clock.Advance(ikas.DefaultTuning.MapMaxAge)
	if err := w.sim.SetPrice(w.variant("A1").ID, ikassim.Price{Sell: k("179.90"), Discount: kp("149.90"), Buy: kp("99.00")}); err != nil {
		t.Fatal(err)
	}
	w.push(connectors.Item{SKU: "A1", Price: kp("139.90"), ListPrice: kp("179.90"), ConfPrice: kp("149.90"), ConfListPrice: kp("179.90")})
	if p := w.variant("A1").DefaultPrice(); str(p.Buy) != "99.00" || str(p.Discount) != "139.90" {
		t.Fatalf("after the panel edit: %v/%v/%v", p.Sell, str(p.Discount), str(p.Buy))
	}

	keep := newWorld(t, ikassim.Options{})
	keep.store.Settings = map[string]string{"discount_price": "keep"}
	keep.product("B1", "200.00", "150.00", "90.00", 5)
	if keep.connector().Features().ListPrice {
		t.Fatal("discount_price: keep still declares a list price")
	}
	keep.push(connectors.Item{SKU: "B1", Price: kp("210.00")})
	if p := keep.variant("B1").DefaultPrice(); p.Sell != k("210.00") || str(p.Discount) != "150.00" || str(p.Buy) != "90.00" {
		t.Fatalf("keep: %v/%v/%v", p.Sell, str(p.Discount), str(p.Buy))
	}
}

// Stock goes to the one location settings.location names; the others stay as they are.
// Without the setting a store with several locations is refused with their names.
func TestStockGoesToTheConfiguredLocation(t *testing.T) {
	locs := []ikassim.Location{{ID: "loc-ana", Name: "Ana Depo"}, {ID: "loc-magaza", Name: "Mağaza"}}
	w := newWorld(t, ikassim.Options{Locations: locs})
	p, err := w.sim.AddProduct(ikassim.Product{Variants: []ikassim.Variant{{SKU: "S1", Prices: []ikassim.Price{{Sell: k("10")}},
		Stock: map[string]float64{"loc-ana": 4, "loc-magaza": 7}}}})
	if err != nil {
		t.Fatal(err)
	}
	_ = p
	err = w.connector().Test(context.Background())
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.Permanent || !strings.Contains(ce.Message, `"Ana Depo" (id loc-ana)`) ||
		!strings.Contains(ce.Message, `"Mağaza" (id loc-magaza)`) || !strings.Contains(ce.Message, "settings.location") {
		t.Fatalf("two locations, no setting: %v", err)
	}
	_, err = w.connector().Push(context.Background(), []connectors.Item{{SKU: "S1", Qty: ip(3)}})
	if connectors.KindOf(err) != connectors.Permanent || w.sim.Stats().Endpoints["saveVariantStocks"].Requests != 0 {
		t.Fatalf("push without a location: %v", err)
	}

	for _, want := range []string{"mağaza", "loc-magaza"} {
		w := newWorld(t, ikassim.Options{Locations: locs})
		w.store.Settings = map[string]string{"location": want}
		if _, err := w.sim.AddProduct(ikassim.Product{Variants: []ikassim.Variant{{SKU: "S1", Prices: []ikassim.Price{{Sell: k("10")}},
			Stock: map[string]float64{"loc-ana": 4, "loc-magaza": 7}}}}); err != nil {
			t.Fatal(err)
		}
		if err := w.connector().Test(context.Background()); err != nil {
			t.Fatalf("location %q: %v", want, err)
		}
		if out := w.push(connectors.Item{SKU: "S1", Qty: ip(2)}); out["S1"].Status != connectors.Confirmed {
			t.Fatalf("%+v", out)
		}
		if st := w.variant("S1").Stock; st["loc-magaza"] != 2 || st["loc-ana"] != 4 {
			t.Fatalf("location %q: stock %v", want, st)
		}
		ob, err := w.connector().ReadBack(context.Background(), []connectors.Item{{SKU: "S1"}})
		if err != nil || *ob["S1"].Qty != 2 {
			t.Fatalf("read back %+v %v", ob, err)
		}
	}

	bad := newWorld(t, ikassim.Options{Locations: locs})
	bad.store.Settings = map[string]string{"location": "Depo 3"}
	if err := bad.connector().Test(context.Background()); err == nil || !strings.Contains(err.Error(), `"Depo 3" is not a stock location`) {
		t.Fatalf("unknown location: %v", err)
	}
}

// Test names a missing permission in the words of the İzinler screen.
func TestTestNamesMissingPermissions(t *testing.T) {
	cases := []struct {
		granted []string
		scope   connectors.Scope
		orders  bool
		want    string
	}{
		{[]string{ikassim.ReadProducts, ikassim.ReadInventories, ikassim.WriteInventories}, connectors.ScopeStock | connectors.ScopePrice, false, `"Ürünler: Görüntüleme ve Düzenleme"`},
		{[]string{ikassim.ReadProducts, ikassim.WriteProducts}, connectors.ScopeStock, false, `"Envanter: Görüntüleme ve Düzenleme"`},
		{[]string{ikassim.ReadProducts, ikassim.ReadInventories, ikassim.WriteInventories}, connectors.ScopeStock, true, `"Siparişler: Görüntüleme"`},
		{nil, connectors.ScopeStock, false, `"Ürünler: Görüntüleme" and "Envanter: Görüntüleme ve Düzenleme"`},
	}
	for i, c := range cases {
		w := newWorld(t, ikassim.Options{Scopes: append([]string{}, c.granted...)})
		w.store.Scope, w.store.Orders = c.scope, c.orders
		err := w.connector().Test(context.Background())
		var ce *connectors.Error
		if !errors.As(err, &ce) || ce.Kind != connectors.Auth || !strings.Contains(ce.Message, c.want) || !strings.Contains(ce.Message, "İzinler") {
			t.Fatalf("case %d: %v; want Auth naming %s", i, err, c.want)
		}
	}
	// A permission taken away later: the push itself reports it the same way.
	w := newWorld(t, ikassim.Options{})
	w.product("P1", "10", "", "", 1)
	w.connector()
	w.sim.SetScopes(ikassim.ReadProducts, ikassim.WriteProducts, ikassim.ReadInventories)
	_, err := w.conn.Push(context.Background(), []connectors.Item{{SKU: "P1", Qty: ip(3)}})
	if ce := (*connectors.Error)(nil); !errors.As(err, &ce) || ce.Kind != connectors.Auth || !strings.Contains(ce.Message, "Envanter: Görüntüleme ve Düzenleme") {
		t.Fatalf("push without write_inventories: %v", err)
	}
}

// A token revoked mid-run: LOGIN_REQUIRED in a 200, one new token, the change applied;
// a fresh token refused again is Auth.
func TestLoginRequiredRenewsOnce(t *testing.T) {
	w := newWorld(t, ikassim.Options{})
	w.product("T1", "10", "", "", 1)
	w.push(connectors.Item{SKU: "T1", Qty: ip(2)})
	tokens := w.sim.Stats().Endpoints["token"].Requests
	w.sim.RevokeTokens()
	if out := w.push(connectors.Item{SKU: "T1", Qty: ip(3)}); out["T1"].Status != connectors.Confirmed {
		t.Fatalf("%+v", out)
	}
	st := w.sim.Stats()
	if st.Endpoints["token"].Requests-tokens != 1 || st.Endpoints["saveVariantStocks"].ClientErrors != 1 || w.variant("T1").Stock[w.sim.Locations()[0].ID] != 3 {
		t.Fatalf("after a revocation: %d token requests, stock calls %+v", st.Endpoints["token"].Requests-tokens, st.Endpoints["saveVariantStocks"])
	}
}

// A SKU ikas does not have is Rejected with a plain reason; a variant without SKU is
// reported once however often the map is read; a SKU given later in the panel is found
// by the incremental read, which reads only what changed.
func TestKeyMap(t *testing.T) {
	w := newWorld(t, ikassim.Options{})
	w.product("K1", "10", "", "", 1)
	noSKU, err := w.sim.AddProduct(ikassim.Product{Name: "Kodsuz", Variants: []ikassim.Variant{{Prices: []ikassim.Price{{Sell: k("5")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 250; i++ {
		w.clock.Advance(time.Second) // a catalogue grows over time
		w.product(fmt.Sprintf("F%03d", i), "10", "", "", 1)
	}
	out := w.push(connectors.Item{SKU: "GHOST", Qty: ip(1)}, connectors.Item{SKU: "K1", Qty: ip(5)})
	if out["GHOST"].Status != connectors.Rejected || out["GHOST"].Reason != ikas.ReasonNoVariant || out["K1"].Status != connectors.Confirmed {
		t.Fatalf("%+v", out)
	}
	reads := w.sim.Stats().Endpoints["listProduct"].Requests
	w.push(connectors.Item{SKU: "GHOST", Qty: ip(2)})
	if n := w.sim.Stats().Endpoints["listProduct"].Requests - reads; n != 0 {
		t.Fatalf("a SKU missed a moment ago cost %d more reads", n)
	}
	w.clock.Advance(2 * time.Minute)
	if err := w.sim.SetSKU(noSKU.Variants[0].ID, "GHOST"); err != nil {
		t.Fatal(err)
	}
	reads = w.sim.Stats().Endpoints["listProduct"].Requests
	if out := w.push(connectors.Item{SKU: "GHOST", Qty: ip(2)}); out["GHOST"].Status != connectors.Confirmed {
		t.Fatalf("a SKU given in the panel: %+v", out)
	}
	if n := w.sim.Stats().Endpoints["listProduct"].Requests - reads; n != 1 {
		t.Fatalf("the incremental read took %d requests; only the changed products should be read", n)
	}
	if n := strings.Count(w.log.String(), "have no SKU"); n != 1 {
		t.Fatalf("a variant without SKU reported %d times", n)
	}
}

// Per-input errors map back to SKUs by inputArrayIndex; the other inputs of the same call
// are read back before they count as applied (partial success is undocumented).
func TestInputErrorsMapToSKUs(t *testing.T) {
	for _, atomic := range []bool{false, true} {
		w := newWorld(t, ikassim.Options{AtomicWrites: atomic})
		for _, s := range []string{"E1", "E2", "E3"} {
			w.product(s, "10", "", "", 1)
		}
		w.sim.SetFaults(simkit.Faults{RejectKeys: map[string]string{"E2": "STOCK_LOCKED"}})
		out := w.push(connectors.Item{SKU: "E1", Qty: ip(5)}, connectors.Item{SKU: "E2", Qty: ip(6)}, connectors.Item{SKU: "E3", Qty: ip(7)})
		if o := out["E2"]; o.Status != connectors.Rejected || !strings.Contains(o.Reason, "STOCK_LOCKED") {
			t.Fatalf("atomic=%v E2 %+v", atomic, o)
		}
		want := connectors.Confirmed
		if atomic {
			want = connectors.Retry // ikas applied none: read back, not confirmed
		}
		if out["E1"].Status != want || out["E3"].Status != want {
			t.Fatalf("atomic=%v: %+v", atomic, out)
		}
	}
}

// A document ikas refuses as invalid is Permanent and sent once: ikas blocks stores for
// their share of failed requests, so nothing is retried blindly.
func TestValidationFailureIsNotRetried(t *testing.T) {
	w := newWorld(t, ikassim.Options{MaxStockInputs: 2})
	for _, s := range []string{"V1", "V2", "V3"} {
		w.product(s, "10", "", "", 1)
	}
	w.store.Limits.BatchSize = 0
	c := w.tuned(ikas.Tuning{ErrorWindow: time.Hour, ErrorTarget: 0.15, MinVolume: 10, MapMaxAge: time.Minute, MapRebuild: time.Hour, StockBatch: 3})
	_, err := c.Push(context.Background(), []connectors.Item{{SKU: "V1", Qty: ip(1)}, {SKU: "V2", Qty: ip(2)}, {SKU: "V3", Qty: ip(3)}})
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.Permanent || ce.Status != 200 || !strings.Contains(ce.Message, "ARGUMENT_VALIDATION_ERROR") {
		t.Fatalf("%v", err)
	}
	if n := w.sim.Stats().Endpoints["saveVariantStocks"].Requests; n != 1 {
		t.Fatalf("%d stock requests", n)
	}
}

// Information goes out with updateProduct, only the fields that changed; ikas keeps the
// rest.
func TestUpdateInfo(t *testing.T) {
	w := newWorld(t, ikassim.Options{})
	p := w.product("I1", "10", "", "", 1)
	title, desc := "Yeni Başlık", "<p>yeni</p>"
	out, err := w.connector().UpdateInfo(context.Background(), []connectors.Item{
		{SKU: "I1", Info: connectors.Info{Title: &title, Description: &desc}},
		{SKU: "NOPE", Info: connectors.Info{Title: &title}}})
	if err != nil || out["I1"].Status != connectors.Confirmed || out["NOPE"].Status != connectors.Rejected {
		t.Fatalf("%+v %v", out, err)
	}
	got, _ := w.sim.Product(p.ID)
	if got.Name != title || got.Description != desc || got.Brand != "Marka" || got.Variants[0].DefaultPrice().Sell != k("10") {
		t.Fatalf("product after the update: %+v", got)
	}
	calls := w.sim.Stats().Endpoints["updateProduct"].Requests
	out, _ = w.conn.UpdateInfo(context.Background(), []connectors.Item{{SKU: "I1", Info: connectors.Info{Title: &title}, ConfInfo: connectors.Info{Title: &title}}})
	if out["I1"].Status != connectors.Confirmed || w.sim.Stats().Endpoints["updateProduct"].Requests != calls {
		t.Fatal("an unchanged title was sent")
	}
}

// A push of 3000 stock and price changes is one price call and six stock calls.
func TestBatching(t *testing.T) {
	w := newWorld(t, ikassim.Options{PerWindow: -1})
	var items []connectors.Item
	for i := 0; i < 3000; i++ {
		sku := fmt.Sprintf("B%04d", i)
		w.product(sku, "10", "", "", 1)
		items = append(items, connectors.Item{SKU: sku, Qty: ip(int64(i)), Price: kp("12.50"), ListPrice: kp("12.50")})
	}
	out := w.push(items...)
	for _, it := range items {
		if out[it.SKU].Status != connectors.Confirmed {
			t.Fatalf("%s %+v", it.SKU, out[it.SKU])
		}
	}
	st := w.sim.Stats().Endpoints
	if st["updateVariantPrices"].Requests != 1 || st["saveVariantStocks"].Requests != 6 {
		t.Fatalf("price calls %d, stock calls %d", st["updateVariantPrices"].Requests, st["saveVariantStocks"].Requests)
	}
}
