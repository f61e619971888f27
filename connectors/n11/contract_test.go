package n11_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/money"
	"syncagent/connectors/n11"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/n11sim"
	"syncagent/connectors/sim/simkit"
)

// The connector and the simulator are held to n11's documented samples
// (testdata/contract/*.source says where each one comes from).

func contractClient(t *testing.T, url string, now time.Time) *n11.Client {
	t.Helper()
	st := storeAt(url)
	if errs := connectors.Check(&st); len(errs) > 0 {
		t.Fatal(errs)
	}
	c, err := n11.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sameJSON(t *testing.T, what string, documented, got []byte) {
	t.Helper()
	var d, g any
	if err := json.Unmarshal(documented, &d); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s is not JSON: %s", what, got)
	}
	db, _ := json.Marshal(d)
	gb, _ := json.Marshal(g)
	if !bytes.Equal(db, gb) {
		t.Fatalf("%s differs from the documented one:\n got %s\nwant %s", what, gb, db)
	}
}

func kp(k money.Kurus) *money.Kurus { return &k }
func qp(n int64) *int64             { return &n }

// TestContractPriceStockTask: the documented request is what the connector sends for a
// stock-only and a price-only item, and the documented answers read as Pending, then
// (task details) Confirmed.
func TestContractPriceStockTask(t *testing.T) {
	now := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	srv := contract.Replay(t,
		contract.Answer{Method: "POST", Path: "/ms/product/tasks/price-stock-update", File: "price-stock-update.response.json"},
		contract.Answer{Method: "POST", Path: "/ms/product/task-details/page-query", File: "task-details.response.json"})
	c := contractClient(t, srv.URL, now)
	items := []connectors.Item{
		{SKU: "ABC-1", Qty: qp(12), ConfQty: qp(3)},
		{SKU: "ABC-2", Price: kp(14990), ListPrice: kp(19990), ConfPrice: kp(15990), ConfListPrice: kp(19990)},
	}
	out, err := c.Push(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	sameJSON(t, "the price-stock-update request", contract.Load(t, "price-stock-update.request.json"), reqs[0].Body)
	if reqs[0].Header.Get("appkey") != appKey || reqs[0].Header.Get("appsecret") != appSecret {
		t.Fatal("the credentials go in the appkey and appsecret headers")
	}
	ref := out["ABC-1"].Ref
	if out["ABC-1"].Status != connectors.Pending || out["ABC-2"].Ref != ref || !strings.HasPrefix(ref, "1092@") {
		t.Fatalf("outcomes %+v", out)
	}
	res, err := c.CheckResults(context.Background(), ref, items[1:])
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "the task-details request", contract.Load(t, "task-details.request.json"), srv.Requests()[1].Body)
	if res["ABC-2"].Status != connectors.Confirmed {
		t.Fatalf("%+v", res)
	}
}

// TestContractReject: a REJECT in an HTTP 200 is a refusal of the whole task, with n11's
// reasons word for word.
func TestContractReject(t *testing.T) {
	srv := contract.Replay(t, contract.Answer{Method: "POST", Path: "/ms/product/tasks/price-stock-update", File: "price-stock-update.reject.json"})
	c := contractClient(t, srv.URL, time.Now())
	_, err := c.Push(context.Background(), []connectors.Item{{SKU: "ABC-2", Price: kp(14990), ListPrice: kp(19990)}, {SKU: "ABC-1", Qty: qp(1)}})
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.Permanent || ce.Status != 0 || !strings.Contains(ce.Message, "listPrice salePrice dan küçük olamaz") {
		t.Fatalf("a REJECT naming no item: %v; want Permanent (status 0, so the agent narrows it down) with n11's reason", err)
	}
}

