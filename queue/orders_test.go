package queue

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/order"
)

// whRules pushes the stock of the listed warehouses (all when none) minus the units held
// there by orders, as the agent's store rules do.
func whRules(whs ...string) Rules {
	return RulesFunc(func(it *Item) Desired {
		var sum int64
		known := false
		for wh, q := range it.Stock {
			if len(whs) > 0 && !contains(whs, wh) {
				continue
			}
			sum += q - it.Reserved[wh]
			known = true
		}
		if !known {
			return Desired{}
		}
		sum = max(sum, 0)
		return Desired{Qty: &sum}
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// openOrders is a store with three active stores: "a" shows MERKEZ, "b" every
// warehouse, "c" only DEPO2.
func openOrders(t testing.TB) (*Store, *clock) {
	t.Helper()
	s, c := open(t, Options{})
	s.SetStores(map[string]Rules{"a": whRules("MERKEZ"), "b": whRules(), "c": whRules("DEPO2")})
	return s, c
}

var deduct = OrderPolicy{Transfer: true, Deduct: true, Warehouse: "MERKEZ", Release: ReleaseERPReading}

// mkOrder is an order of one package with one line per (sku, qty) pair.
func mkOrder(id string, st order.Status, at time.Time, lines ...any) order.Order {
	p := order.Package{ID: id + "-p", Status: st, RawStatus: string(st), UpdatedAt: at}
	for i := 0; i+1 < len(lines); i += 2 {
		q := int64(lines[i+1].(int))
		p.Lines = append(p.Lines, order.Line{ID: lines[i].(string), SKU: lines[i].(string), Quantity: q,
			UnitPrice: 10000, Total: money.Kurus(q) * 10000})
	}
	o := order.Order{Marketplace: "trendyol", ID: id, Number: "N" + id, RawStatus: string(st), OrderedAt: at, UpdatedAt: at,
		Currency: "TRY", Packages: []order.Package{p}}
	o.Derive()
	return o
}

func put(t testing.TB, s *Store, store string, p OrderPolicy, os ...order.Order) PutResult {
	t.Helper()
	res, err := s.PutOrders(context.Background(), OrderBatch{Store: store, Policy: p, Orders: os})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// want reads the desired quantity of every store for sku ("-" when none).
func wantQty(t testing.TB, s *Store, sku string) map[string]int64 {
	t.Helper()
	rows, err := s.r.Query("SELECT store, want_qty FROM outbox WHERE sku = ?", sku)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var q sql.NullInt64
		rows.Scan(&st, &q)
		out[st] = q.Int64
	}
	return out
}

func held(t testing.TB, s *Store, sku string) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := s.r.QueryRow("SELECT SUM(qty) FROM reservations WHERE sku = ? AND state = 'held'", sku).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n.Int64
}

func transferState(t testing.TB, s *Store, store, id string) (string, string) {
	t.Helper()
	var tr, ca string
	if err := s.r.QueryRow("SELECT transfer_state, cancel_state FROM orders WHERE store = ? AND marketplace_id = ?", store, id).Scan(&tr, &ca); err != nil {
		t.Fatal(err)
	}
	return tr, ca
}

func TestPutOrdersStoresOnceAndUpdatesInPlace(t *testing.T) {
	s, c := openOrders(t)
	ctx := context.Background()
	o := mkOrder("1", order.New, c.Now(), "X", 2)
	res, err := s.PutOrders(ctx, OrderBatch{Store: "a", Policy: deduct, Orders: []order.Order{o}, CursorName: "orders:a", Cursor: "c1"})
	if err != nil || res.New != 1 || res.Due != 1 || res.NewNumbers[0] != "N1" {
		t.Fatalf("%+v %v", res, err)
	}
	if v, _, _ := s.Cursor(ctx, "orders:a"); v != "c1" {
		t.Fatalf("cursor %q not stored with the orders", v)
	}
	if r := put(t, s, "a", deduct, o); r.Unchanged != 1 || r.New+r.Changed != 0 {
		t.Fatalf("the same order again: %+v", r)
	}
	upd := mkOrder("1", order.Processing, c.Now().Add(time.Minute), "X", 2)
	if r := put(t, s, "a", deduct, upd); r.Changed != 1 || r.ChangedNumbers[0] != "N1" {
		t.Fatalf("status change: %+v", r)
	}
	// The same id on another store is another order.
	put(t, s, "b", deduct, o)
	var n int
	s.r.QueryRow("SELECT COUNT(*) FROM orders").Scan(&n)
	if n != 2 {
		t.Fatalf("%d order rows, want 2", n)
	}
	got, ok, err := s.Order(ctx, "a", "N1")
	if err != nil || !ok || got.Status != order.Processing || got.Store != "a" {
		t.Fatalf("stored order %+v %v %v", got.Status, ok, err)
	}
	if held(t, s, "X") != 4 {
		t.Fatalf("held %d, want 2 per store's order", held(t, s, "X"))
	}
}

func TestReservationLowersEveryStoreSharingTheWarehouse(t *testing.T) {
	s, c := openOrders(t)
	mustApply(t, s, qty("X", "MERKEZ", 2), qty("X", "DEPO2", 5))
	if w := wantQty(t, s, "X"); w["a"] != 2 || w["b"] != 7 || w["c"] != 5 {
		t.Fatalf("before: %v", w)
	}
	// The last two units of MERKEZ sell at once on two stores.
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "X", 1))
	put(t, s, "b", deduct, mkOrder("9", order.Awaiting, c.Now(), "X", 1))
	if w := wantQty(t, s, "X"); w["a"] != 0 || w["b"] != 5 || w["c"] != 5 {
		t.Fatalf("after two orders: %v (c does not show MERKEZ)", w)
	}
	var dirty int
	s.r.QueryRow("SELECT COUNT(*) FROM outbox WHERE sku = 'X' AND dirty = 1").Scan(&dirty)
	if dirty != 3 {
		t.Fatalf("%d dirty rows", dirty)
	}
	// A status update of the same order never reserves twice.
	for _, st := range []order.Status{order.New, order.Processing, order.Shipped} {
		c.Add(time.Minute)
		put(t, s, "a", deduct, mkOrder("1", st, c.Now(), "X", 1))
	}
	c.Add(time.Minute)
	put(t, s, "b", deduct, mkOrder("9", order.New, c.Now(), "X", 1)) // paid
	if h := held(t, s, "X"); h != 2 {
		t.Fatalf("held %d after status updates, want 2", h)
	}
	if tr, _ := transferState(t, s, "b", "9"); tr != TransferPending {
		t.Fatalf("a paid order is %s, want pending", tr)
	}
	// A new ERP value keeps the reservation in the number pushed.
	mustApply(t, s, qty("X", "MERKEZ", 10))
	if w := wantQty(t, s, "X"); w["a"] != 8 || w["b"] != 13 {
		t.Fatalf("after an ERP change: %v", w)
	}
	// RecomputeStore sees them too.
	if _, err := s.RecomputeStore(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if w := wantQty(t, s, "X"); w["a"] != 8 {
		t.Fatalf("after recompute: %v", w)
	}
}

func TestUnpaidWaitsUntilPaid(t *testing.T) {
	s, c := openOrders(t)
	ctx := context.Background()
	put(t, s, "a", deduct, mkOrder("1", order.Awaiting, c.Now(), "X", 3))
	if tr, _ := transferState(t, s, "a", "1"); tr != TransferWaiting {
		t.Fatalf("unpaid order %s, want waiting", tr)
	}
	if jobs, _ := s.DueTransfers(ctx, 10); len(jobs) != 0 {
		t.Fatalf("an unpaid order is due for the ERP: %+v", jobs)
	}
	if held(t, s, "X") != 3 {
		t.Fatal("an unpaid order reserves its units")
	}
	c.Add(time.Minute)
	if r := put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "X", 3)); r.Due != 1 {
		t.Fatalf("paid: %+v", r)
	}
	if jobs, _ := s.DueTransfers(ctx, 10); len(jobs) != 1 || jobs[0].Kind != WriteOrder {
		t.Fatalf("paid order not due: %+v", jobs)
	}
	// Unpaid, then cancelled: nothing ever reaches the ERP, the units are free.
	put(t, s, "a", deduct, mkOrder("2", order.Awaiting, c.Now(), "Y", 1))
	c.Add(time.Minute)
	put(t, s, "a", deduct, mkOrder("2", order.Cancelled, c.Now(), "Y", 1))
	if tr, _ := transferState(t, s, "a", "2"); tr != TransferSkipped || held(t, s, "Y") != 0 {
		t.Fatalf("unpaid then cancelled: %s, held %d", tr, held(t, s, "Y"))
	}
}

