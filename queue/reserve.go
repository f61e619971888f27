package queue

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"time"

	"syncagent/connectors/order"
)

// Reservations (docs/orders.md, "No overselling"). An imported order of a store that
// deducts stock holds its live units per SKU in the store's warehouse. Held units are
// added to Item.Reserved whenever items are loaded, so every store's rules subtract them
// from the quantity pushed, in the same transaction that changes them.
//
// A reservation is released exactly once, by the first of:
//   - the order's units stop being live (cancelled lines or order): at once;
//   - its rule is met: the order reached the ERP (erp_reading) or shipped (shipped) at
//     ready_at, and then a reading of the ERP begun after ready_at showed the SKU in the
//     warehouse (ERPReadTx, called by the sources in the reading's own transaction, so
//     the ERP's lower number and the release land together);
//   - the store's release_after safety valve (ReleaseStaleTx), when configured.
//
// A released row is never held again: a later status update of the same order, or a
// repeated page, finds it released and leaves it.

func init() { itemLoaders = append(itemLoaders, loadReserved) }

// loadReserved adds the held units of skus to the items being loaded.
func loadReserved(ctx context.Context, tx *sql.Tx, skus []string, items map[string]*itemState) error {
	if held, err := anyHeld(ctx, tx); err != nil || !held {
		return err
	}
	return forChunks(skus, func(part []string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT sku, warehouse, SUM(qty) FROM reservations
			WHERE state = 'held' AND sku IN (`+placeholders(len(part))+`) GROUP BY sku, warehouse`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sku, wh string
			var q int64
			if err := rows.Scan(&sku, &wh, &q); err != nil {
				return err
			}
			items[sku].Reserved[wh] += q
		}
		return rows.Err()
	})
}

// anyHeld reports whether any units are held at all: most of the time none or few are,
// and a large import or reading then skips looking them up per SKU. The partial index
// reservations_held makes it one index probe.
func anyHeld(ctx context.Context, tx *sql.Tx) (bool, error) {
	var held bool
	err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM reservations WHERE state = 'held')").Scan(&held)
	return held, err
}

type resRow struct {
	sku, warehouse, state, by string
	qty                       int64
}

// releasedCancelled is released_by of units whose order or line was cancelled.
const releasedCancelled = "the order's units were cancelled"

// syncReservations makes the held units of order id match its live units and returns
// the SKUs whose held total changed. It also makes the order's shipped-rule rows ready
// once the order has shipped.
func (s *Store) syncReservations(ctx context.Context, tx *sql.Tx, id int64, b OrderBatch, o *order.Order, now int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT sku, warehouse, state, released_by, qty FROM reservations WHERE order_id = ?", id)
	if err != nil {
		return nil, err
	}
	have := map[string]resRow{}
	for rows.Next() {
		var r resRow
		if err := rows.Scan(&r.sku, &r.warehouse, &r.state, &r.by, &r.qty); err != nil {
			rows.Close()
			return nil, err
		}
		have[r.sku] = r // one warehouse per order: the one of its first reservation
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	want := o.Quantities()
	delete(want, "") // a line the marketplace could not name by SKU holds nothing the ERP knows
	if !b.Policy.Deduct && len(have) == 0 {
		return nil, nil
	}
	ref := b.Store + " " + o.Number
	var touched []string
	keys := make([]string, 0, len(want)+len(have))
	for k := range want {
		keys = append(keys, k)
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, sku := range keys {
		r, had := have[sku]
		q := want[sku]
		switch {
		case !had && q > 0 && b.Policy.Deduct:
			rule := b.Policy.Release
			if rule == "" {
				rule = ReleaseERPReading
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO reservations (order_id, sku, warehouse, qty, rule, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, id, sku, b.Policy.Warehouse, q, rule, now); err != nil {
				return nil, err
			}
			if err := journalReserve(ctx, tx, now, sku, b.Policy.Warehouse, "", strconv.FormatInt(q, 10), ref); err != nil {
				return nil, err
			}
			touched = append(touched, sku)
		case had && r.state == "released" && r.by == releasedCancelled && q > 0 && b.Policy.Deduct:
			// Live again after a release by cancellation (a replaced package seen before
			// its successor): the ERP never counted these units, so they are held again.
			// A release by an ERP reading is final.
			if _, err := tx.ExecContext(ctx, `UPDATE reservations SET state = 'held', qty = ?, released_at = 0, released_by = ''
				WHERE order_id = ? AND sku = ? AND warehouse = ?`, q, id, sku, r.warehouse); err != nil {
				return nil, err
			}
			if err := journalReserve(ctx, tx, now, sku, r.warehouse, "0", strconv.FormatInt(q, 10), ref); err != nil {
				return nil, err
			}
			touched = append(touched, sku)
		case had && r.state == "held" && q == 0:
			if err := releaseRows(ctx, tx, now, releasedCancelled, []resKey{{id, sku, r.warehouse, r.qty, ref}}); err != nil {
				return nil, err
			}
			touched = append(touched, sku)
		case had && r.state == "held" && q != r.qty:
			if _, err := tx.ExecContext(ctx, "UPDATE reservations SET qty = ? WHERE order_id = ? AND sku = ? AND warehouse = ?",
				q, id, sku, r.warehouse); err != nil {
				return nil, err
			}
			if err := journalReserve(ctx, tx, now, sku, r.warehouse, strconv.FormatInt(r.qty, 10), strconv.FormatInt(q, 10), ref); err != nil {
				return nil, err
			}
			touched = append(touched, sku)
		}
	}
	if o.Status.HasShipped() {
		if _, err := tx.ExecContext(ctx, `UPDATE reservations SET ready_at = ? WHERE order_id = ? AND state = 'held'
			AND rule = ? AND ready_at = 0`, now, id, ReleaseShipped); err != nil {
			return nil, err
		}
	}
	return touched, nil
}

// resKey is one reservation row to release, with what the journal says about it.
type resKey struct {
	order          int64
	sku, warehouse string
	qty            int64
	ref            string // store and order number
}

// releaseRows releases held rows and journals each release.
func releaseRows(ctx context.Context, tx *sql.Tx, now int64, by string, keys []resKey) error {
	st, err := tx.PrepareContext(ctx, `UPDATE reservations SET state = 'released', released_at = ?, released_by = ?
		WHERE order_id = ? AND sku = ? AND warehouse = ? AND state = 'held'`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, k := range keys {
		res, err := st.ExecContext(ctx, now, by, k.order, k.sku, k.warehouse)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // released meanwhile: never twice
		}
		if err := journalReserve(ctx, tx, now, k.sku, k.warehouse, strconv.FormatInt(k.qty, 10), "0", k.ref+": "+by); err != nil {
			return err
		}
	}
	return nil
}

// journalReserve records a change of an order's held units in the change journal
// (field reserved:<warehouse>, source kind "order"), so "why did the stock shown drop?"
// has an answer.
func journalReserve(ctx context.Context, tx *sql.Tx, now int64, sku, wh, old, new, ref string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO journal (at, sku, changes, source_kind, source_ref) VALUES (?, ?, ?, 'order', ?)`,
		now, sku, encodeJournal([]FieldDiff{{Field: "reserved:" + wh, Old: old, New: new}}), ref)
	return err
}

// StockKey is one SKU in one warehouse.
type StockKey struct{ SKU, Warehouse string }

// ERPRead is a reading of the ERP's stock that a source committed: a drop-folder file, a
// chunk of one, or an SQL poll.
type ERPRead struct {
	Source string
	// At is when the ERP's numbers were taken: the start of the SQL query, or the
	// modification time of an exported file (when the ERP wrote it). A reservation is
	// released only by a reading taken after it became ready.
	At time.Time
	// Changes are the rows of the reading (as given to ApplyTx, changed or not); those
	// with a quantity say the reading showed that SKU in that warehouse.
	Changes []ItemChange
	// Keys are further SKUs and warehouses the reading showed.
	Keys []StockKey
	// Snapshot: the source's snapshot reading completed in this transaction, so every
	// row key now in its snapshot (sql_snapshot) with a quantity was shown by it.
	Snapshot bool
}

// ERPReadTx releases the ready reservations that r shows, in the reading's own
// transaction, and recomputes the touched SKUs for every active store. It returns the
// number of reservation rows released. Sources call it once per committed reading (a
// drop folder may call it per chunk of rows).
func (s *Store) ERPReadTx(ctx context.Context, tx *sql.Tx, r ERPRead) (int, error) {
	if r.At.IsZero() {
		return 0, fmt.Errorf("ERP reading of %s without a time", r.Source)
	}
	if held, err := anyHeld(ctx, tx); err != nil || !held {
		return 0, err
	}
	at := r.At.UnixMilli()
	shown := map[StockKey]bool{}
	var skus []string
	add := func(k StockKey) {
		if k.SKU == "" || shown[k] {
			return
		}
		shown[k] = true
		skus = append(skus, k.SKU)
	}
	for _, c := range r.Changes {
		if c.Qty != nil {
			add(StockKey{c.SKU, c.Warehouse})
		}
	}
	for _, k := range r.Keys {
		add(k)
	}
	var due []resKey
	collect := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var k resKey
			var store, number string
			if err := rows.Scan(&k.order, &k.sku, &k.warehouse, &k.qty, &store, &number); err != nil {
				return err
			}
			if r.Snapshot || shown[StockKey{k.sku, k.warehouse}] {
				k.ref = store + " " + number
				due = append(due, k)
			}
		}
		return rows.Err()
	}
	const pick = `SELECT r.order_id, r.sku, r.warehouse, r.qty, o.store, o.order_number FROM reservations r
		JOIN orders o ON o.id = r.order_id WHERE r.state = 'held' AND r.ready_at > 0 AND r.ready_at < ?`
	if r.Snapshot {
		rows, err := tx.QueryContext(ctx, pick+` AND EXISTS (SELECT 1 FROM sql_snapshot n
			WHERE n.source = ? AND n.sku = r.sku AND n.warehouse = r.warehouse AND n.qty IS NOT NULL)`, at, r.Source)
		if err != nil {
			return 0, err
		}
		if err := collect(rows); err != nil {
			return 0, err
		}
	}
	if len(skus) > 0 && !r.Snapshot {
		err := forChunks(uniq(skus), func(part []string, args []any) error {
			rows, err := tx.QueryContext(ctx, pick+" AND r.sku IN ("+placeholders(len(part))+")", append([]any{at}, args...)...)
			if err != nil {
				return err
			}
			return collect(rows)
		})
		if err != nil {
			return 0, err
		}
	}
	if len(due) == 0 {
		return 0, nil
	}
	now := s.nowMS()
	if err := releaseRows(ctx, tx, now, "shown by the ERP reading of "+r.Source, due); err != nil {
		return 0, err
	}
	touched := map[string]bool{}
	for _, k := range due {
		touched[k.sku] = true
	}
	return len(due), s.recomputeSKUs(ctx, tx, touched, now)
}

