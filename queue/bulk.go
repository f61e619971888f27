package queue

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// bulk writes many rows with one statement execution: the rows are encoded as one JSON
// array of arrays, bound as a single text parameter, and expanded inside SQLite by
// json_each. Binding each value separately costs a cgo call per value; with this, a
// thousand rows cost one bind and one step loop in C, which is what makes the
// items-per-second targets of imports and SQL snapshots reachable.
//
// The statement reads row values as value->>0, value->>1, … from json_each(?1).
type bulk struct {
	tx    *sql.Tx
	query string
	st    *sql.Stmt
	buf   []byte
	n     int
	limit int
}

const bulkRows = 1000

func newBulk(tx *sql.Tx, query string) *bulk {
	return &bulk{tx: tx, query: query, limit: bulkRows, buf: make([]byte, 0, 64*1024)}
}

// add appends one row; vals are string, int, int64, nil, or *int64-like values already
// turned into nil/int64 by the caller.
func (b *bulk) add(ctx context.Context, vals ...any) error {
	if b.n == 0 {
		b.buf = append(b.buf[:0], '[')
	} else {
		b.buf = append(b.buf, ',')
	}
	b.buf = append(b.buf, '[')
	for i, v := range vals {
		if i > 0 {
			b.buf = append(b.buf, ',')
		}
		switch x := v.(type) {
		case nil:
			b.buf = append(b.buf, "null"...)
		case string:
			b.buf = appendJSONString(b.buf, x)
		case int64:
			b.buf = strconv.AppendInt(b.buf, x, 10)
		case int:
			b.buf = strconv.AppendInt(b.buf, int64(x), 10)
		default:
			return fmt.Errorf("bulk: unsupported value %T", v)
		}
	}
	b.buf = append(b.buf, ']')
	b.n++
	if b.n >= b.limit {
		return b.flush(ctx)
	}
	return nil
}

func (b *bulk) flush(ctx context.Context) error {
	if b.n == 0 {
		return nil
	}
	b.buf = append(b.buf, ']')
	if b.st == nil {
		st, err := b.tx.PrepareContext(ctx, b.query)
		if err != nil {
			return err
		}
		b.st = st
	}
	_, err := b.st.ExecContext(ctx, string(b.buf))
	b.buf, b.n = b.buf[:0], 0
	return err
}

func (b *bulk) close() {
	if b.st != nil {
		b.st.Close()
	}
}

// jsonList encodes keys as a JSON array of strings, for "IN (SELECT value FROM json_each(?))".
func jsonList(keys []string) string {
	buf := make([]byte, 0, 16*len(keys)+2)
	buf = append(buf, '[')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, k)
	}
	return string(append(buf, ']'))
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 is replaced with U+FFFD,
// exactly as encoding/json does, so what SQLite stores is what Go would have bound.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\ufffd"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
