package sqlpoll

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"syncagent/config"
	"syncagent/queue"
)

// reading is the state of one run of the query: the ERP rows are spooled, then stream
// through chunk, and every chunk is compared and applied in the one reading transaction
// of the agent's database, tx.
type reading struct {
	p     *Poller
	ctx   context.Context // the SQLite side; the ERP side adds the source's timeout
	opts  runOptions
	res   Result
	chunk []Row
	tx    *queue.ReadingTx // begun at the first chunk, after the ERP phase

	// start is when the query began: the moment the ERP's numbers are from. Order
	// reservations written to the ERP before it are released by this reading.
	start time.Time

	// snapshot mode
	gen     int64
	last    queue.Reading
	kept    int // row keys this reading put into the snapshot
	seen    map[queue.SnapshotKey]bool
	exact   bool           // mark every key with gen (see flushSnapshot)
	repeats int            // rows rejected because their key came earlier in the reading
	met     queue.KeyTally // quick comparison: stored keys met
	added   queue.KeyTally // quick comparison: new keys stored

	// incremental mode
	kind   markKind
	from   mark // the mark the query got
	to     mark // the largest change value seen
	moved  bool
	stored bool // a mark was stored before this reading
}

func (p *Poller) run(ctx context.Context, o runOptions) (Result, error) {
	start := p.now()
	r := &reading{p: p, ctx: ctx, opts: o, res: Result{Source: p.cfg.Name, Mode: p.cfg.Mode},
		chunk: make([]Row, 0, p.chunk), seen: map[queue.SnapshotKey]bool{}, start: start}
	defer func() {
		if r.tx != nil {
			_ = r.tx.Rollback() // no-op after a commit
		}
	}()
	r.exact = p.keysMoved.Load()
	sp, err := newSpool(p.spoolDir, p.cfg.Name)
	if err != nil {
		return r.res, p.fail(KindLocal, fmt.Errorf("cannot create the reading's spool file in %s: %w", p.spoolDir, err))
	}
	defer sp.close()
	err = r.readERP(sp)
	r.res.ERPTime = p.now().Sub(start)
	if err == nil {
		err = r.compare(sp)
		if errors.Is(err, errRecheck) {
			r.restartExact()
			err = r.compare(sp)
		}
		if err == nil && !o.dry && p.cfg.Mode == config.Snapshot {
			p.keysMoved.Store(r.exact && (r.res.Disappeared > 0 || r.repeats > 0))
		}
	}
	r.res.Duration = p.now().Sub(start)
	if err != nil && ctx.Err() != nil {
		return r.res, ctx.Err() // stopped: not the database's fault
	}
	return r.res, err
}

// restartExact rolls back a quick comparison that found the keys changed and readies
// the reading for the exact one: what the ERP phase found stays, the rest starts again.
func (r *reading) restartExact() {
	_ = r.tx.Rollback()
	r.tx = nil
	r.res = Result{Source: r.res.Source, Mode: r.res.Mode, Rows: r.res.Rows, Columns: r.res.Columns,
		ERPTime: r.res.ERPTime, Sample: r.res.Sample, Rechecked: true}
	r.chunk = r.chunk[:0]
	r.kept, r.repeats = 0, 0
	clear(r.seen)
	r.exact = true
	r.met, r.added = queue.KeyTally{}, queue.KeyTally{}
}

