package sqlpoll

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"syncagent/config"
	"syncagent/queue"
)

func (e *erp) text() string {
	if e.driver == "mysql" {
		return "VARCHAR(64)"
	}
	return "TEXT"
}

func (e *erp) float() string {
	switch e.driver {
	case "postgres":
		return "DOUBLE PRECISION"
	case "mysql":
		return "DOUBLE"
	}
	return "REAL"
}

// stockTable creates an ERP-like stock table: code, barcode, warehouse, quantity and an
// exact decimal price.
func stockTable(t *testing.T, e *erp) string {
	tb := e.table(t, "stk")
	e.exec(t, "CREATE TABLE "+tb+" (code "+e.text()+", barkod "+e.text()+", depo "+e.text()+", miktar INTEGER, fiyat "+e.decimal()+")")
	return tb
}

func TestSnapshotAppliesOnlyDifferences(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := b.open(t)
			tb := stockTable(t, e)
			e.exec(t, "INSERT INTO "+tb+" VALUES ('A', '8690000000011', 'W1', 5, '10.50'), ('B', NULL, 'W1', 3, '20'), ('C', '', 'W2', 7, '1.2345')")
			st := openStore(t)
			// Column names are matched case-insensitively and by their Turkish aliases.
			p := newPoller(t, source(e, "erp", "SELECT code AS SKU, barkod, depo, miktar, fiyat FROM "+tb), st, Options{Chunk: 2})
			j := &journalReader{st: st}

			res := mustRead(t, p)
			if res.Rows != 3 || res.Changed != 3 || res.Applied != 3 || res.Rejected != 0 || res.Snapshot != 3 {
				t.Fatalf("first reading: %+v", res)
			}
			equalLines(t, "first reading", j.next(t), []string{
				"A barcode →8690000000011", "A qty:W1 →5", "A price:default →10.50",
				"B qty:W1 →3", "B price:default →20.00",
				"C qty:W2 →7", "C price:default →1.23", // 1.2345 rounds to whole kuruş
			})

			res = mustRead(t, p)
			if res.Rows != 3 || res.Changed != 0 || res.Applied != 0 || res.Disappeared != 0 {
				t.Fatalf("unchanged reading: %+v", res)
			}
			equalLines(t, "unchanged reading", j.next(t), nil)

			e.exec(t, "UPDATE "+tb+" SET miktar = 4 WHERE code = 'A'")
			e.exec(t, "UPDATE "+tb+" SET fiyat = '19.99' WHERE code = 'B'")
			e.exec(t, "INSERT INTO "+tb+" VALUES ('D', NULL, 'W1', 1, '5')")
			e.exec(t, "DELETE FROM "+tb+" WHERE code = 'C'")
			res = mustRead(t, p)
			if res.Rows != 3 || res.Changed != 3 || res.Disappeared != 1 || res.Zeroed != 0 || res.Snapshot != 3 {
				t.Fatalf("third reading: %+v", res)
			}
			equalLines(t, "third reading (missing: ignore keeps C)", j.next(t), []string{
				"A qty:W1 5→4", "B price:default 20.00→19.99", "D qty:W1 →1", "D price:default →5.00",
			})

			// C comes back with its old values: new to the snapshot, known to the queue.
			e.exec(t, "INSERT INTO "+tb+" VALUES ('C', NULL, 'W2', 7, '1.23')")
			res = mustRead(t, p)
			if res.Changed != 1 || res.Applied != 0 || res.Snapshot != 4 {
				t.Fatalf("fourth reading: %+v", res)
			}
			equalLines(t, "fourth reading", j.next(t), nil)
		})
	}
}

