package queue

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"syncagent/connectors/money"
	"syncagent/queue/backoff"
)

// Claimed is one dirty outbox row leased for a push. Qty, Price and ListPrice are the
// values to send (nil: not pushed); Conf* are the last confirmed values, so a connector
// can send only what changed.
type Claimed struct {
	Store, SKU, Barcode      string
	Qty                      *int64
	Price, ListPrice         *money.Kurus
	ConfQty                  *int64
	ConfPrice, ConfListPrice *money.Kurus
	Attempts                 int
	Token                    int64  // lease token; Confirm/Retry/Reject must present it
	BatchRef                 string // for awaiting rows: the marketplace batch id
	SentAt                   time.Time
}

// claimSQL leases up to n rows. Its WHERE clause matches the outbox_claim partial index
// exactly, so the claim stays fast with a million-row backlog. A leased row's next_at is
// its lease expiry, so a batch lost in a crash is claimable again once the lease runs out.
const claimSQL = `UPDATE outbox SET state = 'leased', lease_token = ?1, next_at = ?2, sent_at = ?3,
		sent_qty = want_qty, sent_price = want_price, sent_list = want_list
	WHERE rowid IN (SELECT rowid FROM outbox
		WHERE store = ?4 AND dirty = 1 AND state IN ('ready', 'leased') AND next_at <= ?3
		ORDER BY next_at LIMIT ?5)
	RETURNING sku, barcode, sent_qty, sent_price, sent_list, conf_qty, conf_price, conf_list, attempts`

// Claim leases up to n dirty rows of store whose retry time has come, oldest first.
func (s *Store) Claim(ctx context.Context, store string, n int) ([]Claimed, error) {
	var out []Claimed
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.ClaimTx(ctx, tx, store, n)
		return err
	})
	return out, err
}

// ClaimTx is Claim inside the caller's transaction.
func (s *Store) ClaimTx(ctx context.Context, tx *sql.Tx, store string, n int) ([]Claimed, error) {
	if n <= 0 {
		return nil, nil
	}
	now := s.opts.Now()
	token := s.nextToken()
	rows, err := tx.QueryContext(ctx, claimSQL, token, now.Add(s.opts.Lease).UnixMilli(), now.UnixMilli(), store, n)
	if err != nil {
		return nil, fmt.Errorf("claim for %s: %w", store, err)
	}
	defer rows.Close()
	var out []Claimed
	for rows.Next() {
		c := Claimed{Store: store, Token: token, SentAt: now}
		var q, p, l, cq, cp, cl sql.NullInt64
		if err := rows.Scan(&c.SKU, &c.Barcode, &q, &p, &l, &cq, &cp, &cl, &c.Attempts); err != nil {
			return nil, err
		}
		c.Qty, c.Price, c.ListPrice = intPtr(q), kurusPtr(p), kurusPtr(l)
		c.ConfQty, c.ConfPrice, c.ConfListPrice = intPtr(cq), kurusPtr(cp), kurusPtr(cl)
		out = append(out, c)
	}
	return out, rows.Err()
}

func intPtr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	x := v.Int64
	return &x
}

// Confirm records that the marketplace accepted the values sent for these rows: they
// become the confirmed values. A row whose desired value changed meanwhile stays dirty and
// is pushed again with the new value. Rows whose lease was lost are left alone.
func (s *Store) Confirm(ctx context.Context, items []Claimed) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.ConfirmTx(ctx, tx, items) })
}

// ConfirmTx is Confirm inside the caller's transaction.
func (s *Store) ConfirmTx(ctx context.Context, tx *sql.Tx, items []Claimed) error {
	st, err := tx.PrepareContext(ctx, `UPDATE outbox SET
			conf_qty = CASE WHEN sent_qty IS NULL THEN conf_qty ELSE sent_qty END,
			conf_price = CASE WHEN sent_price IS NULL THEN conf_price ELSE sent_price END,
			conf_list = CASE WHEN sent_list IS NULL THEN conf_list ELSE sent_list END,
			state = 'ready', next_at = 0, attempts = 0, last_error = '', batch_ref = '', confirmed_at = ?1
		WHERE store = ?2 AND sku = ?3 AND lease_token = ?4 AND state IN ('leased', 'awaiting')`)
	if err != nil {
		return err
	}
	defer st.Close()
	now := s.nowMS()
	for _, it := range items {
		if _, err := st.ExecContext(ctx, now, it.Store, it.SKU, it.Token); err != nil {
			return err
		}
	}
	return nil
}

