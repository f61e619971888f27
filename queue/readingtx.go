package queue

import (
	"context"
	"database/sql"
	"errors"
)

// ReadingTx is one reading of an SQL source (erpbridge/sqlpoll) in one transaction of the
// agent's database. What the reading finds (Apply), the snapshot it compares with and
// leaves for the next reading, the reservations its numbers release (ERPRead) and its
// high-water mark (SetCursor) commit together or not at all, so a crash or a failed
// reading leaves the queue exactly as the last good reading left it. The source never
// holds the transaction itself: it only calls these methods, then Commit or Rollback.
//
// A ReadingTx holds the agent's one writer connection until it ends, so a source begins
// it only after the ERP has sent its rows. It is not safe for concurrent use.
type ReadingTx struct {
	s      *Store
	tx     *sql.Tx
	source string
	gen    int64
	last   Reading
}

// BeginReading starts a reading of source.
func (s *Store) BeginReading(ctx context.Context, source string) (*ReadingTx, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	gen, last, err := s.BeginReadingTx(ctx, tx, source)
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return &ReadingTx{s: s, tx: tx, source: source, gen: gen, last: last}, nil
}

// Gen is this reading's generation number: the snapshot rows it puts carry it.
func (r *ReadingTx) Gen() int64 { return r.gen }

// Last is the record of the source's last committed snapshot reading (Gen 0 when none).
func (r *ReadingTx) Last() Reading { return r.last }

// Apply hands the reading's changes to the queue (ApplyTx).
func (r *ReadingTx) Apply(ctx context.Context, changes []ItemChange) (ApplyResult, error) {
	return r.s.ApplyTx(ctx, r.tx, changes)
}

// SnapshotRows returns the source's stored snapshot rows for skus (SnapshotRowsTx).
func (r *ReadingTx) SnapshotRows(ctx context.Context, skus []string) (map[SnapshotKey]SnapshotRow, error) {
	return r.s.SnapshotRowsTx(ctx, r.tx, r.source, skus)
}

// PutSnapshotRows stores rows as seen by this reading (PutSnapshotRowsTx).
func (r *ReadingTx) PutSnapshotRows(ctx context.Context, rows []SnapshotRow) error {
	return r.s.PutSnapshotRowsTx(ctx, r.tx, r.source, r.gen, rows)
}

// StaleSnapshotRows pages through the snapshot rows this reading has not seen, after the
// key after (StaleSnapshotRowsTx).
func (r *ReadingTx) StaleSnapshotRows(ctx context.Context, after SnapshotKey, limit int) ([]StaleRow, error) {
	return r.s.StaleSnapshotRowsTx(ctx, r.tx, r.source, r.gen, after, limit)
}

// DeleteSnapshotRows forgets row keys the source no longer returns (DeleteSnapshotRowsTx).
func (r *ReadingTx) DeleteSnapshotRows(ctx context.Context, keys []SnapshotKey) error {
	return r.s.DeleteSnapshotRowsTx(ctx, r.tx, r.source, keys)
}

// FinishSnapshot records this reading as the source's last committed one and returns the
// row keys now in its snapshot (FinishReadingTx; keys nil has them counted).
func (r *ReadingTx) FinishSnapshot(ctx context.Context, keys *KeyTally) (int64, error) {
	return r.s.FinishReadingTx(ctx, r.tx, r.source, r.gen, keys)
}

// ERPRead releases the reservations that the reading's numbers show (ERPReadTx). The
// read's Source is this reading's source.
func (r *ReadingTx) ERPRead(ctx context.Context, read ERPRead) (int, error) {
	read.Source = r.source
	return r.s.ERPReadTx(ctx, r.tx, read)
}

// SetCursor moves a cursor (an incremental source's high-water mark) with the reading.
func (r *ReadingTx) SetCursor(ctx context.Context, name, value string) error {
	return r.s.SetCursorTx(ctx, r.tx, name, value)
}

// Commit ends the reading, keeping everything it did.
func (r *ReadingTx) Commit() error { return r.tx.Commit() }

// Rollback ends the reading, undoing everything it did (a dry run, a failed or cancelled
// reading). After Commit it does nothing, so a caller may defer it.
func (r *ReadingTx) Rollback() error {
	if err := r.tx.Rollback(); !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}
