package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"syncagent/connectors/order"
)

// TransferKind is what a transfer job writes to the ERP.
type TransferKind int

const (
	// WriteOrder writes the order (header and lines).
	WriteOrder TransferKind = iota
	// WriteCancel exports a cancellation of units already written.
	WriteCancel
)

func (k TransferKind) String() string {
	if k == WriteCancel {
		return "cancellation"
	}
	return "order"
}

// TransferJob is one write to the ERP that is due.
type TransferJob struct {
	Row      int64 // the orders row
	Store    string
	Kind     TransferKind
	Attempts int // failed attempts so far
	// Order is, for WriteOrder, the order exactly as first sent to the ERP (every retry
	// sends the same version); for WriteCancel, the order as it is now.
	Order order.Order
	// Cancelled (WriteCancel) are the units per SKU to export as cancelled, and
	// CancelSeq the number of this export among the order's cancellations (1, 2, …):
	// both fixed when first attempted, so a retry exports exactly the same.
	Cancelled map[string]int64
	CancelSeq int
}

// DueTransfers returns up to limit jobs whose time has come, oldest first. A write is
// fixed to the order's current version the first time it is handed out.
func (s *Store) DueTransfers(ctx context.Context, limit int) ([]TransferJob, error) {
	var out []TransferJob
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.nowMS()
		rows, err := tx.QueryContext(ctx, `SELECT id FROM (
				SELECT id, next_at FROM orders WHERE transfer_state IN ('pending', 'failed') AND next_at <= ?1
				UNION SELECT id, next_at FROM orders WHERE cancel_state IN ('pending', 'failed') AND next_at <= ?1)
			ORDER BY next_at, id LIMIT ?2`, now, limit)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			job, ok, err := s.prepareJob(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("preparing the ERP write of order row %d: %w", id, err)
			}
			if ok {
				out = append(out, job)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) prepareJob(ctx context.Context, tx *sql.Tx, id int64) (TransferJob, bool, error) {
	var data, writeData, transfer, cancel, cancelData, cancelled string
	job := TransferJob{Row: id}
	err := tx.QueryRowContext(ctx, `SELECT store, data, write_data, transfer_state, cancel_state, cancel_data, cancelled, cancel_seq, attempts
		FROM orders WHERE id = ?`, id).Scan(&job.Store, &data, &writeData, &transfer, &cancel, &cancelData, &cancelled, &job.CancelSeq, &job.Attempts)
	if err != nil {
		return job, false, err
	}
	if transfer == TransferPending || transfer == TransferFailed {
		if writeData == "" {
			writeData = data
			if _, err := tx.ExecContext(ctx, "UPDATE orders SET write_data = ? WHERE id = ?", writeData, id); err != nil {
				return job, false, err
			}
		}
		job.Kind = WriteOrder
		return job, true, json.Unmarshal([]byte(writeData), &job.Order)
	}
	job.Kind = WriteCancel
	if err := json.Unmarshal([]byte(data), &job.Order); err != nil {
		return job, false, err
	}
	if cancelData == "" {
		need, err := cancellationNeeded(writeData, &job.Order, cancelled)
		if err != nil {
			return job, false, err
		}
		if len(need) == 0 { // restored meanwhile: nothing to export
			_, err := tx.ExecContext(ctx, "UPDATE orders SET cancel_state = 'done', next_at = 0 WHERE id = ?", id)
			return job, false, err
		}
		b, _ := json.Marshal(need)
		cancelData = string(b)
		job.CancelSeq++
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET cancel_data = ?, cancel_seq = ? WHERE id = ?", cancelData, job.CancelSeq, id); err != nil {
			return job, false, err
		}
	}
	return job, true, json.Unmarshal([]byte(cancelData), &job.Cancelled)
}

// TransferOutcome is what became of one job.
type TransferOutcome struct {
	Job TransferJob
	// Err is nil when the ERP has the write now (written by this attempt or found there);
	// otherwise the job is tried again after a backoff, counting an attempt.
	Err error
}

