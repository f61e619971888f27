package erpdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"syncagent/erpbridge/erpdb/erpdbtest"
)

// The errors of the PostgreSQL and MariaDB servers on the machine, provoked for real:
// what the driver returns is what Classify sees in production, wrapping and all.

// server is one test server and the SQL that differs between them.
type server struct {
	driver string
	open   func(t *testing.T) *sql.DB
	// lockTimeout makes the session give up a lock wait after a short time.
	lockTimeout string
	// backendID returns the id to kill the session by; kill kills it from another one.
	backendID, kill string
	// other opens a pool on the same server as another user or for another database.
	other func(t *testing.T, user, database string) *sql.DB
	// timeout makes the session end statements after a short time (MariaDB's variable;
	// MySQL calls it max_execution_time); sleep runs long.
	timeout, sleep string
}

var servers = []server{
	{
		driver: "postgres",
		open:   func(t *testing.T) *sql.DB { return erpdbtest.Open(t, "postgres") },
		// SET LOCAL would end with the statement's implicit transaction.
		lockTimeout: "SET lock_timeout = '200ms'",
		backendID:   "SELECT pg_backend_pid()",
		kill:        "SELECT pg_terminate_backend(%d)",
		other: func(t *testing.T, user, database string) *sql.DB {
			c, err := pgx.ParseConfig(erpdbtest.DSN("postgres"))
			if err != nil {
				t.Fatal(err)
			}
			if user != "" {
				c.User = user
			}
			if database != "" {
				c.Database = database
			}
			db := stdlib.OpenDB(*c)
			t.Cleanup(func() { db.Close() })
			return db
		},
		timeout: "SET statement_timeout = 200",
		sleep:   "SELECT pg_sleep(5)",
	},
	{
		driver:      "mysql",
		open:        func(t *testing.T) *sql.DB { return erpdbtest.Open(t, "mysql") },
		lockTimeout: "SET SESSION innodb_lock_wait_timeout = 1",
		backendID:   "SELECT CONNECTION_ID()",
		kill:        "KILL CONNECTION %d",
		other: func(t *testing.T, user, database string) *sql.DB {
			c, err := mysql.ParseDSN(erpdbtest.DSN("mysql"))
			if err != nil {
				t.Fatal(err)
			}
			if user != "" {
				c.User, c.Passwd = user, "wrong-"+user
			}
			if database != "" {
				c.DBName = database
			}
			db, err := sql.Open("mysql", c.FormatDSN())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		timeout: "SET SESSION max_statement_time = 0.2",
		sleep:   "SELECT SLEEP(5)",
	},
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

// table creates a table of two rows (id 1 and 2) under a name no other test uses, and
// drops it when the test ends.
func table(t *testing.T, db *sql.DB) string {
	t.Helper()
	name := fmt.Sprintf("erpdb_%s_%06d", unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_"), rand.IntN(1000000))
	if len(name) > 60 {
		name = name[:45] + name[len(name)-15:]
	}
	t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS " + name) })
	for _, q := range []string{"CREATE TABLE " + name + " (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)",
		"INSERT INTO " + name + " (id, v) VALUES (1, 0), (2, 0)"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return name
}

func wantKind(t *testing.T, what string, err error, want Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %v", what, want)
	}
	if got := Classify(err); got != want {
		t.Fatalf("%s: %v (%T) is %v, want %v", what, err, err, got, want)
	}
	t.Logf("%s: %v → %v", what, err, want)
}

func TestClassifyServerErrors(t *testing.T) {
	for _, s := range servers {
		t.Run(s.driver, func(t *testing.T) {
			t.Parallel()
			db := s.open(t)
			t.Run("deadlock", func(t *testing.T) { t.Parallel(); testDeadlock(t, db) })
			t.Run("lock timeout", func(t *testing.T) { t.Parallel(); testLockTimeout(t, s, db) })
			t.Run("statement timeout", func(t *testing.T) {
				t.Parallel()
				conn := session(t, s)
				if _, err := conn.ExecContext(context.Background(), s.timeout); err != nil {
					t.Fatal(err)
				}
				_, err := conn.ExecContext(context.Background(), s.sleep)
				wantKind(t, "a statement past the server's timeout", err, Timeout)
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				defer cancel()
				_, err = db.ExecContext(ctx, s.sleep)
				wantKind(t, "a statement past the caller's deadline", err, Timeout)
			})
			t.Run("unknown login", func(t *testing.T) {
				t.Parallel()
				wantKind(t, "an unknown user", s.other(t, "erpdb_nouser", "").Ping(), Config)
			})
			t.Run("unknown database", func(t *testing.T) {
				t.Parallel()
				wantKind(t, "an unknown database", s.other(t, "", "erpdb_nodb").Ping(), Config)
			})
			t.Run("unknown table and column, syntax, duplicate key", func(t *testing.T) {
				t.Parallel()
				tb := table(t, db)
				_, err := db.Exec("SELECT * FROM erpdb_missing_table")
				wantKind(t, "an unknown table", err, Rejected)
				_, err = db.Exec("SELECT missing_column FROM " + tb)
				wantKind(t, "an unknown column", err, Rejected)
				_, err = db.Exec("SELEKT 1")
				wantKind(t, "a syntax error", err, Rejected)
				_, err = db.Exec("INSERT INTO " + tb + " (id, v) VALUES (1, 0)")
				wantKind(t, "a duplicate key", err, Rejected)
				if !IsUniqueViolation(err) {
					t.Errorf("%v is a duplicate key", err)
				}
				_, err = db.Exec("INSERT INTO " + tb + " (id, v) VALUES (3, NULL)")
				wantKind(t, "a NOT NULL violation", err, Rejected)
				if IsUniqueViolation(err) {
					t.Errorf("%v is no duplicate key", err)
				}
			})
			t.Run("dropped connection", func(t *testing.T) {
				t.Parallel()
				conn := session(t, s)
				var id int64
				if err := conn.QueryRowContext(context.Background(), s.backendID).Scan(&id); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(fmt.Sprintf(s.kill, id)); err != nil {
					t.Fatal(err)
				}
				_, err := conn.ExecContext(context.Background(), "SELECT 1")
				wantKind(t, "a statement on a killed connection", err, Down)
			})
			t.Run("connection refused", func(t *testing.T) {
				t.Parallel()
				dsn := map[string]string{"postgres": "postgres://u@127.0.0.1:1/db?connect_timeout=2", "mysql": "u@tcp(127.0.0.1:1)/db?timeout=2s"}[s.driver]
				db, err := sql.Open(erpdbtest.DriverName(s.driver), dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				wantKind(t, "a closed port", db.Ping(), Down)
			})
		})
	}
}

// session is one connection of a pool of its own, for settings that must hold for the
// next statement and must not reach another test through a shared pool.
func session(t *testing.T, s server) *sql.Conn {
	t.Helper()
	conn, err := s.open(t).Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// testDeadlock: two transactions each lock one row, then each asks for the other's row.
// The server breaks the cycle by failing one of them; that one is Busy.
func testDeadlock(t *testing.T, db *sql.DB) {
	tb := table(t, db)
	ctx := context.Background()
	update := func(id int) string { return fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id = %d", tb, id) }
	var txs [2]*sql.Tx
	for i := range txs {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec(update(i + 1)); err != nil {
			t.Fatal(err)
		}
		txs[i] = tx
	}
	errs := make(chan error, 2)
	for i, tx := range txs {
		go func() {
			_, err := tx.Exec(update(2 - i)) // the other transaction's row
			if err != nil {
				tx.Rollback() // the victim lets the other one go on
			}
			errs <- err
		}()
	}
	var failed []error
	for range txs {
		if err := <-errs; err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("%d of the two transactions failed (%v); want the deadlock to fail one", len(failed), failed)
	}
	wantKind(t, "a deadlock", failed[0], Busy)
}

// testLockTimeout: a session waits for a row another transaction holds, longer than its
// lock timeout allows.
func testLockTimeout(t *testing.T, s server, db *sql.DB) {
	tb := table(t, db)
	holder, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec("UPDATE " + tb + " SET v = 1 WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	conn := session(t, s)
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, s.lockTimeout); err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(ctx, "UPDATE "+tb+" SET v = 2 WHERE id = 1")
	wantKind(t, "a lock wait past the lock timeout", err, Busy)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("the server, not the context, must end the wait")
	}
}
