package sqlpoll

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"syncagent/erpbridge/erpdb/fold"
	"syncagent/queue"
)

// prepareMark loads the stored high-water mark. Before the first reading there is none,
// and the mark's type is not known either: the query is then run once with :since
// replaced by NULL, which returns no rows but the change column's type, and the first
// reading starts below every value of that type.
func (r *reading) prepareMark(ctx context.Context, etx *sql.Tx) error {
	p := r.p
	v, ok, err := p.store.Cursor(r.ctx, p.cursorName())
	if err != nil {
		return p.fail(KindLocal, fmt.Errorf("reading the high-water mark: %w", err))
	}
	if ok && v != "" {
		m, err := parseMark(v)
		if err != nil {
			return p.fail(KindLocal, fmt.Errorf("%w; run syncagent check-source %s --reset to read everything again", err, p.cfg.Name))
		}
		r.from, r.kind, r.stored = m, m.kind, true
		return nil
	}
	rows, err := etx.QueryContext(ctx, p.query.probe)
	if err != nil {
		return p.failERP(fmt.Errorf("the query failed: %w", err))
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return p.failERP(err)
	}
	for _, t := range types {
		if fold.Key(t.Name()) != fold.Key(p.cfg.ChangeColumn) {
			continue
		}
		k, err := kindOfType(p.cfg.Driver, t.DatabaseTypeName())
		if err != nil {
			return p.fail(KindQuery, fmt.Errorf("change column %s: %w", t.Name(), err))
		}
		size, _ := t.Length()
		r.from = startMark(k, int(size))
		if t.DatabaseTypeName() != "" {
			r.kind = k
		} // else (SQLite expressions) the first value decides
		for rows.Next() {
		}
		return nil
	}
	return p.fail(KindQuery, fmt.Errorf("incremental mode needs the change column %q in the query's result", p.cfg.ChangeColumn))
}

// checkMarkType refuses a stored mark whose type no longer matches the change column
// (the query was changed): compared across types, the mark would skip or repeat rows.
func (r *reading) checkMarkType(ct *sql.ColumnType) error {
	if !r.stored || ct.DatabaseTypeName() == "" {
		return nil
	}
	k, err := kindOfType(r.p.cfg.Driver, ct.DatabaseTypeName())
	if err != nil {
		return r.p.fail(KindQuery, fmt.Errorf("change column %s: %w", ct.Name(), err))
	}
	if k != r.kind {
		return r.p.fail(KindQuery, fmt.Errorf("the stored high-water mark is of type %s but the change column %s is now %s; "+
			"run syncagent check-source %s --reset to read everything again", markKindNames[r.kind], ct.Name(), ct.DatabaseTypeName(), r.p.cfg.Name))
	}
	return nil
}

// kindOfValue is the mark kind of a change value whose column type the driver did not say.
func kindOfValue(v any) markKind {
	switch x := v.(type) {
	case int64, uint64:
		return markInt
	case time.Time:
		return markTime
	case []byte:
		return markBytes
	case string:
		if _, err := parseDBTime(x); err == nil {
			return markTime
		}
		return markInt
	}
	return markNone
}

// flushIncremental applies a chunk as it is: the query returned only changed rows, and
// the queue itself skips values it already knows.
func (r *reading) flushIncremental() error {
	changes := make([]queue.ItemChange, 0, len(r.chunk))
	for i := range r.chunk {
		row := &r.chunk[i]
		// Every row moves the mark, a rejected one too: it was read and reported, and is
		// read again when it next changes.
		if row.hasMark && (!r.moved || row.mark.after(r.to)) {
			r.to, r.moved = row.mark, true
		}
		if row.Reject != "" {
			r.reject(row)
			continue
		}
		changes = append(changes, r.change(row))
	}
	r.res.Changed += len(changes)
	res, err := r.apply(changes)
	r.res.Applied += res.Applied
	if err != nil {
		return err
	}
	// The rows read show the ERP's count of these SKUs: reservations of orders the ERP
	// already had when the query ran end here, in the same transaction.
	if _, err := r.tx.ERPRead(r.ctx, queue.ERPRead{At: r.start, Changes: changes}); err != nil {
		return r.p.fail(KindLocal, err)
	}
	return nil
}

// finishIncremental stores the new mark in the reading's transaction.
func (r *reading) finishIncremental() error {
	mark := r.from
	if r.moved && (!r.stored || r.to.after(r.from)) {
		mark = r.to
		if err := r.tx.SetCursor(r.ctx, r.p.cursorName(), mark.String()); err != nil {
			return r.p.fail(KindLocal, fmt.Errorf("storing the high-water mark: %w", err))
		}
	}
	if r.moved || r.stored {
		r.res.Mark = mark.display()
	}
	return nil
}
