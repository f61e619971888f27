package queue

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"syncagent/connectors/order"
)

// Release rules: what, besides a cancellation, ends a reservation (docs/orders.md).
const (
	// ReleaseERPReading: the order was written to the ERP, and a reading of the ERP
	// begun after that write shows the SKU in the warehouse. For ERPs that take stock off
	// (or count open orders) as soon as an order is written.
	ReleaseERPReading = "erp_reading"
	// ReleaseShipped: the marketplace reported the order shipped, and a reading of the
	// ERP begun after that shows the SKU. For ERPs that take stock off only when the
	// warehouse invoices or ships, and for stores that do not transfer orders.
	ReleaseShipped = "shipped"
)

// Transfer states of an order (orders.transfer_state).
const (
	TransferWaiting = "waiting" // not paid yet: its units are reserved, it is not written
	TransferPending = "pending"
	TransferFailed  = "failed" // the last attempt failed; tried again at next_at
	TransferDone    = "done"
	TransferSkipped = "skipped" // the store does not transfer, or cancelled before any attempt
)

// OrderPolicy is how one store's orders are handled (its orders section).
type OrderPolicy struct {
	Transfer  bool   // write the orders to the ERP
	Deduct    bool   // reserve their units against every store's stock
	Warehouse string // the warehouse reserved units are taken from
	Release   string // ReleaseERPReading or ReleaseShipped
}

// OrderBatch is one page of a store's orders and the cursor that follows it.
type OrderBatch struct {
	Store  string
	Policy OrderPolicy
	Orders []order.Order
	// CursorName/Cursor are stored in the same transaction as the orders ("": none), so
	// a crash leaves either both or neither.
	CursorName, Cursor string
}

// PutResult says what PutOrders did.
type PutResult struct {
	New, Changed, Unchanged int
	// NewNumbers and ChangedNumbers are order numbers, the only thing about an order an
	// info-level log line may name (customers are personal data).
	NewNumbers, ChangedNumbers []string
	Due                        int  // orders that became due for the ERP (a write or a cancellation)
	StockMoved                 bool // a reservation changed, so stores' desired stock was recomputed
}

// PutOrders stores a page of orders, each once per (store, ID): a known order is merged
// with the update (order.Merge) and changes status and lines in place. In the same
// transaction it moves the orders' transfer states, holds or releases their units
// (when the policy deducts stock), recomputes the desired stock of the touched SKUs for
// every active store, and stores the cursor.
func (s *Store) PutOrders(ctx context.Context, b OrderBatch) (PutResult, error) {
	var res PutResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.PutOrdersTx(ctx, tx, b)
		return err
	})
	return res, err
}

// PutOrdersTx is PutOrders in the caller's transaction.
func (s *Store) PutOrdersTx(ctx context.Context, tx *sql.Tx, b OrderBatch) (PutResult, error) {
	var res PutResult
	if b.Policy.Deduct && b.Policy.Warehouse == "" {
		return res, errors.New("orders: a store that deducts stock needs a warehouse")
	}
	now := s.nowMS()
	touched := map[string]bool{}
	for i := range b.Orders {
		o := b.Orders[i]
		if o.ID == "" {
			return res, fmt.Errorf("orders: an order of %s without an id", b.Store)
		}
		o.Store = b.Store
		id, merged, kind, due, err := s.putOrder(ctx, tx, b, o, now)
		if err != nil {
			return res, fmt.Errorf("order %s of %s: %w", o.Number, b.Store, err)
		}
		switch kind {
		case putNew:
			res.New++
			res.NewNumbers = append(res.NewNumbers, merged.Number)
		case putChanged:
			res.Changed++
			res.ChangedNumbers = append(res.ChangedNumbers, merged.Number)
		default:
			res.Unchanged++
			continue
		}
		if due {
			res.Due++
		}
		skus, err := s.syncReservations(ctx, tx, id, b, &merged, now)
		if err != nil {
			return res, fmt.Errorf("order %s of %s: reserving stock: %w", merged.Number, b.Store, err)
		}
		for _, k := range skus {
			touched[k] = true
		}
	}
	if len(touched) > 0 {
		res.StockMoved = true
		if err := s.recomputeSKUs(ctx, tx, touched, now); err != nil {
			return res, err
		}
	}
	if b.CursorName != "" {
		if err := s.SetCursorTx(ctx, tx, b.CursorName, b.Cursor); err != nil {
			return res, err
		}
	}
	return res, nil
}

