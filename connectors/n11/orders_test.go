package n11_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/n11"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/n11sim"
)

// orderQueue is what the agent keeps of a store's orders: merged by id, the cursor.
type orderQueue struct {
	e      *env
	cursor string
	since  time.Time
	orders map[string]order.Order
	seen   map[string]int // times an order came back, over all fetches
}

func (e *env) queue(since time.Time) *orderQueue {
	return &orderQueue{e: e, since: since, orders: map[string]order.Order{}, seen: map[string]int{}}
}

// call is one FetchOrders call; the page is stored as the agent stores it.
func (q *orderQueue) call() (connectors.OrderPage, error) {
	page, err := q.e.c.FetchOrders(context.Background(), connectors.OrderQuery{Cursor: q.cursor, Since: q.since})
	if err != nil {
		if page.Cursor != q.cursor {
			q.e.t.Fatalf("a failed fetch moved the cursor")
		}
		return page, err
	}
	for _, o := range page.Orders {
		if old, ok := q.orders[o.ID]; ok {
			o = order.Merge(&old, &o)
		}
		q.orders[o.ID] = o
		q.seen[o.ID]++
	}
	q.cursor = page.Cursor
	return page, nil
}

// fetch calls until the connector says there is no more right now.
func (q *orderQueue) fetch() {
	q.e.t.Helper()
	for i := 0; i < 200; i++ {
		page, err := q.call()
		if err != nil {
			q.e.t.Fatalf("fetch: %v", err)
		}
		if !page.More {
			return
		}
	}
	q.e.t.Fatal("FetchOrders still says More after 200 calls")
}