func TestSnapshotMissingZero(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := b.open(t)
			tb := e.table(t, "pl")
			e.exec(t, "CREATE TABLE "+tb+" (sku "+e.text()+", pl "+e.text()+", qty INTEGER, price "+e.decimal()+")")
			e.exec(t, "INSERT INTO "+tb+" VALUES ('A', 'L1', 5, '10'), ('A', 'L2', 5, '11'), ('B', 'L1', 3, '20'), ('C', 'L1', 0, '30')")
			st := openStore(t)
			cfg := source(e, "erp", "SELECT sku, pl AS price_list, qty AS quantity, price FROM "+tb)
			cfg.Missing = config.MissingZero
			p := newPoller(t, cfg, st, Options{})
			j := &journalReader{st: st}
			mustRead(t, p)
			j.next(t)

			// A/L2 disappears but A's stock in MERKEZ is still given by A/L1: kept.
			// B disappears: its quantity goes to 0, its price stays.
			// C disappears with quantity 0 already: nothing to change.
			e.exec(t, "DELETE FROM "+tb+" WHERE (sku = 'A' AND pl = 'L2') OR sku IN ('B', 'C')")
			res := mustRead(t, p)
			if res.Disappeared != 3 || res.Zeroed != 1 || res.Snapshot != 1 {
				t.Fatalf("reading: %+v", res)
			}
			equalLines(t, "zeroed", j.next(t), []string{"B qty:MERKEZ 3→0"})

			// The next reading does not zero B again (it left the snapshot).
			res = mustRead(t, p)
			if res.Disappeared != 0 || res.Changed != 0 {
				t.Fatalf("reading after: %+v", res)
			}
			equalLines(t, "after", j.next(t), nil)

			// An empty result with missing: zero is refused: nothing changes.
			e.exec(t, "DELETE FROM "+tb)
			_, err := p.Read(context.Background())
			var pe *Error
			if !errors.As(err, &pe) || pe.Kind != KindRefused || !strings.Contains(err.Error(), "no usable rows") {
				t.Fatalf("empty result: %v", err)
			}
			equalLines(t, "refused", j.next(t), nil)
			if r, _ := st.LastReading(context.Background(), "erp"); r.Rows != 1 {
				t.Fatalf("refused reading changed the snapshot: %+v", r)
			}

			// With missing: ignore, the empty result is harmless and is taken.
			cfg.Missing = config.MissingIgnore
			p2 := newPoller(t, cfg, st, Options{})
			res = mustRead(t, p2)
			if res.Disappeared != 1 || res.Zeroed != 0 || res.Snapshot != 0 {
				t.Fatalf("ignore: %+v", res)
			}
			equalLines(t, "ignored", j.next(t), nil)
		})
	}
}

