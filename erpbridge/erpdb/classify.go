package erpdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	mssql "github.com/microsoft/go-mssqldb"
)

// Kind is what an error from an ERP database means for the next attempt. The caller
// decides what to do (a source's reading, a sink's write); the kind only says which
// case it is.
type Kind int

const (
	// Rejected: the database refused the statement or its data (an unknown table or
	// column, a syntax error, a constraint, a value that does not fit). The same
	// statement fails again until the query, the schema or the data changes. Errors no
	// rule below knows are Rejected too.
	Rejected Kind = iota
	// Busy: a deadlock, a lock wait that timed out, a serialization failure. The same
	// statement will most likely pass when tried again soon.
	Busy
	// Timeout: the statement ran out of time (the caller's deadline or the server's
	// statement timeout).
	Timeout
	// Down: the server cannot be reached or is not serving: connection refused, lost or
	// reset, server shutting down, too many connections, out of resources. Try again
	// with backoff.
	Down
	// Config: the server refused who is asking: a failed login, an unknown database, a
	// missing grant. It passes only once the user fixes the DSN or the grants.
	Config
)

func (k Kind) String() string {
	switch k {
	case Busy:
		return "busy"
	case Timeout:
		return "timed out"
	case Down:
		return "down"
	case Config:
		return "login or permission refused"
	}
	return "rejected"
}

// Remedy is what the user has to do about an error of kind k, in words for a message;
// "" when waiting and trying again is the remedy.
func (k Kind) Remedy() string {
	if k == Config {
		return "check the user, password and database name in the DSN and the user's grants on the ERP database"
	}
	return ""
}

// Classify tells which Kind err is, for PostgreSQL (pgx), MySQL and MariaDB, SQL Server
// (go-mssqldb) and SQLite (go-sqlite3) errors and for the network errors under them.
func Classify(err error) Kind {
	if errors.Is(err, context.DeadlineExceeded) {
		return Timeout
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return postgresKind(pe.Code)
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return mysqlKind(me.Number)
	}
	var fatal mssql.ServerError
	if errors.As(err, &fatal) {
		return Down // a fatal error severs the connection, whatever its number
	}
	var se mssql.Error
	if errors.As(err, &se) {
		return sqlserverKind(se.Number)
	}
	if k, ok := sqliteKind(err); ok {
		return k
	}
	if lostConnection(err) {
		return Down
	}
	return Rejected
}

// postgresKind classifies a SQLSTATE (PostgreSQL manual, appendix A).
func postgresKind(code string) Kind {
	switch code {
	case "40001", "40P01", "55P03": // serialization failure, deadlock detected, lock not available (lock_timeout)
		return Busy
	case "57014": // query_canceled: statement_timeout
		return Timeout
	case "25P03": // idle_in_transaction_session_timeout: the server closed the session
		return Down
	case "3D000", "42501": // unknown database, insufficient privilege
		return Config
	}
	switch code[:min(2, len(code))] {
	case "08", "53", "57": // connection exception, insufficient resources (too many connections), operator intervention (shutdown, terminated)
		return Down
	case "28": // invalid authorization: login failed
		return Config
	}
	return Rejected
}

// mysqlKind classifies a MySQL or MariaDB server error number.
func mysqlKind(n uint16) Kind {
	switch n {
	case 1205, 1213, 3572: // lock wait timeout, deadlock, lock NOWAIT
		return Busy
	case 3024, 1969: // max_execution_time (MySQL), max_statement_time (MariaDB) exceeded
		return Timeout
	case 1040, 1203, 1053, 1077, 1079, 1080, 1152, 1184, 1317, 1927, 2006, 2013:
		// too many connections (server, user), shutdown in progress, normal shutdown, shutdown
		// complete, forcing close, aborted connection, aborted new connection, query
		// interrupted, connection killed, server gone away, lost connection
		return Down
	case 1044, 1045, 1049, 1129, 1130, 1142, 1143, 1227, 1251, 1370, 1698, 1820, 1862:
		// access denied to the database, login denied, unknown database, host blocked, host
		// not allowed, table / column / routine privilege missing, SUPER needed, auth plugin,
		// no password given, password expired (two forms)
		return Config
	}
	return Rejected
}

// sqlserverKind classifies a SQL Server error number.
func sqlserverKind(n int32) Kind {
	switch n {
	case 1205, 1222, 3960: // deadlock victim, lock request timeout, snapshot update conflict
		return Busy
	case 6005, 6006, 17809, 10928, 10929, 40501, 40613:
		// shutdown in progress, server shut down, too many connections, resource limits,
		// service busy, database unavailable (Azure SQL)
		return Down
	case 18456, 18452, 18486, 18487, 18488, 4060, 916, 229, 230, 262, 300:
		// login failed, untrusted domain, account locked, password expired or must change,
		// cannot open database, no access to the database, permission denied on an object,
		// a column, in the database, or on the server
		return Config
	}
	return Rejected
}

// lostConnection reports whether err is a connection that could not be made or broke.
func lostConnection(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, mysql.ErrInvalidConn) || pgconn.SafeToRetry(err) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	// Drivers that wrap the network error as text (go-mssqldb's dial errors, pgx's
	// "conn closed").
	msg := err.Error()
	for _, s := range []string{"connect", "conn closed", "connection reset", "broken pipe", "bad connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// IsUniqueViolation reports whether err is a duplicate key: PostgreSQL 23505, MySQL
// 1062, SQL Server 2627 and 2601, an SQLite UNIQUE or PRIMARY KEY constraint.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	var se mssql.Error
	if errors.As(err, &se) {
		return se.Number == 2627 || se.Number == 2601
	}
	return sqliteUnique(err)
}
