package hepsiburada_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/hepsiburadasim"
)

// queue is what the agent keeps of a store's orders, as far as these tests need: one
// merged order per id, its Version, and the cursor.
type queue struct {
	cursor string
	orders map[string]order.Order
	since  time.Time
}

func (q *queue) known(_ context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if o, ok := q.orders[id]; ok {
			out[id] = o.Version
		}
	}
	return out, nil
}

// round fetches until More is false and returns the number of calls.
func (q *queue) round(t *testing.T, f connectors.OrderFetcher) int {
	t.Helper()
	if q.orders == nil {
		q.orders = map[string]order.Order{}
	}
	for calls := 1; calls < 100; calls++ {
		page, err := f.FetchOrders(context.Background(), connectors.OrderQuery{Cursor: q.cursor, Since: q.since, Known: q.known})
		if err != nil {
			t.Fatalf("call %d: %v", calls, err)
		}
		for _, o := range page.Orders {
			if old, ok := q.orders[o.ID]; ok {
				o = order.Merge(&old, &o)
			}
			q.orders[o.ID] = o
		}
		q.cursor = page.Cursor
		if !page.More {
			return calls
		}
	}
	t.Fatal("no end to the round")
	return 0
}

func (q *queue) units(id string) map[string]int64 { o := q.orders[id]; return o.Quantities() }

