package queue

import (
	"context"
	"fmt"
	"strconv"
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
	if err := t.openKeys(ctx); err != nil {
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
	earlier, err := t.lookupKeys(ctx, distinct)
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
	if err := t.storeKeys(ctx, distinct, func(key string) int { return changes[last[key]].Source.Row }); err != nil {
		return nil, fmt.Errorf("recording the SKUs of a chunk: %w", err)
	}
	return out, nil
}

// keyOf is the identity of a row: SKU, warehouse and price list.
func keyOf(c *ItemChange) string {
	return c.SKU + "\x00" + c.Warehouse + "\x00" + c.PriceList
}

const (
	createImportKeys = `CREATE TEMP TABLE IF NOT EXISTS import_keys (k TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID`
	dropImportKeys   = `DROP TABLE IF EXISTS temp.import_keys`
)

// openKeys creates (or empties) the key table before the first chunk of a reading. The
// table is made inside the rows' savepoint, so UndoRows takes it along.
func (t *ImportTx) openKeys(ctx context.Context) error {
	if t.keysReady {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, createImportKeys); err != nil {
		return fmt.Errorf("creating the table of repeated SKUs: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, "DELETE FROM temp.import_keys"); err != nil {
		return fmt.Errorf("emptying the table of repeated SKUs: %w", err)
	}
	t.keysReady = true
	return nil
}

// Keys hold NUL separators; they travel through json_each intact (SQLite compares TEXT
// by its bytes and length), as the repeats test of keys that differ only after a NUL
// proves.

// lookupKeys returns the line stored for each key that has one.
func (t *ImportTx) lookupKeys(ctx context.Context, keys []string) (map[string]int, error) {
	out := map[string]int{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := t.tx.QueryContext(ctx, "SELECT k, line FROM temp.import_keys WHERE k IN (SELECT value FROM json_each(?1))", jsonList(keys))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var line int
		if err := rows.Scan(&key, &line); err != nil {
			return nil, err
		}
		out[key] = line
	}
	return out, rows.Err()
}

// storeKeys records the latest line of each key, all in one statement (see bulk).
func (t *ImportTx) storeKeys(ctx context.Context, keys []string, line func(string) int) error {
	if len(keys) == 0 {
		return nil
	}
	buf := make([]byte, 0, 32*len(keys))
	buf = append(buf, '[')
	for i, key := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		buf = appendJSONString(buf, key)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(line(key)), 10)
		buf = append(buf, ']')
	}
	buf = append(buf, ']')
	_, err := t.tx.ExecContext(ctx, `INSERT INTO temp.import_keys (k, line) SELECT value->>0, value->>1 FROM json_each(?1) WHERE true
		ON CONFLICT (k) DO UPDATE SET line = excluded.line`, string(buf))
	return err
}
