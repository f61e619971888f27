package trendyolsim

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func addOrders(t *testing.T, s *Server, clock interface{ Advance(time.Duration) }, n int) []Package {
	t.Helper()
	var out []Package
	for i := 0; i < n; i++ {
		p, err := s.AddOrder(Order{Lines: []OrderLine{{Barcode: bc(i % 3), Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
		clock.Advance(time.Minute)
	}
	return out
}

func TestOrderStockAndShape(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 3)
	p, err := s.AddOrder(Order{Lines: []OrderLine{
		{Barcode: bc(0), Quantity: 2, SellerDiscount: 1000},
		{Barcode: bc(1), Quantity: 1, UnitPrice: 5000},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := s.Product(bc(0)); q.Quantity != 8 {
		t.Fatalf("stock after order %d", q.Quantity)
	}
	if _, err := s.AddOrder(Order{Lines: []OrderLine{{Barcode: bc(2), Quantity: 11}}}); !errors.Is(err, simkit.ErrOutOfStock) {
		t.Fatalf("oversell: %v", err)
	}
	if _, err := s.AddOrder(Order{Lines: []OrderLine{{Barcode: "nope", Quantity: 1}}}); !errors.Is(err, simkit.ErrNotFound) {
		t.Fatalf("unknown barcode: %v", err)
	}
	a := c.do("GET", ordPath+"/orders/stream", nil).want(t, 200)
	pk := a.list("content")[0]
	for _, old := range []string{"id", "merchantSku", "productCode", "price", "amount", "vatBaseAmount"} {
		if _, has := pk[old]; has {
			t.Fatalf("old field %q present", old)
		}
	}
	if pk["shipmentPackageId"] != float64(p.ID) || pk["status"] != StatusCreated || pk["createdBy"] != "order-creation" {
		t.Fatalf("package root: %v", pk)
	}
	// 2×100.00 + 50.00 gross, 2×10.00 seller discount.
	if kurus(pk["packageGrossAmount"]) != 25000 || kurus(pk["packageTotalDiscount"]) != 2000 || kurus(pk["packageTotalPrice"]) != 23000 {
		t.Fatalf("package amounts: %v %v %v", pk["packageGrossAmount"], pk["packageTotalDiscount"], pk["packageTotalPrice"])
	}
	l := pk["lines"].([]any)[0].(map[string]any)
	if l["stockCode"] != "SKU-0" || kurus(l["lineUnitPrice"]) != 9000 || len(l["discountDetails"].([]any)) != 2 || l["lineId"] == nil {
		t.Fatalf("line: %v", l)
	}
	od := int64(pk["orderDate"].(float64))
	if od-int64(pk["createdDate"].(float64)) != (3 * time.Hour).Milliseconds() {
		t.Fatalf("orderDate should be shifted to GMT+3: %v vs %v", pk["orderDate"], pk["createdDate"])
	}
}

func TestStatusFlowAndPackageUpdates(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 3)
	p, _ := s.AddOrder(Order{Status: StatusAwaiting, Lines: []OrderLine{{Barcode: bc(0), Quantity: 2}}})
	path := ordPath + "/shipment-packages/" + strconv.FormatInt(p.ID, 10)
	lines := []map[string]any{{"lineId": p.Lines[0].LineID, "quantity": 2}}
	c.do("PUT", path, map[string]any{"lines": lines, "params": map[string]any{}, "status": "Picking"}).want(t, 400) // Awaiting
	if err := s.SetOrderStatus(p.ID, StatusShipped); !errors.Is(err, simkit.ErrState) {
		t.Fatalf("Awaiting → Shipped: %v", err)
	}
	if err := s.SetOrderStatus(p.ID, StatusCreated); err != nil {
		t.Fatal(err)
	}
	c.do("PUT", path, map[string]any{"lines": lines, "params": map[string]any{"invoiceNumber": "X1"}, "status": "Invoiced"}).want(t, 400)
	c.do("PUT", path, map[string]any{"lines": lines, "status": "Shipped"}).want(t, 400)
	c.do("PUT", path, map[string]any{"lines": []map[string]any{{"lineId": 1, "quantity": 1}}, "status": "Picking"}).want(t, 400)
	c.do("PUT", path, map[string]any{"lines": []map[string]any{{"lineId": p.Lines[0].LineID, "quantity": 3}}, "status": "Picking"}).want(t, 400)
	c.do("PUT", path, map[string]any{"lines": lines, "params": map[string]any{}, "status": "Picking"}).want(t, 200)
	c.do("PUT", path, map[string]any{"lines": lines, "params": map[string]any{}, "status": "Picking"}).want(t, 200) // repeat is harmless
	c.do("PUT", path, map[string]any{"lines": lines, "params": map[string]any{}, "status": "Invoiced"}).want(t, 400)
	c.do("PUT", path, map[string]any{"lines": lines, "params": map[string]any{"invoiceNumber": "EME2018000025208"}, "status": "Invoiced"}).want(t, 200)
	c.do("PUT", ordPath+"/shipment-packages/999", map[string]any{"lines": lines, "status": "Picking"}).want(t, 404)
	for _, st := range []string{StatusShipped, StatusDelivered} {
		if err := s.SetOrderStatus(p.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.Package(p.ID)
	if got.Status != StatusDelivered || got.InvoiceNumber != "EME2018000025208" {
		t.Fatalf("final package %+v", got)
	}
	a := c.do("GET", ordPath+"/v2/orders?shipmentPackageIds="+strconv.FormatInt(p.ID, 10), nil).want(t, 200)
	hist := a.list("content")[0]["packageHistories"].([]any)
	var seq []string
	for _, h := range hist {
		seq = append(seq, h.(map[string]any)["status"].(string))
	}
	if fmt.Sprint(seq) != "[Awaiting Created Picking Invoiced Shipped Delivered]" {
		t.Fatalf("history %v", seq)
	}
	if q, _ := s.Product(bc(0)); q.Quantity != 8 {
		t.Fatalf("a delivered order keeps its stock off: %d", q.Quantity)
	}
}

func TestCancelSplitAndUnsupplied(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 3)
	p, _ := s.AddOrder(Order{OrderNumber: "10777", Lines: []OrderLine{{Barcode: bc(0), Quantity: 3}, {Barcode: bc(1), Quantity: 1}}})
	newID, err := s.CancelLine(p.ID, p.Lines[0].LineID, 1)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := s.Package(p.ID)
	np, _ := s.Package(newID)
	if old.Status != StatusCancelled || np.Status != StatusCreated || np.CreatedBy != "cancel" ||
		len(np.OriginPackageIDs) != 1 || np.OriginPackageIDs[0] != p.ID || np.OrderNumber != "10777" {
		t.Fatalf("after cancel: old %+v new %+v", old, np)
	}
	if np.Lines[0].Quantity != 2 || np.Lines[0].LineID == p.Lines[0].LineID || np.Lines[1].Quantity != 1 {
		t.Fatalf("remaining lines %+v", np.Lines)
	}
	if q, _ := s.Product(bc(0)); q.Quantity != 8 {
		t.Fatalf("cancel did not give back one unit: %d", q.Quantity)
	}
	// The seller cannot supply the other barcode: unsupplied via the API.
	path := ordPath + "/shipment-packages/" + strconv.FormatInt(newID, 10) + "/items/unsupplied"
	c.do("PUT", path, map[string]any{"lines": []map[string]any{{"lineId": np.Lines[1].LineID, "quantity": 1}}}).want(t, 400) // no reasonId
	c.do("PUT", path, map[string]any{"lines": []map[string]any{{"lineId": np.Lines[1].LineID, "quantity": 1}}, "reasonId": 500}).want(t, 200)
	if q, _ := s.Product(bc(1)); q.Quantity != 10 {
		t.Fatalf("unsupplied stock not restored: %d", q.Quantity)
	}
	var third Package
	for _, pk := range s.Packages() {
		if len(pk.OriginPackageIDs) == 1 && pk.OriginPackageIDs[0] == newID {
			third = pk
		}
	}
	if third.ID == 0 || third.Status != StatusCreated || len(third.Lines) != 1 || third.Lines[0].Barcode != bc(0) {
		t.Fatalf("package after unsupplied: %+v", third)
	}
	if pk, _ := s.Package(newID); pk.Status != StatusUnSupplied {
		t.Fatalf("unsupplied package status %s", pk.Status)
	}
	// Split: a new package per group, the old one UnPacked.
	q, _ := s.AddOrder(Order{Lines: []OrderLine{{Barcode: bc(2), Quantity: 1}, {Barcode: bc(0), Quantity: 1}}})
	ids, err := s.SplitPackage(q.ID, []int64{q.Lines[0].LineID})
	if err != nil || len(ids) != 2 {
		t.Fatalf("split: %v %v", ids, err)
	}
	if pk, _ := s.Package(q.ID); pk.Status != StatusUnPacked {
		t.Fatalf("split origin %s", pk.Status)
	}
	if pk, _ := s.Package(ids[0]); pk.CreatedBy != "split" || pk.OriginPackageIDs[0] != q.ID {
		t.Fatalf("split package %+v", pk)
	}
	if err := s.CancelOrder(q.OrderNumber); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Product(bc(2)); r.Quantity != 10 {
		t.Fatalf("cancelled order stock %d", r.Quantity)
	}
}

func TestOrdersV1RetiredAndV2Paging(t *testing.T) {
	s, clock, c := newSim(t, Options{OrdersRetired: true})
	seed(t, s, 3)
	addOrders(t, s, clock, 25)
	c.do("GET", ordPath+"/orders", nil).want(t, 426)
	s.SetOrdersRetired(false)
	c.do("GET", ordPath+"/orders?size=10", nil).want(t, 200)
	c.do("GET", ordPath+"/v2/orders?size=201", nil).want(t, 400)
	c.do("GET", ordPath+"/v2/orders?size=200&page=49", nil).want(t, 200)
	c.do("GET", ordPath+"/v2/orders?size=200&page=50", nil).want(t, 400)
	c.do("GET", ordPath+"/v2/orders?status=Bogus", nil).want(t, 400)
	var ids []float64
	for page := 0; page < 3; page++ {
		a := c.do("GET", ordPath+"/v2/orders?size=10&page="+strconv.Itoa(page), nil).want(t, 200)
		if a.body["totalElements"] != float64(25) || a.body["totalPages"] != float64(3) {
			t.Fatalf("page envelope: %s", a.raw)
		}
		for _, p := range a.list("content") {
			ids = append(ids, p["shipmentPackageId"].(float64))
		}
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("default order is by last modification ascending: %v", ids)
		}
	}
	if len(ids) != 25 {
		t.Fatalf("paged %d packages", len(ids))
	}
	start := timeZero().Add(10 * time.Minute).UnixMilli()
	a := c.do("GET", ordPath+"/v2/orders?startDate="+strconv.FormatInt(start, 10)+"&size=50", nil).want(t, 200)
	if a.body["totalElements"] != float64(15) {
		t.Fatalf("startDate filter: %v", a.body["totalElements"])
	}
	// One month on, everything has left the v2 window (nothing was modified since).
	clock.Advance(31 * 24 * time.Hour)
	if a := c.do("GET", ordPath+"/v2/orders", nil).want(t, 200); a.body["totalElements"] != float64(0) {
		t.Fatalf("lookback: %v", a.body["totalElements"])
	}
}

func timeZero() time.Time { return time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC) }

func TestStreamCursor(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 3)
	addOrders(t, s, clock, 23)
	walk := func(query string) []float64 {
		var ids []float64
		cursor := ""
		for i := 0; i < 10; i++ {
			q := query
			if cursor != "" {
				q += "&nextCursor=" + url.QueryEscape(cursor)
			}
			a := c.do("GET", ordPath+"/orders/stream?"+q, nil).want(t, 200)
			for _, p := range a.list("content") {
				ids = append(ids, p["lastModifiedDate"].(float64))
			}
			if a.body["hasMore"] != true {
				if a.body["nextCursor"] != "" {
					t.Fatalf("nextCursor on the last page: %s", a.raw)
				}
				return ids
			}
			cursor = a.body["nextCursor"].(string)
		}
		t.Fatal("cursor never ends")
		return nil
	}
	got := walk("size=5")
	if len(got) != 23 {
		t.Fatalf("stream returned %d packages", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] >= got[i-1] {
			t.Fatalf("stream not newest first: %v", got)
		}
	}
	if got := walk("size=5&packageItemStatuses=Created"); len(got) != 23 {
		t.Fatalf("status filter: %d", len(got))
	}
	if got := walk("size=5&packageItemStatuses=Shipped"); len(got) != 0 {
		t.Fatalf("status filter Shipped: %d", len(got))
	}
	a := c.do("GET", ordPath+"/orders/stream?size=5", nil).want(t, 200)
	cur := url.QueryEscape(a.body["nextCursor"].(string))
	c.do("GET", ordPath+"/orders/stream?size=5&nextCursor="+cur, nil).want(t, 200)
	c.do("GET", ordPath+"/orders/stream?size=7&nextCursor="+cur, nil).want(t, 200) // size is not a filter
	c.do("GET", ordPath+"/orders/stream?size=5&packageItemStatuses=Created&nextCursor="+cur, nil).want(t, 400)
	c.do("GET", ordPath+"/orders/stream?size=5&nextCursor=AAAA"+cur, nil).want(t, 400)
	c.do("GET", ordPath+"/orders/stream?size=201", nil).want(t, 400)
	now := clock.Now().UnixMilli()
	span := func(d time.Duration) string {
		return "lastModifiedStartDate=" + strconv.FormatInt(now-d.Milliseconds(), 10) + "&lastModifiedEndDate=" + strconv.FormatInt(now, 10)
	}
	c.do("GET", ordPath+"/orders/stream?"+span(14*24*time.Hour+time.Millisecond), nil).want(t, 400)
	c.do("GET", ordPath+"/orders/stream?"+span(14*24*time.Hour), nil).want(t, 200)
	if got := walk(span(10 * time.Minute)); len(got) != 10 { // one package a minute: ten in the last ten minutes
		t.Fatalf("range filter: %d", len(got))
	}
	// A package changed while paging moves to the front; a client that paged by
	// cursor sees it on its next poll, not twice in the same walk.
	first := c.do("GET", ordPath+"/orders/stream?size=5", nil).want(t, 200)
	last := first.list("content")[4]["shipmentPackageId"].(float64)
	if err := s.SetOrderStatus(int64(last), StatusPicking); err != nil {
		t.Fatal(err)
	}
	next := c.do("GET", ordPath+"/orders/stream?size=50&nextCursor="+url.QueryEscape(first.body["nextCursor"].(string)), nil).want(t, 200)
	for _, p := range next.list("content") {
		if p["shipmentPackageId"] == last {
			t.Fatal("package seen twice in one walk")
		}
	}
	_, _, clamp := newSim(t, Options{ClampOversize: true})
	clamp.do("GET", ordPath+"/orders/stream?size=500&"+span(30*24*time.Hour), nil).want(t, 200)
}
