package dropfolder

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"
)

// details keeps the per-row findings of one import (rejected rows, replaced duplicates,
// warnings, and in a dry run the changes) in a temporary file instead of memory, so a
// file with a million bad rows costs disk, not RAM, and the report can still list each
// one. Records are one line each: a kind letter and tab-separated fields.
type details struct {
	mu   sync.Mutex // the parser and the applier goroutine both write
	f    *os.File
	w    *bufio.Writer
	werr error
}

const (
	kindProblem     = 'P' // line, column, value, reason
	kindReplacement = 'R' // replaced line, by line, sku, warehouse, price list
	kindWarning     = 'W' // line, column, value, reason
	kindDiff        = 'D' // row, sku, field, old, new
)

// maxField bounds a cell quoted in a report: a pasted paragraph in a SKU cell must not
// turn one report line into kilobytes.
const maxField = 200

func newDetails(dir string) (*details, error) {
	f, err := os.CreateTemp(dir, "details-*")
	if err != nil {
		return nil, fmt.Errorf("creating the import's work file in %s: %w", dir, err)
	}
	return &details{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (d *details) add(kind byte, fields ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.werr != nil {
		return
	}
	_ = d.w.WriteByte(kind)
	for _, f := range fields {
		_ = d.w.WriteByte('\t')
		_, _ = d.w.WriteString(cleanField(f))
	}
	if err := d.w.WriteByte('\n'); err != nil {
		d.werr = err
	}
}

func (d *details) problem(kind byte, p sheet.Problem) {
	d.add(kind, strconv.Itoa(p.Line), clip(p.Column), clip(p.Value), p.Reason)
}

func (d *details) replacement(r sheet.Replacement) {
	d.add(kindReplacement, strconv.Itoa(r.Replaced), strconv.Itoa(r.By), clip(r.SKU), clip(r.Warehouse), clip(r.PriceList))
}

func (d *details) diff(x queue.FieldDiff) {
	d.add(kindDiff, strconv.Itoa(x.Source.Row), clip(x.SKU), x.Field, x.Old, x.New)
}

// reset forgets everything recorded, for a second pass over the file.
func (d *details) reset() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.w.Reset(d.f)
	d.werr = nil
	if err := d.f.Truncate(0); err != nil {
		return err
	}
	_, err := d.f.Seek(0, io.SeekStart)
	return err
}

// each calls fn with the fields of every record of kind, in the order recorded.
func (d *details) each(kind byte, fn func(fields []string) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.werr != nil {
		return fmt.Errorf("writing the import's work file %s: %w", d.f.Name(), d.werr)
	}
	if err := d.w.Flush(); err != nil {
		return fmt.Errorf("writing the import's work file %s: %w", d.f.Name(), err)
	}
	sc := bufio.NewScanner(io.NewSectionReader(d.f, 0, 1<<62))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] != kind {
			continue
		}
		if err := fn(strings.Split(line, "\t")[1:]); err != nil {
			return err
		}
	}
	return sc.Err()
}

func (d *details) close() error {
	if d == nil || d.f == nil {
		return nil
	}
	name := d.f.Name()
	err := d.f.Close()
	if rerr := os.Remove(name); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	d.f = nil
	return err
}

// cleanField makes a value safe for one tab-separated line.
func cleanField(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.ContainsAny(s, "\t\r\n") {
		s = strings.NewReplacer("\t", " ", "\r\n", " ", "\r", " ", "\n", " ").Replace(s)
	}
	return s
}

// clip bounds a value copied from the file.
func clip(s string) string {
	if len(s) > maxField && utf8.RuneCountInString(s) > maxField {
		r := []rune(s)
		s = string(r[:maxField-1]) + "…"
	}
	return s
}
