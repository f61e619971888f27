package dropfolder

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"
)

// passState is one reading of the file. The parser runs in the calling goroutine and
// fills chunks; one applier goroutine finds repeated SKUs and feeds the chunks to
// ApplyTx inside the transaction, so reading the workbook and writing SQLite overlap on
// two cores.
type passState struct {
	header  sheet.Header
	fileErr error // a *sheet.FileError: the file cannot be read at all

	rowsRead, rejected, warned int // parser side
	lastRejected               int
	noApply                    atomic.Bool // all-or-nothing saw a rejected row: nothing will be kept

	// Applier side; read after the applier ended.
	applied, unchanged, replaced int
	rerun                        bool // a row was replaced after its chunk had been applied
	newLosers                    map[int32]bool
}

// chunkMsg is a chunk of valid rows for the applier.
type chunkMsg struct {
	rows []pendingRow
}

// pass reads the file once. losers are the rows a first reading found replaced by later
// rows (nil on the first reading).
func (im *Importer) pass(ctx context.Context, tx *sql.Tx, src sheet.Source, res *Result, losers map[int32]bool) (*passState, error) {
	p := &passState{newLosers: map[int32]bool{}}
	det := res.details
	keys, err := newKeyTable(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer keys.close()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	chunks := make(chan chunkMsg, 1)
	free := make(chan []pendingRow, 3)
	applied := make(chan error, 1)
	go func() {
		var err error
		for c := range chunks {
			if err == nil {
				if err = im.applyChunk(ctx, tx, keys, p, res, losers, c.rows); err != nil {
					cancel(err)
				}
			}
			select {
			case free <- c.rows[:0]:
			default:
			}
		}
		applied <- err
	}()

	var cur []pendingRow
	send := func() error {
		if len(cur) == 0 {
			return nil
		}
		select {
		case chunks <- chunkMsg{rows: cur}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		select {
		case cur = <-free:
		default:
			cur = make([]pendingRow, 0, chunkSize)
		}
		return nil
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
		line := int32(r.Line)
		cur = append(cur, pendingRow{line: line, skip: losers[line], change: queue.ItemChange{
			SKU: r.SKU, Barcode: r.Barcode, Warehouse: or(r.Warehouse, wh), Qty: r.Quantity,
			PriceList: or(r.PriceList, pl), Price: r.Price, ListPrice: r.ListPrice,
			Source: queue.Source{Kind: "file", Ref: res.File, Row: r.Line},
		}})
		if len(cur) >= chunkSize {
			return send()
		}
		return nil
	}
	reject := func(pr sheet.Problem) error {
		if p.rejected == 0 || pr.Line != p.lastRejected {
			p.rejected++
			p.rowsRead++
			p.lastRejected = pr.Line
		}
		det.problem(kindProblem, pr)
		if res.Policy == AllOrNothing {
			p.noApply.Store(true)
		}
		return nil
	}

	opts := im.set.Parse
	opts.Name = res.File
	opts.TempDir = im.set.StagingDir
	h, perr := sheet.Parse(ctx, src, opts, fn, reject)
	p.header = h
	if perr == nil {
		perr = send()
	}
	close(chunks)
	if aerr := <-applied; aerr != nil {
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

// applyChunk runs in the applier goroutine: it resolves repeated SKUs, then applies the
// rows that are still to be applied. Every chunk is resolved, even when nothing is
// applied any more, so the report lists every repeat and a second reading knows every
// replaced row.
func (im *Importer) applyChunk(ctx context.Context, tx *sql.Tx, keys *keyTable, p *passState, res *Result, losers map[int32]bool, rows []pendingRow) error {
	dropped := make([]bool, len(rows))
	err := keys.resolve(ctx, rows, dropped, func(r replacement, earlierChunk bool) {
		p.replaced++
		where, list := "", ""
		if r.change.Warehouse != im.set.Warehouse {
			where = r.change.Warehouse
		}
		if r.change.PriceList != im.set.PriceList {
			list = r.change.PriceList
		}
		res.details.replacement(sheet.Replacement{SKU: r.change.SKU, Warehouse: where, PriceList: list, Replaced: int(r.replaced), By: int(r.by)})
		if earlierChunk && !losers[r.replaced] {
			// Its chunk is already applied: only reading the file again, skipping it,
			// keeps its values out of the queue and the journal.
			p.rerun = true
			p.newLosers[r.replaced] = true
		}
	})
	if err != nil || p.rerun || p.noApply.Load() {
		return err
	}
	changes := make([]queue.ItemChange, 0, len(rows))
	for i := range rows {
		if !dropped[i] && !rows[i].skip {
			changes = append(changes, rows[i].change)
		}
	}
	r, err := im.store.ApplyTx(ctx, tx, changes)
	if err != nil {
		return err
	}
	// The file shows the ERP's count of its SKUs: reservations of orders the ERP already
	// had when the file was written end in this same transaction (rolled back with it).
	at := res.FileTime
	if at.IsZero() {
		at = res.At
	}
	if _, err := im.store.ERPReadTx(ctx, tx, queue.ERPRead{Source: im.set.Name, At: at, Changes: changes}); err != nil {
		return err
	}
	p.applied += r.Applied
	p.unchanged += r.Unchanged
	if res.DryRun {
		for _, d := range r.Diffs {
			res.details.diff(d)
		}
	}
	return nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
