package simkit

import (
	"slices"
	"testing"
)

type rec struct {
	id  string
	qty int
}

func ids(list []*rec) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.id)
	}
	return out
}

func TestTable(t *testing.T) {
	var tb Table[string, rec]
	if tb.Get("a") != nil || tb.Len() != 0 || len(tb.All()) != 0 {
		t.Fatal("the zero Table must be empty and ready")
	}
	for _, id := range []string{"c", "a", "b", "d"} {
		if !tb.Add(id, &rec{id: id, qty: 1}) {
			t.Fatalf("add %s refused", id)
		}
	}
	first := tb.Get("a")
	if tb.Add("a", &rec{id: "a", qty: 99}) || tb.Get("a") != first || tb.Len() != 4 {
		t.Fatal("a taken key must be refused and leave the record in place")
	}
	if got := ids(tb.All()); !slices.Equal(got, []string{"c", "a", "b", "d"}) {
		t.Fatalf("All %v, want the order added", got)
	}
	var seen []string
	tb.Keep(func(r *rec) bool {
		seen = append(seen, r.id)
		return r.id != "a" && r.id != "d"
	})
	if !slices.Equal(seen, []string{"c", "a", "b", "d"}) {
		t.Fatalf("Keep visited %v, want every record in order", seen)
	}
	if got := ids(tb.All()); !slices.Equal(got, []string{"c", "b"}) || tb.Get("a") != nil || tb.Get("d") != nil || tb.Len() != 2 {
		t.Fatalf("after Keep: %v", got)
	}
	if !tb.Add("a", &rec{id: "a", qty: 2}) || tb.Get("a").qty != 2 {
		t.Fatal("a dropped key must be free again")
	}
	snap := Snapshot(&tb, func(r *rec) rec { return *r })
	if len(snap) != 3 || snap["b"].qty != 1 || snap["a"].qty != 2 {
		t.Fatalf("snapshot %v", snap)
	}
	snap["b"] = rec{id: "b", qty: 50}
	if tb.Get("b").qty != 1 {
		t.Fatal("a snapshot must be a copy")
	}
}

func TestPage(t *testing.T) {
	list := []int{0, 1, 2, 3, 4}
	for _, tc := range []struct {
		offset, size int
		want         []int
	}{
		{0, 2, []int{0, 1}},
		{4, 2, []int{4}},
		{5, 2, []int{}},
		{9, 2, []int{}},
		{-1, 2, []int{}},
		{0, 0, []int{}},
	} {
		got := Page(list, tc.offset, tc.size)
		if got == nil || !slices.Equal(got, tc.want) {
			t.Errorf("Page(%d, %d) = %#v, want %v", tc.offset, tc.size, got, tc.want)
		}
	}
}
