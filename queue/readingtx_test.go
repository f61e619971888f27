package queue

import (
	"context"
	"strconv"
	"testing"
)

// A reading's changes, snapshot, record and cursor commit together; a reading that is
// rolled back leaves no trace of any of them.
func TestReadingTxCommitsAllOrNothing(t *testing.T) {
	s, clock := open(t, Options{})
	ctx := context.Background()
	reading := func(q int64, commit bool) *ReadingTx {
		t.Helper()
		r, err := s.BeginReading(ctx, "logo")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Rollback()
		c := qty("A", "MERKEZ", q)
		if _, err := r.Apply(ctx, []ItemChange{c}); err != nil {
			t.Fatal(err)
		}
		if err := r.PutSnapshotRows(ctx, []SnapshotRow{{SnapshotKey: SnapshotKey{"A", "MERKEZ", "default"}, Qty: i64(q)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.FinishSnapshot(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ERPRead(ctx, ERPRead{At: clock.Now(), Snapshot: true, Changes: []ItemChange{c}}); err != nil {
			t.Fatal(err)
		}
		if err := r.SetCursor(ctx, "sqlpoll:logo:mark", "m"+strconv.FormatInt(q, 10)); err != nil {
			t.Fatal(err)
		}
		if commit {
			if err := r.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	first := reading(5, true)
	if first.Gen() != 1 || first.Last().Gen != 0 {
		t.Fatalf("first reading: gen %d, last %+v", first.Gen(), first.Last())
	}
	if err := first.Rollback(); err != nil {
		t.Fatalf("Rollback after Commit: %v", err)
	}
	second := reading(7, false)
	if second.Gen() != 2 || second.Last().Gen != 1 || second.Last().Rows != 1 {
		t.Fatalf("second reading: gen %d, last %+v", second.Gen(), second.Last())
	}
	// Only the first reading is there.
	if last, err := s.LastReading(ctx, "logo"); err != nil || last.Gen != 1 {
		t.Fatalf("last reading %+v %v", last, err)
	}
	if v, _, err := s.Cursor(ctx, "sqlpoll:logo:mark"); err != nil || v != "m5" {
		t.Fatalf("cursor %q %v", v, err)
	}
	if j, err := s.Journal(ctx, "A", 10); err != nil || len(j) != 1 || j[0].New != "5" {
		t.Fatalf("journal %+v %v", j, err)
	}
	r, err := s.BeginReading(ctx, "logo")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Rollback()
	rows, err := r.SnapshotRows(ctx, []string{"A"})
	if row := rows[SnapshotKey{"A", "MERKEZ", "default"}]; err != nil || len(rows) != 1 || *row.Qty != 5 || row.Gen != 1 {
		t.Fatalf("snapshot %+v %v", rows, err)
	}
	stale, err := r.StaleSnapshotRows(ctx, SnapshotKey{}, 10)
	if err != nil || len(stale) != 1 {
		t.Fatalf("stale rows of a reading that saw nothing yet: %+v %v", stale, err)
	}
	if err := r.DeleteSnapshotRows(ctx, []SnapshotKey{stale[0].SnapshotKey}); err != nil {
		t.Fatal(err)
	}
	if n, err := r.FinishSnapshot(ctx, nil); err != nil || n != 0 {
		t.Fatalf("finish after forgetting the only key: %d %v", n, err)
	}
}
