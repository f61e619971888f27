package sqlpoll

import (
	"errors"
	"fmt"

	"syncagent/config"
	"syncagent/queue"
)

// staleChunk is the page size for walking the row keys a reading did not see.
const staleChunk = 1000

// errRecheck ends a quick comparison whose key tally does not match the stored snapshot's:
// a key disappeared or repeated, so the reading runs again in exact mode.
var errRecheck = errors.New("the reading's row keys differ from the last reading's; comparing again, marking every key")

// flushSnapshot compares a chunk with the stored snapshot: rows that differ (or are new)
// go to the queue and are written with this reading's gen.
//
// The quick comparison (the first try of every reading) writes nothing for an unchanged
// row: it tallies the stored keys it meets (count and hash sum) and finishSnapshot
// compares the tally with the last reading's. Equal, and every stored key was met once:
// nothing disappeared, and a reading of a million unchanged rows writes nothing. Not
// equal (a key disappeared, or an unchanged key came twice in different chunks, which
// the gen cannot show), and the reading is compared again in exact mode, which marks
// every row's key with the gen as before, so that repeats are rejected and disappeared
// keys are found by their older gen. A reading after one that found keys disappeared or
// repeated starts in exact mode (Poller.keysMoved); the first one that finds neither
// lets the next try the quick comparison again.
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
	stored, err := r.tx.SnapshotRows(r.ctx, skus)
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
				if r.exact {
					puts = append(puts, st)
				} else {
					r.met.Add(key)
				}
			}
			r.reject(row)
			continue
		}
		if seenBefore {
			row.Reject = fmt.Sprintf("SKU %q, warehouse %q, price list %q appears more than once in the result; the first row is used (make the query return one row per SKU, warehouse and price list)",
				row.SKU, row.Warehouse, row.PriceList)
			r.repeats++
			r.reject(row)
			continue
		}
		r.seen[key] = true
		snap := queue.SnapshotRow{SnapshotKey: key, Barcode: row.Barcode, Qty: row.Qty, Price: row.Price, ListPrice: row.ListPrice}
		changed := !had || !st.Same(snap)
		if changed {
			changes = append(changes, r.change(row))
		}
		if r.exact || changed {
			puts = append(puts, snap)
		}
		if !r.exact {
			if had {
				r.met.Add(key)
			} else {
				r.added.Add(key)
			}
		}
	}
	r.res.Changed += len(changes)
	res, err := r.apply(changes)
	if err != nil {
		return err
	}
	r.res.Applied += res.Applied
	r.kept += len(puts)
	if err := r.tx.PutSnapshotRows(r.ctx, puts); err != nil {
		return p.fail(KindLocal, fmt.Errorf("storing the snapshot: %w", err))
	}
	return nil
}

// finishSnapshot handles the row keys the reading did not see (missing: ignore or zero),
// forgets them, and records the reading.
func (r *reading) finishSnapshot() error {
	p := r.p
	if !r.exact {
		// Every stored key met once (see flushSnapshot): nothing disappeared.
		if !r.last.KeySumKnown || r.met != (queue.KeyTally{Rows: r.last.Rows, Sum: r.last.KeySum}) {
			return errRecheck
		}
		keys := queue.KeyTally{Rows: r.last.Rows + r.added.Rows, Sum: r.last.KeySum + r.added.Sum}
		return r.recordSnapshot(&keys)
	}
	zero := p.cfg.Missing == config.MissingZero
	if zero && r.kept == 0 && r.last.Rows > 0 {
		return p.fail(KindRefused, fmt.Errorf("the query returned no usable rows while the last reading had %d; nothing was changed, "+
			"because with missing: zero this would set every quantity to 0 (check the query: firm and period numbers, filters). "+
			"If the ERP really has no items any more, set missing: ignore for one reading", r.last.Rows))
	}
	after := queue.SnapshotKey{}
	for {
		stale, err := r.tx.StaleSnapshotRows(r.ctx, after, staleChunk)
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
		if err := r.tx.DeleteSnapshotRows(r.ctx, keys); err != nil {
			return p.fail(KindLocal, fmt.Errorf("forgetting disappeared rows: %w", err))
		}
		after = stale[len(stale)-1].SnapshotKey
	}
	return r.recordSnapshot(nil)
}

// recordSnapshot records the reading (keys: the snapshot's key tally, nil to count it).
func (r *reading) recordSnapshot(keys *queue.KeyTally) error {
	p := r.p
	n, err := r.tx.FinishSnapshot(r.ctx, keys)
	if err != nil {
		return p.fail(KindLocal, fmt.Errorf("recording the reading: %w", err))
	}
	r.res.Snapshot = n
	// A completed snapshot shows the ERP's count of every SKU in it.
	if _, err := r.tx.ERPRead(r.ctx, queue.ERPRead{At: r.start, Snapshot: true}); err != nil {
		return p.fail(KindLocal, err)
	}
	return nil
}