// readERP runs the query in a read-only ERP transaction and spools the parsed rows. The
// source's timeout bounds this phase, which ends the ERP transaction before any
// comparison starts.
func (r *reading) readERP(sp *spool) error {
	p := r.p
	timeout := p.cfg.Timeout.D()
	ectx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	etx, err := begin(ectx, p.db, p.cfg.Driver, "syncagent source "+p.cfg.Name, timeout, &p.my)
	if err != nil {
		return p.fail(KindDown, withRemedy(fmt.Errorf("cannot connect to the %s database: %w", p.cfg.Driver, err)))
	}
	defer etx.Rollback() // it only read
	var rows *sql.Rows
	if p.cfg.Mode == config.Incremental {
		if err := r.prepareMark(ectx, etx); err != nil {
			return err
		}
		rows, err = etx.QueryContext(ectx, p.query.Text, p.query.args(r.from.arg())...)
	} else {
		rows, err = etx.QueryContext(ectx, p.cfg.Query)
	}
	if err != nil {
		return p.failERP(fmt.Errorf("the query failed: %w", err))
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return p.failERP(err)
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name()
	}
	change := ""
	if p.cfg.Mode == config.Incremental {
		change = p.cfg.ChangeColumn
	}
	lay, err := mapColumns(names, change)
	if err != nil {
		return p.fail(KindQuery, err)
	}
	r.res.Columns = lay.describe()
	if change != "" {
		if err := r.checkMarkType(types[lay.pos[fieldChange]]); err != nil {
			return err
		}
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return p.fail(KindQuery, fmt.Errorf("row %d cannot be read: %w", r.res.Rows+1, err))
		}
		r.res.Rows++
		row := r.parse(lay, vals, r.res.Rows)
		if err := sp.put(&row); err != nil {
			return p.fail(KindLocal, fmt.Errorf("writing the reading's spool file: %w", err))
		}
		if p.opts.afterRead != nil && r.res.Rows%p.chunk == 0 {
			p.opts.afterRead()
		}
	}
	if err := rows.Err(); err != nil {
		return p.failERP(fmt.Errorf("reading the result failed after %d rows: %w", r.res.Rows, err))
	}
	return nil
}

// compare feeds the spooled rows through chunk into the SQLite transaction, then
// finishes and commits the reading.
func (r *reading) compare(sp *spool) error {
	if err := sp.rewind(); err != nil {
		return r.p.fail(KindLocal, fmt.Errorf("reading back the spool file: %w", err))
	}
	for {
		n := len(r.chunk)
		r.chunk = r.chunk[:n+1]
		ok, err := sp.next(&r.chunk[n])
		if err != nil {
			return r.p.fail(KindLocal, fmt.Errorf("reading back the spool file: %w", err))
		}
		if !ok {
			r.chunk = r.chunk[:n]
			break
		}
		if len(r.chunk) >= r.p.chunk {
			if err := r.flush(); err != nil {
				return err
			}
		}
	}
	if err := r.flush(); err != nil {
		return err
	}
	return r.finish()
}

// parse turns one result row into a Row; a row with a bad value carries the reason in
// Reject and still its key when the key was readable.
func (r *reading) parse(lay *layout, vals []any, line int) Row {
	cfg := &r.p.cfg
	row := Row{Line: line, Warehouse: cfg.Warehouse, PriceList: cfg.PriceList}
	bad := func(format string, args ...any) {
		if row.Reject == "" {
			row.Reject = fmt.Sprintf(format, args...)
		}
	}
	text := func(f field, dst *string) bool {
		if !lay.has(f) {
			return true
		}
		s, ok, err := textValue(vals[lay.pos[f]])
		if err != nil {
			bad("%s (column %s): %v", f, lay.names[f], err)
			return false
		}
		if ok {
			*dst = s
		}
		return true
	}
	skuOK := text(fieldSKU, &row.SKU)
	if skuOK && row.SKU == "" {
		bad("the SKU (column %s) is empty", lay.names[fieldSKU])
		skuOK = false
	}
	whOK := text(fieldWarehouse, &row.Warehouse)
	plOK := text(fieldPriceList, &row.PriceList)
	row.keyOK = skuOK && whOK && plOK
	text(fieldBarcode, &row.Barcode)
	if lay.has(fieldQuantity) {
		q, err := quantityValue(vals[lay.pos[fieldQuantity]])
		if err != nil {
			bad("%v (column %s)", err, lay.names[fieldQuantity])
		} else {
			row.Qty = &q
		}
	}
	for _, f := range []field{fieldPrice, fieldListPrice} {
		if !lay.has(f) {
			continue
		}
		k, ok, err := priceValue(vals[lay.pos[f]], f.String())
		switch {
		case err != nil:
			bad("%v (column %s)", err, lay.names[f])
		case ok && f == fieldPrice:
			row.Price = &k
		case ok:
			row.ListPrice = &k
		}
	}
	if lay.has(fieldChange) {
		v := vals[lay.pos[fieldChange]]
		if r.kind == markNone {
			r.kind = kindOfValue(v)
		}
		m, ok, err := markOf(v, r.kind)
		if err != nil {
			bad("%v (column %s)", err, lay.names[fieldChange])
		} else if ok {
			row.mark, row.hasMark = m, true
			row.Change = m.display()
		}
	}
	if r.opts.sample > len(r.res.Sample) {
		r.res.Sample = append(r.res.Sample, row)
	}
	return row
}

