package sqlpoll

import (
	"context"
	"errors"
	"strings"
	"testing"

	"syncagent/config"
)

// changeTypes are the change-column types incremental mode handles, per backend, with
// three growing values written as SQL literals.
var changeTypes = []struct {
	backend, name, colType string
	v                      [3]string
	wantMark               string // the stored mark's prefix after the second value
}{
	{"postgres", "bigint", "BIGINT", [3]string{"101", "102", "5000000000"}, "int:102"},
	{"postgres", "timestamp", "TIMESTAMP(6)", [3]string{"'2026-01-01 10:00:00.5'", "'2026-01-01 10:00:01.25'", "'2026-01-02 00:00:00.000007'"}, "time:2026-01-01T10:00:01.25Z"},
	{"postgres", "timestamptz", "TIMESTAMPTZ", [3]string{"'2026-01-01 10:00:00+03'", "'2026-01-01 10:00:00+00'", "'2026-01-01 10:00:00.000001+00'"}, "time:2026-01-01T10:00:00Z"},
	{"postgres", "bytea rowversion", "BYTEA", [3]string{`'\x00000000000007d1'`, `'\x00000000000007d2'`, `'\x0000000000010000'`}, "bytes:00000000000007d2"},
	{"mariadb", "bigint", "BIGINT", [3]string{"101", "102", "5000000000"}, "int:102"},
	{"mariadb", "datetime", "DATETIME(6)", [3]string{"'2026-01-01 10:00:00.5'", "'2026-01-01 10:00:01.25'", "'2026-01-02 00:00:00.000007'"}, "time:2026-01-01T10:00:01.25Z"},
	{"mariadb", "binary rowversion", "BINARY(8)", [3]string{"X'00000000000007D1'", "X'00000000000007D2'", "X'0000000000010000'"}, "bytes:00000000000007d2"},
	{"sqlite", "integer", "INTEGER", [3]string{"101", "102", "5000000000"}, "int:102"},
	{"sqlite", "datetime", "DATETIME", [3]string{"'2026-01-01 10:00:00.5'", "'2026-01-01 10:00:01.25'", "'2026-01-02 00:00:00.000007'"}, "time:2026-01-01T10:00:01.25Z"},
	{"sqlite", "blob rowversion", "BLOB", [3]string{"X'00000000000007D1'", "X'00000000000007D2'", "X'0000000000010000'"}, "bytes:00000000000007d2"},
}

func openBackend(t *testing.T, name string) *erp {
	for _, b := range backends {
		if b.name == name {
			return b.open(t)
		}
	}
	t.Fatalf("no backend %s", name)
	return nil
}

func TestIncrementalEachChangeColumnType(t *testing.T) {
	for _, ct := range changeTypes {
		t.Run(ct.backend+"/"+ct.name, func(t *testing.T) {
			e := openBackend(t, ct.backend)
			tb := e.table(t, "inc")
			e.exec(t, "CREATE TABLE "+tb+" (sku "+e.text()+", qty INTEGER, price "+e.decimal()+", rv "+ct.colType+")")
			e.exec(t, "INSERT INTO "+tb+" VALUES ('A', 5, '10', "+ct.v[0]+"), ('B', 3, '20', "+ct.v[1]+"), ('N', 1, '1', NULL)")
			st := openStore(t)
			cfg := source(e, "erp", "SELECT sku, qty, price, rv FROM "+tb+" WHERE rv > :since OR rv IS NULL")
			cfg.Mode, cfg.ChangeColumn = config.Incremental, "RV"
			p := newPoller(t, cfg, st, Options{Chunk: 2})
			j := &journalReader{st: st}

			res := mustRead(t, p)
			if res.Rows != 3 || res.Changed != 3 || res.Applied != 3 {
				t.Fatalf("first reading: %+v", res)
			}
			equalLines(t, "first reading", j.next(t), []string{"A qty:MERKEZ →5", "A price:default →10.00", "B qty:MERKEZ →3", "B price:default →20.00",
				"N qty:MERKEZ →1", "N price:default →1.00"})
			mark, _, err := st.Cursor(context.Background(), "sqlpoll:erp:mark")
			if err != nil || !strings.HasPrefix(mark, ct.wantMark) {
				t.Fatalf("stored mark %q (%v), want %s…", mark, err, ct.wantMark)
			}

			// Only A changes, to a value past the mark; the NULL row comes back and changes nothing.
			e.exec(t, "UPDATE "+tb+" SET qty = 4, rv = "+ct.v[2]+" WHERE sku = 'A'")
			e.exec(t, "UPDATE "+tb+" SET qty = 9 WHERE sku = 'B'") // rv not moved: not seen, by design
			res = mustRead(t, p)
			if res.Rows != 2 || res.Applied != 1 {
				t.Fatalf("second reading: %+v", res)
			}
			equalLines(t, "second reading", j.next(t), []string{"A qty:MERKEZ 5→4"})

			res = mustRead(t, p)
			if res.Rows != 1 || res.Applied != 0 {
				t.Fatalf("third reading: %+v", res)
			}
			after, _, _ := st.Cursor(context.Background(), "sqlpoll:erp:mark")
			if after == mark {
				t.Fatalf("mark did not move past %s", mark)
			}
		})
	}
}

