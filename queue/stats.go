package queue

import (
	"context"
	"database/sql"
	"time"
)

// StoreStats is the outbox state of one store.
type StoreStats struct {
	Store         string
	Dirty         int       // waiting to be pushed (including retries)
	Retrying      int       // of those, failed at least once
	InFlight      int       // leased for a push or awaiting an asynchronous result
	Dead          int       // dead-lettered, waiting for a new value or a requeue
	Confirmed     int       // in step with the marketplace
	OldestDirty   time.Time // when the oldest waiting change was made
	LastConfirmed time.Time
	LastError     string // newest error among the store's rows
}

// Stats returns the outbox state of every store that has rows, by store name.
func (s *Store) Stats(ctx context.Context) (map[string]*StoreStats, error) {
	now := s.nowMS()
	rows, err := s.r.QueryContext(ctx, `SELECT store,
			SUM(dirty = 1 AND (state = 'ready' OR (state = 'leased' AND next_at <= ?1))),
			SUM(dirty = 1 AND state = 'ready' AND attempts > 0),
			SUM((state = 'leased' AND next_at > ?1) OR state = 'awaiting'),
			SUM(state = 'dead'),
			SUM(dirty = 0 AND state = 'ready'),
			COALESCE(MIN(CASE WHEN dirty = 1 AND state <> 'dead' THEN changed_at END), 0),
			MAX(confirmed_at)
		FROM outbox GROUP BY store`, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*StoreStats{}
	for rows.Next() {
		st := &StoreStats{}
		var oldest, last int64
		if err := rows.Scan(&st.Store, &st.Dirty, &st.Retrying, &st.InFlight, &st.Dead, &st.Confirmed, &oldest, &last); err != nil {
			return nil, err
		}
		st.OldestDirty, st.LastConfirmed = fromMS(oldest), fromMS(last)
		out[st.Store] = st
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for name, st := range out {
		_ = s.r.QueryRowContext(ctx, `SELECT last_error FROM outbox WHERE store = ? AND last_error <> '' ORDER BY next_at DESC LIMIT 1`, name).Scan(&st.LastError)
	}
	return out, nil
}

// DeadLetter is one item the agent gave up on, with the marketplace's reason.
type DeadLetter struct {
	Store, SKU string
	Qty        *int64
	Attempts   int
	Reason     string
	At         time.Time
}

// DeadLetters returns the newest dead letters of store (all stores when "").
func (s *Store) DeadLetters(ctx context.Context, store string, limit int) ([]DeadLetter, error) {
	q := "SELECT store, sku, qty, attempts, reason, at FROM dead_letters"
	args := []any{}
	if store != "" {
		q += " WHERE store = ?"
		args = append(args, store)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var d DeadLetter
		var at int64
		var q sql.NullInt64
		if err := rows.Scan(&d.Store, &d.SKU, &q, &d.Attempts, &d.Reason, &at); err != nil {
			return nil, err
		}
		d.Qty = intPtr(q)
		d.At = fromMS(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
