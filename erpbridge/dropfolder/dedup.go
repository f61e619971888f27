package dropfolder

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"syncagent/queue"
)

// Repeated SKUs are found with a temporary table in the import's own transaction, not a
// map in memory: a million-row file would need tens of megabytes (and twice that with
// the garbage collector's headroom) to remember every key, while SQLite keeps the table
// on disk with a small page cache. The table lives in the connection's temporary
// database and is dropped before the commit.

// pendingRow is one valid row on its way to the queue.
type pendingRow struct {
	change queue.ItemChange
	line   int32
	skip   bool // known to be replaced by a later row (second reading): tracked, not applied
}

// keyOf is the identity of a row: SKU, warehouse and price list.
func keyOf(c *queue.ItemChange) string {
	return c.SKU + "\x00" + c.Warehouse + "\x00" + c.PriceList
}

// keyTable finds, for each row, the earlier row of the file with the same key.
type keyTable struct {
	tx  *sql.Tx
	ups *sql.Stmt // upsert of a full chunk
}

const (
	createKeys = `CREATE TEMP TABLE IF NOT EXISTS dropfolder_keys (k TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID`
	dropKeys   = `DROP TABLE IF EXISTS temp.dropfolder_keys`
	// lookupPart bounds the keys of one IN (...) query, far below SQLite's variable limit.
	lookupPart = 500
)

// newKeyTable creates (or empties) the table for one reading of a file.
func newKeyTable(ctx context.Context, tx *sql.Tx) (*keyTable, error) {
	if _, err := tx.ExecContext(ctx, createKeys); err != nil {
		return nil, fmt.Errorf("creating the table of repeated SKUs: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM temp.dropfolder_keys"); err != nil {
		return nil, fmt.Errorf("emptying the table of repeated SKUs: %w", err)
	}
	return &keyTable{tx: tx}, nil
}

func (k *keyTable) close() {
	if k.ups != nil {
		k.ups.Close()
	}
}

// replacement is a row replaced by a later row with the same key.
type replacement struct {
	change   *queue.ItemChange // the later row
	replaced int32
	by       int32
}

// resolve finds the repeats of rows, in file order: within the chunk, and against the
// earlier chunks, calling found for each (earlierChunk tells which). Rows replaced
// within the chunk are marked dropped.
func (k *keyTable) resolve(ctx context.Context, rows []pendingRow, dropped []bool, found func(replacement, bool)) error {
	keys := make([]string, len(rows))
	distinct := make([]string, 0, len(rows))
	last := make(map[string]int, len(rows)) // key → index of its latest row in the chunk
	for i := range rows {
		keys[i] = keyOf(&rows[i].change)
		if _, ok := last[keys[i]]; !ok {
			distinct = append(distinct, keys[i])
		}
		last[keys[i]] = i
	}
	earlier, err := k.lookup(ctx, distinct)
	if err != nil {
		return err
	}
	seen := make(map[string]int, len(distinct))
	for i := range rows {
		key := keys[i]
		if j, ok := seen[key]; ok {
			dropped[j] = true
			found(replacement{change: &rows[i].change, replaced: rows[j].line, by: rows[i].line}, false)
		} else if line, ok := earlier[key]; ok {
			found(replacement{change: &rows[i].change, replaced: line, by: rows[i].line}, true)
		}
		seen[key] = i
	}
	return k.store(ctx, distinct, func(key string) int32 { return rows[last[key]].line })
}

// lookup returns the line stored for each key that has one.
func (k *keyTable) lookup(ctx context.Context, keys []string) (map[string]int32, error) {
	out := map[string]int32{}
	for i := 0; i < len(keys); i += lookupPart {
		part := keys[i:min(i+lookupPart, len(keys))]
		args := make([]any, len(part))
		for j, key := range part {
			args[j] = key
		}
		rows, err := k.tx.QueryContext(ctx, "SELECT k, line FROM temp.dropfolder_keys WHERE k IN ("+marks(len(part))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var key string
			var line int32
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

// store records the latest line of each key.
func (k *keyTable) store(ctx context.Context, keys []string, line func(string) int32) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(keys))
	for _, key := range keys {
		args = append(args, key, line(key))
	}
	const tail = " ON CONFLICT (k) DO UPDATE SET line = excluded.line"
	q := "INSERT INTO temp.dropfolder_keys (k, line) VALUES " + strings.TrimSuffix(strings.Repeat("(?,?),", len(keys)), ",") + tail
	if len(keys) != chunkSize {
		_, err := k.tx.ExecContext(ctx, q, args...)
		return err
	}
	if k.ups == nil {
		var err error
		if k.ups, err = k.tx.PrepareContext(ctx, q); err != nil {
			return err
		}
	}
	_, err := k.ups.ExecContext(ctx, args...)
	return err
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// chunkSize is the number of rows given to ApplyTx at a time.
const chunkSize = 1000