func TestSnapshotRejectsBadRowsAndContinues(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := b.open(t)
			tb := e.table(t, "bad")
			// Quantities as text and floats, prices as text: the ways an ERP view goes wrong.
			e.exec(t, "CREATE TABLE "+tb+" (n INTEGER, sku "+e.text()+", qtext "+e.text()+", qfloat "+e.float()+", ptext "+e.text()+")")
			e.exec(t, `INSERT INTO `+tb+` VALUES
				(1, 'OK1', '5', 5, '10.00'),
				(2, NULL, '1', 1, '1'),
				(3, '   ', '1', 1, '1'),
				(4, 'NAN', 'abc', 1, '1'),
				(5, 'NEG', '-3', 1, '1'),
				(6, 'FRAC', '1.5', 1, '1'),
				(7, 'BADP', '1', 1, '12,50'),
				(8, 'OK1', '6', 6, '10.00'),
				(9, 'FLT', '2', 4.9999999999, '0.1'),
				(10, 'FLTBAD', '2', 2.5, '1'),
				(11, 'OK2', '000', 0, '7.005')`)
			st := openStore(t)
			p := newPoller(t, source(e, "erp", "SELECT sku, qtext AS quantity, ptext AS price FROM "+tb+" ORDER BY n"), st, Options{Chunk: 3})
			j := &journalReader{st: st}
			res := mustRead(t, p)
			if res.Rows != 11 || res.Rejected != 7 || len(res.Rejects) != maxRejectExamples {
				t.Fatalf("text quantities: %+v", res)
			}
			wantReasons := []string{"row 2: the SKU (column sku) is empty", "row 3: the SKU (column sku) is empty",
				`row 4 (SKU "NAN"): quantity "abc" is not a number`, `row 5 (SKU "NEG"): quantity "-3" is negative`,
				`row 6 (SKU "FRAC"): quantity "1.5" is not a whole number`}
			for i, w := range wantReasons {
				if got := res.Rejects[i].String(); !strings.HasPrefix(got, w) {
					t.Errorf("reject %d: %q, want prefix %q", i, got, w)
				}
			}
			if sum := RejectSummary(res); !strings.Contains(sum, "7 rows of ERP source erp were rejected") || !strings.Contains(sum, "and 2 more") {
				t.Errorf("summary: %s", sum)
			}
			equalLines(t, "text quantities", j.next(t), []string{
				"OK1 qty:MERKEZ →5", "OK1 price:default →10.00",
				"FLT qty:MERKEZ →2", "FLT price:default →0.10",
				"FLTBAD qty:MERKEZ →2", "FLTBAD price:default →1.00",
				"OK2 qty:MERKEZ →0", "OK2 price:default →7.01", // half away from zero
			})

			// Float quantities: within 1e-6 of a whole number is that number; 2.5 is not.
			st2 := openStore(t)
			p2 := newPoller(t, source(e, "erp", "SELECT sku, qfloat AS qty FROM "+tb+" WHERE n IN (1, 9, 10)"), st2, Options{})
			res = mustRead(t, p2)
			if res.Rejected != 1 || !strings.Contains(res.Rejects[0].Reason, "quantity 2.5 is not a whole number") {
				t.Fatalf("float quantities: %+v", res)
			}
			equalLines(t, "float quantities", (&journalReader{st: st2}).next(t), []string{"OK1 qty:MERKEZ →5", "FLT qty:MERKEZ →5"})
		})
	}
}

func TestSnapshotBadRowKeepsItsKeyUnderMissingZero(t *testing.T) {
	e := liteERP(t)
	tb := e.table(t, "keep")
	e.exec(t, "CREATE TABLE "+tb+" (sku TEXT, qty TEXT)")
	e.exec(t, "INSERT INTO "+tb+" VALUES ('A', '5'), ('B', '2')")
	st := openStore(t)
	cfg := source(e, "erp", "SELECT sku, qty FROM "+tb)
	cfg.Missing = config.MissingZero
	p := newPoller(t, cfg, st, Options{})
	j := &journalReader{st: st}
	mustRead(t, p)
	j.next(t)
	e.exec(t, "UPDATE "+tb+" SET qty = 'x' WHERE sku = 'A'")
	res := mustRead(t, p)
	if res.Rejected != 1 || res.Disappeared != 0 {
		t.Fatalf("reading: %+v", res)
	}
	equalLines(t, "a bad row is not a disappeared row", j.next(t), nil)
	e.exec(t, "UPDATE "+tb+" SET qty = '4' WHERE sku = 'A'")
	mustRead(t, p)
	equalLines(t, "fixed row", j.next(t), []string{"A qty:MERKEZ 5→4"})
}

func TestSnapshotDuplicateKeysFirstRowWins(t *testing.T) {
	e := liteERP(t)
	tb := e.table(t, "dup")
	e.exec(t, "CREATE TABLE "+tb+" (n INTEGER, sku TEXT, qty INTEGER)")
	e.exec(t, "INSERT INTO "+tb+" VALUES (1, 'A', 5), (2, 'B', 1), (3, 'A', 9), (4, 'C', 1), (5, 'A', 7)")
	st := openStore(t)
	// Chunk 2 puts the duplicates in later chunks than the first row.
	p := newPoller(t, source(e, "erp", "SELECT sku, qty FROM "+tb+" ORDER BY n"), st, Options{Chunk: 2})
	res := mustRead(t, p)
	if res.Rejected != 2 || !strings.Contains(res.Rejects[0].Reason, "appears more than once") || res.Rejects[0].Row != 3 || res.Rejects[1].Row != 5 {
		t.Fatalf("duplicates: %+v", res)
	}
	equalLines(t, "first row wins", (&journalReader{st: st}).next(t), []string{"A qty:MERKEZ →5", "B qty:MERKEZ →1", "C qty:MERKEZ →1"})
}