type putKind int

const (
	putUnchanged putKind = iota
	putNew
	putChanged
)

// storedOrder is an orders row as far as PutOrders needs it.
type storedOrder struct {
	id                   int64
	data, version        string
	transfer, cancel     string
	writeData, cancelled string
	lastError            string
	attempts             int
}

func (s *Store) putOrder(ctx context.Context, tx *sql.Tx, b OrderBatch, o order.Order, now int64) (int64, order.Order, putKind, bool, error) {
	var st storedOrder
	err := tx.QueryRowContext(ctx, `SELECT id, data, version, transfer_state, cancel_state, write_data, cancelled, last_error, attempts
		FROM orders WHERE store = ? AND marketplace_id = ?`, b.Store, o.ID).
		Scan(&st.id, &st.data, &st.version, &st.transfer, &st.cancel, &st.writeData, &st.cancelled, &st.lastError, &st.attempts)
	if errors.Is(err, sql.ErrNoRows) {
		o.Derive()
		data, err := json.Marshal(o)
		if err != nil {
			return 0, o, 0, false, err
		}
		state, why := initialTransfer(b.Policy, &o)
		tot := o.Totals()
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO orders (store, marketplace_id, order_number, status, raw_status, ordered_at, data,
				first_seen, updated_at, transfer_state, last_error, version, total, currency, lines, units)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			b.Store, o.ID, o.Number, string(o.Status), o.RawStatus, ms(o.OrderedAt), string(data), now, now, state, why,
			o.Version, int64(tot.Total), o.Currency, tot.Lines, tot.Units).Scan(&id)
		return id, o, putNew, state == TransferPending, err
	}
	if err != nil {
		return 0, o, 0, false, err
	}
	var old order.Order
	if err := json.Unmarshal([]byte(st.data), &old); err != nil {
		return 0, o, 0, false, fmt.Errorf("stored order data cannot be read: %w", err)
	}
	merged := order.Merge(&old, &o)
	data, err := json.Marshal(merged)
	if err != nil {
		return 0, o, 0, false, err
	}
	if bytes.Equal(data, []byte(st.data)) {
		if merged.Version != st.version {
			_, err = tx.ExecContext(ctx, "UPDATE orders SET version = ? WHERE id = ?", merged.Version, st.id)
		}
		return st.id, merged, putUnchanged, false, err
	}
	transfer := st.transfer
	var lastErr *string // set: the order's last_error changes
	due := false
	switch {
	case merged.Status == order.Cancelled && st.writeData == "" && (st.transfer == TransferWaiting || st.transfer == TransferPending || st.transfer == TransferFailed):
		// Never sent: there is nothing in the ERP to cancel.
		transfer, lastErr = TransferSkipped, ptr(skippedCancelled)
	case st.transfer == TransferWaiting && merged.Status != order.Awaiting && merged.Status != order.Cancelled:
		transfer, due = TransferPending, true
	case st.transfer == TransferSkipped && st.writeData == "" && st.lastError == skippedCancelled && merged.Status.Live():
		// Live again: a marketplace that replaces packages (Trendyol) may show the
		// cancelled old package a page before the new one that carries the rest.
		transfer, lastErr = TransferPending, ptr("")
		if merged.Status == order.Awaiting {
			transfer = TransferWaiting
		}
		due = transfer == TransferPending
	}
	cancel := st.cancel
	if st.transfer == TransferDone && cancel != "pending" && cancel != "failed" {
		need, err := cancellationNeeded(st.writeData, &merged, st.cancelled)
		if err != nil {
			return 0, o, 0, false, err
		}
		if len(need) > 0 {
			cancel, due = "pending", true
		}
	}
	tot := merged.Totals()
	q := `UPDATE orders SET data = ?, version = ?, status = ?, raw_status = ?, order_number = ?, updated_at = ?, total = ?,
		currency = ?, lines = ?, units = ?, transfer_state = ?, cancel_state = ?`
	args := []any{string(data), merged.Version, string(merged.Status), merged.RawStatus, merged.Number, now, int64(tot.Total),
		merged.Currency, tot.Lines, tot.Units, transfer, cancel}
	if transfer != st.transfer || cancel != st.cancel {
		q += ", next_at = 0"
	}
	if lastErr != nil {
		q += ", last_error = ?"
		args = append(args, *lastErr)
	}
	_, err = tx.ExecContext(ctx, q+" WHERE id = ?", append(args, st.id)...)
	return st.id, merged, putChanged, due, err
}