// flush compares and applies the rows collected so far.
func (r *reading) flush() error {
	if len(r.chunk) == 0 {
		return nil
	}
	if err := r.ensureTx(); err != nil {
		return err
	}
	var err error
	if r.p.cfg.Mode == config.Incremental {
		err = r.flushIncremental()
	} else {
		err = r.flushSnapshot()
	}
	r.chunk = r.chunk[:0]
	if err == nil && r.p.opts.afterApply != nil {
		r.p.opts.afterApply()
	}
	return err
}

func (r *reading) ensureTx() error {
	if r.tx != nil {
		return nil
	}
	tx, err := r.p.store.BeginReading(r.ctx, r.p.cfg.Name)
	if err != nil {
		return r.p.fail(KindLocal, fmt.Errorf("the agent's database: %w", err))
	}
	r.tx, r.gen, r.last = tx, tx.Gen(), tx.Last()
	return nil
}

// apply hands changes to the queue in the reading's transaction.
func (r *reading) apply(changes []queue.ItemChange) (queue.ApplyResult, error) {
	res, err := r.tx.Apply(r.ctx, changes)
	if err != nil {
		return res, r.p.fail(KindLocal, fmt.Errorf("applying changes to the agent's database: %w", err))
	}
	if r.opts.dry {
		r.res.DiffCount += len(res.Diffs)
		if room := r.opts.maxDiffs - len(r.res.Diffs); room > 0 {
			r.res.Diffs = append(r.res.Diffs, res.Diffs[:min(room, len(res.Diffs))]...)
		}
	}
	return res, nil
}

func (r *reading) reject(row *Row) {
	r.res.Rejected++
	if len(r.res.Rejects) < maxRejectExamples {
		r.res.Rejects = append(r.res.Rejects, Reject{Row: row.Line, SKU: row.SKU, Reason: row.Reject})
	}
}

// change is the queue change a good row makes.
func (r *reading) change(row *Row) queue.ItemChange {
	c := queue.ItemChange{SKU: row.SKU, Barcode: row.Barcode, Qty: row.Qty, Price: row.Price, ListPrice: row.ListPrice,
		Source: queue.Source{Kind: "sql", Ref: r.p.cfg.Name, Row: row.Line}}
	if row.Qty != nil {
		c.Warehouse = row.Warehouse
	}
	if row.Price != nil || row.ListPrice != nil {
		c.PriceList = row.PriceList
	}
	return c
}

// finish completes the reading and commits it, or rolls it back in a dry run.
func (r *reading) finish() error {
	if err := r.ensureTx(); err != nil {
		return err
	}
	var err error
	if r.p.cfg.Mode == config.Incremental {
		err = r.finishIncremental()
	} else {
		err = r.finishSnapshot()
	}
	if err != nil {
		return err
	}
	if r.opts.dry {
		return nil // the deferred rollback undoes everything
	}
	if err := r.tx.Commit(); err != nil {
		return r.p.fail(KindLocal, fmt.Errorf("committing to the agent's database: %w", err))
	}
	r.tx = nil
	return nil
}