func TestDryRunCommitsNothing(t *testing.T) {
	e := liteERP(t)
	tb := stockTable(t, e)
	e.exec(t, "INSERT INTO "+tb+" VALUES ('A', NULL, 'W1', 5, '10'), ('B', NULL, 'W1', 3, '20')")
	st := openStore(t)
	p := newPoller(t, source(e, "erp", "SELECT code AS sku, depo AS warehouse, miktar AS quantity, fiyat AS price, 1 AS extra FROM "+tb+" ORDER BY code"), st, Options{})
	mustRead(t, p)
	e.exec(t, "UPDATE "+tb+" SET miktar = 6 WHERE code = 'A'")
	e.exec(t, "DELETE FROM "+tb+" WHERE code = 'B'")
	res, err := p.DryRun(context.Background(), 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sample) != 1 || res.Sample[0].SKU != "A" || *res.Sample[0].Qty != 6 || res.Changed != 1 || res.Disappeared != 1 {
		t.Fatalf("dry run: %+v", res)
	}
	if res.DiffCount != 1 || res.Diffs[0].SKU != "A" || res.Diffs[0].Field != "qty:W1" || res.Diffs[0].Old != "5" || res.Diffs[0].New != "6" {
		t.Fatalf("diffs: %+v", res.Diffs)
	}
	if !strings.Contains(res.Columns, "quantity ← quantity") || !strings.Contains(res.Columns, "ignored: extra") {
		t.Errorf("columns: %s", res.Columns)
	}
	// Nothing was committed: a real reading finds the same change and the same disappearance.
	res = mustRead(t, p)
	if res.Changed != 1 || res.Applied != 1 || res.Disappeared != 1 {
		t.Fatalf("reading after the dry run: %+v", res)
	}
}

