// Package queue is the agent's SQLite store: the ERP's view of every item, the per-store
// outbox of desired versus confirmed values, dead letters, the change journal, import
// records, the order inbox, cursors and component health.
//
// One writer connection serialises all writes (SQLite allows one writer anyway, and
// _txlock=immediate makes a transaction take the write lock at BEGIN so busy_timeout
// applies); readers use a separate pool. Every setting is in the DSN so that every
// connection the pool opens gets it. synchronous=FULL: a committed change survives a
// power cut, which is the first promise.
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"
)

// Options configure a Store.
type Options struct {
	MaxAttempts int           // push attempts before an item is dead-lettered (default 8)
	RetryBase   time.Duration // first retry delay (default 30s)
	RetryMax    time.Duration // longest retry delay (default 1h)
	Lease       time.Duration // claim lease (default 5m)
	Now         func() time.Time
	ReadOnly    bool // open for reading only (status command); no migration is applied
	// Jitter returns a random fraction in [0,1) for retry jitter (nil: math/rand).
	Jitter func() float64
}

// Store is the open SQLite store.
type Store struct {
	path  string
	w     *sql.DB // the one writer connection
	r     *sql.DB // readers
	opts  Options
	rules map[string]Rules // active stores and their rules
	mu    sync.RWMutex     // guards rules
	token atomic.Int64     // last lease token handed out
}

// nextToken returns a lease token unique within this process and larger than any token
// of an earlier run (it starts from the clock), so a stale lease never matches.
func (s *Store) nextToken() int64 {
	for {
		last := s.token.Load()
		t := max(last+1, time.Now().UnixNano())
		if s.token.CompareAndSwap(last, t) {
			return t
		}
	}
}

// Open opens (creating if needed) the store at path and applies pending migrations.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 30 * time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = time.Hour
	}
	if opts.Lease <= 0 {
		opts.Lease = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{path: path, opts: opts, rules: map[string]Rules{}}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no agent database at %s (has the agent run with this config yet?): %w", path, err)
		}
		r, err := sql.Open("sqlite3", dsn(path, true))
		if err != nil {
			return nil, err
		}
		s.r = r
		if err := s.checkVersion(ctx); err != nil {
			r.Close()
			return nil, err
		}
		return s, nil
	}
	if err := checkWritableDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s.w = w
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	s.r = r
	return s, nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "1")
	q.Set("_journal_mode", "WAL")
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "1")
	} else {
		q.Set("_synchronous", "FULL")
		q.Set("_txlock", "immediate")
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// checkWritableDir creates dir and proves a file can be written there, so that a bad data
// dir is reported by path and cause instead of SQLite's "unable to open database file".
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data dir %s cannot be created: %w (check that the folder's parent exists and the agent's user may write there)", dir, unwrapPathErr(err))
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data dir %s is not writable: %w (the agent's user needs write permission on this folder)", dir, unwrapPathErr(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Close closes the store.
func (s *Store) Close() error {
	var err error
	if s.w != nil {
		_, _ = s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		err = s.w.Close()
	}
	if s.r != nil {
		if e := s.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// begin starts a write transaction. The transaction types (ImportTx, ReadingTx) and the
// ...Tx methods run in it; nothing outside the package holds one.
func (s *Store) begin(ctx context.Context) (*sql.Tx, error) {
	if s.w == nil {
		return nil, errors.New("queue opened read-only")
	}
	return s.w.BeginTx(ctx, nil)
}

// inTx runs fn in a write transaction and commits it.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Checkpoint truncates the WAL; the agent calls it when idle so a long-running daemon's
// WAL does not grow without bound.
func (s *Store) Checkpoint(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok" when healthy).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, err
}

func (s *Store) nowMS() int64 { return s.opts.Now().UnixMilli() }

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}
