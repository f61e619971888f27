package trendyol_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
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
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/connectors/trendyol"
)

// The contract tests hold the connector to Trendyol's own documented samples
// (testdata/contract/, each with a .source), not to the simulator: the connector's real
// HTTP path against contract.Replay, decoded values asserted field by field. Then the
// simulator is held to the same samples with contract.SameShape.

const (
	approvedPath = "/product/sellers/" + seller + "/products/approved/inventory-and-price"
	pushPath     = "/inventory/sellers/" + seller + "/products/price-and-inventory"
	streamPath   = "/order/sellers/" + seller + "/orders/stream"
)

// replayed is a connector whose base URL is a server replaying documented answers.
func replayed(t *testing.T, answers ...contract.Answer) (*trendyol.Client, *contract.Server) {
	t.Helper()
	srv := contract.Replay(t, answers...)
	st := storeAt(srv.URL)
	st.BaseURL = srv.URL
	c, err := trendyol.New(&st, connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestContractReadBackReadsTheNestedVariants(t *testing.T) {
	c, srv := replayed(t, contract.Answer{Method: "GET", Path: approvedPath, File: "approved-inventory.200.json"})
	got, err := c.ReadBack(context.Background(), []connectors.Item{
		{SKU: "056565964", Barcode: "60506560"}, {SKU: "other", Barcode: "8680000000099"}, {SKU: "no-barcode"}})
	if err != nil {
		t.Fatal(err)
	}
	o := got["056565964"]
	if !o.Found || o.Qty == nil || *o.Qty != 50 || o.Price == nil || *o.Price != 69999 || o.ListPrice == nil || *o.ListPrice != 69999 {
		t.Fatalf("the documented variant read as %+v", o)
	}
	if got["other"].Found || got["no-barcode"].Found || len(got) != 3 {
		t.Fatalf("not listed: %+v", got)
	}
	// The sample carries a nextPageToken on its only page (totalPages 1): one request.
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests for one chunk of barcodes; the token must be followed only past page×size = 10 000", len(reqs))
	}
	q, _ := url.ParseQuery(reqs[0].Query)
	if q.Get("barcodes") != "60506560,8680000000099" || q.Get("size") != "50" || q.Get("page") != "0" || q.Has("nextPageToken") {
		t.Fatalf("query %q", reqs[0].Query)
	}
}

func TestContractPushSendsTheDocumentedBody(t *testing.T) {
	c, srv := replayed(t, contract.Answer{Method: "POST", Path: pushPath, File: "price-and-inventory.200.json"})
	sale, list := money.Kurus(11285), money.Kurus(11385)
	out, err := c.Push(context.Background(), []connectors.Item{{SKU: "A", Barcode: "8680000000", Qty: qty(100), Price: &sale, ListPrice: &list}})
	if err != nil {
		t.Fatal(err)
	}
	if o := out["A"]; o.Status != connectors.Pending || o.Ref != "fa75dfd5-6ce6-4730-a09e-97563500000-1529854840" {
		t.Fatalf("outcome %+v", o)
	}
	reqs := srv.Requests()
	want := contract.Load(t, "price-and-inventory.request.json")
	if len(reqs) != 1 || !bytes.Equal(bytes.TrimSpace(reqs[0].Body), bytes.TrimSpace(want)) {
		t.Fatalf("sent %s\nthe documented request is %s", reqs[0].Body, want)
	}
	if ua := reqs[0].Header.Get("User-Agent"); ua != seller+" - SelfIntegration" {
		t.Fatalf("User-Agent %q", ua)
	}
}

func TestContractBatchResultPerBarcode(t *testing.T) {
	ref := "c57e…-1746718627" // the documented sample's id, shortened as the reference prints it
	c, srv := replayed(t, contract.Answer{Method: "GET", Path: "/product/sellers/" + seller + "/products/batch-requests/" + ref, File: "batch-result.200.json"})
	out, err := c.CheckResults(context.Background(), ref, []connectors.Item{
		{SKU: "A", Barcode: "11111111111", Qty: qty(100)}, {SKU: "B", Barcode: "22222222222", Qty: qty(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if out["A"].Status != connectors.Confirmed || out["B"].Status != connectors.Pending || out["B"].Ref != ref {
		t.Fatalf("outcomes %+v", out)
	}
	if len(srv.Requests()) != 1 {
		t.Fatalf("%d requests", len(srv.Requests()))
	}
}

// TestContractErrorShapes: each group of endpoints has its own documented error shape;
// the connector reads the marketplace's words from both (a connector reading one shape
// loses them from the other).
func TestContractErrorShapes(t *testing.T) {
	c, _ := replayed(t,
		contract.Answer{Method: "POST", Path: pushPath, Status: 400, File: "error-product.400.json"},
		contract.Answer{Method: "GET", Path: streamPath, Status: 400, File: "error-order.400.json"})
	out, err := c.Push(context.Background(), []connectors.Item{{SKU: "A", Barcode: "8680000000", Qty: qty(25000 - 5000)}, {SKU: "B", Barcode: "8680000001", Qty: qty(3)}})
	if err != nil {
		t.Fatal(err)
	}
	if o := out["A"]; o.Status != connectors.Rejected || o.Reason != "Stok adedi 20000'den fazla olamaz." {
		t.Fatalf("the item errors[] names: %+v", o)
	}
	if out["B"].Status != connectors.Retry {
		t.Fatalf("an item the refusal does not name: %+v", out["B"])
	}
	_, err = c.FetchOrders(context.Background(), connectors.OrderQuery{Since: time.Now().Add(-time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "nextCursor was issued for other filters") {
		t.Fatalf("the order endpoint's message is lost: %v", err)
	}
}

func TestContractStreamPackage(t *testing.T) {
	c, _ := replayed(t, contract.Answer{Method: "GET", Path: streamPath, File: "orders-stream.200.json"})
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 1 {
		t.Fatalf("%d orders", len(page.Orders))
	}
	o := page.Orders[0]
	// orderDate is epoch ms of the GMT+3 wall clock: 2025-10-01 15:00 there, 12:00 UTC.
	if want := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC); !o.OrderedAt.Equal(want) {
		t.Fatalf("ordered at %v, want %v", o.OrderedAt.UTC(), want)
	}
	if !o.UpdatedAt.Equal(time.UnixMilli(1759320000500)) {
		t.Fatalf("updated at %v", o.UpdatedAt)
	}
	if o.ID != "10654411111" || o.Number != "10654411111" || o.Status != order.Processing || o.RawStatus != "Picking" || o.Currency != "TRY" {
		t.Fatalf("order %+v", o)
	}
	cu := o.Customer
	if cu.Name != "Ayşe Yılmaz" || cu.Email != "pf+x@trendyolmail.com" || cu.Company != "Yılmaz Tekstil Ltd" || cu.TaxNumber != "1234567890" ||
		cu.TaxOffice != "Kadıköy" || cu.IdentityNumber != "11111111111" || cu.Phone != "5XXXXXXXXX" {
		t.Fatalf("customer %+v", cu)
	}
	if a := o.ShipTo; a.Name != "Ayşe Yılmaz" || a.Line1 != "Moda Cad. No:12 D:3" || a.Line2 != "Caferağa Mah." || a.District != "Kadıköy" ||
		a.City != "İstanbul" || a.PostalCode != "34710" || a.Country != "TR" {
		t.Fatalf("ship to %+v", a)
	}
	pk := o.Packages[0]
	if pk.ID != "3330111" || pk.CargoTracking != "7330123456" || o.CargoProvider != "Trendyol Express Marketplace" || len(pk.Lines) != 2 {
		t.Fatalf("package %+v", pk)
	}
	l := pk.Lines[0]
	if l.ID != "4765111111" || l.SKU != "GOMLEK-M" || l.Barcode != "8680000000011" || l.Name != "Keten Gömlek" || l.Quantity != 2 ||
		l.UnitPrice != 10000 || l.Discount != 2500 || l.Total != 17500 || l.VATRate != 2000 || l.Cancelled {
		t.Fatalf("line 1 %+v", l)
	}
	l = pk.Lines[1]
	if l.ID != "4765111112" || l.SKU != "KEMER-1" || l.Quantity != 1 || l.UnitPrice != 4999 || l.Discount != 0 || l.Total != 4999 || l.VATRate != 1000 {
		t.Fatalf("line 2 %+v", l)
	}
	// The lines add up to the package total Trendyol states (packageTotalPrice 224.99).
	if tot := o.Totals(); tot.Total != 22499 || tot.Gross != 24999 || tot.Discount != 2500 || tot.Units != 3 {
		t.Fatalf("totals %+v", tot)
	}
	if page.More || page.Cursor == "" {
		t.Fatalf("paging %+v", page)
	}
}

// simCall is one raw request to the simulator with the seller's credentials.
func simCall(t *testing.T, s *trendyolsim.Server, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/integration"+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", seller+" - SelfIntegration")
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(apiKey, apiSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestSimulatorMatchesTheDocumentedSamples: for each documented request the simulator's
// reply has the documented keys and nesting, so it cannot drift from the documents.
func TestSimulatorMatchesTheDocumentedSamples(t *testing.T) {
	clock := simkit.NewFakeClock(time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC))
	s := trendyolsim.New(trendyolsim.Options{SellerID: seller, APIKey: apiKey, APISecret: apiSecret, Clock: clock})
	t.Cleanup(s.Close)
	for _, b := range []string{"8680000000", "60506560"} {
		if err := s.AddProduct(trendyolsim.Product{Barcode: b, Quantity: 5, SalePrice: 10000, ListPrice: 12000}); err != nil {
			t.Fatal(err)
		}
	}

	status, body := simCall(t, s, "POST", pushPath, contract.Load(t, "price-and-inventory.request.json"))
	if status != 200 {
		t.Fatalf("documented request answered %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "price-and-inventory.200.json"), body)
	var accepted struct{ BatchRequestID string }
	_ = json.Unmarshal(body, &accepted)
	clock.Advance(time.Second)
	status, body = simCall(t, s, "GET", "/product/sellers/"+seller+"/products/batch-requests/"+accepted.BatchRequestID, nil)
	if status != 200 {
		t.Fatalf("batch result %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "batch-result.200.json"), body)

	status, body = simCall(t, s, "GET", approvedPath+"?barcodes=60506560&size=1&page=0", nil)
	if status != 200 {
		t.Fatalf("approved %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "approved-inventory.200.json"), body)

	// Errors: a product endpoint's 400 and an order endpoint's 400, each in its shape.
	status, body = simCall(t, s, "GET", approvedPath+"?size=101", nil)
	if status != 400 {
		t.Fatalf("oversize page %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "error-product.400.json"), body)
	status, body = simCall(t, s, "GET", streamPath+"?size=500", nil)
	if status != 400 {
		t.Fatalf("oversize stream page %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "error-order.400.json"), body)

	// A package as the stream serves it. createdDate and invoiceNumber are fields of the
	// older package reference the field list does not carry.
	if _, err := s.AddOrder(trendyolsim.Order{Commercial: true, Customer: trendyolsim.Customer{Company: "Yılmaz Tekstil Ltd", TaxNumber: "1234567890", TaxOffice: "Kadıköy"},
		Lines: []trendyolsim.OrderLine{{Barcode: "60506560", Quantity: 2, SellerDiscount: 1000, TyDiscount: 250}}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	status, body = simCall(t, s, "GET", streamPath, nil)
	if status != 200 {
		t.Fatalf("stream %d: %s", status, body)
	}
	contract.SameShape(t, contract.Load(t, "orders-stream.200.json"), body, "content[].createdDate", "content[].invoiceNumber")
}