// TestOrdersFollowLinesAcrossFeeds: a partly packed order keeps all its units (open and
// packed lines are separate packages); a shipped, then delivered package moves its lines
// on; undelivered is a return; an unpacked package's lines are open again.
func TestOrdersFollowLinesAcrossFeeds(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{}, nil, connectors.Limits{})
	w.add(hepsiburadasim.Listing{MerchantSku: "A", Stock: 50, Price: 12050})
	w.add(hepsiburadasim.Listing{MerchantSku: "B", Stock: 50, Price: 3333})
	q := &queue{since: w.clock.Now().Add(-24 * time.Hour)}
	o, err := w.s.AddOrder(hepsiburadasim.Order{Lines: []hepsiburadasim.OrderLine{
		{MerchantSku: "A", Quantity: 3, HBDiscount: 100, MerchDisc: 50}, {MerchantSku: "B", Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	q.round(t, w.c)
	got := q.orders[o.Number]
	if got.Status != order.New || q.units(o.Number)["A"] != 3 || q.units(o.Number)["B"] != 2 {
		t.Fatalf("new order %+v", got)
	}
	tot := got.Totals()
	// A: 3 × 120.50 − 3 × (1.00 + 0.50); B: 2 × 33.33.
	if tot.Gross != 3*12050+2*3333 || tot.Discount != 450 || tot.Total != 3*12050-450+2*3333 {
		t.Fatalf("totals %+v", tot)
	}

	// Pack 1 of the 3 units of A: the order still holds 3 + 2 units.
	w.clock.Advance(time.Minute)
	pn, err := w.s.PackLine(o.Lines[0].ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	q.round(t, w.c)
	if u := q.units(o.Number); u["A"] != 3 || u["B"] != 2 || q.orders[o.Number].Status != order.New {
		t.Fatalf("after a partial pack: %v %s", u, q.orders[o.Number].Status)
	}
	if n := len(q.orders[o.Number].Packages); n != 3 {
		t.Fatalf("%d line packages, want 3 (A open, A packed, B open)", n)
	}

	// Ship, then fail to deliver the packed unit: a return; the open lines stay new.
	w.clock.Advance(time.Minute)
	if err := w.s.Ship(pn); err != nil {
		t.Fatal(err)
	}
	q.round(t, w.c)
	shipped := 0
	for _, p := range q.orders[o.Number].Packages {
		if p.Status == order.Shipped {
			shipped++
		}
	}
	if shipped != 1 {
		t.Fatalf("packages %+v", q.orders[o.Number].Packages)
	}
	w.clock.Advance(time.Minute)
	if err := w.s.Undeliver(pn, "Adreste bulunamadı"); err != nil {
		t.Fatal(err)
	}
	q.round(t, w.c)
	returned := 0
	for _, p := range q.orders[o.Number].Packages {
		if p.Status == order.Returned {
			returned++
		}
	}
	if returned != 1 || q.units(o.Number)["A"] != 3 {
		t.Fatalf("after undelivered: %+v", q.orders[o.Number].Packages)
	}

	// The rest is packed, then unpacked: its lines are open (new) again.
	w.clock.Advance(time.Minute)
	pn2, err := w.s.PackOrder(o.Number)
	if err != nil {
		t.Fatal(err)
	}
	q.round(t, w.c)
	if st := q.orders[o.Number].Status; st != order.Processing {
		t.Fatalf("packed: %s", st)
	}
	w.clock.Advance(time.Minute)
	if err := w.s.Unpack(pn2); err != nil {
		t.Fatal(err)
	}
	q.round(t, w.c)
	if st := q.orders[o.Number].Status; st != order.New {
		t.Fatalf("unpacked: %s", st)
	}
}

// TestThinFeedsReadDetailsOnlyForNews: an order named by a thin feed is read in detail
// once; the next rounds, saying nothing new, read no detail.
func TestThinFeedsReadDetailsOnlyForNews(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{}, nil, connectors.Limits{})
	w.add(hepsiburadasim.Listing{MerchantSku: "A", Stock: 50, Price: 1000})
	q := &queue{since: w.clock.Now().Add(-24 * time.Hour)}
	o, _ := w.s.AddOrder(hepsiburadasim.Order{Lines: []hepsiburadasim.OrderLine{{MerchantSku: "A", Quantity: 1}}})
	pn, _ := w.s.PackOrder(o.Number)
	if err := w.s.Ship(pn); err != nil {
		t.Fatal(err)
	}
	calls := q.round(t, w.c)
	if calls != 8 {
		t.Fatalf("a round of %d calls, want one a feed (7) and the last step", calls)
	}
	details := requests(w, hepsiburadasim.EpOrderDetail)
	if details != 1 || q.orders[o.Number].Status != order.Shipped {
		t.Fatalf("%d detail reads, status %s", details, q.orders[o.Number].Status)
	}
	q.round(t, w.c)
	q.round(t, w.c)
	if n := requests(w, hepsiburadasim.EpOrderDetail); n != details {
		t.Fatalf("%d detail reads after two quiet rounds, want %d", n, details)
	}
	w.clock.Advance(time.Minute)
	if err := w.s.Deliver(pn); err != nil {
		t.Fatal(err)
	}
	q.round(t, w.c)
	if n := requests(w, hepsiburadasim.EpOrderDetail); n != details+1 || q.orders[o.Number].Status != order.Delivered {
		t.Fatalf("after delivery: %d detail reads, status %s", n, q.orders[o.Number].Status)
	}
}

// TestUnpaidThenCancelled: an unpaid order is Awaiting with its units; cancelled before
// payment it is Cancelled with none.
func TestUnpaidThenCancelled(t *testing.T) {
	w := newWorld(t, hepsiburadasim.Options{}, nil, connectors.Limits{})
	w.add(hepsiburadasim.Listing{MerchantSku: "A", Stock: 5, Price: 1000})
	q := &queue{since: w.clock.Now().Add(-24 * time.Hour)}
	o, _ := w.s.AddOrder(hepsiburadasim.Order{Unpaid: true, Lines: []hepsiburadasim.OrderLine{{MerchantSku: "A", Quantity: 2}}})
	q.round(t, w.c)
	if got := q.orders[o.Number]; got.Status != order.Awaiting || q.units(o.Number)["A"] != 2 || got.Totals().Total != 2000 {
		t.Fatalf("unpaid %+v", got)
	}
	w.clock.Advance(time.Minute)
	if err := w.s.CancelOrder(o.Number); err != nil {
		t.Fatal(err)
	}
	q.round(t, w.c)
	if got := q.orders[o.Number]; got.Status != order.Cancelled || len(q.units(o.Number)) != 0 {
		t.Fatalf("cancelled %+v", got)
	}
}

// TestVanishedUnpaidOrderIsReadInDetail: an unpaid order that leaves the unpaid feed
// without showing on /orders or /cancelled (a dropped payment) is read in detail at the
// end of the round, and what its lines say is taken.
func TestVanishedUnpaidOrderIsReadInDetail(t *testing.T) {
	empty := []byte(`{"items":[],"limit":50,"offset":0,"pageCount":0,"totalCount":0}`)
	awaiting := []byte(`{"items":[{"Id":"L1","MerchantSku":"A","OrderDate":"2026-10-01T10:00:00","OrderNumber":"4200000001","Quantity":2,"Sku":"HBA"}],"limit":50,"offset":0,"pageCount":1,"totalCount":1}`)
	detail := func(status string) []byte {
		return []byte(`{"orderId":"o1","orderNumber":"4200000001","orderDate":"2026-10-01T10:00:00","customer":{"customerId":"c","name":"Ad Soyad"},` +
			`"items":[{"id":"L1","orderNumber":"4200000001","status":"` + status + `","sku":"HBA","merchantSKU":"A","quantity":2,"unitPrice":{"amount":10,"currency":"TRY"},"canCreatePackage":false}]}`)
	}
	base := func(aw []byte, det []byte) []contract.Answer {
		m := "/orders/merchantid/" + merchantID
		p := "/packages/merchantid/" + merchantID
		return []contract.Answer{
			{Method: "GET", Path: m, Body: []byte(`{"items":[],"limit":100,"offset":0,"pageCount":0,"totalCount":0}`)},
			{Method: "GET", Path: m + "/paymentawaiting", Body: aw},
			{Method: "GET", Path: p, Body: []byte(`[]`)},
			{Method: "GET", Path: m + "/cancelled", Body: empty},
			{Method: "GET", Path: p + "/shipped", Body: empty},
			{Method: "GET", Path: p + "/delivered", Body: empty},
			{Method: "GET", Path: p + "/undelivered", Body: empty},
			{Method: "GET", Path: m + "/ordernumber/4200000001", Body: det},
		}
	}
	q := &queue{since: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}
	c := replayClient(t, contract.Replay(t, base(awaiting, detail("PaymentAwaiting"))...).URL, nil)
	q.round(t, c)
	if got := q.orders["4200000001"]; got.Status != order.Awaiting {
		t.Fatalf("first round %+v", got)
	}
	srv := contract.Replay(t, base(empty, detail("CancelledByPaymentTimeout"))...)
	c2 := replayClient(t, srv.URL, nil)
	q.round(t, c2)
	if got := q.orders["4200000001"]; got.Status != order.Cancelled || len(got.Quantities()) != 0 {
		t.Fatalf("after it left the unpaid feed: %+v", got)
	}
	details := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/ordernumber/4200000001") {
			details++
		}
	}
	q.round(t, c2)
	after := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/ordernumber/4200000001") {
			after++
		}
	}
	if details != 1 || after != 1 {
		t.Fatalf("detail reads %d, then %d; want 1 once", details, after)
	}
}
