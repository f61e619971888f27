package sinks

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/erpbridge/erpdb"
)

func TestBindPerDriver(t *testing.T) {
	q := `INSERT INTO t (a, b, c) VALUES (:order_number, ':order_number', :total::numeric) -- :sku
		/* :sku */ ON CONFLICT DO NOTHING; SELECT x:sku, :order_number`
	allowed := nameSet(HeaderParams, LineParams)
	for _, c := range []struct {
		driver, text string
		names        []string
	}{
		{"postgres", `VALUES ($1, ':order_number', $2::numeric) -- :sku`, []string{"order_number", "total"}},
		{"mysql", `VALUES (?, ':order_number', ?::numeric)`, []string{"order_number", "total", "order_number"}},
		{"sqlite3", `VALUES (?, ':order_number', ?::numeric)`, []string{"order_number", "total", "order_number"}},
		{"sqlserver", `VALUES (@order_number, ':order_number', @total::numeric)`, []string{"order_number", "total"}},
	} {
		st, err := bind(c.driver, q, allowed)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(st.Text, c.text) || !strings.Contains(st.Text, "x:sku") || !strings.Contains(st.Text, "/* :sku */") {
			t.Errorf("%s: %s", c.driver, st.Text)
		}
		if !reflect.DeepEqual(st.Names, c.names) {
			t.Errorf("%s: names %v, want %v", c.driver, st.Names, c.names)
		}
	}
	if !strings.HasSuffix(mustBind(t, "postgres", q).Text, "x:sku, $1") {
		t.Error("a name used twice must keep its number")
	}
	if _, err := bind("postgres", "SELECT :ordr_number, :sku", nameSet(HeaderParams)); err == nil ||
		!strings.Contains(err.Error(), ":ordr_number, :sku") {
		t.Fatalf("unknown names: %v", err)
	}
	st := mustBind(t, "sqlserver", "SELECT :store")
	if a := args(&st, params{{"store", "s"}}); a[0] != sql.Named("store", "s") {
		t.Fatalf("sqlserver args %v", a)
	}
}

func mustBind(t *testing.T, driver, q string) erpdb.Statement {
	t.Helper()
	st, err := bind(driver, q, nameSet(HeaderParams, LineParams))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// sampleJob is an order of two lines with a discount and Turkish text.
func sampleJob() *Job {
	ist := time.FixedZone("TRT", 3*3600)
	o := order.Order{Marketplace: "trendyol", ID: "10654411111", Number: "10654411111", RawStatus: "Created",
		OrderedAt: time.Date(2026, 10, 1, 15, 4, 5, 0, ist), Currency: "TRY",
		Customer: order.Customer{Name: "Ayşe Yılmaz", Email: "pf@trendyolmail.com"},
		ShipTo:   order.Address{Name: "Ayşe Yılmaz", Line1: "Moda Cad. 12", Line2: "D:3", District: "Kadıköy", City: "İstanbul"},
		Packages: []order.Package{{ID: "3330111", Status: order.New, RawStatus: "Created", CargoTracking: "7330123", Lines: []order.Line{
			{ID: "1", SKU: "A1", Name: "Gömlek", Quantity: 2, UnitPrice: 124990, Discount: 2500, Total: 247480, VATRate: 2000},
			{ID: "2", SKU: "A2", Name: "Çorap", Quantity: 3, UnitPrice: 4999, Total: 14997, VATRate: 1000},
		}}}}
	o.Derive()
	return &Job{Store: "trendyol-main", Marketplace: "trendyol", Warehouse: "MERKEZ", CargoFirm: "Yurtiçi", Order: o}
}

func TestParamsAreExact(t *testing.T) {
	j := sampleJob()
	h := headerParams(j)
	for name, want := range map[string]any{
		"total": "2624.77", "gross": "2649.77", "discount": "25.00", "line_count": int64(2), "unit_count": int64(5),
		"ordered_at_local": "2026-10-01 15:04:05", "ordered_date": "2026-10-01", "ship_address": "Moda Cad. 12 D:3",
		"package_ids": "3330111", "status": "new", "cargo_tracking": "7330123", "warehouse": "MERKEZ",
	} {
		if got, _ := h.lookup(name); got != want {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	for _, n := range HeaderParams {
		if _, ok := h.lookup(n); !ok {
			t.Errorf("header parameter %s has no value", n)
		}
	}
	ls := lines(j)
	if len(ls) != 2 {
		t.Fatal(len(ls))
	}
	for _, n := range LineParams {
		if _, ok := ls[0].lookup(n); !ok {
			t.Errorf("line parameter %s has no value", n)
		}
	}
	if v, _ := ls[0].lookup("unit_price"); v != "1249.90" {
		t.Errorf("unit price %v", v)
	}
	if v, _ := ls[1].lookup("vat_rate"); v != "10.00" {
		t.Errorf("vat rate %v", v)
	}
	// A cancellation of one of two units of A1: half the line's amounts, to the kuruş.
	j.Cancel = &Cancellation{Seq: 2, Units: map[string]int64{"A1": 1}, At: time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)}
	cl := lines(j)
	if len(cl) != 1 {
		t.Fatal(cl)
	}
	if v, _ := cl[0].lookup("line_total"); v != money.Kurus(123740).String() {
		t.Errorf("cancelled line total %v", v)
	}
	if v, _ := cl[0].lookup("quantity"); v != int64(1) {
		t.Errorf("cancelled quantity %v", v)
	}
	if v, _ := headerParams(j).lookup("cancel_seq"); v != int64(2) {
		t.Errorf("cancel_seq %v", v)
	}
}
