package queue

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"syncagent/connectors/money"
)

// The snapshot state of SQL sources (migration 002). A source in snapshot mode compares
// each reading with the previous one row key by row key; these methods keep that previous
// reading. They all work in the caller's transaction because a reading's changes
// (ApplyTx) and the snapshot that produced them must commit together: a crash leaves
// either the previous snapshot and no changes, or both complete. Sources reach them
// through a ReadingTx (readingtx.go), which holds that transaction for them.

// SnapshotKey identifies one row of an SQL source's result.
type SnapshotKey struct{ SKU, Warehouse, PriceList string }

// SnapshotRow is what a reading gave for one row key. A nil field was not given.
type SnapshotRow struct {
	SnapshotKey
	Barcode   string
	Qty       *int64
	Price     *money.Kurus
	ListPrice *money.Kurus
	// Gen is the reading that last saw the row. SnapshotRowsTx fills it; PutSnapshotRowsTx
	// ignores it and writes the gen it is given.
	Gen int64
}

// Same reports whether r carries the same values as o (keys and Gen are not compared).
func (r SnapshotRow) Same(o SnapshotRow) bool {
	return r.Barcode == o.Barcode && eqInt(r.Qty, o.Qty) && eqKurus(r.Price, o.Price) && eqKurus(r.ListPrice, o.ListPrice)
}

