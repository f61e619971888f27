package n11sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

// TestTaskQueuedThenProcessed: a task is IN_QUEUE for TaskDelay with nothing applied,
// then PROCESSED with a SUCCESS row per item; omitted fields stay as they were.
func TestTaskQueuedThenProcessed(t *testing.T) {
	s, clock, cl := newSim(t, Options{TaskDelay: 30 * time.Second})
	seed(t, s, 2)
	a := cl.do("POST", pathPrice, taskBodyOf(
		item{"stockCode": sku(0), "quantity": 12},
		item{"stockCode": sku(1), "listPrice": 199.90, "salePrice": 149.90, "currencyType": "TL"})).want(t, 200)
	if a.body["type"] != "SKU_UPDATE" || a.body["status"] != "IN_QUEUE" || fmt.Sprint(a.body["reasons"]) != "[2 sku işlenmeye alındı.]" {
		t.Fatalf("task answer %s", a.raw)
	}
	id := a.body["id"]
	clock.Advance(29 * time.Second)
	d := cl.do("POST", pathDetails, details(id, 0, 1000)).want(t, 200)
	if d.body["status"] != "IN_QUEUE" || len(d.skus()) != 0 {
		t.Fatalf("before the delay: %s", d.raw)
	}
	if p, _ := s.Product(sku(0)); p.Quantity != 10 {
		t.Fatalf("applied before processing: %d", p.Quantity)
	}
	clock.Advance(time.Second)
	d = cl.do("POST", pathDetails, details(id, 0, 1000)).want(t, 200)
	rows := d.skus()
	if d.body["status"] != "PROCESSED" || len(rows) != 2 || rows[0]["status"] != "SUCCESS" || rows[1]["itemCode"] != sku(1) {
		t.Fatalf("after the delay: %s", d.raw)
	}
	if fmt.Sprint(rows[0]["reasons"]) != "["+ReasonSuccess+"]" {
		t.Fatalf("reasons %v", rows[0]["reasons"])
	}
	p0, _ := s.Product(sku(0))
	p1, _ := s.Product(sku(1))
	if p0.Quantity != 12 || p0.SalePrice != 10000 || p1.Quantity != 10 || p1.SalePrice != 14990 || p1.ListPrice != 19990 {
		t.Fatalf("products %+v %+v", p0, p1)
	}
	q := cl.do("GET", pathQuery+"?stockCode="+sku(1), nil).want(t, 200).content()
	if len(q) != 1 || kurus(q[0]["salePrice"]) != 14990 || num(q[0]["quantity"]) != 10 {
		t.Fatalf("product-query %v", q)
	}
}

func TestTaskPollsAndOrder(t *testing.T) {
	s, clock, cl := newSim(t, Options{TaskDelay: time.Second, TaskPolls: 2})
	seed(t, s, 1)
	first := cl.do("POST", pathPrice, taskBodyOf(item{"stockCode": sku(0), "quantity": 1})).want(t, 200).body["id"]
	second := cl.do("POST", pathPrice, taskBodyOf(item{"stockCode": sku(0), "quantity": 2})).want(t, 200).body["id"]
	clock.Advance(time.Minute)
	for i := 0; i < 3; i++ {
		// The second task is read, the first is not: tasks finish in order.
		if st := cl.do("POST", pathDetails, details(second, 0, 10)).body["status"]; st != "IN_QUEUE" {
			t.Fatalf("read %d of the second task: %v", i+1, st)
		}
	}
	cl.do("POST", pathDetails, details(first, 0, 10))
	if st := cl.do("POST", pathDetails, details(first, 0, 10)).body["status"]; st != "PROCESSED" {
		t.Fatalf("first task after two reads: %v", st)
	}
	if st := cl.do("POST", pathDetails, details(second, 0, 10)).body["status"]; st != "PROCESSED" {
		t.Fatalf("second task: %v", st)
	}
	if p, _ := s.Product(sku(0)); p.Quantity != 2 {
		t.Fatalf("the later task's value wins: %d", p.Quantity)
	}
}