func ptr(s string) *string { return &s }

// skippedCancelled is the last_error of an order cancelled before any write attempt.
const skippedCancelled = "cancelled before it was written to the ERP"

// initialTransfer is the transfer state of a newly seen order.
func initialTransfer(p OrderPolicy, o *order.Order) (string, string) {
	switch {
	case !p.Transfer:
		return TransferSkipped, "the store does not transfer orders (orders.transfer: false)"
	case o.Status == order.Cancelled:
		return TransferSkipped, skippedCancelled
	case o.Status == order.Awaiting:
		return TransferWaiting, ""
	}
	return TransferPending, ""
}

// cancellationNeeded returns the units per SKU that were written to the ERP, are no
// longer live, and whose cancellation has not reached the ERP yet.
func cancellationNeeded(writeData string, now *order.Order, cancelledJSON string) (map[string]int64, error) {
	if writeData == "" {
		return nil, nil
	}
	var written order.Order
	if err := json.Unmarshal([]byte(writeData), &written); err != nil {
		return nil, fmt.Errorf("the order as written cannot be read: %w", err)
	}
	done := map[string]int64{}
	if cancelledJSON != "" {
		if err := json.Unmarshal([]byte(cancelledJSON), &done); err != nil {
			return nil, err
		}
	}
	live := now.Quantities()
	need := map[string]int64{}
	for sku, q := range written.Quantities() {
		if n := q - live[sku] - done[sku]; n > 0 {
			need[sku] = n
		}
	}
	return need, nil
}

// recomputeSKUs brings the desired state of skus up to date for every active store.
func (s *Store) recomputeSKUs(ctx context.Context, tx *sql.Tx, set map[string]bool, now int64) error {
	skus := make([]string, 0, len(set))
	for k := range set {
		skus = append(skus, k)
	}
	sort.Strings(skus)
	items, err := loadItems(ctx, tx, skus)
	if err != nil {
		return err
	}
	return s.recompute(ctx, tx, skus, items, s.storeRules(), now)
}

// OrderVersions returns the stored Version of each of ids of store (absent: not known),
// for a connector that skips unchanged orders.
func (s *Store) OrderVersions(ctx context.Context, store string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	err := forChunks(ids, func(part []string, args []any) error {
		rows, err := s.r.QueryContext(ctx, "SELECT marketplace_id, version FROM orders WHERE store = ? AND marketplace_id IN ("+
			placeholders(len(part))+")", append([]any{store}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, v string
			if err := rows.Scan(&id, &v); err != nil {
				return err
			}
			out[id] = v
		}
		return rows.Err()
	})
	return out, err
}

// Order returns the stored order of store with the marketplace id or order number ref.
func (s *Store) Order(ctx context.Context, store, ref string) (order.Order, bool, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT data FROM orders WHERE store = ? AND (marketplace_id = ? OR order_number = ?)
		ORDER BY id LIMIT 1`, store, ref, ref).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return order.Order{}, false, nil
	}
	if err != nil {
		return order.Order{}, false, err
	}
	var o order.Order
	if err := json.Unmarshal([]byte(data), &o); err != nil {
		return o, false, err
	}
	return o, true, nil
}
