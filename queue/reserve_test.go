package queue

import (
	"context"
	"testing"
	"time"

	"syncagent/connectors/order"
)

// read applies an ERP reading (the changes plus the release) in one transaction, as a
// source does, and returns how many reservations it released.
func read(t testing.TB, s *Store, r ERPRead) int {
	t.Helper()
	ctx := context.Background()
	tx, err := s.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := s.ApplyTx(ctx, tx, r.Changes); err != nil {
		t.Fatal(err)
	}
	n, err := s.ERPReadTx(ctx, tx, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return n
}

// writeBack runs the due ERP writes and books them as written now.
func writeBack(t testing.TB, s *Store) {
	t.Helper()
	ctx := context.Background()
	jobs, err := s.DueTransfers(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var outs []TransferOutcome
	for _, j := range jobs {
		outs = append(outs, TransferOutcome{Job: j})
	}
	if err := s.BookTransfers(ctx, outs); err != nil {
		t.Fatal(err)
	}
}

// The erp_reading rule in both orders of events: a reading taken before the write-back
// (even one committed after it) keeps the reservation; the first reading taken after it
// releases it, once, together with the ERP's lower number.
func TestReleaseByERPReadingBothOrders(t *testing.T) {
	s, c := openOrders(t)
	mustApply(t, s, qty("X", "MERKEZ", 5), qty("Y", "MERKEZ", 5))
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "X", 2))
	c.Add(time.Second)

	// ERP reading before the write-back: the ERP does not know the order.
	if n := read(t, s, ERPRead{Source: "stock.csv", At: c.Now(), Changes: []ItemChange{qty("X", "MERKEZ", 5)}}); n != 0 {
		t.Fatal("a reading before the write-back released the reservation")
	}
	before := c.Now() // a reading that starts now and commits after the write-back
	c.Add(time.Second)
	writeBack(t, s)
	written := c.Now()
	c.Add(time.Second)
	if n := read(t, s, ERPRead{Source: "logo", At: before, Changes: []ItemChange{qty("X", "MERKEZ", 5)}}); n != 0 {
		t.Fatal("a reading begun before the write-back released the reservation")
	}
	if w := wantQty(t, s, "X"); w["a"] != 3 {
		t.Fatalf("still reserved: %v", w)
	}
	// Readings after the write-back that do not show the SKU in that warehouse.
	if n := read(t, s, ERPRead{Source: "logo", At: written.Add(time.Millisecond), Changes: []ItemChange{qty("Y", "MERKEZ", 5), qty("X", "DEPO2", 1)}}); n != 0 {
		t.Fatal("a reading without X in MERKEZ released it")
	}
	// The ERP took the order off its stock (5 → 3) and a reading after the write shows it.
	c.Add(time.Second)
	if n := read(t, s, ERPRead{Source: "logo", At: c.Now(), Changes: []ItemChange{qty("X", "MERKEZ", 3)}}); n != 1 {
		t.Fatalf("released %d, want 1", n)
	}
	if w := wantQty(t, s, "X"); w["a"] != 3 || w["b"] != 4 {
		t.Fatalf("after the release: %v; the ERP's 3 must not be lowered again", w)
	}
	if n := read(t, s, ERPRead{Source: "logo", At: c.Now().Add(time.Second), Changes: []ItemChange{qty("X", "MERKEZ", 3)}}); n != 0 {
		t.Fatal("released twice")
	}
	// A later status update must not hold the units again.
	c.Add(time.Minute)
	put(t, s, "a", deduct, mkOrder("1", order.Shipped, c.Now(), "X", 2))
	if held(t, s, "X") != 0 {
		t.Fatal("a status update after the release held the units again")
	}
	rs, _ := s.Reservations(context.Background(), "a", "N1")
	if len(rs) != 1 || rs[0].State != "released" || rs[0].ReleasedBy != "shown by the ERP reading of logo" || rs[0].ReadyAt.IsZero() {
		t.Fatalf("%+v", rs)
	}
	js, _ := s.Journal(context.Background(), "X", 10)
	var reserved, released bool
	for _, j := range js {
		reserved = reserved || j.Field == "reserved:MERKEZ" && j.New == "2"
		released = released || j.Field == "reserved:MERKEZ" && j.New == "0"
	}
	if !reserved || !released {
		t.Fatalf("the journal does not tell the reservation's story: %+v", js)
	}
}