func uniq(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// markWrittenTx makes the erp_reading reservations of order id ready: the order reached
// the ERP at now.
func markWrittenTx(ctx context.Context, tx *sql.Tx, id, now int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE reservations SET ready_at = ? WHERE order_id = ? AND state = 'held'
		AND rule = ? AND ready_at = 0`, now, id, ReleaseERPReading)
	return err
}

// ReleaseStale releases the held reservations of store's orders that are older than
// before (the store's release_after safety valve), and returns how many it released.
func (s *Store) ReleaseStale(ctx context.Context, store string, before time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.order_id, r.sku, r.warehouse, r.qty, o.store, o.order_number FROM reservations r
			JOIN orders o ON o.id = r.order_id WHERE r.state = 'held' AND o.store = ? AND r.created_at < ?`, store, before.UnixMilli())
		if err != nil {
			return err
		}
		var due []resKey
		for rows.Next() {
			var k resKey
			var st, number string
			if err := rows.Scan(&k.order, &k.sku, &k.warehouse, &k.qty, &st, &number); err != nil {
				rows.Close()
				return err
			}
			k.ref = st + " " + number
			due = append(due, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(due) == 0 {
			return err
		}
		now := s.nowMS()
		if err := releaseRows(ctx, tx, now, "held longer than the store's release_after", due); err != nil {
			return err
		}
		touched := map[string]bool{}
		for _, k := range due {
			touched[k.sku] = true
		}
		n = len(due)
		return s.recomputeSKUs(ctx, tx, touched, now)
	})
	return n, err
}

