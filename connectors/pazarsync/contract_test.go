package pazarsync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/order"
	"syncagent/connectors/pazarsync"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/simkit"
)

// The contract tests hold the connector to the seed's documented samples
// (testdata/contract/, each with a .source), then the simulator to the same samples.

// rateHeaders are the seed's example of the headers every reply carries.
var rateHeaders = http.Header{"X-Ratelimit-Limit": {"60"}, "X-Ratelimit-Remaining": {"58"}, "X-Ratelimit-Reset": {"1631789945"}}

var tokenAnswer = contract.Answer{Method: "POST", Path: "/api/auth/token", File: "token.200.json", Header: rateHeaders}

func replayed(t *testing.T, answers ...contract.Answer) (*pazarsync.Client, *contract.Server) {
	t.Helper()
	srv := contract.Replay(t, append([]contract.Answer{tokenAnswer}, answers...)...)
	st := storeAt(srv.URL)
	c, err := pazarsync.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func keys(m map[string]any) string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return strings.Join(k, ",")
}

func TestContractPushAndToken(t *testing.T) {
	c, srv := replayed(t, contract.Answer{Method: "POST", Path: "/api/v1/stocks/batch", File: "stocks-batch.200.json", Header: rateHeaders})
	out, err := c.Push(context.Background(), []connectors.Item{{SKU: "ABC-123", Qty: qty(150)}, {SKU: "DEF-456", Qty: qty(75)}})
	if err != nil {
		t.Fatal(err)
	}
	if out["ABC-123"].Status != connectors.Confirmed || out["DEF-456"].Status != connectors.Confirmed {
		t.Fatalf("outcomes %+v", out)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Path != "/api/auth/token" || reqs[1].Path != "/api/v1/stocks/batch" {
		t.Fatalf("requests %+v", reqs)
	}
	// The token request: a JSON body with the documented keys, not a form.
	if ct := reqs[0].Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("token request Content-Type %q", ct)
	}
	contract.SameShape(t, contract.Load(t, "token.request.json"), reqs[0].Body)
	if auth := reqs[1].Header.Get("Authorization"); auth != "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..." {
		t.Fatalf("Authorization %q", auth)
	}
	// Items keyed by sku, as the documented body's second item is.
	var doc, sent struct{ Items []map[string]any }
	_ = json.Unmarshal(contract.Load(t, "stocks-batch.request.json"), &doc)
	if err := json.Unmarshal(reqs[1].Body, &sent); err != nil {
		t.Fatal(err)
	}
	if len(sent.Items) != 2 || keys(sent.Items[0]) != keys(doc.Items[1]) || sent.Items[0]["sku"] != "ABC-123" || sent.Items[0]["stock"] != float64(150) ||
		sent.Items[1]["sku"] != "DEF-456" || sent.Items[1]["stock"] != float64(75) {
		t.Fatalf("sent %s, documented %s", reqs[1].Body, contract.Load(t, "stocks-batch.request.json"))
	}
}

func TestContractReadBack(t *testing.T) {
	c, srv := replayed(t, contract.Answer{Method: "GET", Path: "/api/v1/products", File: "products.200.json", Header: rateHeaders})
	got, err := c.ReadBack(context.Background(), []connectors.Item{{SKU: "ABC-123"}})
	if err != nil {
		t.Fatal(err)
	}
	if o := got["ABC-123"]; !o.Found || o.Qty == nil || *o.Qty != 150 || o.Price != nil {
		t.Fatalf("documented product read as %+v", o)
	}
	for _, r := range srv.Requests()[1:] {
		q, _ := url.ParseQuery(r.Query)
		if q.Get("limit") != "100" || q.Get("page") != "1" || q.Get("search") != "ABC-123" {
			t.Fatalf("query %q", r.Query)
		}
	}
	if n := len(srv.Requests()); n != 2 {
		t.Fatalf("%d requests: the token and one search (found on its first page)", n)
	}
}

