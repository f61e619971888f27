package sinks

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/xuri/excelize/v2"

	"syncagent/config"
)

// FileSink writes one file per order into a folder the ERP imports from, named by store
// and order number ("trendyol-main_10654411111.csv"), and one file per cancellation
// export into the cancel folder ("…_cancel-1.csv"). A file is written under a hidden
// temporary name in the same folder, flushed to disk and then renamed, so the ERP never
// sees half a file. A file of that name already there means the order was written.
//
// Because the ERP usually moves or deletes the files it imported, the sink also keeps a
// ledger of the names it wrote in the agent's own data folder; a name in the ledger is
// written, even when the file itself is gone. The one window left is a crash between the
// rename and the ledger entry while the ERP takes the file away in the same instant.
type FileSink struct {
	name, format   string
	dir, cancelDir string
	ledger         string
}

var _ Sink = (*FileSink)(nil)

// NewFiles builds a file sink; ledgerDir is a folder of the agent's own
// (<data_dir>/sinks/<name>). The folders are created when missing.
func NewFiles(c config.FileSink, ledgerDir string) (*FileSink, error) {
	switch c.Format {
	case "csv", "xlsx", "json":
	default:
		return nil, fmt.Errorf("sink %s: format %q is not csv, xlsx or json", c.Name, c.Format)
	}
	f := &FileSink{name: c.Name, format: c.Format, dir: string(c.Dir), cancelDir: string(c.CancelDir), ledger: ledgerDir}
	if f.cancelDir == "" {
		f.cancelDir = filepath.Join(f.dir, "cancelled")
	}
	return f, nil
}

// Name implements Sink.
func (f *FileSink) Name() string { return f.name }

// Close implements Sink.
func (f *FileSink) Close() error { return nil }

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileName is the name of a job's file.
func (f *FileSink) FileName(j *Job) string {
	base := unsafeName.ReplaceAllString(j.Store, "_") + "_" + unsafeName.ReplaceAllString(j.Order.Number, "_")
	if j.Cancel != nil {
		base += "_cancel-" + strconv.Itoa(j.Cancel.Seq)
	}
	return base + "." + f.format
}

