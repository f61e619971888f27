package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"syncagent/config"
	"syncagent/erpbridge/sqlpoll"
	"syncagent/queue"
)

// erpConfig writes an SQLite "ERP" with a stock table and a config whose source reads it.
func erpConfig(t *testing.T) (file, dir string, erp *sql.DB) {
	t.Helper()
	dir = t.TempDir()
	erpPath := filepath.Join(dir, "erp.db")
	erp, err := sql.Open("sqlite3", "file:"+erpPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { erp.Close() })
	if _, err := erp.Exec(`CREATE TABLE stok (kod TEXT, miktar TEXT, fiyat TEXT);
		INSERT INTO stok VALUES ('A', '3', '10.50'), ('B', '4', '20'), ('C', 'x', '1')`); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, "config.yaml")
	body := "log:\n  console: never\nsources:\n  sql:\n    - name: erp\n      driver: sqlite3\n      dsn: file:" + filepath.ToSlash(erpPath) +
		"?mode=ro\n      query: SELECT kod AS sku, miktar AS quantity, fiyat AS price FROM stok ORDER BY kod\n      warehouse: MERKEZ\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, dir, erp
}

func TestCheckSourceBeforeTheAgentEverRan(t *testing.T) {
	file, dir, _ := erpConfig(t)
	code, out, errs := runCLI(t, context.Background(), "check-source", "erp", "--config", file)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	for _, want := range []string{
		"ERP source erp: sqlite3, snapshot mode; warehouse \"MERKEZ\"",
		"every row counts as new",
		"columns: sku ← sku, quantity ← quantity, price ← price",
		"read 3 rows", "2 differ from the last reading", "1 rejected",
		`row 3 (SKU "C"): quantity "x" is not a number`,
		"nothing was saved",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !hasRow(out, "A", "qty:MERKEZ", "-", "→", "3") || !hasRow(out, "B", "price:default", "-", "→", "20.00") {
		t.Errorf("changes missing:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "syncagent.db")); !os.IsNotExist(err) {
		t.Errorf("check-source created the agent's database: %v", err)
	}
}

func TestCheckSourceComparesWithTheLastReadingAndSavesNothing(t *testing.T) {
	file, dir, erp := erpConfig(t)
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sqlpoll.New(cfg.Sources.SQL[0], st, sqlpoll.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Read(ctx); err != nil {
		t.Fatal(err)
	}
	p.Close()
	st.Close()
	if _, err := erp.Exec("UPDATE stok SET miktar = '9' WHERE kod = 'A'; DELETE FROM stok WHERE kod = 'B'"); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, context.Background(), "check-source", "--config", file, "erp", "--rows", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	for _, want := range []string{"compared with the last reading", "1 differ from the last reading", "1 rows disappeared"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !hasRow(out, "A", "qty:MERKEZ", "3", "→", "9") || !hasRow(out, "1", "A", "-", "MERKEZ", "9", "default", "10.50", "-", "-") || regexp.MustCompile(`(?m)^2\s+C\s`).MatchString(out) {
		t.Errorf("unexpected rows or changes (--rows 1):\n%s", out)
	}
	st = openQueue(t, dir)
	if r, err := st.LastReading(ctx, "erp"); err != nil || r.Gen != 1 || r.Rows != 2 {
		t.Fatalf("the dry run changed the snapshot: %+v %v", r, err)
	}

	code, out, _ = runCLI(t, context.Background(), "check-source", "erp", "--config", file, "--reset")
	if code != exitOK || !strings.Contains(out, "forgotten") {
		t.Fatalf("reset: %d %s", code, out)
	}
	if r, _ := st.LastReading(ctx, "erp"); r.Gen != 0 {
		t.Fatalf("reset left the reading: %+v", r)
	}
}

func TestCheckSourceErrors(t *testing.T) {
	file, _, erp := erpConfig(t)
	code, _, errs := runCLI(t, context.Background(), "check-source", "nope", "--config", file)
	if code != exitError || !strings.Contains(errs, `no ERP database source named "nope" (sources.sql: erp)`) {
		t.Errorf("unknown source: %d %s", code, errs)
	}
	if code, _, _ := runCLI(t, context.Background(), "check-source", "--config", file); code != exitUsage {
		t.Errorf("no name: exit %d", code)
	}
	if _, err := erp.Exec("DROP TABLE stok"); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI(t, context.Background(), "check-source", "erp", "--config", file)
	if code != exitError || !strings.Contains(errs, "no such table: stok (query error); nothing was saved") {
		t.Errorf("query error: %d %s", code, errs)
	}
}

// hasRow reports whether out has a line made of exactly these fields.
func hasRow(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.Join(strings.Fields(line), " ") == strings.Join(fields, " ") {
			return true
		}
	}
	return false
}