// TestItemRules: each documented rule fails the item (per-SKU FAIL) or, with ItemRules
// RuleReject, refuses the whole task with reasons naming the item.
func TestItemRules(t *testing.T) {
	cases := []struct {
		name   string
		it     item
		reason string
	}{
		{"sale price alone", item{"salePrice": 10.5}, ReasonPricePair},
		{"list price alone", item{"listPrice": 10.5}, ReasonPricePair},
		{"three decimals", item{"listPrice": 10.555, "salePrice": 10.5}, ReasonDecimals},
		{"price as text", item{"listPrice": "10.50", "salePrice": 10.5}, ReasonDecimals},
		{"list below sale", item{"listPrice": 9.99, "salePrice": 10}, ReasonListBelow},
		{"zero price", item{"listPrice": 0, "salePrice": 0}, ReasonBadPrice},
		{"currency", item{"quantity": 1, "currencyType": "GBP"}, ReasonCurrency},
		{"negative quantity", item{"quantity": -1}, ReasonQuantity},
		{"quantity above the cap", item{"quantity": 1000000}, ReasonQuantity},
		{"fractional quantity", item{"quantity": 1.5}, ReasonQuantity},
		{"nothing to update", item{}, ReasonNothing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, clock, cl := newSim(t, Options{TaskDelay: time.Second})
			seed(t, s, 2)
			c.it["stockCode"] = sku(0)
			id := cl.do("POST", pathPrice, taskBodyOf(c.it, item{"stockCode": sku(1), "quantity": 3})).want(t, 200).body["id"]
			clock.Advance(time.Second)
			rows := cl.do("POST", pathDetails, details(id, 0, 10)).skus()
			if rows[0]["status"] != "FAIL" || fmt.Sprint(rows[0]["reasons"]) != "["+c.reason+"]" || rows[1]["status"] != "SUCCESS" {
				t.Fatalf("rows %v", rows)
			}
			if p, _ := s.Product(sku(0)); p.Quantity != 10 || p.SalePrice != 10000 || p.Updates != 0 {
				t.Fatalf("a failed item changed the product: %+v", p)
			}

			s2, _, cl2 := newSim(t, Options{ItemRules: RuleReject})
			seed(t, s2, 2)
			a := cl2.do("POST", pathPrice, taskBodyOf(c.it, item{"stockCode": sku(1), "quantity": 3})).want(t, 200)
			if a.body["status"] != "REJECT" || fmt.Sprint(a.body["reasons"]) != "["+sku(0)+": "+c.reason+"]" {
				t.Fatalf("RuleReject: %s", a.raw)
			}
			if s2.PendingTasks() != 0 {
				t.Fatal("a rejected task was queued")
			}
		})
	}
}

func TestUnknownStockCodeAndInjectedFailures(t *testing.T) {
	s, clock, cl := newSim(t, Options{TaskDelay: time.Second})
	seed(t, s, 3)
	s.SetFaults(simkit.Faults{RejectKeys: map[string]string{sku(1): "Ürün kilitli."}})
	id := cl.do("POST", pathPrice, taskBodyOf(item{"stockCode": sku(0), "quantity": 1}, item{"stockCode": sku(1), "quantity": 1},
		item{"stockCode": "YOK-1", "quantity": 1})).want(t, 200).body["id"]
	clock.Advance(time.Second)
	rows := cl.do("POST", pathDetails, details(id, 0, 10)).skus()
	got := []string{}
	for _, r := range rows {
		got = append(got, fmt.Sprint(r["itemCode"], " ", r["status"], " ", r["reasons"]))
	}
	want := []string{sku(0) + " SUCCESS [" + ReasonSuccess + "]", sku(1) + " FAIL [Ürün kilitli.]", "YOK-1 FAIL [" + ReasonUnknownSKU + "]"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("rows\n%v\nwant\n%v", got, want)
	}
}