// TestSnapshotQuickComparison covers the quick comparison: an unchanged reading writes no
// snapshot row, a new key keeps the key tally right for the next reading, and a reading
// whose keys differ from the last one's in a way a count alone cannot see (a key missing
// and an unchanged key repeated in a later chunk) is compared again exactly: the repeat
// is rejected, the first row wins and the missing key is zeroed.
func TestSnapshotQuickComparison(t *testing.T) {
	e := liteERP(t)
	tb := e.table(t, "quick")
	e.exec(t, "CREATE TABLE "+tb+" (n INTEGER, sku TEXT, qty INTEGER)")
	e.exec(t, "INSERT INTO "+tb+" VALUES (1, 'A', 5), (2, 'B', 3), (3, 'C', 1)")
	dbPath := filepath.Join(t.TempDir(), "agent.db")
	st, err := queue.Open(context.Background(), dbPath, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	look, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { look.Close() })
	gens := func() string {
		t.Helper()
		rows, err := look.Query("SELECT sku, gen FROM sql_snapshot ORDER BY sku")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var sku string
			var gen int
			if err := rows.Scan(&sku, &gen); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s%d", sku, gen))
		}
		return strings.Join(out, " ")
	}
	cfg := source(e, "erp", "SELECT sku, qty FROM "+tb+" ORDER BY n")
	cfg.Missing = config.MissingZero
	p := newPoller(t, cfg, st, Options{Chunk: 2})
	j := &journalReader{st: st}

	if res := mustRead(t, p); res.Rechecked || res.Changed != 3 || res.Snapshot != 3 {
		t.Fatalf("first reading: %+v", res)
	}
	j.next(t)
	if res := mustRead(t, p); res.Rechecked || res.Changed != 0 || res.Disappeared != 0 || res.Snapshot != 3 {
		t.Fatalf("unchanged reading: %+v", res)
	}
	if g := gens(); g != "A1 B1 C1" {
		t.Fatalf("an unchanged reading rewrote snapshot rows: %s", g)
	}

	// A changed row and a new key are written with the reading's gen; the tally counts D.
	e.exec(t, "UPDATE "+tb+" SET qty = 6 WHERE sku = 'A'")
	e.exec(t, "INSERT INTO "+tb+" VALUES (4, 'D', 2)")
	if res := mustRead(t, p); res.Rechecked || res.Changed != 2 || res.Snapshot != 4 {
		t.Fatalf("reading with a change and a new key: %+v", res)
	}
	equalLines(t, "change and new key", j.next(t), []string{"A qty:MERKEZ 5→6", "D qty:MERKEZ →2"})
	if g := gens(); g != "A3 B1 C1 D3" {
		t.Fatalf("snapshot gens: %s", g)
	}
	if res := mustRead(t, p); res.Rechecked || res.Changed != 0 {
		t.Fatalf("the tally kept after a new key does not match the table: %+v", res)
	}

	// B disappears and C comes twice (as many rows as before): the hash sum differs,
	// the reading runs again exactly.
	e.exec(t, "DELETE FROM "+tb+" WHERE sku = 'B'")
	e.exec(t, "INSERT INTO "+tb+" VALUES (5, 'C', 9)")
	res := mustRead(t, p)
	if !res.Rechecked || res.Rejected != 1 || res.Rejects[0].Row != 4 || !strings.Contains(res.Rejects[0].Reason, "more than once") ||
		res.Disappeared != 1 || res.Zeroed != 1 || res.Changed != 0 || res.Snapshot != 3 {
		t.Fatalf("missing and repeated key: %+v", res)
	}
	equalLines(t, "first C row wins, B zeroed", j.next(t), []string{"B qty:MERKEZ 3→0"})
	if g := gens(); g != "A5 C5 D5" {
		t.Fatalf("the exact comparison marks every key: %s", g)
	}

	// After a reading that found keys gone, the next starts in exact mode (every key
	// marked, no second pass); finding none gone, it lets the one after be quick, whose
	// tally (recorded by the exact reading) matches.
	e.exec(t, "DELETE FROM "+tb+" WHERE n = 5")
	if res := mustRead(t, p); res.Rechecked || res.Changed != 0 || res.Disappeared != 0 {
		t.Fatalf("reading after the exact one: %+v", res)
	}
	if g := gens(); g != "A6 C6 D6" {
		t.Fatalf("the reading after keys disappeared starts exact: %s", g)
	}
	if res := mustRead(t, p); res.Rechecked || res.Changed != 0 || res.Disappeared != 0 {
		t.Fatalf("quick reading after an exact one: %+v", res)
	}
	if g := gens(); g != "A6 C6 D6" {
		t.Fatalf("quick again: %s", g)
	}

	// A repeat alone (nothing missing) is found too.
	e.exec(t, "INSERT INTO "+tb+" VALUES (5, 'A', 6)")
	if res := mustRead(t, p); !res.Rechecked || res.Rejected != 1 || res.Changed != 0 || res.Disappeared != 0 {
		t.Fatalf("a repeated unchanged key: %+v", res)
	}
	equalLines(t, "nothing changes", j.next(t), nil)

	// A reading record from before the key tally existed (keysum NULL) gets one exact
	// reading, which records the tally; the next is quick.
	e.exec(t, "DELETE FROM "+tb+" WHERE n = 5")
	mustRead(t, p)
	rw, err := sql.Open("sqlite3", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if _, err := rw.Exec("UPDATE sql_readings SET keysum = NULL"); err != nil {
		t.Fatal(err)
	}
	if res := mustRead(t, p); !res.Rechecked || res.Changed != 0 || res.Disappeared != 0 {
		t.Fatalf("a record without keysum: %+v", res)
	}
	before := gens()
	if res := mustRead(t, p); res.Rechecked || res.Changed != 0 {
		t.Fatalf("after the tally was recorded: %+v", res)
	}
	if g := gens(); g != before {
		t.Fatalf("not quick after the tally was recorded: %s, was %s", g, before)
	}
}
