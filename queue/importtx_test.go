package queue

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fileRows are n quantity rows of file, SKUs from S<first>, in lines first+2 on.
func fileRows(file string, first, n int, q int64) []ItemChange {
	out := make([]ItemChange, n)
	for i := range out {
		out[i] = ItemChange{SKU: fmt.Sprintf("S%05d", first+i), Warehouse: "W", Qty: i64(q),
			Source: Source{Kind: "file", Ref: file, Row: first + i + 2}}
	}
	return out
}

func beginImport(t testing.TB, s *Store, file string) *ImportTx {
	t.Helper()
	itx, err := s.BeginImport(context.Background(), "drop", file, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { itx.Rollback() })
	return itx
}

func importApply(t testing.TB, itx *ImportTx, changes []ItemChange) ApplyResult {
	t.Helper()
	if _, err := itx.Repeats(context.Background(), changes); err != nil {
		t.Fatal(err)
	}
	res, err := itx.Apply(context.Background(), changes)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// keyTableLeft tells whether the table of an import's keys is still in the writer
// connection's temporary database.
func keyTableLeft(t *testing.T, s *Store) bool {
	t.Helper()
	var n int
	if err := s.w.QueryRow("SELECT count(*) FROM temp.sqlite_master WHERE name = 'import_keys'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func dirty(t *testing.T, s *Store, store string) int {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st[store] == nil {
		return 0
	}
	return st[store].Dirty
}

// A file whose rows were applied in several chunks and then failed (all-or-nothing with
// a bad last row) commits its record, saying why, and none of its rows: no item, no
// journal entry, no dirty outbox row.
func TestImportTxFailedFileCommitsItsRecordAlone(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	itx := beginImport(t, s, "liste.csv")
	for c := 0; c < 3; c++ {
		if r := importApply(t, itx, fileRows("liste.csv", c*1000, 1000, 5)); r.Applied != 1000 {
			t.Fatalf("chunk %d applied %d", c, r.Applied)
		}
	}
	err := itx.Commit(ctx, Import{Status: ImportFailed, StoredAs: "failed/liste.csv", RowsRead: 3001, Rejected: 1,
		Error: "1 rows rejected; the folder's policy is all-or-nothing, so no row was applied"})
	if err != nil {
		t.Fatal(err)
	}
	ims, err := s.RecentImports(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ims) != 1 || ims[0].ID != itx.ID() || ims[0].Status != ImportFailed || ims[0].Source != "drop" || ims[0].File != "liste.csv" ||
		ims[0].StoredAs != "failed/liste.csv" || ims[0].Rejected != 1 || ims[0].Applied != 0 || !strings.Contains(ims[0].Error, "all-or-nothing") ||
		ims[0].FinishedAt.IsZero() {
		t.Fatalf("import records: %+v", ims)
	}
	if j, _ := s.Journal(ctx, "", 10); len(j) != 0 {
		t.Fatalf("journal after a failed file: %+v", j)
	}
	if n := dirty(t, s, "ty"); n != 0 {
		t.Fatalf("%d dirty outbox rows after a failed file", n)
	}
	// The same rows in a later file are new values again: nothing of the failed file is known.
	itx = beginImport(t, s, "liste2.csv")
	if r := importApply(t, itx, fileRows("liste2.csv", 0, 10, 5)); r.Applied != 10 {
		t.Fatalf("rows of a failed file were kept: applied %d of 10", r.Applied)
	}
	if err := itx.Commit(ctx, Import{Status: ImportImported, RowsRead: 10, Applied: 10}); err != nil {
		t.Fatal(err)
	}
	if n := dirty(t, s, "ty"); n != 10 {
		t.Fatalf("%d dirty outbox rows, want 10", n)
	}
	if keyTableLeft(t, s) {
		t.Fatal("the key table outlived the import")
	}
}

// A repeated SKU is found within a chunk and across chunks, against the latest earlier
// row; the same SKU in another warehouse or price list is no repeat.
func TestImportTxRepeatsWithinAndAcrossChunks(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	itx := beginImport(t, s, "stok.csv")
	row := func(line int, sku, wh, list string) ItemChange {
		c := ItemChange{SKU: sku, Source: Source{Kind: "file", Ref: "stok.csv", Row: line}}
		if wh != "" {
			c.Warehouse, c.Qty = wh, i64(int64(line))
		}
		if list != "" {
			c.PriceList, c.Price = list, kr(100)
		}
		return c
	}
	chunks := []struct {
		rows []ItemChange
		want []Repeat
	}{
		{[]ItemChange{row(2, "A", "W", ""), row(3, "B", "W", ""), row(4, "A", "W", ""), row(5, "A", "DEPO", ""), row(6, "A", "", "default")},
			[]Repeat{{Index: 2, Replaced: 2, Prior: 0}}},
		{[]ItemChange{row(7, "C", "W", ""), row(8, "B", "W", ""), row(9, "A", "W", ""), row(10, "A", "", "default")},
			[]Repeat{{Index: 1, Replaced: 3, Prior: -1}, {Index: 2, Replaced: 4, Prior: -1}, {Index: 3, Replaced: 6, Prior: -1}}},
		{[]ItemChange{row(11, "D", "W", "")}, nil},
		{[]ItemChange{row(12, "A", "W", ""), row(13, "C", "W", ""), row(14, "C", "W", ""), row(15, "C", "W", "")},
			[]Repeat{{Index: 0, Replaced: 9, Prior: -1}, {Index: 1, Replaced: 7, Prior: -1}, {Index: 2, Replaced: 13, Prior: 1}, {Index: 3, Replaced: 14, Prior: 2}}},
	}
	for i, c := range chunks {
		got, err := itx.Repeats(ctx, c.rows)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("chunk %d: repeats %+v, want %+v", i+1, got, c.want)
		}
	}
}

