package dropfolder

import (
	"context"
	"database/sql"
	"errors"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"
)

// passState is one reading of the file. The parser runs in the calling goroutine and
// fills chunks; one applier goroutine feeds them to ApplyTx inside the transaction, so
// reading the workbook and writing SQLite overlap on two cores.
type passState struct {
	header  sheet.Header
	fileErr error // a *sheet.FileError: the file cannot be read at all

	rowsRead, rejected, replaced, warned int
	applied, unchanged                   int // written by the applier; read after it ended

	lastRejected int
	stopFeeding  bool // all-or-nothing after a rejected row, or a second pass is due
	rerun        bool
	newLosers    map[int32]keyHash // rows found replaced after their chunk was applied
}

// pass reads the file once. dd must be the same for both passes of a file: losers are
// keyed by its hashes.
func (im *Importer) pass(ctx context.Context, tx *sql.Tx, src sheet.Source, res *Result, dd *dedup, losers map[int32]keyHash) (*passState, error) {
	p := &passState{newLosers: map[int32]keyHash{}}
	det := res.details
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	chunks := make(chan []queue.ItemChange, 1)
	free := make(chan []queue.ItemChange, 3)
	applied := make(chan error, 1)
	go func() {
		var err error
		for changes := range chunks {
			if err == nil {
				var r queue.ApplyResult
				if r, err = im.store.ApplyTx(ctx, tx, changes); err != nil {
					cancel(err)
				} else {
					p.applied += r.Applied
					p.unchanged += r.Unchanged
					if res.DryRun {
						for _, d := range r.Diffs {
							det.diff(d)
						}
					}
				}
			}
			select {
			case free <- changes:
			default:
			}
		}
		applied <- err
	}()

	cur := newChunk()
	clear(dd.last)
	send := func() error {
		var buf []queue.ItemChange
		select {
		case buf = <-free:
		default:
			buf = make([]queue.ItemChange, 0, chunkSize)
		}
		buf = cur.take(buf)
		if len(buf) == 0 {
			return nil
		}
		select {
		case chunks <- buf:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	wh, pl := im.set.Warehouse, im.set.PriceList
	fn := func(r sheet.Row) error {
		p.rowsRead++
		if len(r.Warnings) > 0 {
			p.warned++
			for _, w := range r.Warnings {
				det.problem(kindWarning, w)
			}
		}
		c := queue.ItemChange{
			SKU: r.SKU, Barcode: r.Barcode, Warehouse: or(r.Warehouse, wh), Qty: r.Quantity,
			PriceList: or(r.PriceList, pl), Price: r.Price, ListPrice: r.ListPrice,
			Source: queue.Source{Kind: "file", Ref: res.File, Row: r.Line},
		}
		line := int32(r.Line)
		k := dd.key(c.SKU, c.Warehouse, c.PriceList)
		if prev, seen := dd.add(k, line); seen {
			p.replaced++
			det.replacement(sheet.Replacement{SKU: c.SKU, Warehouse: r.Warehouse, PriceList: r.PriceList, Replaced: int(prev), By: r.Line})
			if _, skipped := losers[prev]; !skipped && !cur.drop(prev) {
				p.rerun, p.stopFeeding = true, true
				p.newLosers[prev] = k
			}
		}
		if k2, ok := losers[line]; ok && k2 == k {
			return nil // a later row replaces this one
		}
		if p.stopFeeding {
			return nil
		}
		cur.add(line, c)
		if cur.full() {
			return send()
		}
		return nil
	}
	reject := func(pr sheet.Problem) error {
		if pr.Line != p.lastRejected || p.rejected == 0 {
			p.rejected++
			p.rowsRead++
			p.lastRejected = pr.Line
		}
		det.problem(kindProblem, pr)
		if res.Policy == AllOrNothing {
			p.stopFeeding = true
		}
		return nil
	}

	opts := im.set.Parse
	opts.Name = res.File
	opts.TempDir = im.set.StagingDir
	h, perr := sheet.Parse(ctx, src, opts, fn, reject)
	p.header = h
	if perr == nil && !p.stopFeeding {
		perr = send()
	}
	close(chunks)
	aerr := <-applied
	if aerr != nil {
		return nil, aerr
	}
	var fe *sheet.FileError
	switch {
	case perr == nil:
	case errors.As(perr, &fe):
		p.fileErr = fe
	default:
		return nil, perr
	}
	return p, nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
