package giyimmoda_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/giyimmoda"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/simkit"
)

// The contract tests hold the connector to the seed's documented samples
// (testdata/contract/, each with a .source; the order detail and the product list are
// assembled from the seed's field tables, as their .source says), then the simulator to
// the same samples with contract.SameShape.

const bulkPath = "/api/seller/products/bulk-update"

func replayed(t *testing.T, answers ...contract.Answer) (*giyimmoda.Client, *contract.Server) {
	t.Helper()
	srv := contract.Replay(t, answers...)
	st := storeAt(srv.URL)
	c, err := giyimmoda.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

var productList = contract.Answer{Method: "GET", Path: "/api/seller/products", File: "products.200.json"}

func TestContractOrder(t *testing.T) {
	c, srv := replayed(t, productList,
		contract.Answer{Method: "GET", Path: "/api/seller/orders", File: "orders.200.json"},
		contract.Answer{Method: "GET", Path: "/api/seller/orders/123", File: "order-detail.200.json"})
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: time.Date(2024, 12, 14, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 1 || !page.More { // the documented list says page 1 of 5
		t.Fatalf("%d orders, more %v", len(page.Orders), page.More)
	}
	o := page.Orders[0]
	// "2024-12-15 14:30:25" is Turkey time (UTC+3).
	if want := time.Date(2024, 12, 15, 11, 30, 25, 0, time.UTC); !o.OrderedAt.Equal(want) {
		t.Fatalf("ordered at %v, want %v", o.OrderedAt.UTC(), want)
	}
	if o.ID != "123" || o.Number != "20241215-14302545" || o.Status != order.New || o.RawStatus != "pending" || o.PaymentType != "bank_payment" || o.Currency != "TRY" {
		t.Fatalf("order %+v", o)
	}
	if cu := o.Customer; cu.Name != "Ahmet Yılmaz" || cu.Email != "ahmet@example.com" || cu.Phone != "05551234567" || cu.IdentityNumber != "12345678901" {
		t.Fatalf("customer %+v", cu)
	}
	// shipping_address came as a string holding JSON.
	if a := o.ShipTo; a.Name != "Ahmet Yılmaz" || a.Line1 != "Atatürk Cad. No:123" || a.City != "İstanbul" || a.Country != "Türkiye" ||
		a.PostalCode != "34000" || a.Phone != "05551234567" {
		t.Fatalf("ship to %+v", a)
	}
	ls := o.Packages[0].Lines
	if len(ls) != 2 {
		t.Fatalf("lines %+v", ls)
	}
	if l := ls[0]; l.ID != "183" || l.ProductID != "789" || l.SKU != "SKU-001" || l.Quantity != 2 || l.UnitPrice != 9500 || l.Total != 19000 || l.Tax != 3800 || l.Cancelled {
		t.Fatalf("line 1 %+v", l)
	}
	if l := ls[1]; l.ID != "184" || l.SKU != "SKU-002" || l.Quantity != 1 || l.UnitPrice != 834 || l.Total != 834 || l.Tax != 166 || l.Name != "M-Siyah" {
		t.Fatalf("line 2 %+v", l)
	}
	if o.StatedTotal != 25000 || o.ShippingFee != 1200 || o.OrderDiscount != 0 {
		t.Fatalf("amounts %+v", o)
	}
	stated(t, o)
	if n := len(srv.Requests()); n != 3 {
		t.Fatalf("%d requests: list, detail, product map", n)
	}
}

func TestContractPush(t *testing.T) {
	c, srv := replayed(t, productList, contract.Answer{Method: "POST", Path: bulkPath, File: "bulk-update.200.json"})
	p1, p2 := money.Kurus(19999), money.Kurus(29999)
	out, err := c.Push(context.Background(), []connectors.Item{
		{SKU: "SKU-001", Qty: qty(50), Price: &p1}, {SKU: "SKU-002", Price: &p2}})
	if err != nil {
		t.Fatal(err)
	}
	if out["SKU-001"].Status != connectors.Confirmed || out["SKU-002"].Status != connectors.Confirmed {
		t.Fatalf("outcomes %+v", out)
	}
	var sent []byte
	for _, r := range srv.Requests() {
		if r.Path == bulkPath {
			sent = r.Body
		}
	}
	if want := `{"products":[{"id":789,"unit_price":199.99,"current_stock":50},{"id":790,"unit_price":299.99}]}`; string(bytes.TrimSpace(sent)) != want {
		t.Fatalf("sent %s\nwant %s", sent, want)
	}
	// Every key sent is one the documented request has; fields that did not change (and
	// published, which the agent never sends) are left out, as the seed asks.
	diffs, err := contract.ShapeDiff(contract.Load(t, "bulk-update.request.json"), sent)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		if d != "$.products[].published: documented, missing" && d != "$.products[].current_stock: documented, missing" {
			t.Fatalf("the request differs from the documented one: %s", d)
		}
	}
}

func TestContractErrorEnvelope(t *testing.T) {
	c, _ := replayed(t, productList, contract.Answer{Method: "POST", Path: bulkPath, Status: 422, File: "error.422.json"})
	_, err := c.Push(context.Background(), []connectors.Item{{SKU: "SKU-001", Qty: qty(1)}})
	if connectors.KindOf(err) != connectors.Permanent || !strings.Contains(err.Error(), "Hata mesajı") || !strings.Contains(err.Error(), "Hata detayı") {
		t.Fatalf("got %v", err)
	}
}

func simGet(t *testing.T, s *giyimmodasim.Server, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", apiKey)
	req.Header.Set("X-API-Secret", apiSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestSimulatorMatchesTheDocumentedSamples holds the simulator to the seed's samples.
func TestSimulatorMatchesTheDocumentedSamples(t *testing.T) {
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	s := giyimmodasim.New(giyimmodasim.Options{APIKey: apiKey, APISecret: apiSecret, Clock: clock})
	t.Cleanup(s.Close)
	a := add(t, s, giyimmodasim.Product{Name: "Gömlek", SKU: "SKU-001", UnitPrice: 15000, Stock: 100})
	b := add(t, s, giyimmodasim.Product{Name: "Kemer", SKU: "SKU-002", UnitPrice: 29999, Stock: 7})
	v, err := s.AddOrder(giyimmodasim.Order{Items: []giyimmodasim.OrderItem{{ProductID: a.ID, Quantity: 2, Tax: 1900, ShippingCost: 1200}}})
	if err != nil {
		t.Fatal(err)
	}

	req := []byte(`{"products":[{"id":` + strconv.FormatInt(a.ID, 10) + `,"unit_price":199.99,"current_stock":50,"published":true},{"id":` +
		strconv.FormatInt(b.ID, 10) + `,"unit_price":299.99,"published":false}]}`)
	status, body := simGet(t, s, "POST", bulkPath, req)
	if status != 200 {
		t.Fatalf("the documented request answered %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "bulk-update.200.json"), body)

	status, body = simGet(t, s, "GET", "/api/seller/orders?per_page=20", nil)
	if status != 200 {
		t.Fatalf("orders %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "orders.200.json"), body)

	// The detail's extras are the simulator's own assumptions (its README): the order
	// id and the product on each line, the invoice link.
	status, body = simGet(t, s, "GET", "/api/seller/orders/"+strconv.FormatInt(v.ID, 10), nil)
	if status != 200 {
		t.Fatalf("order %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "order-detail.200.json"), body,
		"data.invoice_url", "data.order_details[].order_id", "data.order_details[].product")

	status, body = simGet(t, s, "GET", "/api/seller/orders?date_from=01.10.2026", nil)
	if status != 422 {
		t.Fatalf("bad date %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "error.422.json"), body, "errors.*")
}