func TestContractOrder(t *testing.T) {
	c, _ := replayed(t,
		contract.Answer{Method: "GET", Path: "/api/v1/orders", File: "orders.200.json", Header: rateHeaders},
		contract.Answer{Method: "GET", Path: "/api/v1/orders/ord_789012", File: "order.200.json", Header: rateHeaders})
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: time.Date(2023, 9, 10, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 1 || !page.More { // the documented list is page 1 of 5
		t.Fatalf("%d orders, more %v", len(page.Orders), page.More)
	}
	o := page.Orders[0]
	at := time.Date(2023, 9, 16, 10, 15, 0, 0, time.UTC)
	if o.ID != "ord_789012" || o.Number != "ORD123456" || o.Channel != "trendyol" || o.RawStatus != "processing" || o.Status != order.New ||
		!o.OrderedAt.Equal(at) || !o.UpdatedAt.Equal(at) || o.Version != "2023-09-16T10:15:00Z" || o.Currency != "TRY" {
		t.Fatalf("order %+v", o)
	}
	if cu := o.Customer; cu.Name != "Ahmet Yılmaz" || cu.Email != "ahmet@example.com" || cu.Phone != "+905551234567" {
		t.Fatalf("customer %+v", cu)
	}
	if a := o.ShipTo; a.Line1 != "Örnek Mahallesi, 123 Sokak No:45" || a.Line2 != "Daire 5" || a.City != "İstanbul" || a.District != "Kadıköy" ||
		a.PostalCode != "34000" || a.Country != "TR" || a.Name != "Ahmet Yılmaz" {
		t.Fatalf("ship to %+v", a)
	}
	ls := o.Packages[0].Lines
	if len(ls) != 1 || ls[0].ID != "item_123" || ls[0].ProductID != "prod_123456" || ls[0].SKU != "ABC-123" || ls[0].Name != "Örnek Ürün" ||
		ls[0].Quantity != 2 || ls[0].UnitPrice != 14999 || ls[0].Total != 29998 || ls[0].Discount != 0 {
		t.Fatalf("lines %+v", ls)
	}
	if o.ShippingFee != 5000 || o.StatedTax != 6299 || o.OrderDiscount != 0 || o.StatedTotal != 34998 {
		t.Fatalf("amounts %+v", o)
	}
	// 2 × 149.99 + 50.00 shipping = 349.98, the stated total.
	if tot := o.Totals(); tot.Total != o.StatedTotal || tot.Units != 2 {
		t.Fatalf("totals %+v", tot)
	}
}

func simDo(t *testing.T, s *pazarsyncsim.Server, method, path, token string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		if resp.Header.Get(h) == "" {
			t.Fatalf("%s %s: no %s header (every reply carries it)", method, path, h)
		}
	}
	return resp.StatusCode, b
}

// TestSimulatorMatchesTheDocumentedSamples holds the simulator to the seed's samples,
// request by documented request.
func TestSimulatorMatchesTheDocumentedSamples(t *testing.T) {
	clock := simkit.NewFakeClock(time.Date(2023, 9, 16, 10, 0, 0, 0, time.UTC))
	s := pazarsyncsim.New(pazarsyncsim.Options{ClientID: "your_client_id", ClientSecret: "your_client_secret", Clock: clock})
	t.Cleanup(s.Close)
	p, err := s.AddProduct(pazarsyncsim.Product{SKU: "ABC-123", Name: "Örnek Ürün", Stock: 150})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddProduct(pazarsyncsim.Product{SKU: "DEF-456", Name: "Başka Ürün", Stock: 10}); err != nil {
		t.Fatal(err)
	}
	o, err := s.AddOrder(pazarsyncsim.Order{Items: []pazarsyncsim.OrderItem{{SKU: "ABC-123", Quantity: 2}}, ShippingFee: 5000})
	if err != nil {
		t.Fatal(err)
	}

	status, body := simDo(t, s, "POST", "/api/auth/token", "", contract.Load(t, "token.request.json"))
	if status != 200 {
		t.Fatalf("token %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "token.200.json"), body)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(body, &tok)

	for _, c := range []struct {
		method, path, sample string
		body                 []byte
	}{
		{"GET", "/api/v1/products", "products.200.json", nil},
		{"GET", "/api/v1/products/" + p.ID, "product.200.json", nil},
		{"PUT", "/api/v1/products/" + p.ID + "/stock", "stock.200.json", []byte(`{"stock": 150}`)},
		{"POST", "/api/v1/stocks/batch", "stocks-batch.200.json", bytes.ReplaceAll(contract.Load(t, "stocks-batch.request.json"), []byte("prod_123456"), []byte(p.ID))},
		{"GET", "/api/v1/orders", "orders.200.json", nil},
		{"GET", "/api/v1/orders/" + o.ID, "order.200.json", nil},
	} {
		status, body := simDo(t, s, c.method, c.path, tok.AccessToken, c.body)
		if status != 200 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, status, body)
		}
		contract.SameShape(t, contract.Load(t, c.sample), body)
	}
}