// A chunk larger than a file's usual thousand rows is looked up and recorded whole; every
// row of a second chunk with the same keys repeats the first chunk's.
func TestImportTxRepeatsOfAFullChunk(t *testing.T) {
	s, _ := open(t, Options{})
	itx := beginImport(t, s, "büyük.csv")
	first := fileRows("büyük.csv", 0, 1200, 1)
	if got, err := itx.Repeats(context.Background(), first); err != nil || len(got) != 0 {
		t.Fatalf("first chunk: %d repeats, %v", len(got), err)
	}
	second := fileRows("büyük.csv", 0, 1200, 2)
	for i := range second {
		second[i].Source.Row += 5000
	}
	got, err := itx.Repeats(context.Background(), second)
	if err != nil || len(got) != 1200 {
		t.Fatalf("second chunk: %d repeats, %v", len(got), err)
	}
	for i, r := range got {
		if r != (Repeat{Index: i, Replaced: i + 2, Prior: -1}) {
			t.Fatalf("repeat %d: %+v", i, r)
		}
	}
}

// UndoRows takes back the applied rows and the rows seen, but not the record: a second
// reading starts clean and commits only what it applies.
func TestImportTxUndoRowsStartsTheReadingAgain(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	itx := beginImport(t, s, "iki.csv")
	importApply(t, itx, fileRows("iki.csv", 0, 1000, 1))
	importApply(t, itx, fileRows("iki.csv", 1000, 500, 1))
	if err := itx.UndoRows(ctx); err != nil {
		t.Fatal(err)
	}
	again := fileRows("iki.csv", 0, 1000, 1)
	if reps, err := itx.Repeats(ctx, again); err != nil || len(reps) != 0 {
		t.Fatalf("after UndoRows: repeats %+v, %v", reps, err)
	}
	if r, err := itx.Apply(ctx, again[:400]); err != nil || r.Applied != 400 {
		t.Fatalf("after UndoRows: applied %d, %v (the undone rows must be new again)", r.Applied, err)
	}
	if err := itx.Commit(ctx, Import{Status: ImportImported, RowsRead: 1000, Applied: 400}); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Journal(ctx, "", 1<<20); len(j) != 400 {
		t.Fatalf("%d journal entries, want only the second reading's 400", len(j))
	}
	if ims, _ := s.RecentImports(ctx, 10); len(ims) != 1 || ims[0].Status != ImportImported || ims[0].Applied != 400 {
		t.Fatalf("import records: %+v", ims)
	}
}

