// Package sinktest gives tests a real ERP database holding the sample order schema of
// testdata/erp (PostgreSQL and MariaDB on the machine, or an SQLite file), under table
// names of their own, and the sample SQL sink configured for it.
//
// The servers are erpdbtest's: SYNCAGENT_TEST_PG and SYNCAGENT_TEST_MYSQL override their
// DSNs, and a server that cannot be reached skips the test, except under CI=true, where
// it fails it.
package sinktest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"

	"syncagent/config"
	"syncagent/erpbridge/erpdb/erpdbtest"
)

// ERP is one test's sample ERP schema.
type ERP struct {
	Driver, DSN string
	Prefix      string // prepended to every table name of the schema
	DB          *sql.DB
}

// Dir is testdata/erp of the module.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "erp")
}

// Open creates the sample schema for driver (postgres, mysql or sqlite3) under fresh
// table names and drops it when the test ends.
func Open(t testing.TB, driver string) *ERP {
	t.Helper()
	e := &ERP{Driver: driver, Prefix: "t" + randHex(4) + "_"}
	file := map[string]string{"postgres": "postgres.sql", "mysql": "mysql.sql", "sqlite3": "sqlite.sql"}[driver]
	switch driver {
	case "postgres", "mysql":
		e.DSN, e.DB = erpdbtest.DSN(driver), erpdbtest.Open(t, driver)
	case "sqlite3":
		e.DSN = "file:" + filepath.ToSlash(filepath.Join(t.TempDir(), "erp.db")) + "?_busy_timeout=5000&_txlock=immediate"
		db, err := sql.Open("sqlite3", e.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		e.DB = db
	default:
		t.Fatalf("sinktest: unknown driver %q", driver)
	}
	db := e.DB
	schema, err := os.ReadFile(filepath.Join(Dir(), file))
	if err != nil {
		t.Fatal(err)
	}
	tables := []string{"erp_order_cancellations", "erp_order_lines", "erp_orders"}
	t.Cleanup(func() {
		for _, tb := range tables {
			db.Exec("DROP TABLE IF EXISTS " + e.Prefix + tb)
		}
	})
	for _, stmt := range strings.Split(e.prefixed(string(schema)), ";") {
		if stmt = stripComments(stmt); stmt == "" {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("sample schema: %v\n%s", err, stmt)
		}
	}
	return e
}

func stripComments(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, "--"); i >= 0 {
			l = l[:i]
		}
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func (e *ERP) prefixed(s string) string { return strings.ReplaceAll(s, "erp_", e.Prefix+"erp_") }

// Table is the test's name of a sample table ("erp_orders").
func (e *ERP) Table(name string) string { return e.Prefix + name }

// Sink returns the sample sink of testdata/erp/sink.yaml for this database, named name.
func (e *ERP) Sink(t testing.TB, name string) config.SQLSink {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(Dir(), "sink.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(e.prefixed(string(data))), filepath.Join(Dir(), "sink.yaml"), func(k string) (string, bool) {
		return e.DSN, k == "ERP_ORDERS_DSN"
	})
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Sinks.SQL[0]
	s.Name, s.Driver, s.DSN = name, e.Driver, config.NewSecret(e.DSN)
	return s
}

// Written returns how many header rows each order number has in the ERP.
func (e *ERP) Written(t testing.TB) map[string]int {
	t.Helper()
	rows, err := e.DB.Query("SELECT order_number, COUNT(*) FROM " + e.Table("erp_orders") + " GROUP BY order_number")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var n string
		var c int
		if err := rows.Scan(&n, &c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// Count returns the rows of a sample table.
func (e *ERP) Count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow("SELECT COUNT(*) FROM " + e.Table(table)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
