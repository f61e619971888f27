package sqlpoll

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrorKind says what went wrong with a reading, and so what the status command shows.
type ErrorKind int

const (
	// KindDown: the database could not be reached, refused the login, or the connection
	// broke during the reading.
	KindDown ErrorKind = iota
	// KindTimeout: the query did not finish within the source's timeout.
	KindTimeout
	// KindQuery: the database rejected the query, or its result cannot feed the queue
	// (no SKU column, a change column of an unusable type).
	KindQuery
	// KindRefused: a safety check stopped the reading (an empty result with missing: zero).
	KindRefused
	// KindLocal: the agent's own database failed.
	KindLocal
)

// State is the health state recorded for the kind ("source:NAME" in the status command).
func (k ErrorKind) State() string {
	switch k {
	case KindDown:
		return "down"
	case KindTimeout:
		return "timed out"
	case KindQuery:
		return "query error"
	case KindRefused:
		return "refused"
	}
	return "local error"
}

// Error is a failed reading. Its message names the source and carries no secret (the DSN
// and its password are scrubbed from driver messages).
type Error struct {
	Source string
	Kind   ErrorKind
	Err    error
}

func (e *Error) Error() string {
	return "ERP source " + e.Source + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// classify tells a broken connection or a timeout from an error in the query itself,
// for an error that came from the ERP database after the connection was made.
func classify(err error) ErrorKind {
	if errors.Is(err, context.DeadlineExceeded) {
		return KindTimeout
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "57014": // query_canceled: statement_timeout
			return KindTimeout
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57P"): // connection exception, admin/crash shutdown
			return KindDown
		}
		return KindQuery
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 3024, 1969: // max_execution_time (MySQL), max_statement_time (MariaDB) exceeded
			return KindTimeout
		case 1053, 1317, 1927, 2006, 2013: // shutdown, interrupted, connection killed, gone away, lost
			return KindDown
		}
		return KindQuery
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, mysql.ErrInvalidConn) || pgconn.SafeToRetry(err) {
		return KindDown
	}
	if msg := err.Error(); strings.Contains(msg, "conn closed") || strings.Contains(msg, "connection reset") ||
		strings.Contains(msg, "broken pipe") || strings.Contains(msg, "bad connection") {
		return KindDown
	}
	return KindQuery
}
