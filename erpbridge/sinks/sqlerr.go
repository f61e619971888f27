package sinks

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/msdsn"
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

// scrubber removes a DSN and the password inside it from text: drivers echo parts of the
// DSN in some errors, and an error message travels to the log and the status command.
type scrubber struct{ secrets []string }

var keyValuePassword = regexp.MustCompile(`(?i)(?:^|[;\s&?])\s*(?:password|pwd|passwd)\s*=\s*('(?:[^'\\]|\\.)*'|\{(?:[^}]|\}\})*\}|"[^"]*"|[^;\s&]*)`)

func newScrubber(drv, dsn string) *scrubber {
	set := map[string]bool{dsn: true}
	add := func(p string) {
		if p == "" {
			return
		}
		set[p] = true
		set[url.QueryEscape(p)] = true
		set[url.PathEscape(p)] = true
		set[url.UserPassword("u", p).String()[2:]] = true
	}
	switch drv {
	case "postgres":
		if c, err := pgx.ParseConfig(dsn); err == nil {
			add(c.Password)
		}
	case "mysql":
		if c, err := mysql.ParseDSN(dsn); err == nil {
			add(c.Passwd)
		}
	case "sqlserver":
		if c, err := msdsn.Parse(dsn); err == nil {
			add(c.Password)
		}
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		if u, err := url.Parse(dsn); err == nil && u.User != nil {
			p, _ := u.User.Password()
			add(p)
		}
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, p, ok := strings.Cut(rest[:at], ":"); ok {
				add(p)
				if up, err := url.PathUnescape(p); err == nil {
					add(up)
				}
			}
		}
	} else if at := strings.LastIndex(dsn, "@"); at >= 0 && drv == "mysql" {
		if _, p, ok := strings.Cut(dsn[:at], ":"); ok {
			add(p)
		}
	}
	for _, m := range keyValuePassword.FindAllStringSubmatch(dsn, -1) {
		add(m[1])
		if len(m[1]) >= 2 {
			add(m[1][1 : len(m[1])-1])
		}
	}
	s := &scrubber{}
	for k := range set {
		s.secrets = append(s.secrets, k)
	}
	sort.Slice(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
	return s
}

func (s *scrubber) scrub(text string) string {
	for _, p := range s.secrets {
		text = strings.ReplaceAll(text, p, "***")
	}
	return text
}

// scrubbedError carries a cleaned message; Unwrap keeps the driver's error for
// errors.Is/As, and only Error() is ever logged.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func (s *scrubber) clean(err error) error {
	if err == nil {
		return nil
	}
	return &scrubbedError{msg: s.scrub(err.Error()), err: err}
}
