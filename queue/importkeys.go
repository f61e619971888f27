package queue

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Repeated rows of a file are found with a temporary table in the import's own
// transaction, not a map in memory: a million-row file would need tens of megabytes (and
// twice that with the garbage collector's headroom) to remember every key, while SQLite
// keeps the table on disk with a small page cache. The table lives in the writer
// connection's temporary database; Commit drops it, and a rollback takes it along.

// Repeat is a row of an import that replaces an earlier row of the same file with the
// same SKU, warehouse and price list: the later row wins.
type Repeat struct {
	Index    int // the later row: its index in the chunk given to Repeats
	Replaced int // the earlier row: its Source.Row
	// Prior is the earlier row's index in the same chunk, or -1 when an earlier chunk
	// held it (and Apply may already have applied it).
	Prior int
}

// Repeats finds, in file order, the rows of changes that repeat an earlier row of the
// file: one in the same chunk, or one in a chunk given to Repeats before (since
// BeginImport or the last UndoRows). Rows are told apart by Source.Row, their line in the
// file. Every chunk of the file must pass through Repeats, whether it is applied or not,
// so that later chunks are compared with it.
func (t *ImportTx) Repeats(ctx context.Context, changes []ItemChange) ([]Repeat, error) {
	if err := t.keys.open(ctx, t.tx); err != nil {
		return nil, err
	}
	keys := make([]string, len(changes))
	distinct := make([]string, 0, len(changes))
	last := make(map[string]int, len(changes)) // key → index of its latest row in the chunk
	for i := range changes {
		keys[i] = keyOf(&changes[i])
		if _, ok := last[keys[i]]; !ok {
			distinct = append(distinct, keys[i])
		}
		last[keys[i]] = i
	}
	earlier, err := t.keys.lookup(ctx, t.tx, distinct)
	if err != nil {
		return nil, fmt.Errorf("looking up repeated SKUs: %w", err)
	}
	var out []Repeat
	seen := make(map[string]int, len(distinct))
	for i, key := range keys {
		if j, ok := seen[key]; ok {
			out = append(out, Repeat{Index: i, Replaced: changes[j].Source.Row, Prior: j})
		} else if row, ok := earlier[key]; ok {
			out = append(out, Repeat{Index: i, Replaced: row, Prior: -1})
		}
		seen[key] = i
	}
	if err := t.keys.store(ctx, t.tx, distinct, func(key string) int { return changes[last[key]].Source.Row }); err != nil {
		return nil, fmt.Errorf("recording the SKUs of a chunk: %w", err)
	}
	return out, nil
}

// keyOf is the identity of a row: SKU, warehouse and price list.
func keyOf(c *ItemChange) string {
	return c.SKU + "\x00" + c.Warehouse + "\x00" + c.PriceList
}

// importKeys is the table of the keys an import has seen, with the latest row of each.
type importKeys struct {
	ready bool      // the table exists and is empty or holds this reading's keys
	ups   *sql.Stmt // the upsert of upsN keys, kept for the next chunk of the same size
	upsN  int
}

const (
	createImportKeys = `CREATE TEMP TABLE IF NOT EXISTS import_keys (k TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID`
	dropImportKeys   = `DROP TABLE IF EXISTS temp.import_keys`
	// keysPerLookup bounds the keys of one IN (...) query, far below SQLite's variable
	// limit.
	keysPerLookup = 500
)

// open creates (or empties) the table before the first chunk of a reading.
func (k *importKeys) open(ctx context.Context, tx *sql.Tx) error {
	if k.ready {
		return nil
	}
	if _, err := tx.ExecContext(ctx, createImportKeys); err != nil {
		return fmt.Errorf("creating the table of repeated SKUs: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM temp.import_keys"); err != nil {
		return fmt.Errorf("emptying the table of repeated SKUs: %w", err)
	}
	k.ready = true
	return nil
}

// reset forgets the statement and makes the next Repeats start from an empty table.
func (k *importKeys) reset() {
	if k.ups != nil {
		k.ups.Close()
	}
	*k = importKeys{}
}

// lookup returns the line stored for each key that has one.
func (k *importKeys) lookup(ctx context.Context, tx *sql.Tx, keys []string) (map[string]int, error) {
	out := map[string]int{}
	for i := 0; i < len(keys); i += keysPerLookup {
		part := keys[i:min(i+keysPerLookup, len(keys))]
		args := make([]any, len(part))
		for j, key := range part {
			args[j] = key
		}
		rows, err := tx.QueryContext(ctx, "SELECT k, line FROM temp.import_keys WHERE k IN ("+placeholders(len(part))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var key string
			var line int
			if err := rows.Scan(&key, &line); err != nil {
				rows.Close()
				return nil, err
			}
			out[key] = line
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// store records the latest line of each key. The statement is prepared once for a run of
// chunks with the same number of keys, which is every full chunk of a file without
// repeats.
func (k *importKeys) store(ctx context.Context, tx *sql.Tx, keys []string, line func(string) int) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(keys))
	for _, key := range keys {
		args = append(args, key, line(key))
	}
	if k.ups == nil || k.upsN != len(keys) {
		if k.ups != nil {
			k.ups.Close()
		}
		q := "INSERT INTO temp.import_keys (k, line) VALUES " + strings.TrimSuffix(strings.Repeat("(?,?),", len(keys)), ",") +
			" ON CONFLICT (k) DO UPDATE SET line = excluded.line"
		var err error
		if k.ups, err = tx.PrepareContext(ctx, q); err != nil {
			k.ups = nil
			return err
		}
		k.upsN = len(keys)
	}
	_, err := k.ups.ExecContext(ctx, args...)
	return err
}
