package queue

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"syncagent/connectors/money"
)

func snapRow(sku, wh, pl string, qty *int64, price int64) SnapshotRow {
	return SnapshotRow{SnapshotKey: SnapshotKey{sku, wh, pl}, Qty: qty, Price: kr(money.Kurus(price))}
}

func inTxT(t *testing.T, s *Store, fn func(tx *sql.Tx) error) {
	t.Helper()
	if err := s.inTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotReadingCycle(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()

	// Reading 1 stores three keys of source a and one of source b.
	inTxT(t, s, func(tx *sql.Tx) error {
		gen, last, err := s.BeginReadingTx(ctx, tx, "a")
		if err != nil || gen != 1 || last.Gen != 0 {
			return fmt.Errorf("begin: gen %d last %+v err %v", gen, last, err)
		}
		if err := s.PutSnapshotRowsTx(ctx, tx, "a", gen, []SnapshotRow{
			snapRow("A", "W1", "L", i64(5), 100), snapRow("A", "W1", "L2", i64(5), 200), snapRow("B", "W1", "L", nil, 300),
		}); err != nil {
			return err
		}
		if err := s.PutSnapshotRowsTx(ctx, tx, "b", 1, []SnapshotRow{snapRow("A", "W1", "L", i64(9), 100)}); err != nil {
			return err
		}
		n, err := s.FinishReadingTx(ctx, tx, "a", gen, nil)
		if err != nil || n != 3 {
			return fmt.Errorf("finish: %d %v", n, err)
		}
		return nil
	})
	if r, err := s.LastReading(ctx, "a"); err != nil || r.Gen != 1 || r.Rows != 3 || r.At.IsZero() {
		t.Fatalf("last reading %+v %v", r, err)
	}

	// Reading 2 sees only A/W1/L (with a new quantity): A/W1/L2 is stale but its stock is
	// still known through A/W1/L; B is stale with nothing kept.
	inTxT(t, s, func(tx *sql.Tx) error {
		gen, _, err := s.BeginReadingTx(ctx, tx, "a")
		if err != nil || gen != 2 {
			return fmt.Errorf("begin: %d %v", gen, err)
		}
		got, err := s.SnapshotRowsTx(ctx, tx, "a", []string{"A", "X"})
		if err != nil {
			return err
		}
		if len(got) != 2 || *got[SnapshotKey{"A", "W1", "L"}].Qty != 5 || got[SnapshotKey{"A", "W1", "L2"}].Gen != 1 {
			return fmt.Errorf("lookup: %+v", got)
		}
		if err := s.PutSnapshotRowsTx(ctx, tx, "a", gen, []SnapshotRow{snapRow("A", "W1", "L", i64(7), 100)}); err != nil {
			return err
		}
		var stale []StaleRow
		after := SnapshotKey{}
		for { // page size 1 proves the key paging
			page, err := s.StaleSnapshotRowsTx(ctx, tx, "a", gen, after, 1)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			stale = append(stale, page...)
			after = page[len(page)-1].SnapshotKey
		}
		if len(stale) != 2 || stale[0].SKU != "A" || stale[0].PriceList != "L2" || !stale[0].QtyKept ||
			stale[1].SKU != "B" || stale[1].QtyKept || stale[1].Qty != nil {
			return fmt.Errorf("stale: %+v", stale)
		}
		if err := s.DeleteSnapshotRowsTx(ctx, tx, "a", []SnapshotKey{stale[0].SnapshotKey, stale[1].SnapshotKey}); err != nil {
			return err
		}
		n, err := s.FinishReadingTx(ctx, tx, "a", gen, nil)
		if err != nil || n != 1 {
			return fmt.Errorf("finish: %d %v", n, err)
		}
		return nil
	})

	// A rolled-back reading leaves no trace.
	tx, err := s.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gen, _, _ := s.BeginReadingTx(ctx, tx, "a")
	if err := s.PutSnapshotRowsTx(ctx, tx, "a", gen, []SnapshotRow{snapRow("Z", "W1", "L", i64(1), 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishReadingTx(ctx, tx, "a", gen, nil); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if r, _ := s.LastReading(ctx, "a"); r.Gen != 2 || r.Rows != 1 {
		t.Fatalf("after rollback: %+v", r)
	}

	// Source b is untouched by all of this; forgetting a leaves b alone.
	if n, err := s.ForgetSnapshot(ctx, "a"); err != nil || n != 1 {
		t.Fatalf("forget: %d %v", n, err)
	}
	if r, _ := s.LastReading(ctx, "a"); r.Gen != 0 {
		t.Fatalf("reading record survived: %+v", r)
	}
	inTxT(t, s, func(tx *sql.Tx) error {
		got, err := s.SnapshotRowsTx(ctx, tx, "b", []string{"A"})
		if err != nil || len(got) != 1 || *got[SnapshotKey{"A", "W1", "L"}].Qty != 9 {
			return fmt.Errorf("source b: %+v %v", got, err)
		}
		return nil
	})
}

func TestSnapshotRowSame(t *testing.T) {
	base := snapRow("A", "W", "L", i64(5), 100)
	cases := []struct {
		name string
		mod  func(r *SnapshotRow)
		same bool
	}{
		{"identical", func(r *SnapshotRow) {}, true},
		{"other key, same values", func(r *SnapshotRow) { r.SKU = "B"; r.Gen = 9 }, true},
		{"qty", func(r *SnapshotRow) { r.Qty = i64(6) }, false},
		{"qty gone", func(r *SnapshotRow) { r.Qty = nil }, false},
		{"price", func(r *SnapshotRow) { r.Price = kr(101) }, false},
		{"list price added", func(r *SnapshotRow) { r.ListPrice = kr(100) }, false},
		{"barcode", func(r *SnapshotRow) { r.Barcode = "869" }, false},
	}
	for _, c := range cases {
		r := base
		c.mod(&r)
		if got := base.Same(r); got != c.same {
			t.Errorf("%s: Same = %v", c.name, got)
		}
	}
}

// TestSnapshotKeyTally: a counted tally is the sum of the keys' hashes; the hash keeps
// fields apart; a record written before migration 004 (keysum NULL) reads as unknown,
// and no record at all as a known empty tally.
func TestSnapshotKeyTally(t *testing.T) {
	if (SnapshotKey{"AB", "C", ""}).Hash() == (SnapshotKey{"A", "BC", ""}).Hash() ||
		(SnapshotKey{"A", "", "B"}).Hash() == (SnapshotKey{"A", "B", ""}).Hash() {
		t.Fatal("the hash lets fields run together")
	}
	s, _ := open(t, Options{})
	ctx := context.Background()
	if r, err := s.LastReading(ctx, "a"); err != nil || !r.KeySumKnown || r.KeySum != 0 || r.Rows != 0 {
		t.Fatalf("no reading yet: %+v %v", r, err)
	}
	keys := []SnapshotKey{{"A", "W1", "L"}, {"A", "W2", "L"}, {"B", "W1", ""}}
	var want KeyTally
	inTxT(t, s, func(tx *sql.Tx) error {
		gen, _, err := s.BeginReadingTx(ctx, tx, "a")
		if err != nil {
			return err
		}
		for _, k := range keys {
			want.Add(k)
			if err := s.PutSnapshotRowsTx(ctx, tx, "a", gen, []SnapshotRow{{SnapshotKey: k}}); err != nil {
				return err
			}
		}
		_, err = s.FinishReadingTx(ctx, tx, "a", gen, nil)
		return err
	})
	r, err := s.LastReading(ctx, "a")
	if err != nil || !r.KeySumKnown || r.Rows != 3 || r.KeySum != want.Sum || want.Sum == 0 {
		t.Fatalf("counted tally: %+v, want %+v (%v)", r, want, err)
	}
	if _, err := s.w.Exec("UPDATE sql_readings SET keysum = NULL"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.LastReading(ctx, "a"); r.KeySumKnown || r.Rows != 3 {
		t.Fatalf("a record without keysum: %+v", r)
	}
}