func TestWholeRequestRules(t *testing.T) {
	big := make([]item, 1001)
	for i := range big {
		big[i] = item{"stockCode": sku(i), "quantity": 1}
	}
	for _, c := range []struct {
		name   string
		body   any
		reason string
	}{
		{"more than 1000 skus", taskBodyOf(big...), fmt.Sprintf(ReasonTooMany, 1000)},
		{"no skus", taskBodyOf(), ReasonNoSKUs},
		{"no integrator", map[string]any{"payload": map[string]any{"skus": []item{{"stockCode": "A", "quantity": 1}}}}, ReasonNoIntegr},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, cl := newSim(t, Options{})
			a := cl.do("POST", pathPrice, c.body).want(t, 200)
			if a.body["status"] != "REJECT" || fmt.Sprint(a.body["reasons"]) != "["+c.reason+"]" || a.body["id"] == nil {
				t.Fatalf("%s", a.raw)
			}
			if d := cl.do("POST", pathDetails, details(a.body["id"], 0, 10)); d.body["status"] != "REJECT" {
				t.Fatalf("details of a rejected task: %s", d.raw)
			}
			_, _, cl = newSim(t, Options{WholeRules: RuleError})
			a = cl.do("POST", pathPrice, c.body).want(t, 400)
			if !strings.Contains(string(a.raw), c.reason) {
				t.Fatalf("RuleError: %s", a.raw)
			}
		})
	}
}

func TestTaskDetailsPagingAndRetention(t *testing.T) {
	s, clock, cl := newSim(t, Options{TaskDelay: time.Second, TaskPageMax: 2, TaskRetention: time.Hour})
	seed(t, s, 5)
	var its []item
	for i := 0; i < 5; i++ {
		its = append(its, item{"stockCode": sku(i), "quantity": i})
	}
	id := cl.do("POST", pathPrice, taskBodyOf(its...)).body["id"]
	clock.Advance(time.Second)
	var codes []string
	for page := 0; page < 4; page++ {
		d := cl.do("POST", pathDetails, details(id, page, 1000)).want(t, 200)
		sk := d.body["skus"].(map[string]any)
		if num(sk["size"]) != 2 || num(sk["totalPages"]) != 3 || num(sk["totalElements"]) != 5 || num(sk["number"]) != int64(page) {
			t.Fatalf("page %d: %s", page, d.raw)
		}
		for _, r := range d.skus() {
			codes = append(codes, r["itemCode"].(string))
		}
	}
	if len(codes) != 5 || codes[4] != sku(4) {
		t.Fatalf("items over the pages: %v", codes)
	}
	clock.Advance(time.Hour)
	d := cl.do("POST", pathDetails, details(id, 0, 1000)).want(t, 200)
	if d.body["status"] != nil || len(d.skus()) != 0 {
		t.Fatalf("after the retention: %s", d.raw)
	}
	id2 := cl.do("POST", pathPrice, taskBodyOf(its[0])).body["id"]
	s.ForgetTask(int64(num(id2)))
	if d := cl.do("POST", pathDetails, details(id2, 0, 1000)); d.body["status"] != nil {
		t.Fatalf("a forgotten task: %s", d.raw)
	}
}

