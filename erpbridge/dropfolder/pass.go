package dropfolder

import (
	"context"
	"errors"
	"sync/atomic"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"
)

// passState is one reading of the file. The parser runs in the calling goroutine and
// fills chunks; one applier goroutine finds repeated SKUs and feeds the chunks to the
// import transaction, so reading the workbook and writing SQLite overlap on two cores.
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

// chunkSize is the number of valid rows given to the import transaction at a time.
const chunkSize = 1000

// pass reads the file once. losers are the rows (by line) a first reading found replaced
// by later rows (nil on the first reading); they are read and tracked, not applied.
func (im *Importer) pass(ctx context.Context, itx *queue.ImportTx, src sheet.Source, res *Result, losers map[int32]bool) (*passState, error) {
	p := &passState{newLosers: map[int32]bool{}}
	det := res.details
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	chunks := make(chan []queue.ItemChange, 1)
	free := make(chan []queue.ItemChange, 3)
	applied := make(chan error, 1)
	go func() {
		var err error
		for rows := range chunks {
			if err == nil {
				if err = im.applyChunk(ctx, itx, p, res, losers, rows); err != nil {
					cancel(err)
				}
			}
			select {
			case free <- rows[:0]:
			default:
			}
		}
		applied <- err
	}()

	var cur []queue.ItemChange
	send := func() error {
		if len(cur) == 0 {
			return nil
		}
		select {
		case chunks <- cur:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		select {
		case cur = <-free:
		default:
			cur = make([]queue.ItemChange, 0, chunkSize)
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
		cur = append(cur, queue.ItemChange{
			SKU: r.SKU, Barcode: r.Barcode, Warehouse: or(r.Warehouse, wh), Qty: r.Quantity,
			PriceList: or(r.PriceList, pl), Price: r.Price, ListPrice: r.ListPrice,
			Source: queue.Source{Kind: "file", Ref: res.File, Row: r.Line},
		})
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
func (im *Importer) applyChunk(ctx context.Context, itx *queue.ImportTx, p *passState, res *Result, losers map[int32]bool, rows []queue.ItemChange) error {
	repeats, err := itx.Repeats(ctx, rows)
	if err != nil {
		return err
	}
	dropped := make([]bool, len(rows))
	for _, r := range repeats {
		c := &rows[r.Index]
		p.replaced++
		where, list := "", ""
		if c.Warehouse != im.set.Warehouse {
			where = c.Warehouse
		}
		if c.PriceList != im.set.PriceList {
			list = c.PriceList
		}
		res.details.replacement(sheet.Replacement{SKU: c.SKU, Warehouse: where, PriceList: list, Replaced: r.Replaced, By: c.Source.Row})
		switch replaced := int32(r.Replaced); {
		case r.Prior >= 0:
			dropped[r.Prior] = true
		case !losers[replaced]:
			// Its chunk is already applied: only reading the file again, skipping it,
			// keeps its values out of the queue and the journal.
			p.rerun = true
			p.newLosers[replaced] = true
		}
	}
	if p.rerun || p.noApply.Load() {
		return nil
	}
	changes := make([]queue.ItemChange, 0, len(rows))
	for i := range rows {
		if !dropped[i] && !losers[int32(rows[i].Source.Row)] {
			changes = append(changes, rows[i])
		}
	}
	// The file shows the ERP's count of its SKUs: Apply also ends the reservations of
	// orders the ERP already had when the file was written, in this same transaction
	// (undone with the rows).
	r, err := itx.Apply(ctx, changes)
	if err != nil {
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
