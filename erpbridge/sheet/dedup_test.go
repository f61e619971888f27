package sheet

import (
	"reflect"
	"testing"
)

func TestDedupLaterRowWins(t *testing.T) {
	rows := []Row{
		{Line: 14, SKU: "A-1"},
		{Line: 15, SKU: "B-2", Warehouse: "D1"},
		{Line: 16, SKU: "B-2", Warehouse: "D2"}, // another warehouse: not a duplicate
		{Line: 17, SKU: "a-1"},                  // SKUs are case-sensitive
		{Line: 20, SKU: "A-1"},
		{Line: 21, SKU: "B-2", Warehouse: "D1", PriceList: "TOPTAN"},
		{Line: 30, SKU: "A-1"},
	}
	d := NewDedup()
	var got []string
	for _, r := range rows {
		if rep, dup := d.Add(r); dup {
			got = append(got, rep.String())
		}
	}
	want := []string{"row 14 replaced by row 20 (same SKU A-1)", "row 20 replaced by row 30 (same SKU A-1)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("replacements %q; want %q", got, want)
	}
	var winners []int
	for _, r := range rows {
		if d.Winner(r) {
			winners = append(winners, r.Line)
		}
	}
	if want := []int{15, 16, 17, 21, 30}; !reflect.DeepEqual(winners, want) {
		t.Errorf("winners %v; want %v", winners, want)
	}
	if d.Len() != 5 {
		t.Errorf("Len() = %d; want 5", d.Len())
	}
	if d.Winner(Row{Line: 1, SKU: "never added"}) {
		t.Error("a row never added cannot win")
	}
	rep := Replacement{SKU: "X", Warehouse: "D1", PriceList: "P", Replaced: 2, By: 9}
	if got, want := rep.String(), "row 2 replaced by row 9 (same SKU X, warehouse D1, price list P)"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
}
