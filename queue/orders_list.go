package queue

import (
	"context"
	"time"

	"syncagent/connectors/money"
)

// OrderInfo is one order as the orders and status commands show it: no customer data.
type OrderInfo struct {
	Store, ID, Number           string
	Status, RawStatus, Currency string
	OrderedAt, FirstSeen        time.Time
	Total                       money.Kurus
	Lines, Units                int
	TransferState               string
	CancelState                 string
	Attempts                    int
	LastError                   string
	NextAt, TransferredAt       time.Time
	Held                        int64 // units held against the stores' stock now
	Released                    int64 // units that were held and are released
}

// OrderFilter selects orders for ListOrders.
type OrderFilter struct {
	Store   string    // "" : every store
	Pending bool      // only orders whose ERP write or cancellation is not done
	Since   time.Time // only orders first seen at or after this
	Limit   int       // newest first; 0: 200
}

// ListOrders returns the orders matching f, newest first.
func (s *Store) ListOrders(ctx context.Context, f OrderFilter) ([]OrderInfo, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	q := `SELECT o.store, o.marketplace_id, o.order_number, o.status, o.raw_status, o.currency, o.ordered_at, o.first_seen,
			o.total, o.lines, o.units, o.transfer_state, o.cancel_state, o.attempts, o.last_error, o.next_at, o.transferred_at,
			COALESCE((SELECT SUM(qty) FROM reservations r WHERE r.order_id = o.id AND r.state = 'held'), 0),
			COALESCE((SELECT SUM(qty) FROM reservations r WHERE r.order_id = o.id AND r.state = 'released'), 0)
		FROM orders o WHERE (?1 = '' OR o.store = ?1) AND o.first_seen >= ?2`
	if f.Pending {
		q += ` AND (o.transfer_state IN ('waiting', 'pending', 'failed') OR o.cancel_state IN ('pending', 'failed'))`
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY o.first_seen DESC, o.id DESC LIMIT ?3", f.Store, ms(f.Since), f.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OrderInfo
	for rows.Next() {
		var o OrderInfo
		var ordered, seen, next, transferred, total int64
		if err := rows.Scan(&o.Store, &o.ID, &o.Number, &o.Status, &o.RawStatus, &o.Currency, &ordered, &seen, &total,
			&o.Lines, &o.Units, &o.TransferState, &o.CancelState, &o.Attempts, &o.LastError, &next, &transferred, &o.Held, &o.Released); err != nil {
			return nil, err
		}
		o.OrderedAt, o.FirstSeen, o.NextAt, o.TransferredAt = fromMS(ordered), fromMS(seen), fromMS(next), fromMS(transferred)
		o.Total = money.Kurus(total)
		out = append(out, o)
	}
	return out, rows.Err()
}

// OrderSummary is one store's orders at a glance, for the status command.
type OrderSummary struct {
	Store                  string
	Orders                 int
	Waiting, Pending, Done int // transfer states (Pending includes failed ones)
	Failed                 int // of Pending: the last attempt failed
	Skipped                int
	Cancellations          int // cancellations still to export
	OldestPending          time.Time
	LastError              string // newest error of a failed write
	LastSeen               time.Time
	HeldUnits              int64 // units held against the stock shown
	HeldOrders             int
	AwaitingReading        int       // held rows ready to go at the next ERP reading
	OldestHeld             time.Time // when the oldest held reservation was made
}

// OrderSummaries returns the summary of every store with orders, by store name.
func (s *Store) OrderSummaries(ctx context.Context) (map[string]*OrderSummary, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT store, COUNT(*),
			SUM(transfer_state = 'waiting'), SUM(transfer_state IN ('pending', 'failed')), SUM(transfer_state = 'failed'),
			SUM(transfer_state = 'done'), SUM(transfer_state = 'skipped'), SUM(cancel_state IN ('pending', 'failed')),
			COALESCE(MIN(CASE WHEN transfer_state IN ('pending', 'failed') OR cancel_state IN ('pending', 'failed') THEN first_seen END), 0),
			MAX(updated_at)
		FROM orders GROUP BY store`)
	if err != nil {
		return nil, err
	}
	out := map[string]*OrderSummary{}
	for rows.Next() {
		o := &OrderSummary{}
		var oldest, last int64
		if err := rows.Scan(&o.Store, &o.Orders, &o.Waiting, &o.Pending, &o.Failed, &o.Done, &o.Skipped, &o.Cancellations, &oldest, &last); err != nil {
			rows.Close()
			return nil, err
		}
		o.OldestPending, o.LastSeen = fromMS(oldest), fromMS(last)
		out[o.Store] = o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.r.QueryContext(ctx, `SELECT o.store, SUM(r.qty), COUNT(DISTINCT r.order_id), SUM(r.ready_at > 0), MIN(r.created_at)
		FROM reservations r JOIN orders o ON o.id = r.order_id WHERE r.state = 'held' GROUP BY o.store`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var store string
		var units int64
		var orders, ready int
		var oldest int64
		if err := rows.Scan(&store, &units, &orders, &ready, &oldest); err != nil {
			return nil, err
		}
		if o := out[store]; o != nil {
			o.HeldUnits, o.HeldOrders, o.AwaitingReading, o.OldestHeld = units, orders, ready, fromMS(oldest)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for name, o := range out {
		if o.Failed > 0 {
			_ = s.r.QueryRowContext(ctx, `SELECT last_error FROM orders WHERE store = ? AND last_error <> ''
				AND (transfer_state = 'failed' OR cancel_state = 'failed') ORDER BY next_at DESC LIMIT 1`, name).Scan(&o.LastError)
		}
	}
	return out, nil
}
