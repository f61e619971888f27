package hepsiburada_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/hepsiburada"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/hepsiburadasim"
	"syncagent/connectors/sim/simkit"
)

// The connector and the simulator are held to the documented samples in
// testdata/contract (each with its .source): the connector's real HTTP path against
// contract.Replay, and the simulator's replies against the samples' shape.

const listingsPath = "/listings/merchantid/" + merchantID

func replayClient(t *testing.T, url string, settings map[string]string) *hepsiburada.Client {
	t.Helper()
	st := storeAt(url)
	st.Settings = settings
	if errs := connectors.Check(&st); len(errs) > 0 {
		t.Fatal(errs)
	}
	c, err := hepsiburada.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func qty(n int64) *int64 { return &n }

func price(k money.Kurus) *money.Kurus { return &k }

// TestContractStockUploadAndResult: a stock push in split mode sends the documented
// request shape with both SKUs, takes the documented {id}, and reads the documented
// result: the row named by elementNo 2 (and merchantSku) is refused with Hepsiburada's
// words, the other confirmed.
func TestContractStockUploadAndResult(t *testing.T) {
	const id = "0b6c2f0e-6a0e-4e55-9a8e-3f3c1b5d7a11"
	srv := contract.Replay(t,
		contract.Answer{Method: "GET", Path: listingsPath, Query: map[string]string{"offset": "0"}, File: "listings-page.json"},
		contract.Answer{Method: "POST", Path: listingsPath + "/stock-uploads", File: "upload-reply.json"},
		contract.Answer{Method: "GET", Path: listingsPath + "/stock-uploads/id/" + id, File: "upload-result.json"},
	)
	c := replayClient(t, srv.URL, map[string]string{"upload": "split"})
	items := []connectors.Item{
		{SKU: "SKU-001", Qty: qty(50), ConfQty: qty(10)},
		{SKU: "SKU-002", Qty: qty(0), ConfQty: qty(5)},
	}
	out, err := c.Push(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	ref := out["SKU-001"].Ref
	if out["SKU-001"].Status != connectors.Pending || out["SKU-002"].Ref != ref || !strings.HasPrefix(ref, "s:"+id+":") {
		t.Fatalf("push outcomes %+v", out)
	}
	var sent []byte
	for _, r := range srv.Requests() {
		if r.Method == "POST" {
			sent = r.Body
			if ua := r.Header.Get("User-Agent"); ua != integrator {
				t.Fatalf("User-Agent %q, want the integrator name alone", ua)
			}
			if u, p, ok := (&http.Request{Header: r.Header}).BasicAuth(); !ok || u != merchantID || p != serviceKey {
				t.Fatal("Basic auth is not merchant id : service key")
			}
		}
	}
	contract.SameShape(t, contract.Load(t, "stock-upload-request.json"), sent)
	var rows []map[string]any
	if err := json.Unmarshal(sent, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0]["merchantSku"] != "SKU-001" || rows[0]["hepsiburadaSku"] != "HBV00000ABC12" || rows[0]["availableStock"].(float64) != 50 ||
		rows[1]["merchantSku"] != "SKU-002" || rows[1]["availableStock"].(float64) != 0 {
		t.Fatalf("sent %s", sent)
	}
	res, err := c.CheckResults(context.Background(), ref, items)
	if err != nil {
		t.Fatal(err)
	}
	if res["SKU-001"].Status != connectors.Confirmed || res["SKU-002"].Status != connectors.Rejected || res["SKU-002"].Reason != "Listing not found" {
		t.Fatalf("results %+v", res)
	}
}

// TestContractOrdersPage: the documented /orders page becomes one order with its line,
// exact amounts and Turkey-time date; the request carries limit 100 and the date filter
// as yyyy-MM-dd HH:mm in Turkey time.
func TestContractOrdersPage(t *testing.T) {
	srv := contract.Replay(t, contract.Answer{Method: "GET", Path: "/orders/merchantid/" + merchantID, File: "orders-page.json"})
	c := replayClient(t, srv.URL, nil)
	since := time.Date(2026, 8, 25, 6, 30, 0, 0, time.UTC)
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(srv.Requests()[0].Query)
	if q.Get("limit") != "100" || q.Get("offset") != "0" || q.Get("begindate") != "2026-08-25 09:30" ||
		!regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(q.Get("enddate")) {
		t.Fatalf("query %v", q)
	}
	if len(page.Orders) != 1 || !page.More {
		t.Fatalf("page %+v", page)
	}
	o := page.Orders[0]
	want := time.Date(2026, 9, 1, 6, 12, 0, 0, time.UTC)
	if o.ID != "4210001234" || o.Number != "4210001234" || !o.OrderedAt.Equal(want) || o.Status != order.New || o.RawStatus != "Open" ||
		o.Customer.Name != "Ad Soyad" || o.ShipTo.City != "İstanbul" || o.ShipTo.District != "Kadıköy" || o.Currency != "TRY" {
		t.Fatalf("order %+v", o)
	}
	if len(o.Packages) != 1 || len(o.Packages[0].Lines) != 1 {
		t.Fatalf("packages %+v", o.Packages)
	}
	l := o.Packages[0].Lines[0]
	if l.ID != "c1f…" || l.SKU != "SKU-001" || l.ProductID != "HBV00000ABC12" || l.Barcode != "8680000000001" || l.Quantity != 2 ||
		l.UnitPrice != 12050 || l.Discount != 0 || l.Total != 24100 || l.VATRate != 2000 {
		t.Fatalf("line %+v", l)
	}
}

// TestContractPackages: /packages is asked with the capital Offset and limit 10, and its
// bare array (the corpus skeleton) is read by its field names.
func TestContractPackages(t *testing.T) {
	srv := contract.Replay(t, contract.Answer{Method: "GET", Path: "/packages/merchantid/" + merchantID, File: "packages.json"})
	c := replayClient(t, srv.URL, nil)
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Cursor: `{"f":2}`, Since: time.Now().Add(-30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(srv.Requests()[0].Query)
	// 30 days in minutes (rounded up: the clock moves between Since and the request).
	if q.Get("Offset") != "0" || q.Has("offset") || q.Get("limit") != "10" || (q.Get("timespan") != "43200" && q.Get("timespan") != "43201") {
		t.Fatalf("query %v", q)
	}
	if len(page.Orders) != 1 || page.More != true {
		t.Fatalf("page %+v", page)
	}
	o := page.Orders[0]
	if o.ID != "string" || o.Customer.Name != "string" || o.ShipTo.City != "string" || len(o.Packages) != 1 {
		t.Fatalf("order %+v", o)
	}
	p := o.Packages[0]
	if p.ID != "string" || p.Status != order.Processing || p.Lines[0].SKU != "string" || p.Lines[0].ProductID != "string" {
		t.Fatalf("package %+v", p)
	}
}

// TestContractErrorShapes: each host's documented refusal reaches the operator as a
// classified error with Hepsiburada's words.
func TestContractErrorShapes(t *testing.T) {
	text := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	t.Run("listing 401 is text/plain", func(t *testing.T) {
		srv := contract.Replay(t, contract.Answer{Method: "GET", Path: listingsPath, Status: 401, Header: text, File: "listing-401.txt"})
		err := replayClient(t, srv.URL, nil).Test(context.Background())
		ce := kindOf(t, err, connectors.Auth)
		if !strings.Contains(ce.Message, `"Missing Credentials!"`) || !strings.Contains(ce.Message, "credentials.integrator") {
			t.Fatalf("message %q", ce.Message)
		}
	})
	t.Run("oms 401 is an empty body", func(t *testing.T) {
		srv := contract.Replay(t,
			contract.Answer{Method: "GET", Path: listingsPath, File: "listings-page.json"},
			contract.Answer{Method: "GET", Path: "/orders/merchantid/" + merchantID, Status: 401, Body: []byte{}})
		kindOf(t, replayClient(t, srv.URL, nil).Test(context.Background()), connectors.Auth)
	})
	t.Run("oms 400 is a bare string", func(t *testing.T) {
		srv := contract.Replay(t, contract.Answer{Method: "GET", Path: "/orders/merchantid/" + merchantID + "/cancelled", Status: 400, File: "oms-400.json"})
		_, err := replayClient(t, srv.URL, nil).FetchOrders(context.Background(), connectors.OrderQuery{Cursor: `{"f":3}`, Since: time.Now()})
		if ce := kindOf(t, err, connectors.Permanent); !strings.Contains(ce.Message, "WrongDateFormat") {
			t.Fatalf("message %q", ce.Message)
		}
	})
}

func kindOf(t *testing.T, err error, k connectors.ErrorKind) *connectors.Error {
	t.Helper()
	ce, ok := err.(*connectors.Error)
	if !ok || ce.Kind != k {
		t.Fatalf("error %v, want kind %v", err, k)
	}
	return ce
}

// raw asks the simulator for path as the connector would, and returns the body.
func raw(t *testing.T, s *hepsiburadasim.Server, method, path string, body any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("User-Agent", integrator)
	req.SetBasicAuth(merchantID, serviceKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return b
}

// lineSchemaKeys are keys of model.LineRepresentation ([ORD]) that the documented /orders
// sample leaves out and the simulator sends.
var lineSchemaKeys = []string{"items[].hbDiscount", "items[].merchantDiscount", "items[].vat", "items[].commission",
	"items[].commissionRate", "items[].customerId", "items[].invoice", "items[].cargoCompany", "items[].dueDate",
	"items[].dispatchTime", "items[].isCancellable", "items[].packageNumber", "items[].barcode",
	"items[].lastStatusUpdateDate", "items[].warehouse", "items[].deliveryType", "items[].isMicroExport",
	"items[].shippingAddress.addressId", "items[].shippingAddress.address", "items[].shippingAddress.name",
	"items[].shippingAddress.email", "items[].shippingAddress.phoneNumber", "items[].shippingAddress.alternatePhoneNumber",
	"items[].shippingAddress.district", "items[].shippingAddress.postalCode", "items[].shippingAddress.countryCode",
	"items[].shippingAddress.directions"}

// TestSimulatorHasTheDocumentedShapes: the simulator's replies have the keys and nesting
// of the documented samples (values may differ), so it cannot drift from them.
func TestSimulatorHasTheDocumentedShapes(t *testing.T) {
	clock := simkit.NewFakeClock(time.Time{})
	s := newSim(t, clock, hepsiburadasim.Options{ProcessingDelay: time.Second})
	for _, sku := range []string{"SKU-001", "SKU-002", "SKU-003"} {
		if _, err := s.AddListing(hepsiburadasim.Listing{MerchantSku: sku, Stock: 10, Price: 12050, FulfilledByHB: sku == "SKU-003"}); err != nil {
			t.Fatal(err)
		}
	}
	contract.SameShape(t, contract.Load(t, "listings-page.json"), raw(t, s, "GET", listingsPath+"?offset=0&limit=100", nil))
	reply := raw(t, s, "POST", listingsPath+"/stock-uploads", []map[string]any{{"merchantSku": "SKU-001", "availableStock": 50}, {"merchantSku": "NOPE", "availableStock": 0}})
	contract.SameShape(t, contract.Load(t, "upload-reply.json"), reply)
	var up struct{ ID string }
	_ = json.Unmarshal(reply, &up)
	clock.Advance(time.Second)
	contract.SameShape(t, contract.Load(t, "upload-result.json"), raw(t, s, "GET", listingsPath+"/stock-uploads/id/"+up.ID, nil))

	o, err := s.AddOrder(hepsiburadasim.Order{Lines: []hepsiburadasim.OrderLine{{MerchantSku: "SKU-001", Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	contract.SameShape(t, contract.Load(t, "orders-page.json"), raw(t, s, "GET", "/orders/merchantid/"+merchantID+"?offset=0&limit=100", nil), lineSchemaKeys...)
	if _, err := s.PackOrder(o.Number); err != nil {
		t.Fatal(err)
	}
	contract.SameShape(t, contract.Load(t, "packages.json"), raw(t, s, "GET", "/packages/merchantid/"+merchantID+"?Offset=0&limit=10", nil),
		// A bare array's paths keep their "$" in contract.SameShape's extra list.
		"$[].totalDeci", "$[].items[].deci")
}