// A completed SQL snapshot reading shows every key in the source's snapshot.
func TestReleaseBySnapshotReading(t *testing.T) {
	s, c := openOrders(t)
	ctx := context.Background()
	mustApply(t, s, qty("X", "MERKEZ", 5))
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "X", 2), mkOrder("2", order.New, c.Now(), "Z", 1))
	writeBack(t, s)
	c.Add(time.Second)
	tx, _ := s.begin(ctx)
	gen, _, _ := s.BeginReadingTx(ctx, tx, "logo")
	q := int64(3)
	if err := s.PutSnapshotRowsTx(ctx, tx, "logo", gen, []SnapshotRow{{SnapshotKey: SnapshotKey{"X", "MERKEZ", "default"}, Qty: &q}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishReadingTx(ctx, tx, "logo", gen, nil); err != nil {
		t.Fatal(err)
	}
	n, err := s.ERPReadTx(ctx, tx, ERPRead{Source: "logo", At: c.Now(), Snapshot: true})
	if err != nil || n != 1 {
		t.Fatalf("released %d %v; want only X (Z is not in the snapshot)", n, err)
	}
	tx.Commit()
	if held(t, s, "X") != 0 || held(t, s, "Z") != 1 {
		t.Fatal("wrong reservations released")
	}
}

// Cancellation before and after the write-back, and the shipped rule.
func TestReleaseByCancellationAndShipped(t *testing.T) {
	s, c := openOrders(t)
	mustApply(t, s, qty("X", "MERKEZ", 5))
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "X", 2))
	put(t, s, "a", deduct, mkOrder("2", order.New, c.Now(), "X", 1))
	writeBack(t, s) // both written
	c.Add(time.Minute)
	put(t, s, "a", deduct, mkOrder("1", order.Cancelled, c.Now(), "X", 2)) // after the write-back
	put(t, s, "a", deduct, mkOrder("3", order.New, c.Now(), "X", 1))
	c.Add(time.Minute)
	put(t, s, "a", deduct, mkOrder("3", order.Cancelled, c.Now(), "X", 1)) // before any attempt
	if h := held(t, s, "X"); h != 1 {
		t.Fatalf("held %d, want only order 2's unit", h)
	}
	if tr, ca := transferState(t, s, "a", "1"); tr != TransferDone || ca != "pending" {
		t.Fatalf("cancelled after the write-back: %s %q", tr, ca)
	}
	if tr, _ := transferState(t, s, "a", "3"); tr != TransferSkipped {
		t.Fatalf("cancelled before any attempt: %s", tr)
	}
	if w := wantQty(t, s, "X"); w["a"] != 4 {
		t.Fatalf("%v", w)
	}

	ship := OrderPolicy{Deduct: true, Warehouse: "MERKEZ", Release: ReleaseShipped}
	put(t, s, "b", ship, mkOrder("7", order.New, c.Now(), "X", 2))
	c.Add(time.Second)
	// This reading releases order 2 of store a (written); order 7 has not shipped.
	if n := read(t, s, ERPRead{Source: "f", At: c.Now(), Changes: []ItemChange{qty("X", "MERKEZ", 5)}}); n != 1 {
		t.Fatalf("released %d, want only order 2", n)
	}
	if rs, _ := s.Reservations(context.Background(), "b", "N7"); len(rs) != 1 || rs[0].State != "held" {
		t.Fatalf("the shipped rule released an order that did not ship: %+v", rs)
	}
	c.Add(time.Minute)
	put(t, s, "b", ship, mkOrder("7", order.Shipped, c.Now(), "X", 2))
	c.Add(time.Second)
	if n := read(t, s, ERPRead{Source: "f", At: c.Now(), Changes: []ItemChange{qty("X", "MERKEZ", 3)}}); n != 1 {
		t.Fatalf("released %d after shipping, want 1", n)
	}
}

func TestReleaseStale(t *testing.T) {
	s, c := openOrders(t)
	ctx := context.Background()
	mustApply(t, s, qty("X", "MERKEZ", 5))
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "X", 2))
	c.Add(48 * time.Hour)
	put(t, s, "a", deduct, mkOrder("2", order.New, c.Now(), "X", 1))
	n, err := s.ReleaseStale(ctx, "a", c.Now().Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("released %d %v", n, err)
	}
	if w := wantQty(t, s, "X"); w["a"] != 4 {
		t.Fatalf("%v", w)
	}
	if n, _ := s.ReleaseStale(ctx, "a", c.Now().Add(-24*time.Hour)); n != 0 {
		t.Fatal("released twice")
	}
}

// Trendyol replaces a package on a partial cancellation; a page boundary may show the
// cancelled old package before the new one with the rest. The order is live again: its
// remaining units are held and it is written, never lost.
func TestReplacedPackageSeenBeforeItsSuccessor(t *testing.T) {
	s, c := openOrders(t)
	ctx := context.Background()
	mustApply(t, s, qty("A", "MERKEZ", 10))
	first := mkOrder("1", order.New, c.Now(), "A", 3)
	put(t, s, "a", deduct, first)
	c.Add(time.Minute)
	old := first.Packages[0]
	old.Status, old.UpdatedAt = order.Cancelled, c.Now()
	put(t, s, "a", deduct, order.Order{Marketplace: "trendyol", ID: "1", Number: "N1", RawStatus: "Cancelled", Currency: "TRY",
		OrderedAt: first.OrderedAt, Packages: []order.Package{old}})
	if tr, _ := transferState(t, s, "a", "1"); tr != TransferSkipped || held(t, s, "A") != 0 {
		t.Fatalf("after the old package alone: %s, held %d", tr, held(t, s, "A"))
	}
	next := order.Package{ID: "1-p2", Status: order.New, RawStatus: "Created", UpdatedAt: c.Now(), Origin: []string{old.ID},
		Lines: []order.Line{{ID: "x", SKU: "A", Quantity: 2, UnitPrice: 10000, Total: 20000}}}
	if r := put(t, s, "a", deduct, order.Order{Marketplace: "trendyol", ID: "1", Number: "N1", RawStatus: "Created", Currency: "TRY",
		OrderedAt: first.OrderedAt, Packages: []order.Package{next}}); r.Due != 1 {
		t.Fatalf("the successor: %+v", r)
	}
	if tr, _ := transferState(t, s, "a", "1"); tr != TransferPending || held(t, s, "A") != 2 {
		t.Fatalf("after the successor: %s, held %d", tr, held(t, s, "A"))
	}
	if w := wantQty(t, s, "A"); w["a"] != 8 {
		t.Fatalf("%v", w)
	}
	jobs, _ := s.DueTransfers(ctx, 10)
	if len(jobs) != 1 || jobs[0].Order.Quantities()["A"] != 2 {
		t.Fatalf("%+v", jobs)
	}
}
