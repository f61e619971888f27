package queue

import (
	"context"
	"database/sql"
	"time"

	"syncagent/connectors/money"
)

// DeadItem is an outbox row the agent gave up on, with the values the marketplace
// refused and its reason. It is pushed again when its desired value changes, or after
// RequeueDead.
type DeadItem struct {
	Store, SKU, Barcode string
	// The values that were refused (the desired values when no refusal was recorded).
	Qty              *int64
	Price, ListPrice *money.Kurus
	Attempts         int
	Reason           string
	At               time.Time // when it was dead-lettered (zero: not recorded)
}

// DeadItems returns the dead rows of store (every store when ""), newest first, at most
// limit of them, and how many there are in all.
func (s *Store) DeadItems(ctx context.Context, store string, limit int) ([]DeadItem, int, error) {
	where, args := "o.state = 'dead'", []any{}
	if store != "" {
		where += " AND o.store = ?"
		args = append(args, store)
	}
	var total int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox o WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT o.store, o.sku, o.barcode, o.attempts, o.last_error,
			COALESCE(d.qty, o.want_qty), COALESCE(d.price, o.want_price), COALESCE(d.list_price, o.want_list),
			COALESCE(d.reason, ''), COALESCE(d.at, 0)
		FROM outbox o LEFT JOIN dead_letters d
			ON d.id = (SELECT MAX(id) FROM dead_letters WHERE store = o.store AND sku = o.sku)
		WHERE `+where+` ORDER BY COALESCE(d.at, 0) DESC, o.store, o.sku LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []DeadItem
	for rows.Next() {
		var d DeadItem
		var q, p, l sql.NullInt64
		var lastErr, reason string
		var at int64
		if err := rows.Scan(&d.Store, &d.SKU, &d.Barcode, &d.Attempts, &lastErr, &q, &p, &l, &reason, &at); err != nil {
			return nil, 0, err
		}
		d.Qty, d.Price, d.ListPrice = intPtr(q), kurusPtr(p), kurusPtr(l)
		d.Reason = lastErr
		if d.Reason == "" {
			d.Reason = reason
		}
		d.At = fromMS(at)
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// RequeueDead gives the dead rows of store among skus a fresh start (attempts from zero,
// claimable at once) and returns the SKUs it requeued; SKUs that are not dead are left
// alone. With no skus every dead row of the store is requeued.
func (s *Store) RequeueDead(ctx context.Context, store string, skus []string) ([]string, error) {
	const q = `UPDATE outbox SET state = 'ready', attempts = 0, next_at = 0, last_error = '' WHERE store = ? AND state = 'dead'`
	var out []string
	run := func(tx *sql.Tx, query string, args ...any) error {
		rows, err := tx.QueryContext(ctx, query+" RETURNING sku", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sku string
			if err := rows.Scan(&sku); err != nil {
				return err
			}
			out = append(out, sku)
		}
		return rows.Err()
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if len(skus) == 0 {
			return run(tx, q, store)
		}
		for len(skus) > 0 {
			chunk := skus[:min(len(skus), 500)]
			skus = skus[len(chunk):]
			args := []any{store}
			for _, k := range chunk {
				args = append(args, k)
			}
			if err := run(tx, q+" AND sku IN ("+placeholders(len(chunk))+")", args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
