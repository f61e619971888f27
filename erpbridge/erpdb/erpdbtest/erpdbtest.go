// Package erpdbtest opens the ERP test databases of the erpbridge tests: the PostgreSQL
// and MariaDB servers on the machine, at the DSNs in SYNCAGENT_TEST_PG and
// SYNCAGENT_TEST_MYSQL or the defaults below. A server that cannot be reached skips the
// test, except under CI=true, where the servers are part of the contract and a skip
// would hide a failure.
package erpdbtest

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// Default DSNs of the servers on the machine.
const (
	DefaultPG    = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultMySQL = "root@tcp(127.0.0.1:3306)/test"
)

// envNames are the variables that override the defaults.
var envNames = map[string]string{"postgres": "SYNCAGENT_TEST_PG", "mysql": "SYNCAGENT_TEST_MYSQL"}

// DSN is the test server's DSN for driver ("postgres" or "mysql").
func DSN(driver string) string {
	if v := os.Getenv(envNames[driver]); v != "" {
		return v
	}
	if driver == "postgres" {
		return DefaultPG
	}
	return DefaultMySQL
}

// DriverName is the database/sql name of a config driver name.
func DriverName(driver string) string {
	if driver == "postgres" {
		return "pgx"
	}
	return driver
}

// Open connects to driver's test server at DSN(driver) and closes the pool when the
// test ends.
func Open(t testing.TB, driver string) *sql.DB {
	t.Helper()
	return OpenDSN(t, driver, DSN(driver))
}

// OpenDSN is Open for another DSN of the same server (another user, options).
func OpenDSN(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(DriverName(driver), dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("the %s test database is not reachable (%v); under CI=true it must be", driver, err)
		}
		t.Skipf("the %s test database is not reachable (%v); start it or set %s to its DSN", driver, err, envNames[driver])
	}
	t.Cleanup(func() { db.Close() })
	return db
}
