package queue

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"syncagent/connectors/money"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func i64(v int64) *int64            { return &v }
func kr(v money.Kurus) *money.Kurus { return &v }

// passThrough pushes the sum of all warehouses and the "default" price list.
var passThrough = RulesFunc(func(it *Item) Desired {
	var d Desired
	if len(it.Stock) > 0 {
		var q int64
		for _, v := range it.Stock {
			q += v
		}
		d.Qty = &q
	}
	if pe, ok := it.Prices["default"]; ok && pe.Price != nil {
		d.Price = pe.Price
	}
	return d
})

var stockOnly = RulesFunc(func(it *Item) Desired {
	d := passThrough(it)
	d.Price = nil
	return d
})

func open(t testing.TB, opts Options) (*Store, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.Jitter == nil {
		opts.Jitter = func() float64 { return 0.5 } // no jitter: factor 1.0
	}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "q.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetStores(map[string]Rules{"ty": passThrough, "ps": stockOnly})
	return s, c
}

func qty(sku, wh string, q int64) ItemChange {
	return ItemChange{SKU: sku, Warehouse: wh, Qty: &q, Source: Source{Kind: "file", Ref: "stok.xlsx", Row: 2}}
}

func price(sku string, p money.Kurus) ItemChange {
	return ItemChange{SKU: sku, PriceList: "default", Price: &p, Source: Source{Kind: "sql", Ref: "logo"}}
}