func (e *env) order(lines ...n11sim.OrderLine) n11sim.Package {
	e.t.Helper()
	p, err := e.sim.AddOrder(n11sim.Order{Lines: lines})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// burn spends the account's shipmentPackages budget from another client (another tool on
// the same account), so the connector's next calls are over the limit.
func (e *env) burn(n int) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		req, _ := http.NewRequest("GET", e.sim.URL+"/rest/delivery/v1/shipmentPackages?status=Created", nil)
		req.Header.Set("appkey", appKey)
		req.Header.Set("appsecret", appSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			e.t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// TestOrdersThrottledEmptyPagesMoveNothing: while another tool keeps shipmentPackages
// over its limit and n11 answers empty pages, an order placed meanwhile is not passed
// by, even hours later: it is fetched once the limit clears.
func TestOrdersThrottledEmptyPagesMoveNothing(t *testing.T) {
	e := newEnv(t, n11sim.Options{OrdersPerMinute: 5, OverLimit: n11sim.OverEmptyPage}, nil)
	e.seed(2)
	q := e.queue(e.clock.Now().Add(-24 * time.Hour))
	first := e.order(n11sim.OrderLine{StockCode: sku(0), Quantity: 1})
	e.clock.Advance(time.Second)
	q.fetch()
	if _, ok := q.orders[first.OrderNumber]; !ok {
		t.Fatal("the first order was not fetched")
	}
	e.clock.Advance(time.Minute)
	late := e.order(n11sim.OrderLine{StockCode: sku(1), Quantity: 2})
	for hour := 0; hour < 5; hour++ {
		e.clock.Advance(time.Hour)
		e.burn(5)
		q.fetch()
		if _, ok := q.orders[late.OrderNumber]; ok {
			t.Fatal("fetched while throttled: the test proves nothing")
		}
	}
	if e.sim.Throttled() < 5*7 {
		t.Fatalf("%d throttled answers", e.sim.Throttled())
	}
	e.clock.Advance(time.Minute)
	q.fetch()
	o, ok := q.orders[late.OrderNumber]
	if !ok || o.Quantities()[sku(1)] != 2 {
		t.Fatalf("the order placed while n11 answered empty pages was passed by: %+v", o)
	}
}

// TestOrdersOldWindowNeedsTwoEmptyAnswers: a window that ends before now (a first fetch
// far back) is passed on an empty answer only when a second one comes at least two
// minutes later; an order in it is found once the throttling ends.
func TestOrdersOldWindowNeedsTwoEmptyAnswers(t *testing.T) {
	e := newEnv(t, n11sim.Options{OrdersPerMinute: 7, OverLimit: n11sim.OverEmptyPage}, nil)
	e.seed(1)
	start := e.clock.Now()
	old, err := e.sim.AddOrder(n11sim.Order{CreatedAt: start.Add(-18 * 24 * time.Hour), Lines: []n11sim.OrderLine{{StockCode: sku(0), Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	q := e.queue(start.Add(-20 * 24 * time.Hour))
	e.burn(7)
	q.fetch() // every status: an old window, empty
	e.clock.Advance(30 * time.Second)
	e.burn(7)
	q.fetch() // empty again, but too soon after the first to count
	e.clock.Advance(time.Minute)
	q.fetch() // the limit has cleared
	if _, ok := q.orders[old.OrderNumber]; !ok {
		t.Fatal("an order in an old window was passed by on throttled empty answers")
	}
	if q.seen[old.OrderNumber] != 1 {
		t.Fatalf("the order came %d times", q.seen[old.OrderNumber])
	}
	// The other statuses' old windows are passed after two empty answers, so the
	// current window is read: a new order is found.
	e.clock.Advance(3 * time.Minute)
	q.fetch()
	e.clock.Advance(3 * time.Minute)
	neu := e.order(n11sim.OrderLine{StockCode: sku(0), Quantity: 1})
	e.clock.Advance(time.Second)
	e.sim.SetPackageStatus(old.ID, n11sim.StatusPicking)
	q.fetch()
	if _, ok := q.orders[neu.OrderNumber]; !ok || q.orders[old.OrderNumber].Status != order.Processing {
		t.Fatalf("after the old windows: new order %v, old order %s", ok, q.orders[old.OrderNumber].Status)
	}
}

// TestOrdersEmptyPageWhereRowsWereExpected: a page after a full one that comes back
// empty keeps the walk where it is (no error, no lost orders), and the next fetch goes on
// from there.
func TestOrdersEmptyPageWhereRowsWereExpected(t *testing.T) {
	e := newEnv(t, n11sim.Options{OrdersPerMinute: 1, OverLimit: n11sim.OverEmptyPage}, nil)
	e.seed(1)
	if err := e.sim.AddProduct(n11sim.Product{StockCode: "BOL", Quantity: 1000, SalePrice: 1000}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 150; i++ {
		e.order(n11sim.OrderLine{StockCode: "BOL", Quantity: 1})
		e.clock.Advance(time.Second)
	}
	q := e.queue(e.clock.Now().Add(-time.Hour))
	page, err := q.call()
	if err != nil || len(page.Orders) != 100 || !page.More {
		t.Fatalf("first page: %d orders, more %v, %v", len(page.Orders), page.More, err)
	}
	page, err = q.call() // over the limit: an empty page where 50 more are due
	if err != nil || len(page.Orders) != 0 || page.More {
		t.Fatalf("throttled page: %+v %v", page, err)
	}
	if !strings.Contains(e.log.String(), "may be throttling") {
		t.Fatal("no warning about the empty page")
	}
	e.clock.Advance(time.Minute)
	q.fetch()
	if len(q.orders) != 150 {
		t.Fatalf("%d orders of 150", len(q.orders))
	}
	for id, n := range q.seen {
		if n != 1 {
			t.Fatalf("order %s came %d times", id, n)
		}
	}
}

// TestOrdersPagingByTimeSkipsNothing: a package of the first page that changes before
// the next page is read would shift a page-numbered list by one; paging by the last
// change seen misses none.
func TestOrdersPagingByTimeSkipsNothing(t *testing.T) {
	e := newEnv(t, n11sim.Options{}, nil)
	if err := e.sim.AddProduct(n11sim.Product{StockCode: "BOL", Quantity: 1000, SalePrice: 1000}); err != nil {
		t.Fatal(err)
	}
	var first n11sim.Package
	for i := 0; i < 150; i++ {
		p := e.order(n11sim.OrderLine{StockCode: "BOL", Quantity: 1})
		if i == 0 {
			first = p
		}
		e.clock.Advance(time.Second)
	}
	q := e.queue(e.clock.Now().Add(-time.Hour))
	if _, err := q.call(); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetPackageStatus(first.ID, n11sim.StatusPicking); err != nil {
		t.Fatal(err)
	}
	q.fetch()
	if len(q.orders) != 150 {
		t.Fatalf("%d orders of 150: one was skipped", len(q.orders))
	}
	if q.orders[first.OrderNumber].Status != order.Processing {
		t.Fatalf("the changed order: %s", q.orders[first.OrderNumber].Status)
	}
}

// TestOrdersSplits: a split keeps the order's units whichever way n11 marks it, as long
// as settings.split_packages says which; cancelled units and UnSupplied packages free
// theirs.
func TestOrdersSplits(t *testing.T) {
	for _, c := range []struct {
		mode    n11sim.SplitMode
		setting string
	}{{n11sim.SplitParentUnpacked, ""}, {n11sim.SplitChildrenUnpacked, n11.SplitChildren}} {
		t.Run(string(c.mode), func(t *testing.T) {
			e := newEnv(t, n11sim.Options{SplitMode: c.mode}, func(s *connectors.Store) {
				if c.setting != "" {
					s.Settings = map[string]string{"split_packages": c.setting}
				}
			})
			e.seed(3)
			o := e.order(n11sim.OrderLine{StockCode: sku(0), Quantity: 3}, n11sim.OrderLine{StockCode: sku(1), Quantity: 1},
				n11sim.OrderLine{StockCode: sku(2), Quantity: 1})
			q := e.queue(e.clock.Now().Add(-time.Hour))
			e.clock.Advance(time.Second)
			q.fetch()
			e.clock.Advance(time.Minute)
			if err := e.sim.SetPackageStatus(o.ID, n11sim.StatusPicking); err != nil {
				t.Fatal(err)
			}
			kids, err := e.sim.SplitPackage(o.ID, []int64{o.Lines[0].LineID}, []int64{o.Lines[1].LineID, o.Lines[2].LineID})
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second)
			q.fetch()
			got := q.orders[o.OrderNumber]
			if qty := got.Quantities(); qty[sku(0)] != 3 || qty[sku(1)] != 1 || qty[sku(2)] != 1 || got.Status != order.Processing || len(got.Packages) != 3 {
				t.Fatalf("after the split: %v, %s, %d packages", qty, got.Status, len(got.Packages))
			}
			e.clock.Advance(time.Minute)
			a, _ := e.sim.Package(kids[0])
			if _, err := e.sim.CancelLine(a.ID, a.Lines[0].LineID, 2); err != nil {
				t.Fatal(err)
			}
			if err := e.sim.SetPackageStatus(kids[1], n11sim.StatusUnSupplied); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second)
			q.fetch()
			got = q.orders[o.OrderNumber]
			if qty := got.Quantities(); qty[sku(0)] != 1 || qty[sku(1)] != 0 || qty[sku(2)] != 0 || got.Status == order.Cancelled {
				t.Fatalf("after a cancel of 2 and an unsupplied package: %v, %s", qty, got.Status)
			}
			if len(q.orders) != 1 {
				t.Fatalf("%d orders: a split made a second one", len(q.orders))
			}
		})
	}
	// The wrong reading of a split counts nothing: why the setting exists.
	e := newEnv(t, n11sim.Options{SplitMode: n11sim.SplitChildrenUnpacked}, nil)
	e.seed(2)
	o := e.order(n11sim.OrderLine{StockCode: sku(0), Quantity: 1}, n11sim.OrderLine{StockCode: sku(1), Quantity: 1})
	_ = e.sim.SetPackageStatus(o.ID, n11sim.StatusPicking)
	if _, err := e.sim.SplitPackage(o.ID, []int64{o.Lines[0].LineID}, []int64{o.Lines[1].LineID}); err != nil {
		t.Fatal(err)
	}
	q := e.queue(e.clock.Now().Add(-time.Hour))
	e.clock.Advance(time.Second)
	q.fetch()
	if got := q.orders[o.OrderNumber]; got.Status != order.Cancelled {
		t.Fatalf("children-unpacked read as parent-unpacked: %s", got.Status)
	}
}

// TestOrdersMoney: the seller's discounts and n11's own are the line's discount, exact to
// the kuruş; the order's totals add up.
func TestOrdersMoney(t *testing.T) {
	e := newEnv(t, n11sim.Options{}, nil)
	e.seed(2)
	o := e.order(n11sim.OrderLine{StockCode: sku(0), Quantity: 2, Price: 29280, SellerDiscount: 580, SellerCouponDiscount: 100, MallDiscount: 1000},
		n11sim.OrderLine{StockCode: sku(1), Quantity: 3, Price: 3333, MallDiscount: 1})
	q := e.queue(e.clock.Now().Add(-time.Hour))
	e.clock.Advance(time.Second)
	q.fetch()
	got := q.orders[o.OrderNumber]
	l := got.Packages[0].Lines
	if l[0].UnitPrice != 29280 || l[0].Discount != 1680 || l[0].Total != 56880 || l[1].UnitPrice != 3333 || l[1].Discount != 1 || l[1].Total != 9998 {
		t.Fatalf("lines %+v", l)
	}
	tot := got.Totals()
	if tot.Gross != 68559 || tot.Discount != 1681 || tot.Total != 66878 || tot.Units != 5 || got.Currency != "TRY" {
		t.Fatalf("totals %+v", tot)
	}
}

// TestOrdersInvoiceAmountMismatch: a line whose sellerInvoiceAmount does not add up
// keeps its parts and is reported, without stopping the orders after it.
func TestOrdersInvoiceAmountMismatch(t *testing.T) {
	body := `{"content":[{"id":1001,"orderNumber":"2026090100001","shipmentPackageStatus":"Created","customerfullName":"Ad Soyad","lastModifiedDate":1788300000000,
	  "lines":[{"orderLineId":1,"stockCode":"ABC-1","quantity":2,"price":100.00,"sellerDiscount":1.00,"sellerCouponDiscount":0,"mallDiscount":2.50,"sellerInvoiceAmount":150.00,"vatRate":20}],
	  "packageHistories":[]}],"page":0,"size":100,"totalPages":1,"pageCount":1}`
	srv := contract.Replay(t, contract.Answer{Method: "GET", Path: "/rest/delivery/v1/shipmentPackages", Body: []byte(body)})
	st := storeAt(srv.URL)
	connectors.Check(&st)
	log := &strings.Builder{}
	c, _ := n11.New(&st, connectors.Deps{Log: zerologTo(log)})
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: time.Now().Add(-time.Hour)})
	if err != nil || len(page.Orders) != 1 {
		t.Fatal(page, err)
	}
	if l := page.Orders[0].Packages[0].Lines[0]; l.Total != 19650 || l.Discount != 350 {
		t.Fatalf("%+v", l)
	}
	if !strings.Contains(log.String(), "sellerInvoiceAmount 150.00 is not") || strings.Contains(log.String(), "Ad Soyad") {
		t.Fatalf("log: %s", log)
	}
}

func TestOrdersStatusesAndDates(t *testing.T) {
	for _, utc := range []bool{false, true} {
		e := newEnv(t, n11sim.Options{UTCDates: utc}, func(s *connectors.Store) {
			if utc {
				s.Settings = map[string]string{"order_dates": n11.DatesUTC}
			}
		})
		e.seed(2)
		placed := e.clock.Now()
		a := e.order(n11sim.OrderLine{StockCode: sku(0), Quantity: 1})
		b := e.order(n11sim.OrderLine{StockCode: sku(1), Quantity: 1})
		for _, st := range []string{n11sim.StatusPicking, n11sim.StatusShipped, n11sim.StatusDelivered} {
			e.clock.Advance(time.Minute)
			_ = e.sim.SetPackageStatus(a.ID, st)
		}
		_ = e.sim.MarkReturned(a.ID)
		_ = e.sim.SetPackageStatus(b.ID, n11sim.StatusUnSupplied)
		e.clock.Advance(time.Second)
		q := e.queue(placed.Add(-time.Hour))
		q.fetch()
		ra, rb := q.orders[a.OrderNumber], q.orders[b.OrderNumber]
		pa, _ := e.sim.Package(a.ID)
		if ra.Status != order.Returned || rb.Status != order.Cancelled || len(rb.Quantities()) != 0 {
			t.Fatalf("statuses %s %s", ra.Status, rb.Status)
		}
		if !ra.OrderedAt.Equal(placed) || !ra.Packages[0].UpdatedAt.Equal(pa.LastModified) {
			t.Fatalf("utc %v: ordered %v (placed %v), updated %v (%v)", utc, ra.OrderedAt, placed, ra.Packages[0].UpdatedAt, pa.LastModified)
		}
	}
}

func TestOrdersPickupPoint(t *testing.T) {
	e := newEnv(t, n11sim.Options{}, nil)
	e.seed(1)
	p, err := e.sim.AddOrder(n11sim.Order{PickupType: "EASYPOINT", Customer: n11sim.Customer{FullName: "Mehmet Kaya", Address: "Ev adresi 1", GSM: "5550001122"},
		Pickup: &n11sim.Customer{FullName: "Kargo Noktası Moda", Address: "Nokta adresi"}, Lines: []n11sim.OrderLine{{StockCode: sku(0), Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	q := e.queue(e.clock.Now().Add(-time.Hour))
	e.clock.Advance(time.Second)
	q.fetch()
	o := q.orders[p.OrderNumber]
	if o.Customer.Name != "Mehmet Kaya" || o.BillTo.Line1 != "Ev adresi 1" || o.ShipTo.Name != "Kargo Noktası Moda" || o.Customer.Phone != "5550001122" {
		t.Fatalf("%+v", o)
	}
}

func zerologTo(w *strings.Builder) zerolog.Logger { return zerolog.New(w).Level(zerolog.InfoLevel) }

// TestOrdersRescan: should n11's dates filter the creation date, an old order cancelled
// after the cancellations' mark moved on is found only by settings.order_sync: rescan.
func TestOrdersRescan(t *testing.T) {
	for _, rescan := range []bool{false, true} {
		e := newEnv(t, n11sim.Options{FilterCreated: true}, func(s *connectors.Store) {
			if rescan {
				s.Settings = map[string]string{"order_sync": n11.SyncRescan}
			}
		})
		e.seed(2)
		now := e.clock.Now()
		a, _ := e.sim.AddOrder(n11sim.Order{CreatedAt: now.Add(-72 * time.Hour), Lines: []n11sim.OrderLine{{StockCode: sku(0), Quantity: 1}}})
		b, _ := e.sim.AddOrder(n11sim.Order{CreatedAt: now.Add(-24 * time.Hour), Lines: []n11sim.OrderLine{{StockCode: sku(1), Quantity: 1}}})
		_ = e.sim.CancelOrder(b.OrderNumber)
		q := e.queue(now.Add(-7 * 24 * time.Hour))
		q.fetch()
		if q.orders[b.OrderNumber].Status != order.Cancelled || q.orders[a.OrderNumber].Status != order.New {
			t.Fatalf("first fetch: %v", q.orders)
		}
		e.clock.Advance(time.Hour)
		_ = e.sim.CancelOrder(a.OrderNumber)
		e.clock.Advance(time.Hour)
		q.fetch()
		if got := q.orders[a.OrderNumber].Status; (got == order.Cancelled) != rescan {
			t.Fatalf("rescan %v: the old order's cancellation read as %s", rescan, got)
		}
	}
}