func TestProductUpdate(t *testing.T) {
	s, clock, cl := newSim(t, Options{TaskDelay: time.Second})
	seed(t, s, 3)
	if err := s.AddProduct(Product{StockCode: "KATALOG-1", Catalog: true, Quantity: 1, SalePrice: 100}); err != nil {
		t.Fatal(err)
	}
	a := cl.do("POST", pathUpdate, taskBodyOf(
		item{"stockCode": sku(0), "description": "<p>Yeni açıklama</p>", "vatRate": 10, "preparingDay": 3, "shipmentTemplate": "STANDART"},
		item{"stockCode": sku(1), "status": "Suspended"},
		item{"stockCode": sku(2), "title": "Yeni başlık"},
		item{"stockCode": "KATALOG-1", "description": "x"},
		item{"stockCode": "KATALOG-1x", "vatRate": 18})).want(t, 200)
	if a.body["type"] != "PRODUCT_UPDATE" || a.body["status"] != "IN_QUEUE" {
		t.Fatalf("%s", a.raw)
	}
	clock.Advance(time.Second)
	rows := cl.do("POST", pathDetails, details(a.body["id"], 0, 10)).skus()
	want := []string{"SUCCESS [" + ReasonSuccess + "]", "SUCCESS [" + ReasonSuccess + "]", "FAIL [" + ReasonTitle + "]",
		"FAIL [" + ReasonCatalog + "]", "FAIL [" + ReasonVatRate + "]"}
	for i, r := range rows {
		if got := fmt.Sprint(r["status"], " ", r["reasons"]); got != want[i] {
			t.Fatalf("row %d (%v): %s, want %s", i, r["itemCode"], got, want[i])
		}
	}
	p0, _ := s.Product(sku(0))
	p1, _ := s.Product(sku(1))
	p2, _ := s.Product(sku(2))
	if p0.Description != "<p>Yeni açıklama</p>" || p0.VatRate != 10 || p1.Status != "Suspended" || p2.Title != "Ürün "+sku(2) {
		t.Fatalf("products %+v %+v %+v", p0, p1, p2)
	}
	if q := cl.do("GET", pathQuery+"?stockCode="+sku(1), nil).content(); q[0]["saleStatus"] != "Out_Of_Stock" {
		t.Fatalf("a suspended product on sale: %v", q[0])
	}

	s2, clock2, cl2 := newSim(t, Options{TaskDelay: time.Second, TitleUpdates: true})
	seed(t, s2, 1)
	cl2.do("POST", pathUpdate, taskBodyOf(item{"stockCode": sku(0), "title": "Yeni başlık"})).want(t, 200)
	clock2.Advance(time.Second)
	if p, _ := s2.Product(sku(0)); p.Title != "Yeni başlık" {
		t.Fatalf("TitleUpdates: %q", p.Title)
	}
}

func TestProductQuery(t *testing.T) {
	s, _, cl := newSim(t, Options{})
	seed(t, s, 7)
	a := cl.do("GET", pathQuery+"?page=1&size=3", nil).want(t, 200)
	rows := a.content()
	if len(rows) != 3 || rows[0]["stockCode"] != sku(3) || num(a.body["totalElements"]) != 7 || num(a.body["totalPages"]) != 3 ||
		num(a.body["number"]) != 1 || a.body["first"] != false || a.body["last"] != false {
		t.Fatalf("page 1: %s", a.raw)
	}
	for _, k := range []string{"n11ProductId", "stockCode", "title", "salePrice", "listPrice", "quantity", "currencyType", "vatRate", "status", "saleStatus", "barcode", "productMainId"} {
		if _, ok := rows[0][k]; !ok {
			t.Fatalf("row lacks %s: %v", k, rows[0])
		}
	}
	if rows := cl.do("GET", pathQuery+"?page=9&size=3", nil).want(t, 200).content(); len(rows) != 0 {
		t.Fatal("a page past the end has rows")
	}
	if n := len(cl.do("GET", pathQuery+"?size=250", nil).want(t, 200).content()); n != 7 {
		t.Fatalf("size 250: %d", n)
	}
	for _, q := range []string{"?size=251", "?page=-1", "?saleStatus=Satista", "?productStatus=Gone", "?size=x"} {
		if a := cl.do("GET", pathQuery+q, nil).want(t, 500); !strings.Contains(string(a.raw), "Exception") {
			t.Fatalf("%s: %s", q, a.raw)
		}
	}
	if rows := cl.do("GET", pathQuery+"?stockCode="+sku(5), nil).content(); len(rows) != 1 || rows[0]["stockCode"] != sku(5) {
		t.Fatalf("by stockCode: %v", rows)
	}
}
