package erpdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	mssql "github.com/microsoft/go-mssqldb"
)

// No SQL Server runs here: its errors are built from the documented numbers, the way
// go-mssqldb returns them (an mssql.Error value, wrapped by the caller's context).
func TestClassifySQLServer(t *testing.T) {
	for _, c := range []struct {
		number int32
		want   Kind
	}{
		{1205, Busy},      // chosen as deadlock victim
		{1222, Busy},      // lock request time out period exceeded
		{3960, Busy},      // snapshot isolation update conflict
		{18456, Config},   // login failed for user
		{4060, Config},    // cannot open database requested by the login
		{229, Config},     // the SELECT permission was denied on the object
		{208, Rejected},   // invalid object name
		{207, Rejected},   // invalid column name
		{102, Rejected},   // incorrect syntax
		{2627, Rejected},  // violation of PRIMARY KEY constraint
		{8152, Rejected},  // string or binary data would be truncated
		{6005, Down},      // SHUTDOWN is in progress
		{17809, Down},     // the maximum number of user connections has been reached
		{40613, Down},     // database not currently available (Azure SQL)
		{50000, Rejected}, // RAISERROR of a trigger
	} {
		err := fmt.Errorf("line statement, line 1: %w", mssql.Error{Number: c.number, Message: "x"})
		if got := Classify(err); got != c.want {
			t.Errorf("SQL Server error %d: %v, want %v", c.number, got, c.want)
		}
	}
	if got := Classify(fmt.Errorf("query: %w", mssql.ServerError{})); got != Down {
		t.Errorf("a fatal SQL Server error: %v, want down", got)
	}
	for _, n := range []int32{2627, 2601} {
		if !IsUniqueViolation(mssql.Error{Number: n}) {
			t.Errorf("SQL Server %d is a duplicate key", n)
		}
	}
	if IsUniqueViolation(mssql.Error{Number: 547}) {
		t.Error("a foreign key violation is no duplicate key")
	}
}

// The servers provoke most of their errors for real (classify_server_test.go); these
// are the ones a test cannot provoke on demand.
func TestClassifyCodesNotProvoked(t *testing.T) {
	for _, c := range []struct {
		err  error
		want Kind
	}{
		{&pgconn.PgError{Code: "53300"}, Down},   // too_many_connections
		{&pgconn.PgError{Code: "57P01"}, Down},   // admin_shutdown
		{&pgconn.PgError{Code: "57P03"}, Down},   // cannot_connect_now (starting up)
		{&pgconn.PgError{Code: "08006"}, Down},   // connection_failure
		{&pgconn.PgError{Code: "40001"}, Busy},   // serialization_failure
		{&pgconn.PgError{Code: "28P01"}, Config}, // invalid_password
		{&pgconn.PgError{Code: "42501"}, Config}, // insufficient_privilege
		{&pgconn.PgError{Code: "23503"}, Rejected},
		{&pgconn.PgError{Code: ""}, Rejected},
		{&mysql.MySQLError{Number: 1040}, Down}, // too many connections
		{&mysql.MySQLError{Number: 1053}, Down}, // server shutdown in progress
		{&mysql.MySQLError{Number: 3024}, Timeout},
		{&mysql.MySQLError{Number: 1142}, Config}, // INSERT command denied for table
		{&mysql.MySQLError{Number: 1406}, Rejected},
		{context.DeadlineExceeded, Timeout},
		{fmt.Errorf("query: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), Down},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), Down},
		{io.ErrUnexpectedEOF, Down},
		{driver.ErrBadConn, Down},
		{mysql.ErrInvalidConn, Down},
		{errors.New("unable to open tcp connection with host 'erp:1433': dial tcp: i/o timeout"), Down},
		{errors.New("converting argument $1 type: unsupported type"), Rejected},
	} {
		if got := Classify(c.err); got != c.want {
			t.Errorf("%v: %v, want %v", c.err, got, c.want)
		}
	}
}

func TestKindWords(t *testing.T) {
	for k, want := range map[Kind]string{Rejected: "rejected", Busy: "busy", Timeout: "timed out", Down: "down", Config: "login or permission refused"} {
		if k.String() != want {
			t.Errorf("%d: %q, want %q", k, k.String(), want)
		}
		if (k.Remedy() != "") != (k == Config) {
			t.Errorf("%v: remedy %q", k, k.Remedy())
		}
	}
}