// Reservation is one order's hold on a SKU, for the orders command and tests.
type Reservation struct {
	Store, OrderNumber, SKU, Warehouse string
	Qty                                int64
	Rule, State, ReleasedBy            string
	ReadyAt, CreatedAt, ReleasedAt     time.Time
}

// Reservations returns the reservations of store's order ref (marketplace id or order
// number), or of every order of store when ref is "" (all stores when store is "").
func (s *Store) Reservations(ctx context.Context, store, ref string) ([]Reservation, error) {
	q := `SELECT o.store, o.order_number, r.sku, r.warehouse, r.qty, r.rule, r.state, r.released_by, r.ready_at, r.created_at, r.released_at
		FROM reservations r JOIN orders o ON o.id = r.order_id WHERE (? = '' OR o.store = ?)
		AND (? = '' OR o.marketplace_id = ? OR o.order_number = ?) ORDER BY o.id, r.sku`
	rows, err := s.r.QueryContext(ctx, q, store, store, ref, ref, ref)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reservation
	for rows.Next() {
		var r Reservation
		var ready, created, released int64
		if err := rows.Scan(&r.Store, &r.OrderNumber, &r.SKU, &r.Warehouse, &r.Qty, &r.Rule, &r.State, &r.ReleasedBy,
			&ready, &created, &released); err != nil {
			return nil, err
		}
		r.ReadyAt, r.CreatedAt, r.ReleasedAt = fromMS(ready), fromMS(created), fromMS(released)
		out = append(out, r)
	}
	return out, rows.Err()
}