// A rolled-back import (a dry run, an import cut short) leaves no record, no row and no
// key table, and the next import on the same connection starts with an empty key table.
func TestImportTxRollbackLeavesNoTrace(t *testing.T) {
	s, _ := open(t, Options{})
	ctx := context.Background()
	itx := beginImport(t, s, "deneme.csv")
	importApply(t, itx, fileRows("deneme.csv", 0, 50, 3))
	if err := itx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := itx.Rollback(); err != nil {
		t.Fatalf("second Rollback: %v", err)
	}
	if ims, _ := s.RecentImports(ctx, 10); len(ims) != 0 {
		t.Fatalf("rolled-back import visible: %+v", ims)
	}
	if j, _ := s.Journal(ctx, "", 10); len(j) != 0 {
		t.Fatalf("rolled-back rows visible: %+v", j)
	}
	if keyTableLeft(t, s) {
		t.Fatal("the key table outlived a rolled-back import")
	}
	itx = beginImport(t, s, "deneme.csv")
	if reps, err := itx.Repeats(ctx, fileRows("deneme.csv", 0, 50, 3)); err != nil || len(reps) != 0 {
		t.Fatalf("keys of a rolled-back import seen again: %+v, %v", reps, err)
	}
	if err := itx.Commit(ctx, Import{Status: "processing"}); err == nil {
		t.Fatal("an import committed as still processing")
	}
	if err := itx.Commit(ctx, Import{Status: ImportImported}); err != nil {
		t.Fatal(err)
	}
	if err := itx.Rollback(); err != nil {
		t.Fatalf("Rollback after Commit: %v", err)
	}
	if ims, _ := s.RecentImports(ctx, 10); len(ims) != 1 {
		t.Fatalf("Rollback after Commit undid the import: %+v", ims)
	}
}

func TestBeginImportNeedsTheTimeOfTheReading(t *testing.T) {
	s, _ := open(t, Options{})
	if _, err := s.BeginImport(context.Background(), "drop", "stok.csv", time.Time{}); err == nil {
		t.Fatal("import begun without a reading time")
	}
}

// BenchmarkImportTx measures the queue side of a drop-folder import of a 100k-row file
// in chunks of 1000: "repeats" looks every chunk up for repeated SKUs (40 % of the rows
// repeat an earlier chunk's), "import" looks up and applies every chunk (every row a new
// item, one active store) and commits.
func BenchmarkImportTx(b *testing.B) {
	const rows, chunk = 100000, 1000
	ctx := context.Background()
	b.Run("repeats", func(b *testing.B) {
		file := make([]ItemChange, rows)
		for i := range file {
			file[i] = ItemChange{SKU: fmt.Sprintf("SKU-%06d", i%60000), Warehouse: "MERKEZ", Qty: i64(int64(i)),
				Source: Source{Kind: "file", Ref: "bench.xlsx", Row: i + 2}}
		}
		s := benchStore(b, 1)
		start := time.Now()
		for b.Loop() {
			itx, err := s.BeginImport(ctx, "bench", "bench.xlsx", time.Now())
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for i := 0; i < rows; i += chunk {
				reps, err := itx.Repeats(ctx, file[i:i+chunk])
				if err != nil {
					b.Fatal(err)
				}
				n += len(reps)
			}
			if n != rows-60000 {
				b.Fatalf("%d repeats", n)
			}
			itx.Rollback()
		}
		b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
	})
	b.Run("import", func(b *testing.B) {
		file := make([]ItemChange, rows)
		for i := range file {
			file[i] = ItemChange{SKU: fmt.Sprintf("SKU-%06d", i), Warehouse: "MERKEZ", Qty: i64(int64(i)), PriceList: "default", Price: kr(10000),
				Source: Source{Kind: "file", Ref: "bench.xlsx", Row: i + 2}}
		}
		var took time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s := benchStore(b, 1)
			b.StartTimer()
			start := time.Now()
			itx, err := s.BeginImport(ctx, "bench", "bench.xlsx", time.Now())
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < rows; i += chunk {
				if reps, err := itx.Repeats(ctx, file[i:i+chunk]); err != nil || len(reps) != 0 {
					b.Fatalf("%d repeats, %v", len(reps), err)
				}
				if _, err := itx.Apply(ctx, file[i:i+chunk]); err != nil {
					b.Fatal(err)
				}
			}
			if err := itx.Commit(ctx, Import{Status: ImportImported, RowsRead: rows, Applied: rows}); err != nil {
				b.Fatal(err)
			}
			took += time.Since(start)
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(rows*b.N)/took.Seconds(), "rows/s")
	})
}
