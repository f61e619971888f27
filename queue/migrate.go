package queue

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists migrations/NNN_name.sql in order. A migration is never edited once
// released; a change to the schema is a new file with the next number.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		if !ok {
			return nil, fmt.Errorf("migration file %s is not named NNN_name.sql", e.Name())
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration file %s is not named NNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations must be numbered 1, 2, 3…; found %03d_%s at position %d", m.version, m.name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // embedded files: a build-time mistake, caught by tests
	}
	return len(ms)
}

// ErrNewerSchema is returned when the database was written by a newer syncagent.
type ErrNewerSchema struct {
	Path          string
	Found, Latest int
}

func (e *ErrNewerSchema) Error() string {
	return fmt.Sprintf("database %s has schema version %d but this syncagent knows only up to %d: it was written by a newer syncagent. Install that version again (or restore a backup of the database); this binary leaves the file untouched", e.Path, e.Found, e.Latest)
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	var current int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("cannot read database %s: %w", s.path, err)
	}
	if current > len(ms) {
		return &ErrNewerSchema{Path: s.path, Found: current, Latest: len(ms)}
	}
	for _, m := range ms[current:] {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %03d_%s: %w", m.version, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %03d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

func (s *Store) checkVersion(ctx context.Context) error {
	var current int
	if err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("cannot read database %s: %w", s.path, err)
	}
	latest := SchemaVersion()
	if current > latest {
		return &ErrNewerSchema{Path: s.path, Found: current, Latest: latest}
	}
	if current < latest {
		return fmt.Errorf("database %s has schema version %d and this syncagent uses %d: it upgrades the database when the agent starts (syncagent run, or start the service), then this command works", s.path, current, latest)
	}
	return nil
}
