package sqlpoll

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib"  // registers "pgx"
	_ "github.com/mattn/go-sqlite3"     // registers "sqlite3"
	_ "github.com/microsoft/go-mssqldb" // registers "sqlserver"
)

// driverNames maps the config's driver names to database/sql driver names.
var driverNames = map[string]string{
	"postgres":  "pgx",
	"mysql":     "mysql",
	"sqlserver": "sqlserver",
	"sqlite3":   "sqlite3",
}

// Pool limits: one connection per source (a reading is one query), kept between readings
// that come often and closed when they do not, so the ERP sees one idle session at most.
const (
	maxIdleTime = 5 * time.Minute
	maxLifetime = 30 * time.Minute
)

// openPool validates the DSN (sql.Open parses it for every driver here, without
// connecting) and returns a pool limited to one connection.
func openPool(driver, dsn string) (*sql.DB, error) {
	name, ok := driverNames[driver]
	if !ok {
		return nil, fmt.Errorf("unknown driver %q (postgres, mysql, sqlserver or sqlite3)", driver)
	}
	if driver == "postgres" {
		// pgx parses the DSN only when it connects; parse it now so a mistyped DSN is a
		// start-up error, not a "down" database.
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open(name, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(maxIdleTime)
	db.SetConnMaxLifetime(maxLifetime)
	return db, nil
}

// mysqlTimeoutVar remembers which timeout variable the server understood: MySQL has
// max_execution_time (ms, SELECT only), MariaDB max_statement_time (seconds).
type mysqlTimeoutVar struct{ v atomic.Int32 } // 0 unknown, 1 MySQL, 2 MariaDB, 3 neither

// begin opens the ERP side of one reading: a read-only transaction where the driver
// allows it, with the statement timeout set both through the context (by the caller) and,
// where the server has one, through its own setting, so a query abandoned by a dead
// client still ends on the server. Errors here mean the database is unreachable or
// refuses the login. The transaction only ever reads: callers end it with Rollback.
func begin(ctx context.Context, db *sql.DB, driver, app string, timeout time.Duration, my *mysqlTimeoutVar) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	switch driver {
	case "mysql":
		// A plain SELECT in InnoDB takes no locks at any level; READ COMMITTED keeps the
		// read view to the one statement.
		opts.Isolation = sql.LevelReadCommitted
	case "sqlserver":
		// go-mssqldb refuses ReadOnly; the agent's login should be read-only instead
		// (docs/sqlpoll.md). READ COMMITTED releases each shared lock as soon as the row
		// is read, and the transaction ends with the reading, so no lock outlives it.
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	case "sqlite3":
		opts = nil // the driver ignores ReadOnly; query_only below enforces it
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	ms := timeout.Milliseconds()
	var setup []string
	switch driver {
	case "postgres":
		setup = []string{fmt.Sprintf("SET LOCAL statement_timeout = %d", ms)}
		if _, err := tx.ExecContext(ctx, "SELECT set_config('application_name', $1, true)", app); err != nil {
			tx.Rollback()
			return nil, err
		}
	case "mysql":
		if err := setMySQLTimeout(ctx, tx, ms, my); err != nil {
			tx.Rollback()
			return nil, err
		}
	case "sqlserver":
		setup = []string{fmt.Sprintf("SET LOCK_TIMEOUT %d", ms)}
	case "sqlite3":
		setup = []string{"PRAGMA query_only = 1"}
	}
	for _, q := range setup {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return tx, nil
}

func setMySQLTimeout(ctx context.Context, tx *sql.Tx, ms int64, my *mysqlTimeoutVar) error {
	try := func(kind int32) error {
		var q string
		switch kind {
		case 1:
			q = fmt.Sprintf("SET SESSION max_execution_time = %d", ms)
		case 2:
			q = fmt.Sprintf("SET SESSION max_statement_time = %d.%03d", ms/1000, ms%1000)
		default:
			return nil
		}
		_, err := tx.ExecContext(ctx, q)
		return err
	}
	if k := my.v.Load(); k != 0 {
		return try(k)
	}
	for _, k := range []int32{1, 2} {
		err := try(k)
		if err == nil {
			my.v.Store(k)
			return nil
		}
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 1193 { // 1193: unknown system variable
			return err
		}
	}
	// An old server with neither: the context deadline alone ends the reading.
	my.v.Store(3)
	return nil
}