func TestIncrementalRereadsBoundaryWithGreaterOrEqual(t *testing.T) {
	e := pgERP(t)
	tb := e.table(t, "ge")
	e.exec(t, "CREATE TABLE "+tb+" (sku TEXT, qty INTEGER, updated_at TIMESTAMP)")
	e.exec(t, "INSERT INTO "+tb+" VALUES ('A', 5, '2026-01-01 10:00'), ('B', 3, '2026-01-01 11:00')")
	st := openStore(t)
	cfg := source(e, "erp", "SELECT sku, qty, updated_at FROM "+tb+" WHERE updated_at >= :since AND :since IS NOT NULL")
	cfg.Mode, cfg.ChangeColumn = config.Incremental, "updated_at"
	p := newPoller(t, cfg, st, Options{})
	j := &journalReader{st: st}
	mustRead(t, p)
	j.next(t)
	// A row committed late with the same timestamp as the mark is still caught by >=.
	e.exec(t, "INSERT INTO "+tb+" VALUES ('C', 1, '2026-01-01 11:00')")
	res := mustRead(t, p)
	if res.Rows != 2 || res.Applied != 1 || res.Mark != "2026-01-01T11:00:00Z" {
		t.Fatalf("reading: %+v", res)
	}
	equalLines(t, "boundary", j.next(t), []string{"C qty:MERKEZ →1"})
}

func TestIncrementalMarkTypeChangeNeedsReset(t *testing.T) {
	e := liteERP(t)
	tb := e.table(t, "tc")
	e.exec(t, "CREATE TABLE "+tb+" (sku TEXT, qty INTEGER, ver INTEGER, changed DATETIME)")
	e.exec(t, "INSERT INTO "+tb+" VALUES ('A', 5, 7, '2026-01-01 10:00:00')")
	st := openStore(t)
	cfg := source(e, "erp", "SELECT sku, qty, ver AS chg FROM "+tb+" WHERE ver > :since")
	cfg.Mode, cfg.ChangeColumn = config.Incremental, "chg"
	mustRead(t, newPoller(t, cfg, st, Options{}))

	cfg.Query = "SELECT sku, qty, changed AS chg FROM " + tb + " WHERE changed > :since"
	p := newPoller(t, cfg, st, Options{})
	_, err := p.Read(context.Background())
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != KindQuery || !strings.Contains(err.Error(), "check-source erp --reset") {
		t.Fatalf("type change: %v", err)
	}
	if err := p.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := mustRead(t, p)
	if res.Rows != 1 || res.Mark != "2026-01-01T10:00:00Z" {
		t.Fatalf("after reset: %+v", res)
	}
}

func TestIncrementalSettingsAreChecked(t *testing.T) {
	e := liteERP(t)
	st := openStore(t)
	cfg := source(e, "erp", "SELECT sku, qty, ver FROM t")
	cfg.Mode, cfg.ChangeColumn = config.Incremental, "ver"
	if _, err := New(cfg, st, Options{}); err == nil || !strings.Contains(err.Error(), "needs :since") {
		t.Errorf("no :since: %v", err)
	}
	cfg.Mode = config.Snapshot
	cfg.Query = "SELECT sku, qty FROM t WHERE ver > :since"
	if _, err := New(cfg, st, Options{}); err == nil || !strings.Contains(err.Error(), "only incremental mode") {
		t.Errorf(":since in snapshot mode: %v", err)
	}
	cfg.Mode, cfg.ChangeColumn = config.Incremental, ""
	if _, err := New(cfg, st, Options{}); err == nil || !strings.Contains(err.Error(), "change_column") {
		t.Errorf("no change column: %v", err)
	}
}