// BookTransfers records the outcomes in one transaction. A written order becomes done
// and its erp_reading reservations ready (the next ERP reading releases them); a
// cancellation that arrived while the order was being written becomes due at once.
func (s *Store) BookTransfers(ctx context.Context, outs []TransferOutcome) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.nowMS()
		for _, o := range outs {
			if err := s.bookOne(ctx, tx, o, now); err != nil {
				return fmt.Errorf("recording the ERP write of order %s: %w", o.Job.Order.Number, err)
			}
		}
		return nil
	})
}

func (s *Store) bookOne(ctx context.Context, tx *sql.Tx, o TransferOutcome, now int64) error {
	id := o.Job.Row
	if o.Err != nil {
		col := "transfer_state"
		if o.Job.Kind == WriteCancel {
			col = "cancel_state"
		}
		next := now + s.backoff(o.Job.Attempts+1).Milliseconds()
		_, err := tx.ExecContext(ctx, `UPDATE orders SET `+col+` = 'failed', attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?`,
			o.Err.Error(), next, id)
		return err
	}
	var data, writeData, cancelData, cancelled string
	if err := tx.QueryRowContext(ctx, "SELECT data, write_data, cancel_data, cancelled FROM orders WHERE id = ?", id).
		Scan(&data, &writeData, &cancelData, &cancelled); err != nil {
		return err
	}
	if o.Job.Kind == WriteCancel {
		done := map[string]int64{}
		if cancelled != "" {
			if err := json.Unmarshal([]byte(cancelled), &done); err != nil {
				return err
			}
		}
		for sku, q := range o.Job.Cancelled {
			done[sku] += q
		}
		b, _ := json.Marshal(done)
		cancelled = string(b)
	} else if err := markWrittenTx(ctx, tx, id, now); err != nil {
		return err
	}
	var cur order.Order
	if err := json.Unmarshal([]byte(data), &cur); err != nil {
		return err
	}
	need, err := cancellationNeeded(writeData, &cur, cancelled)
	if err != nil {
		return err
	}
	cancel := "done"
	if len(need) > 0 {
		cancel = "pending"
	} else if o.Job.Kind == WriteOrder {
		cancel = ""
	}
	q := `UPDATE orders SET cancel_state = ?, cancelled = ?, cancel_data = '', attempts = 0, last_error = '', next_at = 0`
	if o.Job.Kind == WriteOrder {
		q += fmt.Sprintf(", transfer_state = '%s', transferred_at = %d", TransferDone, now)
	}
	_, err = tx.ExecContext(ctx, q+" WHERE id = ?", cancel, cancelled, id)
	return err
}

// NextTransferDue returns when the next failed write becomes due again (ok false when
// none waits), so the transfer loop can sleep until then.
func (s *Store) NextTransferDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT MIN(n) FROM (
		SELECT MIN(next_at) AS n FROM orders WHERE transfer_state IN ('pending', 'failed')
		UNION ALL SELECT MIN(next_at) FROM orders WHERE cancel_state IN ('pending', 'failed'))`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return fromMS(at.Int64), true, nil
}

// ErrNoSuchOrder is returned by RetryTransfer when no order matches.
var ErrNoSuchOrder = errors.New("no such order")

// RetryTransfer makes the failed ERP writes of the orders matching ref (order number or
// marketplace id; of store only, when store is set) due now with a fresh attempt count.
// It returns how many orders it re-queued; an order that matched but had nothing failed
// counts nothing.
func (s *Store) RetryTransfer(ctx context.Context, store, ref string) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var found int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE (order_number = ?1 OR marketplace_id = ?1) AND (?2 = '' OR store = ?2)`,
			ref, store).Scan(&found); err != nil {
			return err
		}
		if found == 0 {
			return ErrNoSuchOrder
		}
		res, err := tx.ExecContext(ctx, `UPDATE orders SET next_at = 0, attempts = 0,
				transfer_state = CASE transfer_state WHEN 'failed' THEN 'pending' ELSE transfer_state END,
				cancel_state = CASE cancel_state WHEN 'failed' THEN 'pending' ELSE cancel_state END
			WHERE (order_number = ?1 OR marketplace_id = ?1) AND (?2 = '' OR store = ?2)
			AND (transfer_state IN ('failed', 'pending') OR cancel_state IN ('failed', 'pending'))`, ref, store)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