func eqInt(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// StaleRow is a row key that the current reading did not return.
type StaleRow struct {
	SnapshotRow
	// QtyKept is true when another row of the same SKU and warehouse (under another price
	// list) was seen in the current reading with a quantity, so the item's stock in that
	// warehouse is still known and must not be zeroed.
	QtyKept bool
}

// Reading is the record of a source's last committed reading.
type Reading struct {
	Gen  int64     // 0: no reading yet
	Rows int64     // row keys in the snapshot after it
	At   time.Time // when it was committed
	// KeySum is the sum (mod 2^64) of Hash over those row keys; KeySumKnown is false
	// when it was never computed (a record older than migration 004). With no reading
	// yet it is known and 0: the snapshot is empty.
	KeySum      uint64
	KeySumKnown bool
}

// KeyTally is the count and the sum of Hash of a set of row keys.
type KeyTally struct {
	Rows int64
	Sum  uint64
}

// Add counts key into the tally.
func (t *KeyTally) Add(k SnapshotKey) {
	t.Rows++
	t.Sum += k.Hash()
}

// Hash is a stable 64-bit hash of the key (FNV-1a over each field's length and bytes,
// so fields cannot run together, then the splitmix64 finalizer to spread FNV's low-entropy high bits). Sums of it over
// sets of keys tell, with a chance of error near 2^-64, whether a reading met exactly the
// stored keys.
func (k SnapshotKey) Hash() uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, f := range [3]string{k.SKU, k.Warehouse, k.PriceList} {
		h = (h ^ uint64(len(f))) * prime
		for j := 0; j < len(f); j++ {
			h = (h ^ uint64(f[j])) * prime
		}
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// BeginReadingTx returns the generation number of a new reading of source and the record
// of the last committed one. Nothing is written until FinishReadingTx, so a reading that
// is rolled back leaves no trace.
func (s *Store) BeginReadingTx(ctx context.Context, tx *sql.Tx, source string) (int64, Reading, error) {
	last, err := lastReading(ctx, tx, source)
	if err != nil {
		return 0, last, err
	}
	return last.Gen + 1, last, nil
}

// LastReading returns the record of source's last committed reading (Gen 0 when none).
func (s *Store) LastReading(ctx context.Context, source string) (Reading, error) {
	return lastReading(ctx, s.r, source)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func lastReading(ctx context.Context, q queryRower, source string) (Reading, error) {
	var r Reading
	var at int64
	var sum sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT gen, rows, read_at, keysum FROM sql_readings WHERE source = ?", source).Scan(&r.Gen, &r.Rows, &at, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return Reading{KeySumKnown: true}, nil
	}
	r.At = fromMS(at)
	r.KeySum, r.KeySumKnown = uint64(sum.Int64), sum.Valid
	return r, err
}

// SnapshotRowsTx returns the stored rows of source for skus (every warehouse and price
// list of each), keyed by row key.
func (s *Store) SnapshotRowsTx(ctx context.Context, tx *sql.Tx, source string, skus []string) (map[SnapshotKey]SnapshotRow, error) {
	out := make(map[SnapshotKey]SnapshotRow, len(skus))
	err := forChunks(skus, func(part []string, args []any) error {
		rows, err := tx.QueryContext(ctx, `SELECT sku, warehouse, price_list, barcode, qty, price, list_price, gen
			FROM sql_snapshot WHERE source = ? AND sku IN (`+placeholders(len(part))+")", append([]any{source}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r SnapshotRow
			var q, p, lp sql.NullInt64
			if err := rows.Scan(&r.SKU, &r.Warehouse, &r.PriceList, &r.Barcode, &q, &p, &lp, &r.Gen); err != nil {
				return err
			}
			r.Qty, r.Price, r.ListPrice = intPtr(q), kurusPtr(p), kurusPtr(lp)
			out[r.SnapshotKey] = r
		}
		return rows.Err()
	})
	return out, err
}

// PutSnapshotRowsTx stores rows as seen by reading gen, replacing earlier values.
func (s *Store) PutSnapshotRowsTx(ctx context.Context, tx *sql.Tx, source string, gen int64, rows []SnapshotRow) error {
	b := newBulk(tx, `INSERT INTO sql_snapshot (source, sku, warehouse, price_list, barcode, qty, price, list_price, gen)
		SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8
		FROM json_each(?1) WHERE true
		ON CONFLICT (source, sku, warehouse, price_list) DO UPDATE SET barcode = excluded.barcode, qty = excluded.qty,
			price = excluded.price, list_price = excluded.list_price, gen = excluded.gen`)
	defer b.close()
	for _, r := range rows {
		if err := b.add(ctx, source, r.SKU, r.Warehouse, r.PriceList, r.Barcode, nullInt(r.Qty), nullKurus(r.Price), nullKurus(r.ListPrice), gen); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// StaleSnapshotRowsTx returns up to limit rows of source that reading gen has not seen,
// in key order after the key after (the zero key starts at the beginning). Callers page
// through with the last key returned; the scan follows the primary key, so a reading
// pays one pass over its source's rows however many pages it takes.
func (s *Store) StaleSnapshotRowsTx(ctx context.Context, tx *sql.Tx, source string, gen int64, after SnapshotKey, limit int) ([]StaleRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.sku, s.warehouse, s.price_list, s.barcode, s.qty, s.price, s.list_price, s.gen,
			EXISTS (SELECT 1 FROM sql_snapshot o WHERE o.source = s.source AND o.sku = s.sku AND o.warehouse = s.warehouse
				AND o.gen = ?2 AND o.qty IS NOT NULL)
		FROM sql_snapshot s
		WHERE s.source = ?1 AND (s.sku, s.warehouse, s.price_list) > (?3, ?4, ?5) AND s.gen < ?2
		ORDER BY s.sku, s.warehouse, s.price_list LIMIT ?6`,
		source, gen, after.SKU, after.Warehouse, after.PriceList, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StaleRow
	for rows.Next() {
		var r StaleRow
		var q, p, lp sql.NullInt64
		if err := rows.Scan(&r.SKU, &r.Warehouse, &r.PriceList, &r.Barcode, &q, &p, &lp, &r.Gen, &r.QtyKept); err != nil {
			return nil, err
		}
		r.Qty, r.Price, r.ListPrice = intPtr(q), kurusPtr(p), kurusPtr(lp)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteSnapshotRowsTx forgets row keys of source (keys the source no longer returns).
func (s *Store) DeleteSnapshotRowsTx(ctx context.Context, tx *sql.Tx, source string, keys []SnapshotKey) error {
	if len(keys) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, "DELETE FROM sql_snapshot WHERE source = ? AND sku = ? AND warehouse = ? AND price_list = ?")
	if err != nil {
		return err
	}
	defer st.Close()
	for _, k := range keys {
		if _, err := st.ExecContext(ctx, source, k.SKU, k.Warehouse, k.PriceList); err != nil {
			return err
		}
	}
	return nil
}

// FinishReadingTx records reading gen of source as the last committed one and returns the
// number of row keys now in its snapshot. keys is the count and sum of the snapshot's row
// keys when the caller kept them; nil has them counted from the table.
func (s *Store) FinishReadingTx(ctx context.Context, tx *sql.Tx, source string, gen int64, keys *KeyTally) (int64, error) {
	if keys == nil {
		t, err := tallyKeys(ctx, tx, source)
		if err != nil {
			return 0, err
		}
		keys = &t
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sql_readings (source, gen, rows, read_at, keysum) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET gen = excluded.gen, rows = excluded.rows, read_at = excluded.read_at, keysum = excluded.keysum`,
		source, gen, keys.Rows, s.nowMS(), int64(keys.Sum))
	return keys.Rows, err
}

// tallyKeys counts and sums the row keys of source's snapshot.
func tallyKeys(ctx context.Context, tx *sql.Tx, source string) (KeyTally, error) {
	var t KeyTally
	rows, err := tx.QueryContext(ctx, "SELECT sku, warehouse, price_list FROM sql_snapshot WHERE source = ?", source)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	var k SnapshotKey
	for rows.Next() {
		if err := rows.Scan(&k.SKU, &k.Warehouse, &k.PriceList); err != nil {
			return t, err
		}
		t.Add(k)
	}
	return t, rows.Err()
}

// ForgetSnapshot deletes the snapshot and reading record of source, so that its next
// reading counts every row as new (after the source was removed from the config, or to
// resend everything it reads). It works in small transactions so the writer is never
// held for long.
func (s *Store) ForgetSnapshot(ctx context.Context, source string) (int64, error) {
	var total int64
	for {
		res, err := s.w.ExecContext(ctx, `DELETE FROM sql_snapshot WHERE (source, sku, warehouse, price_list) IN
			(SELECT source, sku, warehouse, price_list FROM sql_snapshot WHERE source = ? LIMIT 5000)`, source)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 5000 {
			break
		}
	}
	_, err := s.w.ExecContext(ctx, "DELETE FROM sql_readings WHERE source = ?", source)
	return total, err
}
