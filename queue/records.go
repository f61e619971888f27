package queue

import (
	"context"
	"database/sql"
	"time"
)

// PurgeJournal deletes journal entries and finished import records older than retention,
// in small transactions so the writer is never held for long.
func (s *Store) PurgeJournal(ctx context.Context, retention time.Duration) (int64, error) {
	cut := s.opts.Now().Add(-retention).UnixMilli()
	var total int64
	// Journal ids grow with time: find the first entry to keep (a scan over exactly the
	// entries to delete, from the start of the table), then delete below it in chunks.
	var keep int64
	err := s.w.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM journal WHERE at >= ?1 ORDER BY id LIMIT 1),
		(SELECT COALESCE(MAX(id), 0) + 1 FROM journal))`, cut).Scan(&keep)
	if err != nil {
		return 0, err
	}
	for {
		res, err := s.w.ExecContext(ctx, "DELETE FROM journal WHERE id < ?1 AND id < (SELECT MIN(id) FROM journal) + 5000", keep)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
		if n == 0 {
			break
		}
	}
	for _, q := range []string{
		"DELETE FROM imports WHERE id IN (SELECT id FROM imports WHERE started_at < ? AND status <> 'processing' LIMIT 5000)",
		"DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE at < ? LIMIT 5000)",
	} {
		for {
			res, err := s.w.ExecContext(ctx, q, cut)
			if err != nil {
				return total, err
			}
			n, _ := res.RowsAffected()
			total += n
			if n < 5000 {
				break
			}
		}
	}
	return total, nil
}

// JournalEntry is one recorded change.
type JournalEntry struct {
	At time.Time
	FieldDiff
}

// Journal returns the newest entries for a SKU (all SKUs when sku is ""), newest first.
func (s *Store) Journal(ctx context.Context, sku string, limit int) ([]JournalEntry, error) {
	q := `SELECT at, sku, changes, source_kind, source_ref, source_row FROM journal`
	args := []any{}
	if sku != "" {
		q += " WHERE sku = ?"
		args = append(args, sku)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JournalEntry
	for rows.Next() && len(out) < limit {
		var e JournalEntry
		var at int64
		var changes string
		if err := rows.Scan(&at, &e.SKU, &changes, &e.Source.Kind, &e.Source.Ref, &e.Source.Row); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		// Newest first: a change's fields come last-written first, as if each had its own row.
		fields := decodeJournal(changes)
		for k := len(fields) - 1; k >= 0 && len(out) < limit; k-- {
			e.Field, e.Old, e.New = fields[k][0], fields[k][1], fields[k][2]
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// Import is the record of one file taken from a drop folder.
type Import struct {
	ID         int64
	Source     string // drop folder name
	File       string // original file name
	StoredAs   string // where the file was put away (processed/… or failed/…)
	Status     string // processing, imported, failed
	StartedAt  time.Time
	FinishedAt time.Time
	RowsRead   int
	Applied    int
	Unchanged  int
	Rejected   int
	Error      string
}

// BeginImportTx records that a file is being imported and returns its id.
func (s *Store) BeginImportTx(ctx context.Context, tx *sql.Tx, source, file string) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO imports (source, file, status, started_at) VALUES (?, ?, 'processing', ?)`, source, file, s.nowMS())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// FinishImportTx records the outcome of an import; it commits with the changes it applied.
func (s *Store) FinishImportTx(ctx context.Context, tx *sql.Tx, im Import) error {
	_, err := tx.ExecContext(ctx, `UPDATE imports SET stored_as = ?, status = ?, finished_at = ?, rows_read = ?, applied = ?,
		unchanged = ?, rejected = ?, error = ? WHERE id = ?`,
		im.StoredAs, im.Status, s.nowMS(), im.RowsRead, im.Applied, im.Unchanged, im.Rejected, im.Error, im.ID)
	return err
}

// RecentImports returns the newest import records, newest first.
func (s *Store) RecentImports(ctx context.Context, limit int) ([]Import, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, source, file, stored_as, status, started_at, finished_at, rows_read, applied,
		unchanged, rejected, error FROM imports ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		var im Import
		var st, fin int64
		if err := rows.Scan(&im.ID, &im.Source, &im.File, &im.StoredAs, &im.Status, &st, &fin, &im.RowsRead, &im.Applied,
			&im.Unchanged, &im.Rejected, &im.Error); err != nil {
			return nil, err
		}
		im.StartedAt, im.FinishedAt = fromMS(st), fromMS(fin)
		out = append(out, im)
	}
	return out, rows.Err()
}

// Cursor returns the value stored under name ("" and false when none).
func (s *Store) Cursor(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := s.w.QueryRowContext(ctx, "SELECT value FROM cursors WHERE name = ?", name).Scan(&v)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return v, err == nil, err
}

// SetCursorTx stores a cursor in the caller's transaction, so it moves only together with
// the work it accounts for.
func (s *Store) SetCursorTx(ctx context.Context, tx *sql.Tx, name, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, s.nowMS())
	return err
}

// SetCursor stores a cursor on its own.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.SetCursorTx(ctx, tx, name, value) })
}

// Health is what the status command shows for one component.
type Health struct {
	Component string // store:NAME, source:NAME, sink:NAME
	State     string // free text such as "watching", "polling", "down"
	OKAt      time.Time
	Error     string
	ErrorAt   time.Time
	Detail    string
}

// ReportOK records a success of component (clearing nothing but the state: the last error
// stays visible with its time, so a flapping connection is seen).
func (s *Store) ReportOK(ctx context.Context, component, state, detail string) error {
	now := s.nowMS()
	_, err := s.w.ExecContext(ctx, `INSERT INTO health (component, state, ok_at, detail, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (component) DO UPDATE SET state = excluded.state, ok_at = excluded.ok_at, detail = excluded.detail, updated_at = excluded.updated_at`,
		component, state, now, detail, now)
	return err
}

// ReportError records a failure of component.
func (s *Store) ReportError(ctx context.Context, component, state, msg string) error {
	now := s.nowMS()
	_, err := s.w.ExecContext(ctx, `INSERT INTO health (component, state, error, error_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (component) DO UPDATE SET state = excluded.state, error = excluded.error, error_at = excluded.error_at, updated_at = excluded.updated_at`,
		component, state, msg, now, now)
	return err
}

// HealthOf returns the recorded health of every component.
func (s *Store) HealthOf(ctx context.Context) (map[string]Health, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT component, state, ok_at, error, error_at, detail FROM health")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Health{}
	for rows.Next() {
		var h Health
		var ok, at int64
		if err := rows.Scan(&h.Component, &h.State, &ok, &h.Error, &at, &h.Detail); err != nil {
			return nil, err
		}
		h.OKAt, h.ErrorAt = fromMS(ok), fromMS(at)
		out[h.Component] = h
	}
	return out, rows.Err()
}
