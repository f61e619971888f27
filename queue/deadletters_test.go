package queue

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestDeadItemsListTheCurrentDeadRowsWithTheirReasons(t *testing.T) {
	s, clk := open(t, Options{MaxAttempts: 1})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W", 5), qty("B", "W", 1), qty("C", "W", 2), price("A", 1000))
	c := mustClaim(t, s, "ty", 10)
	bySKU := map[string]Claimed{}
	for _, x := range c {
		bySKU[x.SKU] = x
	}
	if err := s.Reject(ctx, []Claimed{bySKU["A"]}, "Bu barkoda ait onaylı ürün bulunamadı."); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	if _, err := s.Retry(ctx, []Claimed{bySKU["B"]}, "503 from the marketplace", NotApplied); err != nil {
		t.Fatal(err)
	}
	if err := s.Confirm(ctx, []Claimed{bySKU["C"]}); err != nil {
		t.Fatal(err)
	}
	items, total, err := s.DeadItems(ctx, "ty", 10)
	if err != nil || total != 2 || len(items) != 2 {
		t.Fatalf("%d dead: %+v %v", total, items, err)
	}
	// Newest first: B gave up after its one attempt a minute after A was rejected.
	b, a := items[0], items[1]
	if b.SKU != "B" || b.Reason != "gave up after 1 attempts: 503 from the marketplace" || b.Attempts != 1 || *b.Qty != 1 {
		t.Errorf("B: %+v", b)
	}
	if a.SKU != "A" || a.Reason != "Bu barkoda ait onaylı ürün bulunamadı." || *a.Qty != 5 || *a.Price != 1000 || !a.At.Equal(clk.Now().Add(-time.Minute)) {
		t.Errorf("A: %+v", a)
	}
	if _, total, _ := s.DeadItems(ctx, "", 10); total != 2 {
		t.Errorf("all stores: %d", total)
	}
	if items, total, _ := s.DeadItems(ctx, "ty", 1); total != 2 || len(items) != 1 {
		t.Errorf("limit: %d of %d", len(items), total)
	}
	// A new value takes an item out of the dead letters: the list shows only what waits.
	mustApply(t, s, qty("B", "W", 7))
	if items, total, _ := s.DeadItems(ctx, "ty", 10); total != 1 || items[0].SKU != "A" {
		t.Errorf("after B changed: %+v", items)
	}
}

func TestRequeueDeadNamesWhatItRequeued(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	var ch []ItemChange
	for i := range 1200 { // more SKUs than one statement's chunk
		ch = append(ch, qty(fmt.Sprintf("S%04d", i), "W", 1))
	}
	mustApply(t, s, ch...)
	c := mustClaim(t, s, "ty", 2000)
	if err := s.Reject(ctx, c, "refused"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RequeueDead(ctx, "ty", []string{"S0001", "S1100", "NOPE"})
	if err != nil || fmt.Sprint(got) != "[S0001 S1100]" {
		t.Fatalf("requeued %v %v", got, err)
	}
	var many []string
	for i := range 1200 {
		many = append(many, fmt.Sprintf("S%04d", i))
	}
	if got, _ := s.RequeueDead(ctx, "ty", many); len(got) != 1198 {
		t.Fatalf("requeued %d of the 1198 still dead", len(got))
	}
	if c := mustClaim(t, s, "ty", 2000); len(c) != 1200 {
		t.Fatalf("claimable after requeue: %d", len(c))
	}
	if got, _ := s.RequeueDead(ctx, "ty", nil); len(got) != 0 {
		t.Fatalf("nothing dead, yet requeued %v", got)
	}
}
