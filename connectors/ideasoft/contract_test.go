package ideasoft_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/ideasoft"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/ideasoftsim"
	"syncagent/connectors/sim/simkit"
)

// replayClient is a connector at a Replay server of the documented samples, connected by
// a consent whose code the replayed token endpoint takes.
func replayClient(t *testing.T, answers ...contract.Answer) (*ideasoft.Client, *contract.Server) {
	t.Helper()
	srv := contract.Replay(t, append([]contract.Answer{{Method: "POST", Path: "/oauth/v2/token", File: "token.json"}}, answers...)...)
	st := storeAt(srv.URL, t.TempDir())
	st.Orders = true
	if errs := connectors.Check(&st); len(errs) > 0 {
		t.Fatal(errs)
	}
	c, err := ideasoft.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ExchangeCode(context.Background(), "documented-code", c.RedirectURI()); err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v: %s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// The connector speaks the documented exchange: the token request is the documented
// form, the product update's body is the documented one, and the documented reply
// confirms it.
func TestContractPush(t *testing.T) {
	c, srv := replayClient(t,
		contract.Answer{Method: "GET", Path: "/admin-api/products", File: "products-list.json"},
		contract.Answer{Method: "PUT", Path: "/admin-api/products/4711", File: "product.json"})
	out, err := c.Push(context.Background(), []connectors.Item{{SKU: "TS-RED-M", Qty: qty(12), Price: kurus(14990)}})
	if err != nil {
		t.Fatal(err)
	}
	if out["TS-RED-M"].Status != connectors.Confirmed {
		t.Fatalf("the documented reply did not confirm the push: %+v", out)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests: %+v", len(reqs), reqs)
	}
	tok := reqs[0]
	form, _ := url.ParseQuery(string(tok.Body))
	if tok.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || form.Get("grant_type") != "authorization_code" ||
		form.Get("client_id") != clientID || form.Get("client_secret") != clientSecret || form.Get("code") != "documented-code" ||
		form.Get("redirect_uri") != ideasoft.DefaultRedirectURI {
		t.Fatalf("the code exchange: %s %q", tok.Header.Get("Content-Type"), tok.Body)
	}
	if reqs[1].Query != "limit=100&sinceId=0&sort=id" {
		t.Fatalf("the product list query %q", reqs[1].Query)
	}
	put := reqs[2]
	if put.Header.Get("Authorization") != "Bearer documented-access-token-0001" || put.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("PUT headers %v", put.Header)
	}
	sameJSON(t, "the PUT body", put.Body, contract.Load(t, "product-put-request.json"))
	got, err := c.ReadBack(context.Background(), []connectors.Item{{SKU: "TS-RED-M"}})
	if err != nil {
		t.Fatal(err)
	}
	ob := got["TS-RED-M"]
	if !ob.Found || *ob.Qty != 12 || *ob.Price != 14990 || *ob.Info.Title != "Tişört" || *ob.Info.VATRate != 20 || !*ob.Info.Active {
		t.Fatalf("the documented product read back as %+v", ob)
	}
}

// The documented order, field by field.
func TestContractOrders(t *testing.T) {
	c, srv := replayClient(t, contract.Answer{Method: "GET", Path: "/admin-api/orders", File: "orders.json"})
	since := time.Date(2026, 8, 25, 12, 0, 0, 0, time.UTC)
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if q := srv.Requests()[1].Query; q != "limit=100&sinceId=0&sort=id&startCreatedAt=2026-08-25" {
		t.Fatalf("the order list query %q", q)
	}
	if len(page.Orders) != 1 || page.More {
		t.Fatalf("%d orders, more %v", len(page.Orders), page.More)
	}
	o := page.Orders[0]
	at := time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)
	if o.ID != "98231" || o.Number != "1234567" || o.Marketplace != "ideasoft" || o.Status != order.Processing ||
		o.RawStatus != "approved (payment success)" || o.Currency != "TRY" || !o.OrderedAt.Equal(at) ||
		!o.UpdatedAt.Equal(at.Add(5*time.Minute)) || o.StatedTotal != 29980 || o.Customer.Name != "Ad Soyad" ||
		o.Version != "2026-09-01T09:05:00+03:00|approved|success" {
		t.Fatalf("order %+v", o)
	}
	l := o.Packages[0].Lines[0]
	want := order.Line{ID: "5501", SKU: "TS-RED-M", Barcode: "8680000000001", Quantity: 2, UnitPrice: 14990, Total: 29980, VATRate: 2000}
	if !reflect.DeepEqual(l, want) {
		t.Fatalf("line\n got %+v\nwant %+v", l, want)
	}
}

// The simulator answers in the documented shapes (values aside): its product update
// reply, its product and order lists, its token reply.
func TestSimulatorMatchesTheDocuments(t *testing.T) {
	clock := simkit.NewFakeClock(time.Time{})
	s := ideasoftsim.New(ideasoftsim.Options{ClientID: clientID, ClientSecret: clientSecret, Clock: clock})
	defer s.Close()
	p, _ := s.AddProduct(ideasoftsim.Product{SKU: "TS-RED-M", Name: "Tişört", Stock: ideasoftsim.Units(3), Price1: 14990})
	if _, err := s.AddOrder(ideasoftsim.Order{Items: []ideasoftsim.OrderItem{{SKU: "TS-RED-M", Quantity: ideasoftsim.Units(2)}}}); err != nil {
		t.Fatal(err)
	}
	st := storeAt(s.URL, t.TempDir())
	c, err := ideasoft.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.Browse(c.ConsentURL(c.RedirectURI(), "x"), true)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "client_secret": {clientSecret},
		"code": {u.Query().Get("code")}, "redirect_uri": {c.RedirectURI()}}
	tokReply := do(t, "POST", s.URL+"/oauth/v2/token", "application/x-www-form-urlencoded", form.Encode(), "")
	contract.SameShape(t, contract.Load(t, "token.json"), tokReply, "scope")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(tokReply, &tok)

	productExtra := []string{"slug", "barcode", "discount", "discountType", "moneyOrderDiscount", "buyingPrice", "stockTypeLabel",
		"hasOption", "parent", "children", "shortDetails", "createdAt", "currency.abbr"}
	put := do(t, "PUT", s.URL+"/admin-api/products/"+strconv.FormatInt(p.ID, 10), "application/json", string(contract.Load(t, "product-put-request.json")), tok.AccessToken)
	contract.SameShape(t, contract.Load(t, "product.json"), put, productExtra...)
	list := do(t, "GET", s.URL+"/admin-api/products?limit=100", "", "", tok.AccessToken)
	var extra []string
	for _, k := range productExtra {
		extra = append(extra, "$[]."+k)
	}
	contract.SameShape(t, contract.Load(t, "products-list.json"), list, extra...)
	orders := do(t, "GET", s.URL+"/admin-api/orders?limit=100", "", "", tok.AccessToken)
	contract.SameShape(t, contract.Load(t, "orders.json"), orders,
		"$[].paymentTypeName", "$[].customerEmail", "$[].customerPhone", "$[].amount", "$[].taxAmount", "$[].couponDiscount",
		"$[].promotionDiscount", "$[].shippingAmount", "$[].generalAmount", "$[].shippingCompanyName", "$[].shippingTrackingCode",
		"$[].shippingAddress", "$[].billingAddress", "$[].source",
		"$[].orderItems[].productName", "$[].orderItems[].productDiscount", "$[].orderItems[].productMoneyOrderDiscount",
		"$[].orderItems[].discount", "$[].orderItems[].product")
}

func do(t *testing.T, method, u, ctype, body, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, u, resp.StatusCode, b)
	}
	return b
}
