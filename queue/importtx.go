package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The outcomes of an import, as its record's Status says.
const (
	ImportImported = "imported" // the file's rows are applied
	ImportFailed   = "failed"   // none of the file's rows is applied
)

// ImportTx is the one write transaction of a file taken from a drop folder: the import
// record, the file's rows and their bookkeeping commit together or not at all, so a
// crash never leaves half a file applied.
//
// The rows live in a savepoint of their own inside the transaction, so they can be undone
// while the record stays: a file read a second time starts again from no rows (UndoRows),
// and a failed file commits its record without any of its rows (Commit).
//
// An ImportTx holds the store's one writer connection from BeginImport until Commit or
// Rollback: every other writer waits, so an import does its reading and then ends. Its
// methods must not be called concurrently; one goroutine at a time may use it.
type ImportTx struct {
	s      *Store
	tx     *sql.Tx
	id     int64
	source string
	file   string
	readAt time.Time
	// keysReady: the key table exists for this reading (see Repeats).
	keysReady bool
	done      bool
}

// rowsSavepoint holds the file's rows, apart from its import record.
const rowsSavepoint = "import_rows"

// BeginImport starts the transaction of file from the drop folder source and records the
// import as processing. readAt is when the ERP's numbers in the file were taken (when the
// ERP wrote the export): the file is a reading of the ERP, and Apply ends the
// reservations of orders the ERP already had then (see ERPReadTx).
func (s *Store) BeginImport(ctx context.Context, source, file string, readAt time.Time) (*ImportTx, error) {
	if readAt.IsZero() {
		return nil, fmt.Errorf("import of %s from %s without the time of its reading", file, source)
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting the import transaction of %s: %w", file, err)
	}
	t := &ImportTx{s: s, tx: tx, source: source, file: file, readAt: readAt}
	if t.id, err = s.BeginImportTx(ctx, tx, source, file); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("recording the import of %s: %w", file, err)
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+rowsSavepoint); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("import transaction of %s: %w", file, err)
	}
	return t, nil
}

// ID is the import record's id.
func (t *ImportTx) ID() int64 { return t.id }

// Apply applies a chunk of the file's rows (see ApplyTx) and, the file being the ERP's
// count of its SKUs, releases the reservations those rows show (see ERPReadTx).
func (t *ImportTx) Apply(ctx context.Context, changes []ItemChange) (ApplyResult, error) {
	res, err := t.s.ApplyTx(ctx, t.tx, changes)
	if err != nil {
		return res, err
	}
	if _, err := t.s.ERPReadTx(ctx, t.tx, ERPRead{Source: t.source, At: t.readAt, Changes: changes}); err != nil {
		return res, err
	}
	return res, nil
}

// UndoRows undoes every row applied since BeginImport and forgets the rows Repeats has
// seen; the import record stays. The file can then be read again from its first row.
func (t *ImportTx) UndoRows(ctx context.Context) error {
	t.keysReady = false
	if _, err := t.tx.ExecContext(ctx, "ROLLBACK TO "+rowsSavepoint); err != nil {
		return fmt.Errorf("undoing the rows of %s: %w", t.file, err)
	}
	return nil
}

// Commit records the outcome of the import and commits it. rec.Status is ImportImported,
// or ImportFailed: then the file's rows are undone first, so the record of a failed file
// commits alone. rec's ID, Source, File and times are the transaction's own; the values
// given are ignored.
func (t *ImportTx) Commit(ctx context.Context, rec Import) error {
	if t.done {
		return sql.ErrTxDone
	}
	switch rec.Status {
	case ImportImported:
	case ImportFailed:
		if err := t.UndoRows(ctx); err != nil {
			return err
		}
	default:
		return fmt.Errorf("import of %s cannot end as %q", t.file, rec.Status)
	}
	t.keysReady = false
	for _, q := range []string{"RELEASE " + rowsSavepoint, dropImportKeys} {
		if _, err := t.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("import transaction of %s: %w", t.file, err)
		}
	}
	rec.ID = t.id
	if err := t.s.FinishImportTx(ctx, t.tx, rec); err != nil {
		return fmt.Errorf("recording the outcome of the import of %s: %w", t.file, err)
	}
	t.done = true
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("committing the import of %s: %w", t.file, err)
	}
	return nil
}

// Rollback ends the import without a trace: no record and no row (a dry run, or an
// import that cannot finish now). After Commit it does nothing, so callers may defer it.
func (t *ImportTx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}
