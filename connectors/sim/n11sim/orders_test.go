package n11sim

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func packagesQuery(q string) string { return pathPackages + "?" + q }

func TestShipmentPackagesShape(t *testing.T) {
	s, clock, cl := newSim(t, Options{})
	seed(t, s, 2)
	created := clock.Now()
	o, err := s.AddOrder(Order{Lines: []OrderLine{
		{StockCode: sku(0), Quantity: 2, Price: 29280, SellerDiscount: 580, MallDiscount: 1000},
		{StockCode: sku(1), Quantity: 1, SellerCouponDiscount: 500}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.OrderNumber) != 13 || o.ID < 100_000_000_000_000 {
		t.Fatalf("ids as wide as n11's: %s %d", o.OrderNumber, o.ID)
	}
	if p, _ := s.Product(sku(0)); p.Quantity != 8 {
		t.Fatalf("stock after the order: %d", p.Quantity)
	}
	a := cl.do("GET", packagesQuery("status=Created"), nil).want(t, 200)
	rows := a.content()
	if len(rows) != 1 || num(a.body["pageCount"]) != 1 || num(a.body["totalPages"]) != 1 || num(a.body["page"]) != 0 {
		t.Fatalf("%s", a.raw)
	}
	p := rows[0]
	if p["orderNumber"] != o.OrderNumber || p["shipmentPackageStatus"] != "Created" || p["customerfullName"] != "Ayşe Yılmaz" {
		t.Fatalf("package %v", p)
	}
	if num(p["lastModifiedDate"]) != created.Add(3*time.Hour).UnixMilli() {
		t.Fatalf("lastModifiedDate %d, want the epoch ms of the GMT+3 wall clock %d", num(p["lastModifiedDate"]), created.Add(3*time.Hour).UnixMilli())
	}
	lines := list(p["lines"])
	l0, l1 := lines[0], lines[1]
	if kurus(l0["price"]) != 29280 || kurus(l0["sellerDiscount"]) != 580 || kurus(l0["mallDiscount"]) != 1000 ||
		kurus(l0["sellerInvoiceAmount"]) != 57980 || kurus(l1["sellerInvoiceAmount"]) != 9500 || l0["stockCode"] != sku(0) {
		t.Fatalf("lines %v", lines)
	}
	if st := cl.do("GET", packagesQuery("status=Bogus"), nil).want(t, 200); len(st.content()) != 0 {
		t.Fatal("an unknown status listed packages")
	}
	if n := len(cl.do("GET", pathPackages, nil).want(t, 200).content()); n != 1 {
		t.Fatalf("no status: %d packages", n)
	}
}

func TestShipmentPackagesUTCDates(t *testing.T) {
	s, clock, cl := newSim(t, Options{UTCDates: true})
	seed(t, s, 1)
	if _, err := s.AddOrder(Order{Lines: []OrderLine{{StockCode: sku(0), Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	p := cl.do("GET", pathPackages, nil).content()[0]
	if num(p["lastModifiedDate"]) != clock.Now().UnixMilli() {
		t.Fatal("UTCDates: true epoch ms")
	}
}

func TestShipmentPackagesWindowSizeAndOrder(t *testing.T) {
	s, clock, cl := newSim(t, Options{})
	seed(t, s, 1)
	if err := s.AddProduct(Product{StockCode: "BOL", Quantity: 1000, SalePrice: 100}); err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	var numbers []string
	for i := 0; i < 40; i++ { // one order a day for 40 days
		o, err := s.AddOrder(Order{Lines: []OrderLine{{StockCode: "BOL", Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, o.OrderNumber)
		clock.Advance(24 * time.Hour)
	}
	ms := func(t time.Time) string { return strconv.FormatInt(t.Add(3*time.Hour).UnixMilli(), 10) }
	count := func(q string) int { return len(cl.do("GET", packagesQuery(q+"&size=100"), nil).want(t, 200).content()) }
	if n := count("startDate=" + ms(start) + "&endDate=" + ms(start.Add(40*24*time.Hour))); n != 15 {
		t.Fatalf("a 40-day range: %d orders, want the 15 days before its end", n)
	}
	if n := count("startDate=" + ms(start.Add(-time.Minute))); n != 15 {
		t.Fatalf("only a start: %d, want 15 days from it", n)
	}
	if n := count("x=1"); n != 15 {
		t.Fatalf("no dates: %d, want the last 15 days", n)
	}
	if n := count("startDate=" + ms(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))); n != 0 {
		t.Fatal("nothing is listed before November 2024")
	}
	a := cl.do("GET", packagesQuery("size=500&startDate="+ms(start.Add(-time.Minute))+"&endDate="+ms(start.Add(14*24*time.Hour))+"&orderByDirection=ASC"), nil).want(t, 200)
	rows := a.content()
	if num(a.body["size"]) != 100 || rows[0]["orderNumber"] != numbers[0] || rows[len(rows)-1]["orderNumber"] != numbers[14] {
		t.Fatalf("size clamped to 100 and oldest first: size %v, first %v", a.body["size"], rows[0]["orderNumber"])
	}
	rows = cl.do("GET", packagesQuery("startDate="+ms(start.Add(-time.Minute))+"&endDate="+ms(start.Add(14*24*time.Hour))), nil).content()
	if rows[0]["orderNumber"] != numbers[14] {
		t.Fatal("newest first without orderByDirection")
	}
	a = cl.do("GET", packagesQuery("size=4&page=1&startDate="+ms(start.Add(-time.Minute))+"&endDate="+ms(start.Add(9*24*time.Hour))+"&orderByDirection=ASC"), nil)
	if len(a.content()) != 4 || num(a.body["pageCount"]) != 4 || num(a.body["totalPages"]) != 3 || a.content()[0]["orderNumber"] != numbers[4] {
		t.Fatalf("paging: %s", a.raw)
	}
	if n := len(cl.do("GET", packagesQuery("orderNumber="+numbers[39]), nil).content()); n != 1 {
		t.Fatalf("by orderNumber: %d", n)
	}
}

func TestSplitsCancellationsAndUnsupplied(t *testing.T) {
	for _, mode := range []SplitMode{SplitParentUnpacked, SplitChildrenUnpacked} {
		t.Run(string(mode), func(t *testing.T) {
			s, clock, _ := newSim(t, Options{SplitMode: mode})
			seed(t, s, 3)
			o, err := s.AddOrder(Order{Lines: []OrderLine{{StockCode: sku(0), Quantity: 3, SellerDiscount: 100},
				{StockCode: sku(1), Quantity: 1}, {StockCode: sku(2), Quantity: 1}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SplitPackage(o.ID, []int64{o.Lines[0].LineID}, []int64{o.Lines[1].LineID, o.Lines[2].LineID}); !errors.Is(err, simkit.ErrState) {
				t.Fatalf("split in Created: %v", err)
			}
			if err := s.SetPackageStatus(o.ID, StatusPicking); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
			kids, err := s.SplitPackage(o.ID, []int64{o.Lines[0].LineID}, []int64{o.Lines[1].LineID, o.Lines[2].LineID})
			if err != nil || len(kids) != 2 {
				t.Fatal(kids, err)
			}
			parent, _ := s.Package(o.ID)
			a, _ := s.Package(kids[0])
			b, _ := s.Package(kids[1])
			wantParent, wantKids := StatusUnpacked, StatusPicking
			if mode == SplitChildrenUnpacked {
				wantParent, wantKids = StatusCancelled, StatusUnpacked
			}
			if parent.Status != wantParent || a.Status != wantKids || b.Status != wantKids || a.OrderNumber != o.OrderNumber ||
				len(a.Lines) != 1 || len(b.Lines) != 2 || !a.LastModified.After(o.LastModified) {
				t.Fatalf("after the split: %+v %+v %+v", parent, a, b)
			}
			if p, _ := s.Product(sku(0)); p.Quantity != 7 {
				t.Fatalf("a split changed stock: %d", p.Quantity)
			}
			// Two units of the 3 are cancelled: they go back to stock in a Cancelled package.
			clock.Advance(time.Minute)
			more, err := s.CancelLine(a.ID, a.Lines[0].LineID, 2)
			if err != nil || len(more) != 2 {
				t.Fatal(more, err)
			}
			kept, _ := s.Package(more[0])
			gone, _ := s.Package(more[1])
			if kept.Lines[0].Quantity != 1 || gone.Status != StatusCancelled || gone.Lines[0].Quantity != 2 {
				t.Fatalf("kept %+v cancelled %+v", kept, gone)
			}
			if p, _ := s.Product(sku(0)); p.Quantity != 9 {
				t.Fatalf("cancelled units not back in stock: %d", p.Quantity)
			}
			if err := s.SetPackageStatus(b.ID, StatusUnSupplied); err != nil {
				t.Fatal(err)
			}
			if p, _ := s.Product(sku(1)); p.Quantity != 10 {
				t.Fatalf("unsupplied units not back: %d", p.Quantity)
			}
			if err := s.CancelOrder(o.OrderNumber); err != nil {
				t.Fatal(err)
			}
			if p, _ := s.Product(sku(0)); p.Quantity != 10 {
				t.Fatalf("after cancelling the order: %d", p.Quantity)
			}
			if err := s.CancelOrder(o.OrderNumber); !errors.Is(err, simkit.ErrNotFound) {
				t.Fatalf("cancelled twice: %v", err)
			}
		})
	}
}

// TestDiscountsSplitExactly: cutting units off a line shares its discounts so that the
// parts add up to the whole, kuruş for kuruş.
func TestDiscountsSplitExactly(t *testing.T) {
	s, _, cl := newSim(t, Options{})
	seed(t, s, 1)
	o, _ := s.AddOrder(Order{Lines: []OrderLine{{StockCode: sku(0), Quantity: 3, Price: 1000, SellerDiscount: 100, SellerCouponDiscount: 50, MallDiscount: 11}}})
	if _, err := s.CancelLine(o.ID, o.Lines[0].LineID, 1); err != nil {
		t.Fatal(err)
	}
	var seller, coupon, mall, invoice int64
	for _, p := range cl.do("GET", pathPackages, nil).content() {
		if p["shipmentPackageStatus"] == StatusUnpacked {
			continue
		}
		for _, l := range list(p["lines"]) {
			seller += int64(kurus(l["sellerDiscount"]))
			coupon += int64(kurus(l["sellerCouponDiscount"]))
			mall += int64(kurus(l["mallDiscount"]))
			invoice += int64(kurus(l["sellerInvoiceAmount"]))
		}
	}
	if seller != 100 || coupon != 50 || mall != 11 || invoice != 3000-150 {
		t.Fatalf("parts %d %d %d %d", seller, coupon, mall, invoice)
	}
}

func TestOrderUpdateAcceptsCreatedLines(t *testing.T) {
	s, clock, cl := newSim(t, Options{})
	seed(t, s, 2)
	o, _ := s.AddOrder(Order{Lines: []OrderLine{{StockCode: sku(0), Quantity: 1}, {StockCode: sku(1), Quantity: 1}}})
	clock.Advance(time.Second)
	body := map[string]any{"lines": []map[string]any{{"lineId": o.Lines[0].LineID}, {"lineId": o.Lines[1].LineID}, {"lineId": 1}}, "status": "Picking"}
	res := list(cl.do("PUT", pathOrderUpd, body).want(t, 200).body["content"])
	got := fmt.Sprint(res[0]["status"], res[1]["status"], res[2]["status"])
	if got != "SUCCESSSUCCESSFAIL" {
		t.Fatalf("per line: %v", res)
	}
	p, _ := s.Package(o.ID)
	if p.Status != StatusPicking || !p.LastModified.After(o.LastModified) {
		t.Fatalf("package %+v", p)
	}
	res = list(cl.do("PUT", pathOrderUpd, body).want(t, 200).body["content"])
	if res[0]["status"] != "FAIL" {
		t.Fatal("accepting a line twice")
	}
	cl.do("PUT", pathOrderUpd, map[string]any{"lines": body["lines"], "status": "Shipped"}).want(t, 400)
}

func TestPickupPointOrder(t *testing.T) {
	s, _, cl := newSim(t, Options{})
	seed(t, s, 1)
	if _, err := s.AddOrder(Order{PickupType: "KTN", Customer: Customer{FullName: "Mehmet Kaya", Address: "Ev adresi"},
		Lines: []OrderLine{{StockCode: sku(0), Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	p := cl.do("GET", pathPackages, nil).content()[0]
	ship, bill := p["shippingAddress"].(map[string]any), p["billingAddress"].(map[string]any)
	if p["deliveryAddressType"] != "KTN" || ship["fullName"] == "Mehmet Kaya" || bill["address"] != "Ev adresi" {
		t.Fatalf("pick-up point: %v", p)
	}
}

// TestDateFilterField: with orderByField=true the dates filter the last change, without
// it (or with FilterCreated) the creation date.
func TestDateFilterField(t *testing.T) {
	for _, c := range []struct {
		opt   Options
		query string
		want  int
	}{{Options{}, "&orderByField=true", 1}, {Options{}, "", 0}, {Options{FilterCreated: true}, "&orderByField=true", 0}} {
		s, clock, cl := newSim(t, c.opt)
		seed(t, s, 1)
		o, _ := s.AddOrder(Order{CreatedAt: clock.Now().Add(-10 * 24 * time.Hour), Lines: []OrderLine{{StockCode: sku(0), Quantity: 1}}})
		_ = s.SetPackageStatus(o.ID, StatusPicking)
		from := strconv.FormatInt(clock.Now().Add(3*time.Hour-time.Hour).UnixMilli(), 10)
		if n := len(cl.do("GET", packagesQuery("startDate="+from+c.query), nil).content()); n != c.want {
			t.Fatalf("%+v %q: %d packages, want %d", c.opt, c.query, n, c.want)
		}
	}
}