func TestTransferFailureBackoffAndRetry(t *testing.T) {
	s, c := openOrders(t)
	ctx := context.Background()
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "X", 1))
	jobs, _ := s.DueTransfers(ctx, 10)
	if err := s.BookTransfers(ctx, []TransferOutcome{{Job: jobs[0], Err: errors.New("ERP database is down")}}); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.DueTransfers(ctx, 10); len(jobs) != 0 {
		t.Fatal("a failed write is due again at once")
	}
	list, _ := s.ListOrders(ctx, OrderFilter{Pending: true})
	if len(list) != 1 || list[0].TransferState != TransferFailed || list[0].Attempts != 1 || list[0].LastError != "ERP database is down" ||
		!list[0].NextAt.After(c.Now()) || list[0].Held != 1 {
		t.Fatalf("failed order: %+v", list)
	}
	if at, ok, _ := s.NextTransferDue(ctx); !ok || !at.Equal(list[0].NextAt) {
		t.Fatalf("next due %v %v", at, ok)
	}
	if n, err := s.RetryTransfer(ctx, "", "N1"); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	if _, err := s.RetryTransfer(ctx, "", "nope"); !errors.Is(err, ErrNoSuchOrder) {
		t.Fatalf("retry of an unknown order: %v", err)
	}
	jobs, _ = s.DueTransfers(ctx, 10)
	if len(jobs) != 1 || jobs[0].Attempts != 0 {
		t.Fatalf("after retry: %+v", jobs)
	}
	if err := s.BookTransfers(ctx, []TransferOutcome{{Job: jobs[0]}}); err != nil {
		t.Fatal(err)
	}
	if tr, ca := transferState(t, s, "a", "1"); tr != TransferDone || ca != "" {
		t.Fatalf("after success: %s %q", tr, ca)
	}
	sum, _ := s.OrderSummaries(ctx)
	if a := sum["a"]; a == nil || a.Done != 1 || a.HeldUnits != 1 || a.AwaitingReading != 1 {
		t.Fatalf("summary %+v", sum["a"])
	}
}