// Outcome of a failed push for one item.
type Outcome int

const (
	// NotApplied: the marketplace certainly did not apply the values (a 5xx before
	// processing, a 429, a connection refused).
	NotApplied Outcome = iota
	// Unknown: the request may have been applied (a timeout after it was sent, a lost
	// response). The confirmed values are forgotten so the row stays dirty until the
	// marketplace's state is known again.
	Unknown
)

// Retry schedules the items again after an exponential backoff with jitter, counting an
// attempt; after MaxAttempts the item is dead-lettered with reason. It returns how many
// items were dead-lettered.
func (s *Store) Retry(ctx context.Context, items []Claimed, reason string, outcome Outcome) (int, error) {
	var dead int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		dead, err = s.RetryTx(ctx, tx, items, reason, outcome)
		return err
	})
	return dead, err
}

// RetryAfter is Retry with a delay the marketplace asked for (Retry-After) instead of the
// backoff; it counts no attempt, because waiting as told is not a failure of the item.
func (s *Store) RetryAfter(ctx context.Context, items []Claimed, reason string, wait time.Duration) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE outbox SET state = 'ready', next_at = ?1, last_error = ?2, batch_ref = ''
			WHERE store = ?3 AND sku = ?4 AND lease_token = ?5 AND state IN ('leased', 'awaiting')`)
		if err != nil {
			return err
		}
		defer st.Close()
		at := s.opts.Now().Add(wait).UnixMilli()
		for _, it := range items {
			if _, err := st.ExecContext(ctx, at, reason, it.Store, it.SKU, it.Token); err != nil {
				return err
			}
		}
		return nil
	})
}

// RetryTx is Retry inside the caller's transaction.
func (s *Store) RetryTx(ctx context.Context, tx *sql.Tx, items []Claimed, reason string, outcome Outcome) (int, error) {
	forget := ""
	if outcome == Unknown {
		forget = `conf_qty = CASE WHEN sent_qty IS NULL THEN conf_qty ELSE NULL END,
			conf_price = CASE WHEN sent_price IS NULL THEN conf_price ELSE NULL END,
			conf_list = CASE WHEN sent_list IS NULL THEN conf_list ELSE NULL END, `
	}
	st, err := tx.PrepareContext(ctx, `UPDATE outbox SET `+forget+`state = 'ready', next_at = ?1, attempts = attempts + 1, last_error = ?2, batch_ref = ''
		WHERE store = ?3 AND sku = ?4 AND lease_token = ?5 AND state IN ('leased', 'awaiting') RETURNING attempts`)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	var giveUp []Claimed
	for _, it := range items {
		var attempts int
		err := st.QueryRowContext(ctx, s.nowMS()+s.backoff(it.Attempts+1).Milliseconds(), reason, it.Store, it.SKU, it.Token).Scan(&attempts)
		if err == sql.ErrNoRows {
			continue // lease lost: someone else owns the row now
		}
		if err != nil {
			return 0, err
		}
		if attempts >= s.opts.MaxAttempts {
			it.Attempts = attempts
			giveUp = append(giveUp, it)
		}
	}
	if len(giveUp) > 0 {
		msg := fmt.Sprintf("gave up after %d attempts: %s", s.opts.MaxAttempts, reason)
		if err := s.deadLetter(ctx, tx, giveUp, msg, false); err != nil {
			return 0, err
		}
	}
	return len(giveUp), nil
}

// backoff is RetryBase × 2^(attempt-1), capped at RetryMax, with ±25 % jitter so that
// items failing together do not retry in lockstep.
func (s *Store) backoff(attempt int) time.Duration {
	return backoff.Policy{Base: s.opts.RetryBase, Max: s.opts.RetryMax, Jitter: 0.25, Rand: s.opts.Jitter}.Delay(attempt)
}

// Reject dead-letters the items with the marketplace's reason. The row is not pushed again
// until its desired value changes (a corrected value gets a fresh chance) or someone
// requeues it.
func (s *Store) Reject(ctx context.Context, items []Claimed, reason string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.RejectTx(ctx, tx, items, reason) })
}

// RejectTx is Reject inside the caller's transaction.
func (s *Store) RejectTx(ctx context.Context, tx *sql.Tx, items []Claimed, reason string) error {
	return s.deadLetter(ctx, tx, items, reason, true)
}

func (s *Store) deadLetter(ctx context.Context, tx *sql.Tx, items []Claimed, reason string, checkLease bool) error {
	upd, err := tx.PrepareContext(ctx, `UPDATE outbox SET state = 'dead', last_error = ?1, batch_ref = '', next_at = 0
		WHERE store = ?2 AND sku = ?3 AND lease_token = ?4 AND (?5 = 0 OR state IN ('leased', 'awaiting'))
		RETURNING sent_qty, sent_price, sent_list, attempts`)
	if err != nil {
		return err
	}
	defer upd.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO dead_letters (store, sku, qty, price, list_price, attempts, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	check := 0
	if checkLease {
		check = 1
	}
	for _, it := range items {
		var q, p, l sql.NullInt64
		var attempts int
		err := upd.QueryRowContext(ctx, reason, it.Store, it.SKU, it.Token, check).Scan(&q, &p, &l, &attempts)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, it.Store, it.SKU, q, p, l, attempts, reason, s.nowMS()); err != nil {
			return err
		}
	}
	return nil
}

// Release gives leased rows back without counting an attempt (the agent stopped before
// sending them, or a rate limit means they wait for the next cycle).
func (s *Store) Release(ctx context.Context, items []Claimed) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE outbox SET state = 'ready', next_at = 0
			WHERE store = ? AND sku = ? AND lease_token = ? AND state = 'leased'`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, it := range items {
			if _, err := st.ExecContext(ctx, it.Store, it.SKU, it.Token); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkAwaiting records that an asynchronous marketplace accepted the items in batch ref;
// they wait, unclaimable, until the batch result is read (ListAwaiting) and each item is
// confirmed, retried or rejected. checkAt is when the result should be read first.
func (s *Store) MarkAwaiting(ctx context.Context, items []Claimed, ref string, checkAt time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE outbox SET state = 'awaiting', batch_ref = ?1, next_at = ?2
			WHERE store = ?3 AND sku = ?4 AND lease_token = ?5 AND state = 'leased'`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, it := range items {
			if _, err := st.ExecContext(ctx, ref, ms(checkAt), it.Store, it.SKU, it.Token); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListAwaiting returns the rows of store waiting for a batch result, grouped by batch,
// oldest batch first. Rows survive a restart, so results are read after a crash too.
func (s *Store) ListAwaiting(ctx context.Context, store string) (map[string][]Claimed, []string, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT sku, barcode, sent_qty, sent_price, sent_list, conf_qty, conf_price, conf_list,
			attempts, lease_token, batch_ref, sent_at FROM outbox WHERE store = ? AND state = 'awaiting' ORDER BY sent_at, batch_ref`, store)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	byRef := map[string][]Claimed{}
	var refs []string
	for rows.Next() {
		c := Claimed{Store: store}
		var q, p, l, cq, cp, cl sql.NullInt64
		var sent int64
		if err := rows.Scan(&c.SKU, &c.Barcode, &q, &p, &l, &cq, &cp, &cl, &c.Attempts, &c.Token, &c.BatchRef, &sent); err != nil {
			return nil, nil, err
		}
		c.Qty, c.Price, c.ListPrice = intPtr(q), kurusPtr(p), kurusPtr(l)
		c.ConfQty, c.ConfPrice, c.ConfListPrice = intPtr(cq), kurusPtr(cp), kurusPtr(cl)
		c.SentAt = fromMS(sent)
		if _, ok := byRef[c.BatchRef]; !ok {
			refs = append(refs, c.BatchRef)
		}
		byRef[c.BatchRef] = append(byRef[c.BatchRef], c)
	}
	return byRef, refs, rows.Err()
}

// Requeue gives dead-lettered rows of store a fresh start (all of them when skus is empty).
func (s *Store) Requeue(ctx context.Context, store string, skus ...string) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE outbox SET state = 'ready', attempts = 0, next_at = 0, last_error = '' WHERE store = ? AND state = 'dead'`
		args := []any{store}
		if len(skus) > 0 {
			q += " AND sku IN (" + placeholders(len(skus)) + ")"
			for _, k := range skus {
				args = append(args, k)
			}
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
