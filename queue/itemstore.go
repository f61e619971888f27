package queue

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"syncagent/connectors/money"
)

// chunk is the number of SKUs per IN (...) query: far below SQLite's variable limit, large
// enough that a batch of 1000 changes costs a handful of queries.
const chunk = 500

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func forChunks(keys []string, fn func(part []string, args []any) error) error {
	for i := 0; i < len(keys); i += chunk {
		part := keys[i:min(i+chunk, len(keys))]
		args := make([]any, len(part))
		for j, k := range part {
			args[j] = k
		}
		if err := fn(part, args); err != nil {
			return err
		}
	}
	return nil
}

// loadItems reads the ERP view of skus; unknown SKUs get an empty state.
func loadItems(ctx context.Context, tx *sql.Tx, skus []string) (map[string]*itemState, error) {
	items := make(map[string]*itemState, len(skus))
	for _, sku := range skus {
		items[sku] = &itemState{Item: Item{SKU: sku, Stock: map[string]int64{}, Prices: map[string]PriceEntry{}, Reserved: map[string]int64{}}}
	}
	// One JSON-array parameter instead of an IN list: one bind, one cached statement.
	err := func() error {
		rows, err := tx.QueryContext(ctx, "SELECT sku, barcode, stock, prices FROM items WHERE sku IN (SELECT value FROM json_each(?1))", jsonList(skus))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sku, bc, stock, prices string
			if err := rows.Scan(&sku, &bc, &stock, &prices); err != nil {
				return err
			}
			it := items[sku]
			it.Barcode, it.exists = bc, true
			if err := decodeStock(stock, it.Stock); err != nil {
				return fmt.Errorf("item %q: %w", sku, err)
			}
			if err := decodePrices(prices, it.Prices); err != nil {
				return fmt.Errorf("item %q: %w", sku, err)
			}
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, err
	}
	for _, l := range itemLoaders {
		if err := l(ctx, tx, skus, items); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// itemLoaders add to the item state what other tables know (order reservations).
var itemLoaders []func(ctx context.Context, tx *sql.Tx, skus []string, items map[string]*itemState) error

func kurusPtr(v sql.NullInt64) *money.Kurus {
	if !v.Valid {
		return nil
	}
	k := money.Kurus(v.Int64)
	return &k
}

func nullKurus(k *money.Kurus) any {
	if k == nil {
		return nil
	}
	return int64(*k)
}

func nullInt(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

// writeItems writes the final state of every touched item and the journal of diffs. Each
// item is written once however many changes of the batch touched it.
func writeItems(ctx context.Context, tx *sql.Tx, items map[string]*itemState, touched []string, diffs []FieldDiff, now int64) error {
	// diffs come grouped by change, in order: each change is one journal row.
	// "WHERE true" settles SQLite's parsing ambiguity between INSERT … SELECT and upsert.
	it := newBulk(tx, `INSERT INTO items (sku, barcode, stock, prices, updated_at)
		SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?1) WHERE true
		ON CONFLICT (sku) DO UPDATE SET barcode = excluded.barcode, stock = excluded.stock,
			prices = excluded.prices, updated_at = excluded.updated_at`)
	defer it.close()
	jr := newBulk(tx, `INSERT INTO journal (at, sku, changes, source_kind, source_ref, source_row)
		SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 FROM json_each(?1)`)
	defer jr.close()
	for _, sku := range touched {
		st := items[sku]
		if err := it.add(ctx, sku, st.Barcode, encodeStock(st.Stock), encodePrices(st.Prices), now); err != nil {
			return err
		}
	}
	if err := it.flush(ctx); err != nil {
		return err
	}
	for i := 0; i < len(diffs); {
		j := i + 1
		for j < len(diffs) && diffs[j].change == diffs[i].change {
			j++
		}
		d := diffs[i]
		if err := jr.add(ctx, now, d.SKU, encodeJournal(diffs[i:j]), d.Source.Kind, d.Source.Ref, d.Source.Row); err != nil {
			return err
		}
		i = j
	}
	return jr.flush(ctx)
}

type outboxWant struct {
	barcode          string
	qty, price, list sql.NullInt64
}

func (o outboxWant) equal(barcode string, d Desired) bool {
	return o.barcode == barcode && eqNull(o.qty, d.Qty) && eqNullK(o.price, d.Price) && eqNullK(o.list, d.ListPrice)
}

func eqNull(a sql.NullInt64, b *int64) bool {
	if !a.Valid || b == nil {
		return !a.Valid && b == nil
	}
	return a.Int64 == *b
}

func eqNullK(a sql.NullInt64, b *money.Kurus) bool {
	if !a.Valid || b == nil {
		return !a.Valid && b == nil
	}
	return a.Int64 == int64(*b)
}

// recompute brings the outbox rows of skus up to date for every store in rules.
func (s *Store) recompute(ctx context.Context, tx *sql.Tx, skus []string, items map[string]*itemState, rules map[string]Rules, now int64) error {
	if len(rules) == 0 || len(skus) == 0 {
		return nil
	}
	names := make([]string, 0, len(rules))
	for n := range rules {
		names = append(names, n)
	}
	sort.Strings(names)
	up := newBulk(tx, `INSERT INTO outbox (store, sku, barcode, want_qty, want_price, want_list, changed_at)
		SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6 FROM json_each(?1) WHERE true
		ON CONFLICT (store, sku) DO UPDATE SET
			barcode = excluded.barcode, want_qty = excluded.want_qty, want_price = excluded.want_price,
			want_list = excluded.want_list, changed_at = excluded.changed_at, attempts = 0,
			state = CASE WHEN state = 'dead' THEN 'ready' ELSE state END`)
	defer up.close()
	list := jsonList(skus)
	for _, store := range names {
		r := rules[store]
		have := make(map[string]outboxWant, len(skus))
		err := func() error {
			rows, err := tx.QueryContext(ctx, "SELECT sku, barcode, want_qty, want_price, want_list FROM outbox WHERE store = ?1 AND sku IN (SELECT value FROM json_each(?2))",
				store, list)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var sku string
				var o outboxWant
				if err := rows.Scan(&sku, &o.barcode, &o.qty, &o.price, &o.list); err != nil {
					return err
				}
				have[sku] = o
			}
			return rows.Err()
		}()
		if err != nil {
			return err
		}
		for _, sku := range skus {
			it := items[sku]
			d := r.Desired(&it.Item)
			o, exists := have[sku]
			if exists && o.equal(it.Barcode, d) {
				continue
			}
			if !exists && d.Qty == nil && d.Price == nil && d.ListPrice == nil {
				continue
			}
			if err := up.add(ctx, store, sku, it.Barcode, nullInt(d.Qty), nullKurus(d.Price), nullKurus(d.ListPrice), now); err != nil {
				return err
			}
		}
		if err := up.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// RecomputeStore recomputes the desired state of every known item for one store, in
// chunks of one transaction each, after the store's rules changed or it became active.
func (s *Store) RecomputeStore(ctx context.Context, store string) (int, error) {
	r, ok := s.storeRules()[store]
	if !ok {
		return 0, nil
	}
	rules := map[string]Rules{store: r}
	after, total := "", 0
	for {
		var n int
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, "SELECT sku FROM items WHERE sku > ? ORDER BY sku LIMIT 1000", after)
			if err != nil {
				return err
			}
			var skus []string
			for rows.Next() {
				var sku string
				if err := rows.Scan(&sku); err != nil {
					rows.Close()
					return err
				}
				skus = append(skus, sku)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			n = len(skus)
			if n == 0 {
				return nil
			}
			after = skus[n-1]
			items, err := loadItems(ctx, tx, skus)
			if err != nil {
				return err
			}
			return s.recompute(ctx, tx, skus, items, rules, s.nowMS())
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < 1000 {
			return total, nil
		}
	}
}

// RulesHash returns the fingerprint stored with RecordRulesHash ("" if none).
func (s *Store) RulesHash(ctx context.Context, store string) (string, error) {
	var h string
	err := s.w.QueryRowContext(ctx, "SELECT hash FROM store_rules WHERE store = ?", store).Scan(&h)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return h, err
}

// RecordRulesHash stores the fingerprint of the rules a store's desired state was computed with.
func (s *Store) RecordRulesHash(ctx context.Context, store, hash string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO store_rules (store, hash, at) VALUES (?, ?, ?)
		ON CONFLICT (store) DO UPDATE SET hash = excluded.hash, at = excluded.at`, store, hash, s.nowMS())
	return err
}
