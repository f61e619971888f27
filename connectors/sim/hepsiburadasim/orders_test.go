package hepsiburadasim

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestOrdersFeedQuirks: /orders needs limit (≤ 100) and filters by yyyy-MM-dd HH:mm in
// Turkey time, an ISO date matching nothing; the thin feeds refuse any date.
func TestOrdersFeedQuirks(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 2, 50, 12050)
	o1, err := s.AddOrder(Order{Lines: []OrderLine{{MerchantSku: sku(0), Quantity: 2, HBDiscount: 500, MerchDisc: 250}, {MerchantSku: sku(1), Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	if _, err := s.AddOrder(Order{Lines: []OrderLine{{MerchantSku: sku(1), Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	if a := c.do("GET", ord+"?offset=0", nil).want(t, 400); string(a.raw) != `"LimitIsRequired"` {
		t.Fatalf("no limit: %s", a.raw)
	}
	c.do("GET", ord+"?offset=0&limit=101", nil).want(t, 400)
	all := c.do("GET", ord+"?offset=0&limit=100", nil).want(t, 200)
	if all.body["totalCount"].(float64) != 3 {
		t.Fatalf("lines %s", all.raw)
	}
	l := all.items("items")[0]
	if l["merchantSKU"] != sku(0) || l["orderNumber"] != o1.Number || l["quantity"].(float64) != 2 ||
		l["unitPrice"].(map[string]any)["amount"].(float64) != 120.5 || l["totalPrice"].(map[string]any)["amount"].(float64) != 226 ||
		l["orderDate"] != "2026-10-01T12:00:00" || l["canCreatePackage"] != true {
		t.Fatalf("line %v", l)
	}
	// 09:00 UTC is 12:00 in Turkey: from 13:00 Turkey time only the second order is left.
	since := url.QueryEscape("2026-10-01 13:00")
	if a := c.do("GET", ord+"?offset=0&limit=100&begindate="+since, nil).want(t, 200); a.body["totalCount"].(float64) != 1 {
		t.Fatalf("from 13:00: %s", a.raw)
	}
	iso := url.QueryEscape("2026-10-01T00:00:00Z")
	if a := c.do("GET", ord+"?offset=0&limit=100&begindate="+iso, nil).want(t, 200); a.body["totalCount"].(float64) != 0 {
		t.Fatalf("an ISO date matched: %s", a.raw)
	}
	if a := c.do("GET", ord+"?offset=0&limit=100&begindate=yesterday", nil).want(t, 400); string(a.raw) != `"WrongDateFormat"` {
		t.Fatalf("garbage date: %s", a.raw)
	}
	for _, p := range []string{ord + "/cancelled", pkgs + "/shipped", pkgs + "/delivered", pkgs + "/undelivered"} {
		if a := c.do("GET", p+"?offset=0&limit=10&begindate="+since, nil).want(t, 400); string(a.raw) != `"WrongDateFormat"` {
			t.Fatalf("%s with a date: %s", p, a.raw)
		}
	}
	c.do("GET", ord+"/cancelled?offset=0&limit=51", nil).want(t, 400)
}

// TestOrderLifecycleAcrossFeeds: an unpaid order is on /paymentawaiting (PascalCase, no
// amounts), then on /orders once paid; a partial pack splits a line; packages page by a
// capital Offset; shipped and delivered packages are thin PascalCase rows; the invoice
// link is accepted once.
func TestOrderLifecycleAcrossFeeds(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 1, 50, 10000)
	o, err := s.AddOrder(Order{Unpaid: true, Lines: []OrderLine{{MerchantSku: sku(0), Quantity: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Listing(sku(0)); l.Stock != 47 {
		t.Fatalf("an unpaid order reserves stock: %d", l.Stock)
	}
	aw := c.do("GET", ord+"/paymentawaiting?offset=0&limit=50", nil).want(t, 200).items("items")
	if len(aw) != 1 || aw[0]["OrderNumber"] != o.Number || aw[0]["Quantity"].(float64) != 3 || aw[0]["unitPrice"] != nil {
		t.Fatalf("awaiting %v", aw)
	}
	c.do("GET", ord+"/paymentawaiting?offset=0&limit=51", nil).want(t, 400)
	if err := s.Pay(o.Number); err != nil {
		t.Fatal(err)
	}
	lineID := o.Lines[0].ID
	clock.Advance(time.Minute)
	a := c.do("POST", pkgs, map[string]any{"lineItemRequests": []map[string]any{{"id": lineID, "quantity": 1}}}).want(t, 201)
	pn := a.body["packageNumber"].(string)
	v, _ := s.Order(o.Number)
	if len(v.Lines) != 2 || v.Lines[0].ID != lineID || v.Lines[0].Quantity != 2 || v.Lines[0].State != lineOpen ||
		v.Lines[1].Quantity != 1 || v.Lines[1].Package != pn {
		t.Fatalf("partial pack %+v", v)
	}
	// Ten more packages: the packed feed pages by Offset, 10 at most.
	for i := 0; i < 10; i++ {
		oi, err := s.AddOrder(Order{Lines: []OrderLine{{MerchantSku: sku(0), Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PackOrder(oi.Number); err != nil {
			t.Fatal(err)
		}
	}
	c.do("GET", pkgs+"?Offset=0&limit=11", nil).want(t, 400)
	p1 := c.do("GET", pkgs+"?Offset=0&limit=10", nil).want(t, 200).list
	p2 := c.do("GET", pkgs+"?Offset=10&limit=10", nil).want(t, 200).list
	lower := c.do("GET", pkgs+"?offset=10&limit=10", nil).want(t, 200).list
	if len(p1) != 10 || len(p2) != 1 || len(lower) != 10 || fmt.Sprint(lower[0]) != fmt.Sprint(p1[0]) {
		t.Fatalf("pages %d + %d, lower-case offset gave %d", len(p1), len(p2), len(lower))
	}
	first := p1[0].(map[string]any)
	item := first["items"].([]any)[0].(map[string]any)
	if first["packageNumber"] != pn || item["merchantSku"] != sku(0) || item["lineItemId"] != v.Lines[1].ID ||
		item["price"].(map[string]any)["amount"].(float64) != 100 {
		t.Fatalf("package %v", first)
	}
	// timespan in minutes (the default reading): the first package is older than a minute.
	clock.Advance(2 * time.Minute)
	if got := c.do("GET", pkgs+"?Offset=0&limit=10&timespan=1", nil).want(t, 200).list; len(got) != 0 {
		t.Fatalf("timespan=1 (minute) listed %d", len(got))
	}
	c.do("PUT", pkgs+"/packagenumber/"+pn+"/invoice", map[string]any{"invoiceLink": "https://erp.example/f/1.pdf"}).want(t, 200)
	if a := c.do("PUT", pkgs+"/packagenumber/"+pn+"/invoice", map[string]any{"invoiceLink": "https://erp.example/f/2.pdf"}).want(t, 409); !strings.Contains(string(a.raw), "Invoice") {
		t.Fatalf("second invoice %s", a.raw)
	}
	c.do("POST", pkgs+"/packagenumber/"+pn+"/deliver", map[string]any{}).want(t, 400) // not shipped yet
	c.do("POST", pkgs+"/packagenumber/"+pn+"/intransit", map[string]any{}).want(t, 200)
	sh := c.do("GET", pkgs+"/shipped?offset=0&limit=50", nil).want(t, 200).items("items")
	if len(sh) != 1 || sh[0]["PackageNumber"] != pn || sh[0]["OrderNumber"] != o.Number || sh[0]["ShippedDate"] == nil {
		t.Fatalf("shipped %v", sh)
	}
	c.do("POST", pkgs+"/packagenumber/"+pn+"/deliver", map[string]any{}).want(t, 200)
	if d := c.do("GET", pkgs+"/delivered?offset=0&limit=50", nil).want(t, 200).items("items"); len(d) != 1 || d[0]["DeliveredDate"] == nil {
		t.Fatalf("delivered %v", d)
	}
	det := c.do("GET", ord+"/ordernumber/"+o.Number, nil).want(t, 200)
	its := det.items("items")
	if len(its) != 2 || its[1]["status"] != lineDelivered || its[1]["packageNumber"] != pn || its[0]["status"] != lineOpen {
		t.Fatalf("detail %s", det.raw)
	}
	c.do("GET", ord+"/ordernumber/nope", nil).want(t, 404)
}

// TestCancellationsRestockOnce: a cancelled line is on /cancelled and its units back in
// stock once; cancelbymerchant cancels an open line; a packed line cannot be cancelled;
// unpacking returns lines to /orders and lists the package as unpacked.
func TestCancellationsRestockOnce(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 2, 10, 10000)
	o, err := s.AddOrder(Order{Unpaid: true, Lines: []OrderLine{{MerchantSku: sku(0), Quantity: 2}, {MerchantSku: sku(1), Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CancelLine(o.Number, sku(0)); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelLine(o.Number, sku(0)); err == nil {
		t.Fatal("a cancelled line was cancelled again")
	}
	if l, _ := s.Listing(sku(0)); l.Stock != 10 {
		t.Fatalf("stock after the cancellation %d", l.Stock)
	}
	cl := c.do("GET", ord+"/cancelled?offset=0&limit=50", nil).want(t, 200).items("items")
	if len(cl) != 1 || cl[0]["merchantSku"] != sku(0) || cl[0]["quantity"].(float64) != 2 || cl[0]["cancelDate"] == nil {
		t.Fatalf("cancelled %v", cl)
	}
	if err := s.Pay(o.Number); err != nil {
		t.Fatal(err)
	}
	open := o.Lines[1].ID
	c.do("POST", "/lineitems/merchantid/"+merchant+"/id/"+open+"/cancelbymerchant", map[string]any{}).want(t, 400)
	o2, _ := s.AddOrder(Order{Lines: []OrderLine{{MerchantSku: sku(1), Quantity: 1}}})
	pn, err := s.PackOrder(o2.Number)
	if err != nil {
		t.Fatal(err)
	}
	c.do("POST", "/lineitems/merchantid/"+merchant+"/id/"+o2.Lines[0].ID+"/cancelbymerchant", map[string]any{"reasonId": 1}).want(t, 400)
	c.do("POST", "/lineitems/merchantid/"+merchant+"/id/"+open+"/cancelbymerchant", map[string]any{"reasonId": 1}).want(t, 200)
	if l, _ := s.Listing(sku(1)); l.Stock != 9 {
		t.Fatalf("stock of %s: %d (10 − packed 1)", sku(1), l.Stock)
	}
	clock.Advance(time.Minute)
	c.do("POST", pkgs+"/packagenumber/"+pn+"/unpack", nil).want(t, 200)
	un := c.do("GET", pkgs+"/status/unpacked?Offset=0&limit=10", nil).want(t, 200).items("items")
	if len(un) != 1 || un[0]["packageNumber"] != pn {
		t.Fatalf("unpacked %v", un)
	}
	if a := c.do("GET", ord+"?offset=0&limit=100", nil).want(t, 200); a.body["totalCount"].(float64) != 1 {
		t.Fatalf("/orders after unpack: %s", a.raw)
	}
}
