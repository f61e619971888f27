package queue

import (
	"context"
	"database/sql"

	"syncagent/connectors/money"
)

// OutboxRow is one outbox row as a resync reads it: Qty, Price and ListPrice are the
// desired values, Conf* the confirmed ones.
type OutboxRow struct {
	Claimed
	State string // ready, leased, awaiting, dead
}

// OutboxRows returns up to n rows of store with a SKU after `after`, in SKU order (the
// primary key), so a resync pages through a store of any size.
func (s *Store) OutboxRows(ctx context.Context, store, after string, n int) ([]OutboxRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT sku, barcode, want_qty, want_price, want_list, conf_qty, conf_price, conf_list, attempts, state
		FROM outbox WHERE store = ? AND sku > ? ORDER BY sku LIMIT ?`, store, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		r := OutboxRow{Claimed: Claimed{Store: store}}
		var q, p, l, cq, cp, cl sql.NullInt64
		if err := rows.Scan(&r.SKU, &r.Barcode, &q, &p, &l, &cq, &cp, &cl, &r.Attempts, &r.State); err != nil {
			return nil, err
		}
		r.Qty, r.Price, r.ListPrice = intPtr(q), kurusPtr(p), kurusPtr(l)
		r.ConfQty, r.ConfPrice, r.ConfListPrice = intPtr(cq), kurusPtr(cp), kurusPtr(cl)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Shown is what a marketplace showed for one SKU when it was read back; nil is a value
// it does not show (or the connector cannot read).
type Shown struct {
	SKU              string
	Qty              *int64
	Price, ListPrice *money.Kurus
}

// RecordShown makes what the store showed the confirmed values of rows that are neither
// in flight nor dead, field by field (a value not shown keeps its confirmed value). A row
// is then dirty exactly when the store shows something else than it should, and the next
// push sends exactly that. It returns the SKUs whose confirmed values changed. The time
// of the last confirmation stays: reading is not a confirmed push.
func (s *Store) RecordShown(ctx context.Context, store string, shown []Shown) ([]string, error) {
	var changed []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE outbox SET conf_qty = COALESCE(?1, conf_qty),
				conf_price = COALESCE(?2, conf_price), conf_list = COALESCE(?3, conf_list)
			WHERE store = ?4 AND sku = ?5 AND state = 'ready'
				AND (conf_qty IS NOT COALESCE(?1, conf_qty) OR conf_price IS NOT COALESCE(?2, conf_price) OR conf_list IS NOT COALESCE(?3, conf_list))`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, sh := range shown {
			res, err := st.ExecContext(ctx, nullInt(sh.Qty), nullKurus(sh.Price), nullKurus(sh.ListPrice), store, sh.SKU)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				changed = append(changed, sh.SKU)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// MakeDue makes the dirty rows of store that wait for a retry after failed attempts
// claimable now (push-now) and returns how many. Rows waiting because the marketplace
// said when to come back (Retry-After, the duplicate rule), which counted no attempt,
// keep waiting.
func (s *Store) MakeDue(ctx context.Context, store string) (int, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE outbox SET next_at = 0
		WHERE store = ? AND dirty = 1 AND state = 'ready' AND attempts > 0 AND next_at > ?`, store, s.nowMS())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