// The order is fixed when it is first sent: a line cancelled while the write fails and
// retries does not change what is written; it is exported as a cancellation after.
func TestWriteIsFixedAtFirstAttemptAndCancellationsFollow(t *testing.T) {
	s, c := openOrders(t)
	ctx := context.Background()
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "A", 3, "B", 1))
	jobs, _ := s.DueTransfers(ctx, 10)
	s.BookTransfers(ctx, []TransferOutcome{{Job: jobs[0], Err: errors.New("deadlock detected")}})
	c.Add(time.Minute)
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "A", 3)) // B cancelled by the buyer
	if held(t, s, "B") != 0 {
		t.Fatal("a cancelled line keeps its units held")
	}
	c.Add(time.Hour)
	jobs, _ = s.DueTransfers(ctx, 10)
	if len(jobs) != 1 || jobs[0].Kind != WriteOrder || jobs[0].Order.Quantities()["B"] != 1 {
		t.Fatalf("the retry must write the version first sent: %+v", jobs)
	}
	s.BookTransfers(ctx, []TransferOutcome{{Job: jobs[0]}})
	if _, ca := transferState(t, s, "a", "1"); ca != "pending" {
		t.Fatalf("cancel state %q, want pending", ca)
	}
	jobs, _ = s.DueTransfers(ctx, 10)
	if len(jobs) != 1 || jobs[0].Kind != WriteCancel || jobs[0].CancelSeq != 1 || len(jobs[0].Cancelled) != 1 || jobs[0].Cancelled["B"] != 1 {
		t.Fatalf("cancellation job: %+v", jobs)
	}
	s.BookTransfers(ctx, []TransferOutcome{{Job: jobs[0]}})
	// The whole order is cancelled later: a second export, of A only.
	c.Add(time.Minute)
	put(t, s, "a", deduct, mkOrder("1", order.Cancelled, c.Now(), "A", 3))
	jobs, _ = s.DueTransfers(ctx, 10)
	if len(jobs) != 1 || jobs[0].CancelSeq != 2 || jobs[0].Cancelled["A"] != 3 || jobs[0].Cancelled["B"] != 0 {
		t.Fatalf("second cancellation: %+v", jobs)
	}
	s.BookTransfers(ctx, []TransferOutcome{{Job: jobs[0], Err: errors.New("ERP down")}})
	c.Add(time.Hour)
	jobs, _ = s.DueTransfers(ctx, 10)
	if len(jobs) != 1 || jobs[0].CancelSeq != 2 || jobs[0].Cancelled["A"] != 3 {
		t.Fatalf("a retried cancellation must be the same export: %+v", jobs)
	}
	s.BookTransfers(ctx, []TransferOutcome{{Job: jobs[0]}})
	// The cancelled order seen again: nothing more to export.
	c.Add(time.Minute)
	put(t, s, "a", deduct, mkOrder("1", order.Cancelled, c.Now().Add(time.Second), "A", 3))
	if jobs, _ := s.DueTransfers(ctx, 10); len(jobs) != 0 {
		t.Fatalf("a cancellation exported twice: %+v", jobs)
	}
	if _, ca := transferState(t, s, "a", "1"); ca != "done" || held(t, s, "A") != 0 {
		t.Fatalf("cancel %q held %d", ca, held(t, s, "A"))
	}
}

