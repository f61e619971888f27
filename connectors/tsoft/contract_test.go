package tsoft_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/tsoftsim"
	"syncagent/connectors/tsoft"
)

// The samples of shared/marketplaces/tsoft.md, which come from third-party clients (each
// NAME.source says which), hold the connector and the simulator to the same wire.

var updateOK = []byte(`{"success":true,"message":[{"type":1,"code":"","index":0,"id":"","text":["Ürün bilgileri güncellendi."]}],"data":[]}`)

func contractClient(t *testing.T, url string, settings ...string) *tsoft.Client {
	t.Helper()
	st := storeAt(url, settings...)
	if errs := connectors.Check(&st); len(errs) > 0 {
		t.Fatal(errs)
	}
	c, err := tsoft.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sampleData is the data field of a documented form body, written unencoded there.
func sampleData(t *testing.T, name string) string {
	t.Helper()
	body := strings.TrimSpace(string(contract.Load(t, name)))
	_, data, ok := strings.Cut(body, "&data=")
	if !ok {
		t.Fatalf("%s has no data field", name)
	}
	return data
}

// TestContractUpdateRequests: a stock change and a price change leave as the documented
// bodies, the token in its own field, after the documented login.
func TestContractUpdateRequests(t *testing.T) {
	srv := contract.Replay(t,
		contract.Answer{Method: "POST", Path: "/rest1/auth/login/" + wsUser, File: "login.json"},
		contract.Answer{Method: "POST", Path: "/rest1/product/updateProducts", Body: updateOK})
	c := contractClient(t, srv.URL)
	five, twelve := int64(5), int64(12)
	price, conf := money.Kurus(14990), money.Kurus(12000)
	out, err := c.Push(context.Background(), []connectors.Item{
		{SKU: "TS-001", Qty: &twelve, ConfQty: &five},
	})
	if err != nil || out["TS-001"].Status != connectors.Confirmed {
		t.Fatalf("stock push: %v %v", out, err)
	}
	out, err = c.Push(context.Background(), []connectors.Item{
		{SKU: "TS-001", Qty: &twelve, ConfQty: &twelve, Price: &price, ConfPrice: &conf},
	})
	if err != nil || out["TS-001"].Status != connectors.Confirmed {
		t.Fatalf("price push: %v %v", out, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests: one login and two updates expected", len(reqs))
	}
	login, _ := url.ParseQuery(string(reqs[0].Body))
	if login.Get("pass") != wsPassword || reqs[0].Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("login body %q", reqs[0].Body)
	}
	for i, name := range []string{"update-stock.form", "update-price.form"} {
		r := reqs[i+1]
		form, err := url.ParseQuery(string(r.Body))
		if err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Fatalf("%s: not a form: %q", name, r.Body)
		}
		if form.Get("token") != "j0ai8vbq4bc0a5adtmipepfja3" {
			t.Fatalf("%s: token field %q, want the login's token", name, form.Get("token"))
		}
		if got, want := form.Get("data"), sampleData(t, name); got != want {
			t.Fatalf("%s: data %s, the sample sends %s", name, got, want)
		}
	}
}

