package sinks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib"  // registers "pgx"
	_ "github.com/mattn/go-sqlite3"     // registers "sqlite3"
	_ "github.com/microsoft/go-mssqldb" // registers "sqlserver"

	"syncagent/config"
	"syncagent/erpbridge/erpdb"
)

var driverNames = map[string]string{"postgres": "pgx", "mysql": "mysql", "sqlserver": "sqlserver", "sqlite3": "sqlite3"}

// SQLSink writes an order in one transaction of the ERP's database: the optional
// existence check, the header statement, one line statement per live line. Exactly once
// rests on the ERP: a unique key on (marketplace, order number) makes a second header
// insert fail, and that failure (or a row from the existence check) means the order is
// there already, so the transaction is rolled back and the write counts as done. Thus
// an order written just before the agent was killed, and not yet recorded as written,
// is found on the next attempt instead of being written twice.
//
// A cancellation runs the cancel statement once and cancel_line once per cancelled SKU,
// in one transaction; a duplicate key there means the export is in already (the sample
// schema keys cancellation rows by order and export number).
type SQLSink struct {
	name    string
	driver  string
	db      *sql.DB
	scrub   *erpdb.Scrubber
	timeout time.Duration

	exists, header, line, cancel, cancelLine *erpdb.Statement
}

var _ Sink = (*SQLSink)(nil)

// SQLOptions tune an SQL sink.
type SQLOptions struct {
	// MaxConns bounds the connections to the ERP (default 4): the agent writes that many
	// orders at once at most.
	MaxConns int
}

// NewSQL checks the sink's statements and opens its pool; it does not connect (a down
// ERP is a failed write, retried, never a start-up failure). Errors never echo the DSN.
func NewSQL(c config.SQLSink, opts SQLOptions) (*SQLSink, error) {
	name, ok := driverNames[c.Driver]
	if !ok {
		return nil, fmt.Errorf("sink %s: unknown driver %q (postgres, mysql, sqlserver or sqlite3)", c.Name, c.Driver)
	}
	dsn := c.DSN.Value()
	s := &SQLSink{name: c.Name, driver: c.Driver, scrub: erpdb.NewScrubber(c.Driver, dsn), timeout: c.Timeout.D()}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if c.Driver == "postgres" {
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return nil, fmt.Errorf("sink %s: the dsn cannot be read: %w", c.Name, s.scrub.Clean(err))
		}
	}
	head := nameSet(HeaderParams)
	headLine := nameSet(HeaderParams, LineParams)
	cancel := nameSet(HeaderParams, CancelParams)
	cancelLine := nameSet(HeaderParams, CancelParams, LineParams)
	for _, st := range []struct {
		key, text string
		allowed   map[string]bool
		dst       **erpdb.Statement
		required  bool
	}{
		{"exists", c.Exists, head, &s.exists, false}, {"header", c.Header, head, &s.header, true},
		{"line", c.Line, headLine, &s.line, true}, {"cancel", c.Cancel, cancel, &s.cancel, false},
		{"cancel_line", c.CancelLine, cancelLine, &s.cancelLine, false},
	} {
		if st.text == "" {
			if st.required {
				return nil, fmt.Errorf("sink %s: the %s statement is required", c.Name, st.key)
			}
			continue
		}
		b, err := bind(c.Driver, st.text, st.allowed)
		if err != nil {
			return nil, fmt.Errorf("sink %s, %s statement: %w", c.Name, st.key, err)
		}
		*st.dst = &b
	}
	db, err := sql.Open(name, dsn)
	if err != nil {
		return nil, fmt.Errorf("sink %s: the dsn cannot be read: %w", c.Name, s.scrub.Clean(err))
	}
	n := opts.MaxConns
	if n <= 0 {
		n = 4
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)
	s.db = db
	return s, nil
}

// Name implements Sink.
func (s *SQLSink) Name() string { return s.name }

// Close implements Sink.
func (s *SQLSink) Close() error { return s.db.Close() }

// errAlready ends a transaction that found its work done.
var errAlready = errors.New("already in the ERP")

// Write implements Sink.
func (s *SQLSink) Write(ctx context.Context, j *Job) (Outcome, error) {
	if j.Cancel != nil && s.cancel == nil && s.cancelLine == nil {
		return NotExported, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.fail(j, err)
	}
	if j.Cancel != nil {
		err = s.writeCancel(ctx, tx, j)
	} else {
		err = s.writeOrder(ctx, tx, j)
	}
	if err != nil {
		_ = tx.Rollback()
		if errors.Is(err, errAlready) {
			return AlreadyThere, nil
		}
		return 0, s.fail(j, err)
	}
	if err := tx.Commit(); err != nil {
		// A commit that failed may still have reached the ERP (the answer was lost); the
		// retry finds it through the unique key.
		return 0, s.fail(j, err)
	}
	return Written, nil
}

func (s *SQLSink) writeOrder(ctx context.Context, tx *sql.Tx, j *Job) error {
	head := headerParams(j)
	if s.exists != nil {
		rows, err := tx.QueryContext(ctx, s.exists.Text, args(s.exists, head)...)
		if err != nil {
			return fmt.Errorf("exists statement: %w", err)
		}
		found := rows.Next()
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("exists statement: %w", err)
		}
		if found {
			return errAlready
		}
	}
	if _, err := tx.ExecContext(ctx, s.header.Text, args(s.header, head)...); err != nil {
		if erpdb.IsUniqueViolation(err) {
			return errAlready
		}
		return fmt.Errorf("header statement: %w", err)
	}
	for i, lp := range lines(j) {
		if _, err := tx.ExecContext(ctx, s.line.Text, args(s.line, head, lp)...); err != nil {
			return fmt.Errorf("line statement, line %d: %w", i+1, err)
		}
	}
	return nil
}

func (s *SQLSink) writeCancel(ctx context.Context, tx *sql.Tx, j *Job) error {
	head := headerParams(j)
	if s.cancel != nil {
		if _, err := tx.ExecContext(ctx, s.cancel.Text, args(s.cancel, head)...); err != nil {
			if erpdb.IsUniqueViolation(err) {
				return errAlready
			}
			return fmt.Errorf("cancel statement: %w", err)
		}
	}
	if s.cancelLine != nil {
		for i, lp := range lines(j) {
			if _, err := tx.ExecContext(ctx, s.cancelLine.Text, args(s.cancelLine, head, lp)...); err != nil {
				if erpdb.IsUniqueViolation(err) {
					return errAlready
				}
				return fmt.Errorf("cancel_line statement, line %d: %w", i+1, err)
			}
		}
	}
	return nil
}

func (s *SQLSink) fail(j *Job, err error) error {
	k := erpdb.Classify(err)
	if r := k.Remedy(); r != "" {
		err = fmt.Errorf("%w; %s", err, r)
	}
	return &Error{Sink: s.name, Kind: writeKind(k), Order: j.Order.Number, Err: s.scrub.Clean(err)}
}

// writeKind is the kind of a failed write from the database's classification: a
// timeout is a busy ERP (the next attempt likely passes), a refused login or grant an
// unreachable one (it passes once the DSN or the grants are fixed).
func writeKind(k erpdb.Kind) Kind {
	switch k {
	case erpdb.Busy, erpdb.Timeout:
		return Busy
	case erpdb.Down, erpdb.Config:
		return Down
	}
	return Rejected
}