// Reservations live in SQLite: a restart changes nothing.
func TestReservationsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	openAt := func() *Store {
		s, err := Open(ctx, path, Options{Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		s.SetStores(map[string]Rules{"a": whRules("MERKEZ")})
		return s
	}
	s := openAt()
	mustApply(t, s, qty("X", "MERKEZ", 5))
	put(t, s, "a", deduct, mkOrder("1", order.New, c.Now(), "X", 2))
	s.Close()
	s = openAt()
	defer s.Close()
	mustApply(t, s, qty("X", "MERKEZ", 6))
	if w := wantQty(t, s, "X"); w["a"] != 4 {
		t.Fatalf("after a restart: %v, want 6-2", w)
	}
}

// A new change marker alone (Giyim Moda's hourly re-read of an open order) is stored but
// is no change of the order.
func TestVersionAloneIsNoChange(t *testing.T) {
	s, c := openOrders(t)
	o := mkOrder("1", order.New, c.Now(), "X", 1)
	o.Version = "paid|pending|100.00|1000"
	put(t, s, "a", deduct, o)
	o.Version = "paid|pending|100.00|4600"
	if r := put(t, s, "a", deduct, o); r.Unchanged != 1 {
		t.Fatalf("%+v", r)
	}
	if v, _ := s.OrderVersions(context.Background(), "a", []string{"1", "2"}); len(v) != 1 || v["1"] != "paid|pending|100.00|4600" {
		t.Fatalf("versions %v", v)
	}
}
