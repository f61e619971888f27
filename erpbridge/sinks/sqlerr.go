package sinks

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	mssql "github.com/microsoft/go-mssqldb"
)

// uniqueViolation reports whether err is a duplicate key: PostgreSQL 23505, MySQL
// 1062, SQL Server 2627/2601, SQLite UNIQUE/PRIMARY KEY constraints. On the header
// statement it means the order is in the ERP already.
func uniqueViolation(err error) bool {
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
	if dup, ok := sqliteUnique(err); ok {
		return dup
	}
	return false
}

// classify tells an ERP that is down from one that is busy (try again soon) from one that
// refuses the data.
func classify(err error) Kind {
	if errors.Is(err, context.DeadlineExceeded) {
		return Busy
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "40001", pe.Code == "40P01", pe.Code == "55P03", pe.Code == "57014": // serialization, deadlock, lock not available, statement timeout
			return Busy
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57P"), strings.HasPrefix(pe.Code, "28"), pe.Code == "3D000":
			return Down // connection, shutdown, login, no such database
		}
		return Rejected
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1205, 1213, 3024, 1969: // lock wait timeout, deadlock, statement time limits
			return Busy
		case 1040, 1045, 1049, 1053, 1317, 1927, 2006, 2013: // too many connections, login, no database, shutdown, lost
			return Down
		}
		return Rejected
	}
	var se mssql.Error
	if errors.As(err, &se) {
		switch se.Number {
		case 1205, 1222: // deadlock victim, lock request timeout
			return Busy
		case 18456, 4060: // login failed, cannot open database
			return Down
		}
		return Rejected
	}
	if k, ok := sqliteKind(err); ok {
		return k
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, mysql.ErrInvalidConn) {
		return Down
	}
	if msg := err.Error(); strings.Contains(msg, "connect") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe") {
		return Down
	}
	return Rejected
}