// Write implements Sink.
func (f *FileSink) Write(ctx context.Context, j *Job) (Outcome, error) {
	dir := f.dir
	if j.Cancel != nil {
		dir = f.cancelDir
	}
	name := f.FileName(j)
	final := filepath.Join(dir, name)
	mark := filepath.Join(f.ledger, name)
	for _, p := range []string{final, mark} {
		if _, err := os.Stat(p); err == nil {
			if err := f.note(mark); err != nil {
				return 0, f.fail(j, err)
			}
			return AlreadyThere, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return 0, f.fail(j, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, &Error{Sink: f.name, Kind: Busy, Order: j.Order.Number, Err: err}
	}
	body, err := f.render(j)
	if err != nil {
		return 0, &Error{Sink: f.name, Kind: Rejected, Order: j.Order.Number, Err: err}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, f.fail(j, err)
	}
	tmp := filepath.Join(dir, "."+name+".tmp") // one per order: a leftover of a crash is overwritten
	if err := writeSynced(tmp, body); err != nil {
		os.Remove(tmp)
		return 0, f.fail(j, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return 0, f.fail(j, err)
	}
	syncDir(dir)
	if err := f.note(mark); err != nil {
		return 0, f.fail(j, err)
	}
	return Written, nil
}

// note records name in the ledger.
func (f *FileSink) note(mark string) error {
	if err := os.MkdirAll(filepath.Dir(mark), 0o750); err != nil {
		return err
	}
	return writeSynced(mark, nil)
}

func writeSynced(path string, body []byte) error {
	h, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := h.Write(body); err != nil {
		h.Close()
		return err
	}
	if err := h.Sync(); err != nil {
		h.Close()
		return err
	}
	return h.Close()
}

// syncDir makes a rename durable where the platform allows it (not on Windows, where a
// folder cannot be opened for syncing; NTFS journals the rename itself).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func (f *FileSink) fail(j *Job, err error) error {
	return &Error{Sink: f.name, Kind: Down, Order: j.Order.Number, Err: err}
}

// columns are a job's file columns: the order's values, then the line's.
func columns(j *Job) []string {
	var cols []string
	cols = append(cols, HeaderParams...)
	if j.Cancel != nil {
		cols = append(cols, CancelParams...)
	}
	return append(cols, LineParams...)
}

// table is one row per line (or cancelled SKU), each with the order's values first.
func table(j *Job) ([]string, [][]any) {
	head := headerParams(j)
	cols := columns(j)
	var rows [][]any
	for _, lp := range lines(j) {
		row := make([]any, len(cols))
		for i, c := range cols {
			if v, ok := lp.lookup(c); ok {
				row[i] = v
			} else {
				row[i], _ = head.lookup(c)
			}
		}
		rows = append(rows, row)
	}
	return cols, rows
}

func (f *FileSink) render(j *Job) ([]byte, error) {
	switch f.format {
	case "json":
		return renderJSON(j)
	case "xlsx":
		return renderXLSX(j)
	}
	return renderCSV(j)
}

// renderCSV writes RFC 4180 CSV in UTF-8: a header row of parameter names, then a row
// per line; amounts with a dot, times in RFC 3339.
func renderCSV(j *Job) ([]byte, error) {
	cols, rows := table(j)
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(cols); err != nil {
		return nil, err
	}
	rec := make([]string, len(cols))
	for _, r := range rows {
		for i, v := range r {
			rec[i] = text(v)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// renderJSON writes {"order": {header values}, "lines": [{line values}, …]}.
func renderJSON(j *Job) ([]byte, error) {
	obj := func(ps params) json.RawMessage {
		var b bytes.Buffer
		b.WriteByte('{')
		for i, p := range ps {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(p.name)
			b.Write(k)
			b.WriteByte(':')
			switch v := p.value.(type) {
			case int64:
				b.WriteString(strconv.FormatInt(v, 10))
			default:
				s, _ := json.Marshal(text(v))
				b.Write(s)
			}
		}
		b.WriteByte('}')
		return b.Bytes()
	}
	doc := struct {
		Order json.RawMessage   `json:"order"`
		Lines []json.RawMessage `json:"lines"`
	}{Order: obj(headerParams(j)), Lines: []json.RawMessage{}}
	for _, lp := range lines(j) {
		doc.Lines = append(doc.Lines, obj(lp))
	}
	return json.MarshalIndent(doc, "", "  ")
}

// amountCols are written as numbers in XLSX (exact decimal text, never a float).
var amountCols = nameSet([]string{"gross", "discount", "shipping", "tax", "total", "unit_price", "line_discount", "line_total", "line_tax", "vat_rate"})

// renderXLSX writes the same table as the CSV on one sheet; amounts are number cells
// holding the exact decimal text, so Excel shows 1249.90 and the ERP reads 1249.90.
func renderXLSX(j *Job) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	sheet := "Order"
	if j.Cancel != nil {
		sheet = "Cancellation"
	}
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	// Amounts show two decimals; the value itself is the exact decimal text.
	money, err := x.NewStyle(&excelize.Style{NumFmt: 2})
	if err != nil {
		return nil, err
	}
	cols, rows := table(j)
	for c, name := range cols {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := x.SetCellStr(sheet, cell, name); err != nil {
			return nil, err
		}
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			var err error
			switch {
			case amountCols[cols[c]]:
				if err = x.SetCellDefault(sheet, cell, text(v)); err == nil {
					err = x.SetCellStyle(sheet, cell, cell, money)
				}
			default:
				switch n := v.(type) {
				case int64:
					err = x.SetCellInt(sheet, cell, n)
				default:
					err = x.SetCellStr(sheet, cell, text(v))
				}
			}
			if err != nil {
				return nil, err
			}
		}
	}
	b, err := x.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
