package sqlpoll

import (
	"fmt"

	"syncagent/queue"
)

// staleChunk is the page size for walking the row keys a reading did not see.
const staleChunk = 1000

// flushSnapshot compares a chunk with the stored snapshot: rows that differ (or are new)
// go to the queue, and every row's key is marked as seen by this reading.
func (r *reading) flushSnapshot() error {
	p := r.p
	skus := make([]string, 0, len(r.chunk))
	dup := map[string]bool{}
	for i := range r.chunk {
		if row := &r.chunk[i]; row.keyOK && !dup[row.SKU] {
			dup[row.SKU] = true
			skus = append(skus, row.SKU)
		}
	}
	stored, err := p.store.SnapshotRowsTx(r.ctx, r.tx, p.cfg.Name, skus)
	if err != nil {
		return p.fail(KindLocal, fmt.Errorf("reading the last snapshot: %w", err))
	}
	clear(r.seen)
	puts := make([]queue.SnapshotRow, 0, len(r.chunk))
	var changes []queue.ItemChange
	for i := range r.chunk {
		row := &r.chunk[i]
		key := queue.SnapshotKey{SKU: row.SKU, Warehouse: row.Warehouse, PriceList: row.PriceList}
		st, had := stored[key]
		seenBefore := r.seen[key] || had && st.Gen == r.gen
		if row.Reject != "" {
			// A bad row keeps its last good values: the key has not disappeared, so
			// missing: zero must not zero it.
			if row.keyOK && had && !seenBefore {
				r.seen[key] = true
				puts = append(puts, st)
			}
			r.reject(row)
			continue
		}
		if seenBefore {
			row.Reject = fmt.Sprintf("SKU %q, warehouse %q, price list %q appears more than once in the result; the first row is used (make the query return one row per SKU, warehouse and price list)",
				row.SKU, row.Warehouse, row.PriceList)
			r.reject(row)
			continue
		}
		r.seen[key] = true
		snap := queue.SnapshotRow{SnapshotKey: key, Barcode: row.Barcode, Qty: row.Qty, Price: row.Price, ListPrice: row.ListPrice}
		if !had || !st.Same(snap) {
			changes = append(changes, r.change(row))
		}
		puts = append(puts, snap)
	}
	r.res.Changed += len(changes)
	res, err := r.apply(changes)
	if err != nil {
		return err
	}
	r.res.Applied += res.Applied
	r.kept += len(puts)
	if err := p.store.PutSnapshotRowsTx(r.ctx, r.tx, p.cfg.Name, r.gen, puts); err != nil {
		return p.fail(KindLocal, fmt.Errorf("storing the snapshot: %w", err))
	}
	return nil
}

// finishSnapshot handles the row keys the reading did not see (missing: ignore or zero),
// forgets them, and records the reading.
func (r *reading) finishSnapshot() error {
	p := r.p
	zero := p.cfg.Missing == "zero"
	if zero && r.kept == 0 && r.last.Rows > 0 {
		return p.fail(KindRefused, fmt.Errorf("the query returned no usable rows while the last reading had %d; nothing was changed, "+
			"because with missing: zero this would set every quantity to 0 (check the query: firm and period numbers, filters). "+
			"If the ERP really has no items any more, set missing: ignore for one reading", r.last.Rows))
	}
	after := queue.SnapshotKey{}
	for {
		stale, err := p.store.StaleSnapshotRowsTx(r.ctx, r.tx, p.cfg.Name, r.gen, after, staleChunk)
		if err != nil {
			return p.fail(KindLocal, fmt.Errorf("finding disappeared rows: %w", err))
		}
		if len(stale) == 0 {
			break
		}
		keys := make([]queue.SnapshotKey, len(stale))
		var changes []queue.ItemChange
		for i, s := range stale {
			keys[i] = s.SnapshotKey
			if zero && s.Qty != nil && !s.QtyKept {
				var none int64
				changes = append(changes, queue.ItemChange{SKU: s.SKU, Warehouse: s.Warehouse, Qty: &none,
					Source: queue.Source{Kind: "sql", Ref: p.cfg.Name}})
			}
		}
		r.res.Disappeared += len(stale)
		res, err := r.apply(changes)
		if err != nil {
			return err
		}
		r.res.Zeroed += res.Applied
		if err := p.store.DeleteSnapshotRowsTx(r.ctx, r.tx, p.cfg.Name, keys); err != nil {
			return p.fail(KindLocal, fmt.Errorf("forgetting disappeared rows: %w", err))
		}
		after = stale[len(stale)-1].SnapshotKey
	}
	n, err := p.store.FinishReadingTx(r.ctx, r.tx, p.cfg.Name, r.gen)
	if err != nil {
		return p.fail(KindLocal, fmt.Errorf("recording the reading: %w", err))
	}
	r.res.Snapshot = n
	// A completed snapshot shows the ERP's count of every SKU in it.
	if _, err := p.store.ERPReadTx(r.ctx, r.tx, queue.ERPRead{Source: p.cfg.Name, At: r.start, Snapshot: true}); err != nil {
		return p.fail(KindLocal, err)
	}
	return nil
}
