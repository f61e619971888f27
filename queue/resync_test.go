package queue

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestRecordShownMakesDirtyExactlyWhatTheStoreShowsDifferently(t *testing.T) {
	s, clk := open(t, Options{})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W", 5), price("A", 1000), qty("B", "W", 3), price("B", 2000), qty("C", "W", 1), qty("D", "W", 9))
	c := mustClaim(t, s, "ty", 10)
	if err := s.Confirm(ctx, c); err != nil {
		t.Fatal(err)
	}
	confirmedAt := clk.Now()
	clk.Add(time.Hour)
	rows, err := s.OutboxRows(ctx, "ty", "", 2)
	if err != nil || len(rows) != 2 || rows[0].SKU != "A" || rows[1].SKU != "B" || *rows[0].Qty != 5 || *rows[0].ConfPrice != 1000 || rows[0].State != "ready" {
		t.Fatalf("first page: %+v %v", rows, err)
	}
	if rows, _ = s.OutboxRows(ctx, "ty", "B", 10); len(rows) != 2 || rows[0].SKU != "C" {
		t.Fatalf("second page: %+v", rows)
	}
	// The store shows A's stock as 2 (sold in the panel), B as sent, C without a price
	// (the connector cannot read it), and D is in flight meanwhile.
	mustApply(t, s, qty("D", "W", 10))
	inFlight := mustClaim(t, s, "ty", 10)
	if len(inFlight) != 1 || inFlight[0].SKU != "D" {
		t.Fatalf("claimed %+v", inFlight)
	}
	changed, err := s.RecordShown(ctx, "ty", []Shown{
		{SKU: "A", Qty: i64(2), Price: kr(1000)},
		{SKU: "B", Qty: i64(3), Price: kr(2000)},
		{SKU: "C", Qty: i64(1)},
		{SKU: "D", Qty: i64(0)},
	})
	if err != nil || fmt.Sprint(changed) != "[A]" {
		t.Fatalf("changed %v %v", changed, err)
	}
	st, _ := s.Stats(ctx)
	if st["ty"].Dirty != 1 || !st["ty"].LastConfirmed.Equal(confirmedAt) {
		t.Fatalf("after recording: %+v (want A dirty, the confirmation time unchanged)", st["ty"])
	}
	again := mustClaim(t, s, "ty", 10)
	if len(again) != 1 || again[0].SKU != "A" || *again[0].Qty != 5 || *again[0].ConfQty != 2 || *again[0].ConfPrice != 1000 {
		t.Fatalf("claimed after recording: %+v", again)
	}
}

func TestMakeDueCutsRetryBackoffOnly(t *testing.T) {
	s, clk := open(t, Options{RetryBase: time.Hour, RetryMax: time.Hour})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W", 5), qty("B", "W", 6))
	c := mustClaim(t, s, "ty", 10)
	bySKU := map[string]Claimed{}
	for _, x := range c {
		bySKU[x.SKU] = x
	}
	if _, err := s.Retry(ctx, []Claimed{bySKU["A"]}, "503", NotApplied); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryAfter(ctx, []Claimed{bySKU["B"]}, "429", time.Hour); err != nil {
		t.Fatal(err)
	}
	if c := mustClaim(t, s, "ty", 10); len(c) != 0 {
		t.Fatalf("claimable before: %+v", c)
	}
	if n, err := s.MakeDue(ctx, "ty"); n != 1 || err != nil {
		t.Fatalf("made due %d %v", n, err)
	}
	clk.Add(time.Millisecond)
	if c := mustClaim(t, s, "ty", 10); len(c) != 1 || c[0].SKU != "A" {
		t.Fatalf("claimable after: %+v (want A only; B waits as the marketplace said)", c)
	}
}