func mustApply(t testing.TB, s *Store, changes ...ItemChange) ApplyResult {
	t.Helper()
	res, err := s.Apply(context.Background(), changes)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustClaim(t testing.TB, s *Store, store string, n int) []Claimed {
	t.Helper()
	c, err := s.Claim(context.Background(), store, n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestApplyMakesRowsDirtyForActiveStoresOnly(t *testing.T) {
	s, _ := open(t, Options{})
	res := mustApply(t, s, qty("A", "MERKEZ", 5), price("A", 12990))
	if res.Applied != 2 || res.Unchanged != 0 {
		t.Fatalf("res %+v", res)
	}
	ty := mustClaim(t, s, "ty", 10)
	if len(ty) != 1 || *ty[0].Qty != 5 || *ty[0].Price != 12990 {
		t.Fatalf("ty claim %+v", ty)
	}
	ps := mustClaim(t, s, "ps", 10)
	if len(ps) != 1 || *ps[0].Qty != 5 || ps[0].Price != nil {
		t.Fatalf("ps claim: price must be out of scope: %+v", ps)
	}
	if c := mustClaim(t, s, "passive", 10); len(c) != 0 {
		t.Fatalf("a store without rules must get nothing: %+v", c)
	}
}

func TestUnchangedValueCreatesNoDirtyRow(t *testing.T) {
	s, _ := open(t, Options{})
	mustApply(t, s, qty("A", "W", 5))
	c := mustClaim(t, s, "ty", 10)
	if err := s.Confirm(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, s, qty("A", "W", 5))
	if res.Applied != 0 || res.Unchanged != 1 || res.Changed[0] {
		t.Fatalf("re-applying the same value: %+v", res)
	}
	if c := mustClaim(t, s, "ty", 10); len(c) != 0 {
		t.Fatalf("an unchanged value must not be pushed again: %+v", c)
	}
	// A change in a warehouse the store does not... (all warehouses count here) that comes
	// back to the confirmed total also pushes nothing.
	mustApply(t, s, qty("A", "W", 7))
	mustApply(t, s, qty("A", "W", 5))
	if c := mustClaim(t, s, "ty", 10); len(c) != 0 {
		t.Fatalf("value back at the confirmed one must not be pushed: %+v", c)
	}
}

func TestCoalescingTenChangesGiveOneRowWithTheLatestValue(t *testing.T) {
	s, _ := open(t, Options{})
	for i := int64(1); i <= 10; i++ {
		mustApply(t, s, qty("A", "W", i))
	}
	var n int
	s.r.QueryRow("SELECT COUNT(*) FROM outbox WHERE store = 'ty'").Scan(&n)
	c := mustClaim(t, s, "ty", 100)
	if n != 1 || len(c) != 1 || *c[0].Qty != 10 {
		t.Fatalf("rows %d claim %+v", n, c)
	}
	// In one batch too: the later change wins.
	res := mustApply(t, s, qty("B", "W", 1), qty("B", "W", 2), qty("B", "W", 3))
	if res.Applied != 3 {
		t.Fatalf("%+v", res)
	}
	c = mustClaim(t, s, "ty", 100)
	if len(c) != 1 || c[0].SKU != "B" || *c[0].Qty != 3 {
		t.Fatalf("claim %+v", c)
	}
}

func TestChangeDuringFlightStaysDirtyAfterConfirm(t *testing.T) {
	s, _ := open(t, Options{})
	mustApply(t, s, qty("A", "W", 5))
	c := mustClaim(t, s, "ty", 10)
	mustApply(t, s, qty("A", "W", 9)) // arrives while 5 is in flight
	if again := mustClaim(t, s, "ty", 10); len(again) != 0 {
		t.Fatalf("a leased row must not be claimed twice: %+v", again)
	}
	if err := s.Confirm(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	c2 := mustClaim(t, s, "ty", 10)
	if len(c2) != 1 || *c2[0].Qty != 9 || *c2[0].ConfQty != 5 {
		t.Fatalf("after confirming 5 the 9 must be pushed: %+v", c2)
	}
}

func TestLeaseExpiryMakesRowClaimableAndStaleTokenIsIgnored(t *testing.T) {
	s, clk := open(t, Options{Lease: time.Minute})
	mustApply(t, s, qty("A", "W", 5))
	old := mustClaim(t, s, "ty", 10)
	clk.Add(59 * time.Second)
	if c := mustClaim(t, s, "ty", 10); len(c) != 0 {
		t.Fatal("claimed before lease expiry")
	}
	clk.Add(2 * time.Second)
	fresh := mustClaim(t, s, "ty", 10)
	if len(fresh) != 1 {
		t.Fatal("expired lease not claimable")
	}
	mustApply(t, s, qty("A", "W", 6))
	// The old pusher wakes up and confirms: ignored, its lease is gone.
	if err := s.Confirm(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	var conf sql.NullInt64
	s.r.QueryRow("SELECT conf_qty FROM outbox WHERE store='ty' AND sku='A'").Scan(&conf)
	if conf.Valid {
		t.Fatalf("stale confirm applied: %v", conf)
	}
	s.Confirm(context.Background(), fresh)
	s.r.QueryRow("SELECT conf_qty FROM outbox WHERE store='ty' AND sku='A'").Scan(&conf)
	if conf.Int64 != 5 {
		t.Fatalf("conf %v", conf)
	}
}

func TestRetryBacksOffThenDeadLetters(t *testing.T) {
	s, clk := open(t, Options{MaxAttempts: 3, RetryBase: 10 * time.Second, RetryMax: time.Minute})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W", 5))
	waits := []time.Duration{10 * time.Second, 20 * time.Second}
	for i, w := range waits {
		c := mustClaim(t, s, "ty", 10)
		if len(c) != 1 || c[0].Attempts != i {
			t.Fatalf("attempt %d: %+v", i, c)
		}
		if dead, err := s.Retry(ctx, c, "503 Service Unavailable", NotApplied); err != nil || dead != 0 {
			t.Fatal(dead, err)
		}
		clk.Add(w - time.Second)
		if c := mustClaim(t, s, "ty", 10); len(c) != 0 {
			t.Fatalf("retried %v early", w)
		}
		clk.Add(time.Second)
	}
	c := mustClaim(t, s, "ty", 10)
	dead, err := s.Retry(ctx, c, "503 Service Unavailable", NotApplied)
	if err != nil || dead != 1 {
		t.Fatalf("third failure must dead-letter: %d %v", dead, err)
	}
	clk.Add(time.Hour)
	if c := mustClaim(t, s, "ty", 10); len(c) != 0 {
		t.Fatal("dead row claimed")
	}
	dl, _ := s.DeadLetters(ctx, "ty", 10)
	if len(dl) != 1 || dl[0].SKU != "A" || *dl[0].Qty != 5 || !strings.Contains(dl[0].Reason, "gave up after 3 attempts: 503") {
		t.Fatalf("dead letters %+v", dl)
	}
	st, _ := s.Stats(ctx)
	if st["ty"].Dead != 1 || st["ty"].Dirty != 0 {
		t.Fatalf("stats %+v", st["ty"])
	}
	// A new value gets a fresh chance.
	mustApply(t, s, qty("A", "W", 6))
	c = mustClaim(t, s, "ty", 10)
	if len(c) != 1 || *c[0].Qty != 6 || c[0].Attempts != 0 {
		t.Fatalf("new value after dead letter: %+v", c)
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	s, _ := open(t, Options{RetryBase: time.Second, RetryMax: 8 * time.Second})
	for a, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 10: 8 * time.Second} {
		if got := s.backoff(a); got != want {
			t.Errorf("backoff(%d) = %v want %v", a, got, want)
		}
	}
	s.opts.Jitter = func() float64 { return 0 }
	if got := s.backoff(1); got != 750*time.Millisecond {
		t.Errorf("jitter low %v", got)
	}
}

func TestUnknownOutcomeForgetsTheConfirmedValue(t *testing.T) {
	s, clk := open(t, Options{RetryBase: time.Second})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W", 5))
	s.Confirm(ctx, mustClaim(t, s, "ty", 1))
	mustApply(t, s, qty("A", "W", 7))
	c := mustClaim(t, s, "ty", 1)
	// Timeout after the request went out: 7 may be on the marketplace now.
	s.Retry(ctx, c, "timeout after sending", Unknown)
	mustApply(t, s, qty("A", "W", 5)) // back to the old confirmed value
	clk.Add(time.Minute)
	c = mustClaim(t, s, "ty", 1)
	if len(c) != 1 || *c[0].Qty != 5 || c[0].ConfQty != nil {
		t.Fatalf("5 must be re-sent because the marketplace may show 7: %+v", c)
	}
}

func TestRejectAndRequeue(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W", 5), qty("B", "W", 1))
	c := mustClaim(t, s, "ty", 10)
	if err := s.Reject(ctx, c[:1], "barkod bulunamadı"); err != nil {
		t.Fatal(err)
	}
	s.Confirm(ctx, c[1:])
	dl, _ := s.DeadLetters(ctx, "", 10)
	if len(dl) != 1 || dl[0].Reason != "barkod bulunamadı" {
		t.Fatalf("%+v", dl)
	}
	if c := mustClaim(t, s, "ty", 10); len(c) != 0 {
		t.Fatal("rejected row claimed again")
	}
	n, err := s.Requeue(ctx, "ty")
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if c := mustClaim(t, s, "ty", 10); len(c) != 1 || c[0].SKU != c[0].SKU {
		t.Fatalf("requeued row not claimable: %+v", c)
	}
}

func TestAwaitingRowsWaitForTheBatchResult(t *testing.T) {
	s, clk := open(t, Options{Lease: time.Minute})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W", 5), qty("B", "W", 6))
	c := mustClaim(t, s, "ty", 10)
	if err := s.MarkAwaiting(ctx, c, "batch-1", clk.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour) // far past the lease: awaiting rows are not re-claimed blindly
	if again := mustClaim(t, s, "ty", 10); len(again) != 0 {
		t.Fatalf("awaiting rows claimed: %+v", again)
	}
	st, _ := s.Stats(ctx)
	if st["ty"].InFlight != 2 {
		t.Fatalf("stats %+v", st["ty"])
	}
	byRef, refs, err := s.ListAwaiting(ctx, "ty")
	if err != nil || len(refs) != 1 || len(byRef["batch-1"]) != 2 {
		t.Fatalf("%v %v %v", byRef, refs, err)
	}
	items := byRef["batch-1"]
	s.Confirm(ctx, items[:1])
	s.Retry(ctx, items[1:], "FAILED: stok güncellenemedi", NotApplied)
	byRef, refs, _ = s.ListAwaiting(ctx, "ty")
	if len(refs) != 0 {
		t.Fatalf("still awaiting %v", byRef)
	}
	clk.Add(time.Hour)
	again := mustClaim(t, s, "ty", 10)
	if len(again) != 1 || again[0].SKU != items[1].SKU {
		t.Fatalf("%+v", again)
	}
}

func TestJournalRecordsOldNewAndSource(t *testing.T) {
	s, clk := open(t, Options{})
	ctx := context.Background()
	mustApply(t, s, qty("A", "MERKEZ", 5))
	mustApply(t, s, qty("A", "MERKEZ", 8), price("A", 124990), ItemChange{SKU: "A", Barcode: "8680000000017", Source: Source{Kind: "file", Ref: "x.csv", Row: 3}})
	j, err := s.Journal(ctx, "A", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range j { // newest first: keep the newest per field
		if _, seen := got[e.Field]; seen {
			continue
		}
		got[e.Field] = e.Old + "→" + e.New + "@" + e.Source.Kind + ":" + e.Source.Ref
	}
	want := map[string]string{"qty:MERKEZ": "5→8@file:stok.xlsx", "price:default": "→1249.90@sql:logo", "barcode": "→8680000000017@file:x.csv"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("journal %s = %q want %q (all: %v)", k, got[k], v, got)
		}
	}
	clk.Add(31 * 24 * time.Hour)
	mustApply(t, s, qty("A", "MERKEZ", 9))
	n, err := s.PurgeJournal(ctx, 30*24*time.Hour)
	if err != nil || n != 4 {
		t.Fatalf("purged %d %v", n, err)
	}
	if j, _ := s.Journal(ctx, "", 10); len(j) != 1 {
		t.Fatalf("left %+v", j)
	}
}

func TestImportRecordCommitsWithItsChanges(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	tx, _ := s.begin(ctx)
	id, err := s.BeginImportTx(ctx, tx, "drop", "stok.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ApplyTx(ctx, tx, []ItemChange{qty("A", "W", 1)})
	if err != nil {
		t.Fatal(err)
	}
	s.FinishImportTx(ctx, tx, Import{ID: id, Status: "imported", RowsRead: 1, Applied: res.Applied, StoredAs: "processed/x"})
	tx.Rollback() // a crash before commit: neither the import nor the change exists
	if im, _ := s.RecentImports(ctx, 5); len(im) != 0 {
		t.Fatalf("rolled back import visible: %+v", im)
	}
	if c := mustClaim(t, s, "ty", 5); len(c) != 0 {
		t.Fatal("rolled back change visible")
	}
}

func TestRecomputeStoreAfterRulesChange(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	mustApply(t, s, qty("A", "W", 5), qty("B", "W", 50))
	s.Confirm(ctx, mustClaim(t, s, "ty", 10))
	capped := RulesFunc(func(it *Item) Desired {
		d := passThrough(it)
		if d.Qty != nil && *d.Qty > 10 {
			d.Qty = i64(10)
		}
		return d
	})
	s.SetStores(map[string]Rules{"ty": capped})
	n, err := s.RecomputeStore(ctx, "ty")
	if err != nil || n != 2 {
		t.Fatal(n, err)
	}
	c := mustClaim(t, s, "ty", 10)
	if len(c) != 1 || c[0].SKU != "B" || *c[0].Qty != 10 {
		t.Fatalf("%+v", c)
	}
}

func TestClaimUsesThePartialIndex(t *testing.T) {
	s, _ := open(t, Options{})
	rows, err := s.w.Query("EXPLAIN QUERY PLAN SELECT rowid FROM outbox WHERE store = ?4 AND dirty = 1 AND state IN ('ready', 'leased') AND next_at <= ?3 ORDER BY next_at LIMIT ?5", 0, 0, 0, "ty", 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		rows.Scan(&id, &parent, &notused, &detail)
		plan.WriteString(detail + "\n")
	}
	if !strings.Contains(plan.String(), "outbox_claim") || strings.Contains(plan.String(), "TEMP B-TREE") {
		t.Fatalf("claim does not use outbox_claim cleanly:\n%s", plan.String())
	}
	if !strings.Contains(strings.Join(strings.Fields(claimSQL), " "), "dirty = 1 AND state IN ('ready', 'leased') AND next_at <= ?3 ORDER BY next_at") {
		t.Fatal("claimSQL drifted from the query checked here")
	}
}

func TestConcurrentWritersNeverSeeBusy(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := s.Apply(ctx, []ItemChange{qty(string(rune('a'+g)), "W", int64(i))}); err != nil {
					errs <- err
					return
				}
				if _, err := s.Claim(ctx, "ty", 5); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestReadOnlyOpenWhileWriterRuns(t *testing.T) {
	s, _ := open(t, Options{})
	mustApply(t, s, qty("A", "W", 5))
	ro, err := Open(context.Background(), s.Path(), Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	st, err := ro.Stats(context.Background())
	if err != nil || st["ty"].Dirty != 1 {
		t.Fatalf("%+v %v", st, err)
	}
	if _, err := ro.Apply(context.Background(), []ItemChange{qty("B", "W", 1)}); err == nil {
		t.Fatal("read-only store accepted a write")
	}
}

func TestNewerSchemaIsAClearErrorAndLeavesTheFileAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.w.Exec("PRAGMA user_version = 99")
	s.Close()
	before, _ := os.ReadFile(path)
	_, err = Open(context.Background(), path, Options{})
	var ns *ErrNewerSchema
	if !errors.As(err, &ns) || ns.Found != 99 || !strings.Contains(err.Error(), "newer syncagent") {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("file changed")
	}
	if _, err := Open(context.Background(), path, Options{ReadOnly: true}); !errors.As(err, &ns) {
		t.Fatalf("read-only open: %v", err)
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	s, _ := Open(context.Background(), path, Options{})
	s.SetStores(map[string]Rules{"ty": passThrough})
	mustApply(t, s, qty("A", "W", 5))
	s.Close()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	s.w.QueryRow("PRAGMA user_version").Scan(&v)
	if v != SchemaVersion() {
		t.Fatalf("version %d", v)
	}
	var mode, sync string
	s.w.QueryRow("PRAGMA journal_mode").Scan(&mode)
	s.w.QueryRow("PRAGMA synchronous").Scan(&sync)
	if mode != "wal" || sync != "2" {
		t.Fatalf("journal_mode %s synchronous %s", mode, sync)
	}
	if c := mustClaim(t, s, "ty", 5); len(c) != 1 {
		t.Fatal("data lost on reopen")
	}
}

func TestUnwritableDataDirNamesThePath(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	os.WriteFile(blocker, []byte("x"), 0o644)
	_, err := Open(context.Background(), filepath.Join(blocker, "data", "q.db"), Options{})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(blocker, "data")) || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("err = %v", err)
	}
}

func TestInvalidChangesAreRejectedWhole(t *testing.T) {
	s, _ := open(t, Options{})
	_, err := s.Apply(context.Background(), []ItemChange{qty("A", "W", 1), {SKU: "B", Qty: i64(1)}})
	if err == nil || !strings.Contains(err.Error(), "without a warehouse") {
		t.Fatal(err)
	}
	if c := mustClaim(t, s, "ty", 5); len(c) != 0 {
		t.Fatal("half of a failed batch applied")
	}
}

func TestHealthAndCursors(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	s.ReportOK(ctx, "source:logo", "polling", "1200 rows")
	s.ReportError(ctx, "source:logo", "down", "connection refused")
	h, _ := s.HealthOf(ctx)
	if h["source:logo"].State != "down" || h["source:logo"].Error != "connection refused" || h["source:logo"].OKAt.IsZero() {
		t.Fatalf("%+v", h)
	}
	if _, ok, _ := s.Cursor(ctx, "x"); ok {
		t.Fatal("cursor exists")
	}
	s.SetCursor(ctx, "x", "42")
	if v, ok, _ := s.Cursor(ctx, "x"); !ok || v != "42" {
		t.Fatal(v)
	}
}

func TestReadOnlyOpenOfAnOlderSchemaSaysToStartTheAgent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.w.Exec("PRAGMA user_version = 1")
	s.Close()
	_, err = Open(context.Background(), path, Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "upgrades the database when the agent starts") {
		t.Fatalf("err = %v", err)
	}
}
