package order

import (
	"testing"
	"time"

	"syncagent/connectors/money"
)

func TestAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		want money.Kurus
		bad  bool
	}{
		{"112.85", 11285, false}, {`"250.00"`, 25000, false}, {"89.9", 8990, false}, {"100", 10000, false},
		{"33.335", 3334, false}, {"33.334", 3333, false}, {"-1.005", -101, false}, {"0.125", 13, false},
		{"", 0, false}, {"null", 0, false}, {"1e3", 0, true}, {"12.3x5", 0, true}, {"1,5", 0, true},
	} {
		got, err := Amount(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("Amount(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.bad)
		}
	}
	if r, err := Rate("20"); err != nil || r != 2000 {
		t.Fatalf("Rate(20) = %v %v", r, err)
	}
}

func line(id, sku string, q int64) Line {
	return Line{ID: id, SKU: sku, Quantity: q, UnitPrice: 10000, Total: money.Kurus(q) * 10000}
}

// A Trendyol partial cancellation: package 1 is cancelled whole and package 2 carries
// the rest under the same order. Merged, the live units are what is left, never the sum.
func TestMergeSplitAndCancel(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	first := Order{ID: "1001", Packages: []Package{{ID: "11", Status: New, UpdatedAt: t0,
		Lines: []Line{line("a", "A", 3), line("b", "B", 1)}}}}
	first.Derive()
	if q := first.Quantities(); q["A"] != 3 || q["B"] != 1 {
		t.Fatalf("first %v", q)
	}
	// Only the changed packages arrive: 11 cancelled, 12 new with new line ids.
	upd := Order{ID: "1001", Packages: []Package{
		{ID: "12", Status: New, UpdatedAt: t0.Add(time.Minute), Origin: []string{"11"}, Lines: []Line{line("c", "A", 2), line("d", "B", 1)}},
		{ID: "11", Status: Cancelled, UpdatedAt: t0.Add(time.Minute), Lines: []Line{line("a", "A", 3), line("b", "B", 1)}},
	}}
	m := Merge(&first, &upd)
	if q := m.Quantities(); q["A"] != 2 || q["B"] != 1 || len(q) != 2 {
		t.Fatalf("merged %v", q)
	}
	if m.Status != New || len(m.Packages) != 2 || m.Packages[0].ID != "11" {
		t.Fatalf("merged status %s packages %+v", m.Status, m.Packages)
	}
	// A stale copy of package 11 (an overlapping page) does not revive it.
	stale := Order{ID: "1001", Packages: []Package{{ID: "11", Status: New, UpdatedAt: t0, Lines: first.Packages[0].Lines}}}
	m2 := Merge(&m, &stale)
	if q := m2.Quantities(); q["A"] != 2 {
		t.Fatalf("stale copy revived a cancelled package: %v", q)
	}
	// Split: the parent goes to Split, children carry everything.
	split := Order{ID: "1001", Packages: []Package{
		{ID: "12", Status: Split, UpdatedAt: t0.Add(2 * time.Minute)},
		{ID: "13", Status: Processing, UpdatedAt: t0.Add(2 * time.Minute), Lines: []Line{line("e", "A", 2)}},
		{ID: "14", Status: Shipped, UpdatedAt: t0.Add(2 * time.Minute), Lines: []Line{line("f", "B", 1)}},
	}}
	m3 := Merge(&m2, &split)
	if q := m3.Quantities(); q["A"] != 2 || q["B"] != 1 {
		t.Fatalf("after split %v", q)
	}
	if m3.Status != Processing {
		t.Fatalf("status is the least advanced live package: %s", m3.Status)
	}
	all := Order{ID: "1001", Packages: []Package{{ID: "13", Status: Cancelled}, {ID: "14", Status: Cancelled}}}
	m4 := Merge(&m3, &all)
	if m4.Status != Cancelled || len(m4.Quantities()) != 0 || m4.Totals().Total != 0 {
		t.Fatalf("all cancelled: %s %v", m4.Status, m4.Quantities())
	}
}

func TestTotals(t *testing.T) {
	o := Order{ShippingFee: 5000, OrderDiscount: 1000, StatedTax: 999, Packages: []Package{{ID: "1", Status: New, Lines: []Line{
		{SKU: "A", Quantity: 2, UnitPrice: 14999, Discount: 0, Total: 29998},
		{SKU: "B", Quantity: 1, UnitPrice: 100, Cancelled: true, Total: 100},
	}}}}
	tot := o.Totals()
	if tot.Gross != 29998 || tot.Total != 29998+5000-1000 || tot.Tax != 999 || tot.Units != 2 || tot.Lines != 1 {
		t.Fatalf("%+v", tot)
	}
}

func TestIn(t *testing.T) {
	ist := time.FixedZone("TRT", 3*3600)
	o := Order{OrderedAt: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Packages: []Package{{ID: "1"}}}
	got := o.In(ist)
	if got.OrderedAt.Hour() != 12 || !got.OrderedAt.Equal(o.OrderedAt) || o.OrderedAt.Location() != time.UTC {
		t.Fatalf("%v (original %v)", got.OrderedAt, o.OrderedAt)
	}
}