// TestContractShipmentPackages: the documented package reads field by field, money
// exact, the date from the GMT+3 wall clock.
func TestContractShipmentPackages(t *testing.T) {
	now := time.UnixMilli(1788300000000).Add(time.Hour)
	srv := contract.Replay(t, contract.Answer{Method: "GET", Path: "/rest/delivery/v1/shipmentPackages", Query: map[string]string{"status": "Created"},
		File: "shipment-packages.response.json"})
	c := contractClient(t, srv.URL, now)
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: now.Add(-7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 1 || !page.More {
		t.Fatalf("%+v", page)
	}
	o := page.Orders[0]
	if o.ID != "2026090112345" || o.Number != o.ID || o.Marketplace != "n11" || o.Status != order.New || o.RawStatus != "Created" ||
		o.Customer.Name != "Ad Soyad" || o.Currency != "TRY" {
		t.Fatalf("order %+v", o)
	}
	p := o.Packages[0]
	if p.ID != "112999455244259" || !p.UpdatedAt.Equal(time.UnixMilli(1788300000000).Add(-3*time.Hour)) ||
		!o.OrderedAt.Equal(time.UnixMilli(1788299000000).Add(-3*time.Hour)) {
		t.Fatalf("package %+v ordered %v", p, o.OrderedAt)
	}
	l := p.Lines[0]
	want := order.Line{ID: "426659152", SKU: "ABC-1", Quantity: 2, UnitPrice: 29280, Discount: 580, Total: 57980, VATRate: 2000}
	if l.ID != want.ID || l.SKU != want.SKU || l.Quantity != want.Quantity || l.UnitPrice != want.UnitPrice ||
		l.Discount != want.Discount || l.Total != want.Total || l.VATRate != want.VATRate {
		t.Fatalf("line %+v, want %+v", l, want)
	}
	q := srv.Requests()[0].Query
	for _, k := range []string{"status=Created", "size=100", "orderByDirection=ASC", "startDate=", "endDate="} {
		if !strings.Contains(q, k) {
			t.Fatalf("query %s lacks %s", q, k)
		}
	}
}

// TestContractAuthFailures: each path family's documented refusal is Kind Auth, in plain
// words naming the credentials.
func TestContractAuthFailures(t *testing.T) {
	srv := contract.Replay(t,
		contract.Answer{Method: "GET", Path: "/ms/product-query", Status: 401, File: "ms-auth-failure.response.json"},
		contract.Answer{Method: "GET", Path: "/rest/delivery/v1/shipmentPackages", Status: 400, File: "rest-auth-failure.response.json"})
	c := contractClient(t, srv.URL, time.Now())
	err := c.Test(context.Background())
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.Auth || !strings.Contains(ce.Message, "Apide doğrulama işlemi başarısız oldu.") ||
		!strings.Contains(ce.Message, "credentials.appsecret") {
		t.Fatalf("/ms 401: %v", err)
	}
	_, err = c.FetchOrders(context.Background(), connectors.OrderQuery{Since: time.Now().Add(-time.Hour)})
	if !errors.As(err, &ce) || ce.Kind != connectors.Auth || !strings.Contains(ce.Message, "SELLER_API.authenticationFailed") {
		t.Fatalf("/rest 400: %v", err)
	}
}

// TestContractProductQuery: a product row reads exactly.
func TestContractProductQuery(t *testing.T) {
	srv := contract.Replay(t, contract.Answer{Method: "GET", Path: "/ms/product-query", File: "product-query.response.json"})
	c := contractClient(t, srv.URL, time.Now())
	got, err := c.ReadBack(context.Background(), []connectors.Item{{SKU: "ABC-2"}})
	if err != nil {
		t.Fatal(err)
	}
	ob := got["ABC-2"]
	if !ob.Found || *ob.Qty != 9 || *ob.Price != 14990 || *ob.ListPrice != 19990 || *ob.Info.VATRate != 20 || !*ob.Info.Active ||
		*ob.Info.Description != "<p>Açıklama</p>" {
		t.Fatalf("%+v", ob)
	}
}

// TestContractProductUpdate: every field the connector sends is one the documented
// product-update request has, of the same kind.
func TestContractProductUpdate(t *testing.T) {
	srv := contract.Replay(t, contract.Answer{Method: "POST", Path: "/ms/product/tasks/product-update",
		Body: []byte(`{"id":1095,"type":"PRODUCT_UPDATE","status":"IN_QUEUE","reasons":["1 sku işlenmeye alındı."]}`)})
	c := contractClient(t, srv.URL, time.Now())
	desc, vat, on := "Yeni açıklama", 10, true
	if _, err := c.UpdateInfo(context.Background(), []connectors.Item{{SKU: "SKU001", Info: connectors.Info{Description: &desc, VATRate: &vat, Active: &on}}}); err != nil {
		t.Fatal(err)
	}
	doc := contract.Load(t, "product-update.request.json")
	// Our request's keys must all be documented: compare the other way round, allowing
	// the documented keys we do not send.
	diffs, err := contract.ShapeDiff(srv.Requests()[0].Body, doc, "payload.skus[].preparingDay", "payload.skus[].shipmentTemplate",
		"payload.skus[].deleteProductMainId", "payload.skus[].productMainId", "payload.skus[].deleteMaxPurchaseQuantity",
		"payload.skus[].maxPurchaseQuantity", "payload.skus[].attributes")
	if err != nil || len(diffs) > 0 {
		t.Fatalf("the product-update request: %v %v\n%s", diffs, err, srv.Requests()[0].Body)
	}
}

// The simulator answers the documented requests in the documented shapes.

func simPost(t *testing.T, s *n11sim.Server, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	req.Header.Set("appkey", appKey)
	req.Header.Set("appsecret", appSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestSimulatorMatchesTheDocumentedSamples(t *testing.T) {
	clock := simkit.NewFakeClock(time.Time{})
	s := n11sim.New(n11sim.Options{AppKey: appKey, AppSecret: appSecret, Clock: clock, TaskDelay: time.Second})
	defer s.Close()
	for _, sku := range []string{"ABC-1", "ABC-2"} {
		if err := s.AddProduct(n11sim.Product{StockCode: sku, Quantity: 1, SalePrice: 10000, ListPrice: 20000}); err != nil {
			t.Fatal(err)
		}
	}
	st, reply := simPost(t, s, "POST", "/ms/product/tasks/price-stock-update", contract.Load(t, "price-stock-update.request.json"))
	if st != 200 {
		t.Fatalf("%d %s", st, reply)
	}
	contract.SameShape(t, contract.Load(t, "price-stock-update.response.json"), reply)
	var task struct{ ID int64 }
	_ = json.Unmarshal(reply, &task)
	clock.Advance(time.Second)
	req, _ := json.Marshal(map[string]any{"taskId": task.ID, "pageable": map[string]any{"page": 0, "size": 1000}})
	_, reply = simPost(t, s, "POST", "/ms/product/task-details/page-query", req)
	contract.SameShape(t, contract.Load(t, "task-details.response.json"), reply)

	_, reply = simPost(t, s, "GET", "/ms/product-query?page=0&size=20", nil)
	contract.SameShape(t, contract.Load(t, "product-query.response.json"), reply)

	if _, err := s.AddOrder(n11sim.Order{Lines: []n11sim.OrderLine{{StockCode: "ABC-1", Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	_, reply = simPost(t, s, "GET", "/rest/delivery/v1/shipmentPackages?status=Created", nil)
	// The fields n11.md §6 lists as observed on prod, beyond the documented sample's.
	var extra []string
	for _, k := range []string{"customerId", "customerEmail", "tcIdentityNumber", "taxId", "taxOffice", "billingAddress", "shippingAddress",
		"deliveryAddressType", "shipmentCompanyId", "cargoProviderName", "cargoTrackingNumber", "cargoTrackingLink", "cargoSenderNumber",
		"shipmentMethod", "totalAmount", "totalDiscountAmount", "isReturned", "agreedDeliveryDate"} {
		extra = append(extra, "content[]."+k)
	}
	for _, k := range []string{"productId", "productName", "barcode", "dueAmount", "mallDiscount", "orderItemLineItemStatusName", "commissionRate", "variantAttributes"} {
		extra = append(extra, "content[].lines[]."+k)
	}
	contract.SameShape(t, contract.Load(t, "shipment-packages.response.json"), reply, extra...)

	bad := n11sim.New(n11sim.Options{AppKey: appKey, AppSecret: "other", Clock: clock})
	defer bad.Close()
	_, reply = simPost(t, bad, "GET", "/ms/product-query?page=0&size=1", nil)
	contract.SameShape(t, contract.Load(t, "ms-auth-failure.response.json"), reply, "name", "description", "urlStack", "errors")
	_, reply = simPost(t, bad, "GET", "/rest/delivery/v1/shipmentPackages", nil)
	contract.SameShape(t, contract.Load(t, "rest-auth-failure.response.json"), reply)
}