// TestContractOrderSample: the documented order row reads as one order with exact
// amounts, its variant line keyed by SubProductCode.
func TestContractOrderSample(t *testing.T) {
	srv := contract.Replay(t,
		contract.Answer{Method: "POST", Path: "/rest1/auth/login/" + wsUser, File: "login.json"},
		contract.Answer{Method: "POST", Path: "/rest1/order/get", File: "order-get.json"})
	c := contractClient(t, srv.URL)
	since := time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC)
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 1 || page.More {
		t.Fatalf("page %+v", page)
	}
	o := page.Orders[0]
	if o.ID != "5512" || o.Number != "TS-2026-5512" || o.Status != order.New || o.RawStatus != "Onay Bekliyor" ||
		!o.OrderedAt.Equal(time.Unix(1788300000, 0)) || o.StatedTotal != 29980 || o.Currency != "TRY" || o.Version == "" {
		t.Fatalf("order %+v", o)
	}
	l := o.Packages[0].Lines[0]
	if l.ID != "9001" || l.SKU != "TS-001-M" || l.Quantity != 2 || l.UnitPrice != 14990 || l.Total != 29980 || l.VATRate != 2000 {
		t.Fatalf("line %+v", l)
	}
	if o.Totals().Total != o.StatedTotal {
		t.Fatalf("lines add up to %s, the order says %s", o.Totals().Total, o.StatedTotal)
	}
	form, _ := url.ParseQuery(string(srv.Requests()[1].Body))
	// The window's start in UTC digits, its end in Turkey's: read in either zone it
	// covers the whole look-back.
	if form.Get("OrderDateTimeStart") != "2026-08-31 00:00:00" || form.Get("FetchProductData") != "true" || form.Get("orderby") != "OrderId ASC" {
		t.Fatalf("order/get form %v", form)
	}
}

// TestContractErrorSample: the documented success:false reply to an update refuses the
// product, with T-Soft's words.
func TestContractErrorSample(t *testing.T) {
	srv := contract.Replay(t,
		contract.Answer{Method: "POST", Path: "/rest1/auth/login/" + wsUser, File: "login.json"},
		contract.Answer{Method: "POST", Path: "/rest1/product/updateProducts", File: "error.json"})
	c := contractClient(t, srv.URL)
	q := int64(3)
	out, err := c.Push(context.Background(), []connectors.Item{{SKU: "TS-001", Qty: &q}})
	if err != nil {
		t.Fatal(err)
	}
	if o := out["TS-001"]; o.Status != connectors.Rejected || o.Reason != "T-Soft: …" {
		t.Fatalf("outcome %+v", o)
	}
}

// TestSimulatorMatchesTheSamples: the simulator's replies have the samples' shape.
func TestSimulatorMatchesTheSamples(t *testing.T) {
	s := tsoftsim.New(tsoftsim.Options{User: wsUser, Password: wsPassword, RateLimit: -1, Clock: simkit.NewFakeClock(time.Time{})})
	defer s.Close()
	if _, err := s.AddProduct(tsoftsim.Product{Code: "TS-001", Stock: 5, SellingPrice: 14990}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSubProduct(tsoftsim.SubProduct{Code: "TS-001-M", MainCode: "TS-001", Stock: 5, SellingPrice: 14990}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddOrder(tsoftsim.Order{Lines: []tsoftsim.OrderLine{{Code: "TS-001-M", Quantity: 2}}}); err != nil {
		t.Fatal(err)
	}
	post := func(path string, form url.Values) []byte {
		t.Helper()
		resp, err := http.PostForm(s.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		return raw
	}
	login := post("/rest1/auth/login/"+wsUser, url.Values{"pass": {wsPassword}})
	contract.SameShape(t, contract.Load(t, "login.json"), login)
	contract.SameShape(t, contract.Load(t, "error.json"), post("/rest1/auth/login/"+wsUser, url.Values{"pass": {"wrong"}}))
	var l struct {
		Data []struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	_ = json.Unmarshal(login, &l)
	orders := post("/rest1/order/get", url.Values{"token": {l.Data[0].Token}, "FetchProductData": {"true"}})
	contract.SameShape(t, contract.Load(t, "order-get.json"), orders, "message",
		"data[].OrderDate", "data[].UpdateDate", "data[].UpdateDateTimeStamp", "data[].ExchangeRate", "data[].PaymentType",
		"data[].Bank", "data[].Installment", "data[].Cargo", "data[].CargoCode", "data[].CargoTrackingCode", "data[].IsInvoiced",
		"data[].GeneralOrderNote", "data[].OrderDetails[].ProductId", "data[].OrderDetails[].SubProductId",
		"data[].OrderDetails[].ProductName", "data[].OrderDetails[].Barcode", "data[].OrderDetails[].Discount")
}
