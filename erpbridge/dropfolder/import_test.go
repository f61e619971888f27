package dropfolder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"syncagent/queue"
)

// newImporter returns an importer for a folder configured by folderYAML.
func newImporter(t *testing.T, folderYAML string) (*Importer, *queue.Store, string) {
	t.Helper()
	root := t.TempDir()
	cfg, f := folderConfig(t, folderYAML, filepath.Join(root, "drop"), filepath.Join(root, "data"))
	st := openStore(t, filepath.Join(root, "data"))
	log, _ := testLog(t)
	im, err := NewImporter(FromConfig(cfg, f), st, log)
	if err != nil {
		t.Fatal(err)
	}
	return im, st, root
}

// csvFile writes a CSV of rows (without header) to dir and returns its path.
func csvFile(t *testing.T, dir, name, header string, rows []string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	p := filepath.Join(dir, name)
	writeFile(t, p, b.String())
	return p
}

func journal(t *testing.T, st *queue.Store, sku string) []queue.JournalEntry {
	t.Helper()
	e, err := st.Journal(context.Background(), sku, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A SKU repeated more than one chunk apart: the earlier row's chunk is already applied
// when the repeat is found, so the importer must undo and read again. The queue and the
// journal must show only the later row's value, as if the earlier row never existed.
func TestFarApartDuplicateAppliesOnlyTheLaterRow(t *testing.T) {
	im, st, root := newImporter(t, "name: stok\n")
	rows := []string{"X;1"}
	for i := 0; i < 2500; i++ {
		rows = append(rows, fmt.Sprintf("S%05d;%d", i, i))
	}
	rows = append(rows, "X;9")
	path := csvFile(t, root, "uzak.csv", "Stok Kodu;Miktar", rows)
	res, err := im.Import(context.Background(), Request{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if res.Outcome != Imported || res.RowsRead != 2502 || res.Replaced != 1 || res.Applied != 2501 || res.Unchanged != 0 {
		t.Fatalf("outcome %v, rows %d, replaced %d, applied %d, unchanged %d", res.Outcome, res.RowsRead, res.Replaced, res.Applied, res.Unchanged)
	}
	e := journal(t, st, "X")
	if len(e) != 1 || e[0].Old != "" || e[0].New != "9" || e[0].Source.Row != 2503 {
		t.Fatalf("journal of X: %+v", e)
	}
	if n := len(journal(t, st, "")); n != 2501 {
		t.Fatalf("%d journal entries, want 2501", n)
	}
	// What the import saw of its keys ends with it (queue's import tests check its key
	// table is gone): the same file again repeats only within itself, and changes nothing.
	again, err := im.Import(context.Background(), Request{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Outcome != Imported || again.Replaced != 1 || again.Applied != 0 || again.Unchanged != 2501 {
		t.Fatalf("same file again: outcome %v, replaced %d, applied %d, unchanged %d", again.Outcome, again.Replaced, again.Applied, again.Unchanged)
	}
	var report bytes.Buffer
	if err := res.WriteReport(&report, Terminal); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(report.String(), `Satır (Row) 2503, satır 2 yerine geçti (replaced row 2): stok kodu (SKU) "X"`) {
		t.Fatalf("report does not name the replacement:\n%s", report.String())
	}
}

// Under all-or-nothing, a bad last row undoes the thousands of rows already applied,
// while the failed import record itself is committed.
func TestAllOrNothingUndoesAppliedChunks(t *testing.T) {
	im, st, root := newImporter(t, "name: stok\npolicy: all-or-nothing\n")
	var rows []string
	for i := 0; i < 3000; i++ {
		rows = append(rows, fmt.Sprintf("S%05d;%d", i, i))
	}
	rows = append(rows, "BAD;-1")
	path := csvFile(t, root, "liste.csv", "Stok Kodu;Miktar", rows)
	res, err := im.Import(context.Background(), Request{Path: path, Place: func(o Outcome) (string, error) { return "failed/x/liste.csv", nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if res.Outcome != Failed || res.Rejected != 1 || res.Applied != 0 || res.Valid() != 3000 {
		t.Fatalf("outcome %v, rejected %d, applied %d, valid %d", res.Outcome, res.Rejected, res.Applied, res.Valid())
	}
	if n := len(journal(t, st, "")); n != 0 {
		t.Fatalf("%d journal entries after a rejected file", n)
	}
	ims, err := st.RecentImports(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ims) != 1 || ims[0].Status != "failed" || ims[0].Rejected != 1 || ims[0].StoredAs != "failed/x/liste.csv" || !strings.Contains(ims[0].Error, "all-or-nothing") {
		t.Fatalf("import records: %+v", ims)
	}
}

// A dry run reports every change it would make and leaves no trace in the queue.
func TestDryRunChangesNothing(t *testing.T) {
	im, st, root := newImporter(t, "name: stok\n")
	first := csvFile(t, root, "ilk.csv", "Stok Kodu;Miktar;Fiyat", []string{"A;1;10,00", "B;2;20,00"})
	res, err := im.Import(context.Background(), Request{Path: first})
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	second := csvFile(t, root, "ikinci.csv", "Stok Kodu;Miktar;Fiyat", []string{"A;5;10,00", "B;2;25,50", "C;7;"})
	before := len(journal(t, st, ""))
	res, err = im.Import(context.Background(), Request{Path: second, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var got []string
	if err := res.EachChange(func(d queue.FieldDiff) error {
		got = append(got, fmt.Sprintf("%d %s %s %s->%s", d.Source.Row, d.SKU, d.Field, d.Old, d.New))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"2 A qty:default 1->5", "3 B price:default 20.00->25.50", "4 C qty:default ->7"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("dry-run changes:\n got %q\nwant %q", got, want)
	}
	if res.Applied != 3 || res.ImportID != 0 {
		t.Fatalf("applied %d, import id %d", res.Applied, res.ImportID)
	}
	if after := len(journal(t, st, "")); after != before {
		t.Fatalf("journal grew from %d to %d in a dry run", before, after)
	}
	if n := countImports(t, st, ""); n != 1 {
		t.Fatalf("%d import records, want only the first import's", n)
	}
}

// An import that is cancelled half-way (the agent stops) commits nothing at all, and
// leaves its staging folder clean.
func TestCancelledImportCommitsNothing(t *testing.T) {
	im, st, root := newImporter(t, "name: stok\n")
	var rows []string
	for i := 0; i < 50000; i++ {
		rows = append(rows, fmt.Sprintf("S%05d;%d", i, i))
	}
	path := csvFile(t, root, "büyük.csv", "Stok Kodu;Miktar", rows)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	// The store's rules run inside ApplyTx: cancelling from there stops the import in
	// the middle of its second chunk, after the first chunk was written.
	st.SetStores(map[string]queue.Rules{"ty": queue.RulesFunc(func(it *queue.Item) queue.Desired {
		if calls++; calls == 1500 {
			cancel()
		}
		return queue.Desired{}
	})})
	_, err := im.Import(ctx, Request{Path: path})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := len(journal(t, st, "")); n != 0 {
		t.Fatalf("%d journal entries after a cancelled import", n)
	}
	if n := countImports(t, st, ""); n != 0 {
		t.Fatalf("%d import records after a cancelled import", n)
	}
	left, _ := os.ReadDir(im.set.StagingDir)
	if len(left) != 0 {
		t.Fatalf("staging folder not empty: %v", left)
	}
}

// The queue's outbox gets the rows of a file for every active store, in the same
// transaction, and a second import of the same file makes nothing dirty again.
func TestImportFeedsStoreOutbox(t *testing.T) {
	im, st, root := newImporter(t, "name: stok\n")
	st.SetStores(map[string]queue.Rules{"ty": queue.RulesFunc(func(it *queue.Item) queue.Desired {
		q := it.Stock["default"]
		return queue.Desired{Qty: &q}
	})})
	path := csvFile(t, root, "stok.csv", "Stok Kodu;Miktar", []string{"A;1", "B;2", "C;3"})
	for i := 0; i < 2; i++ {
		res, err := im.Import(context.Background(), Request{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		res.Close()
		if want := []int{3, 0}[i]; res.Applied != want {
			t.Fatalf("import %d applied %d, want %d", i+1, res.Applied, want)
		}
	}
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := stats["ty"]; s == nil || s.Dirty != 3 {
		t.Fatalf("outbox of ty: %+v", s)
	}
}
