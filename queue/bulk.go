package queue

import (
	"context"
	"database/sql"
	"strings"
)

// bulk writes rows with multi-row INSERT statements (up to bulkRows rows each), which
// costs far fewer round trips into SQLite than one statement per row: batched writes are
// what make the 50k items/s target reachable.
type bulk struct {
	tx         *sql.Tx
	head, tail string // "INSERT INTO t (a, b)" and an optional "ON CONFLICT ..." clause
	cols       int
	full       *sql.Stmt // prepared statement for a full chunk
	args       []any
	n          int
}

const bulkRows = 100

func newBulk(tx *sql.Tx, head string, cols int, tail string) *bulk {
	return &bulk{tx: tx, head: head, tail: tail, cols: cols, args: make([]any, 0, cols*bulkRows)}
}

func (b *bulk) sql(rows int) string {
	one := "(" + placeholders(b.cols) + ")"
	return b.head + " VALUES " + strings.TrimSuffix(strings.Repeat(one+",", rows), ",") + " " + b.tail
}

func (b *bulk) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	b.n++
	if b.n == bulkRows {
		return b.flush(ctx)
	}
	return nil
}

func (b *bulk) flush(ctx context.Context) error {
	if b.n == 0 {
		return nil
	}
	var err error
	if b.n == bulkRows {
		if b.full == nil {
			if b.full, err = b.tx.PrepareContext(ctx, b.sql(bulkRows)); err != nil {
				return err
			}
		}
		_, err = b.full.ExecContext(ctx, b.args...)
	} else {
		_, err = b.tx.ExecContext(ctx, b.sql(b.n), b.args...)
	}
	b.args, b.n = b.args[:0], 0
	return err
}

func (b *bulk) close() {
	if b.full != nil {
		b.full.Close()
	}
}
