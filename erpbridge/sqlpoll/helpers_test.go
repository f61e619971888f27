package sqlpoll

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"syncagent/config"
	"syncagent/erpbridge/erpdb/erpdbtest"
	"syncagent/queue"
)

// erp is an ERP-like test database: a real PostgreSQL or MariaDB server on the machine
// (erpdbtest's, which skips or under CI=true fails a test when it is down), or an SQLite
// file. Each test creates its own uniquely named tables, so packages that
// test in parallel against the same server never collide.
type erp struct {
	driver, dsn string
	db          *sql.DB
}

func pgERP(t testing.TB) *erp {
	return &erp{driver: "postgres", dsn: erpdbtest.DSN("postgres"), db: erpdbtest.Open(t, "postgres")}
}

func myERP(t testing.TB) *erp {
	return &erp{driver: "mysql", dsn: erpdbtest.DSN("mysql"), db: erpdbtest.Open(t, "mysql")}
}

func liteERP(t testing.TB) *erp {
	path := filepath.Join(t.TempDir(), "erp.db")
	dsn := "file:" + path + "?_busy_timeout=5000&_journal_mode=WAL"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &erp{driver: "sqlite3", dsn: dsn, db: db}
}

// backends are the three databases every behaviour test runs against.
var backends = []struct {
	name string
	open func(testing.TB) *erp
}{{"postgres", pgERP}, {"mariadb", myERP}, {"sqlite", liteERP}}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

// table returns a unique table name for this test and drops the table afterwards.
func (e *erp) table(t testing.TB, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("sp_%s_%s_%06d", prefix, unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), ""), rand.IntN(1000000))
	if len(name) > 60 {
		name = name[:45] + name[len(name)-15:]
	}
	t.Cleanup(func() { e.db.Exec("DROP TABLE IF EXISTS " + name) })
	return name
}

func (e *erp) exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := e.db.Exec(e.rebind(query), args...); err != nil {
		t.Fatalf("%s: %v\n%s", e.driver, err, query)
	}
}

// rebind turns ? placeholders into PostgreSQL's $n.
func (e *erp) rebind(q string) string {
	if e.driver != "postgres" {
		return q
	}
	n := 0
	return regexp.MustCompile(`\?`).ReplaceAllStringFunc(q, func(string) string { n++; return fmt.Sprintf("$%d", n) })
}

// decimal is the exact decimal type of each backend.
func (e *erp) decimal() string {
	if e.driver == "sqlite3" {
		return "TEXT"
	}
	return "NUMERIC(18,4)"
}

func openStore(t testing.TB) *queue.Store {
	t.Helper()
	s, err := queue.Open(context.Background(), filepath.Join(t.TempDir(), "agent.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func source(e *erp, name, query string) config.SQLSource {
	return config.SQLSource{Name: name, Driver: e.driver, DSN: config.NewSecret(e.dsn), Query: query, Mode: config.Snapshot,
		Schedule: "@every 1m", Warehouse: "MERKEZ", PriceList: "default", Missing: config.MissingIgnore, Timeout: config.Duration(30 * time.Second)}
}

func newPoller(t testing.TB, cfg config.SQLSource, st *queue.Store, opts Options) *Poller {
	t.Helper()
	p, err := New(cfg, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mustRead(t testing.TB, p *Poller) Result {
	t.Helper()
	res, err := p.Read(context.Background())
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return res
}

// journal returns the journal lines written since the last call, as "SKU field old→new",
// sorted, so a test can assert exactly which values a reading changed.
type journalReader struct {
	st   *queue.Store
	seen int
}

func (j *journalReader) next(t testing.TB) []string {
	t.Helper()
	all, err := j.st.Journal(context.Background(), "", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	// Journal is newest first.
	fresh := all[:len(all)-j.seen]
	j.seen = len(all)
	out := make([]string, 0, len(fresh))
	for _, e := range fresh {
		if e.Source.Kind != "sql" {
			t.Errorf("journal entry %+v has source kind %q", e, e.Source.Kind)
		}
		out = append(out, fmt.Sprintf("%s %s %s→%s", e.SKU, e.Field, e.Old, e.New))
	}
	sort.Strings(out)
	return out
}

func equalLines(t testing.TB, what string, got, want []string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}
