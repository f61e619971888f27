package sheet

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"syncagent/erpbridge/erpdb/fold"
)

// excelDefaultPassword is the password Excel uses when a workbook is "encrypted"
// without one the user chose (e.g. by some protection settings). Excel opens such files
// silently, so users do not know they are encrypted; we open them the same way.
const excelDefaultPassword = "VelvetSweatshop"

// errPanic marks a panic inside excelize on a malformed workbook; the file is
// reported as damaged instead of bringing the agent down.
var errPanic = errors.New("excelize panicked")

func parseXLSX(ctx context.Context, src Source, o options, lim limits, encrypted bool, fn func(Row) error, reject func(Problem) error) (h Header, err error) {
	h = Header{Format: "xlsx"}
	// Each parse gets its own temporary directory, removed at the end, so nothing
	// excelize unpacks can outlive the parse, even when excelize fails half-way
	// through opening a file and loses track of what it created.
	tmp, err := os.MkdirTemp(o.TempDir, "sheet-")
	if err != nil {
		return h, fmt.Errorf("sheet: temporary folder for %s: %w", o.Name, err)
	}
	defer func() {
		if rerr := os.RemoveAll(tmp); rerr != nil && err == nil {
			err = fmt.Errorf("sheet: removing temporary files of %s: %w", o.Name, rerr)
		}
	}()

	if !encrypted {
		if err := verifyZip(ctx, src, o.Name); err != nil {
			return h, err
		}
	}
	f, err := openWorkbook(ctx, src, o, lim, tmp, encrypted)
	if err != nil {
		return h, err
	}
	defer func() {
		if cerr := closeWorkbook(f); cerr != nil && err == nil {
			err = fmt.Errorf("sheet: closing %s: %w", o.Name, cerr)
		}
	}()

	if h.Sheet, err = pickSheet(f, o); err != nil {
		return h, err
	}
	h.Date1904 = date1904(f)
	rows, err := openRows(f, h.Sheet)
	if err != nil {
		return h, damaged(o.Name, err)
	}
	defer rows.Close()

	t := newTable(o, newMatcher(o.Columns), true, &h, lim, fn, reject)
	// Rows.Next advances one spreadsheet row at a time, including rows missing from the
	// XML, so counting calls gives the Excel row number the user sees.
	for line := 1; ; line++ {
		if line%lim.checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return h, err
			}
		}
		more, cells, err := nextRow(rows)
		if err != nil {
			return h, fileErr(o.Name, ErrDamaged, fmt.Sprintf("is damaged at row %d and cannot be read further; open it in Excel, %s", line, saveAsXLSX), err)
		}
		if !more {
			break
		}
		if err := t.feed(line, cells); err != nil {
			return h, err
		}
	}
	return h, t.finish()
}

// openWorkbook opens the package without holding it in memory when it is large:
// excelize.OpenReader reads its whole input into a byte slice (v2.11.1 calls
// io.ReadAll), which for a 1M-row workbook costs several times the file size, while
// OpenFile reads the zip in place and unpacks big sheets to TmpDir. So a large Source
// is first copied to our temporary folder and opened by path. A workbook with a large
// shared-string table is opened as a copy with the strings inlined (see
// inlineSharedStrings).
func openWorkbook(ctx context.Context, src Source, o options, lim limits, tmp string, encrypted bool) (*excelize.File, error) {
	xo := excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.unzipTotal,
		UnzipXMLSizeLimit: min(lim.unzipSpill, lim.unzipTotal),
		TmpDir:            tmp,
	}
	size := src.Size()
	if encrypted {
		if size > lim.maxDecrypt {
			return nil, encryptedErr(o.Name)
		}
		xo.Password = excelDefaultPassword
		f, err := guardOpen(func() (*excelize.File, error) { return excelize.OpenReader(io.NewSectionReader(src, 0, size), xo) })
		if err != nil {
			return nil, encryptedErr(o.Name)
		}
		return f, nil
	}
	inlined, err := inlineSharedStrings(ctx, src, lim, tmp)
	switch {
	case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("sheet: inlining the shared strings of %s in %s: %w", o.Name, tmp, err)
	case inlined != "":
		return openPath(inlined, o, xo)
	case size <= lim.spoolAbove:
		f, err := guardOpen(func() (*excelize.File, error) { return excelize.OpenReader(io.NewSectionReader(src, 0, size), xo) })
		return f, openErr(o.Name, err)
	default:
		path := filepath.Join(tmp, "source.xlsx")
		if err := spool(src, path); err != nil {
			return nil, fmt.Errorf("sheet: copying %s to %s: %w", o.Name, tmp, err)
		}
		return openPath(path, o, xo)
	}
}

// openPath opens a copy of the workbook in our temporary folder and removes the copy:
// OpenFile has read what it needs and closed it.
func openPath(path string, o options, xo excelize.Options) (*excelize.File, error) {
	f, err := guardOpen(func() (*excelize.File, error) { return excelize.OpenFile(path, xo) })
	if rerr := os.Remove(path); rerr != nil && err == nil {
		_ = closeWorkbook(f)
		return nil, fmt.Errorf("sheet: removing the copy of %s: %w", o.Name, rerr)
	}
	return f, openErr(o.Name, err)
}

func openErr(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), "unzip size exceeds"):
		return fileErr(name, ErrTooLarge, "unpacks to more data than a stock list may use; it is damaged or not a stock list. Split it into smaller files", err)
	}
	return damaged(name, err)
}

// verifyZip reads every part once, so the zip reader checks each CRC and size.
// excelize (v2.11.1, readFile) ignores read errors while unpacking, which would turn
// a damaged download into a silently truncated or garbled stock list.
func verifyZip(ctx context.Context, src Source, name string) error {
	zr, err := zip.NewReader(src, src.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return damaged(name, err)
	}
	buf := make([]byte, 64<<10)
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return damaged(name, fmt.Errorf("%s: %w", f.Name, err))
		}
		_, err = io.CopyBuffer(io.Discard, rc, buf)
		_ = rc.Close()
		if err != nil {
			return damaged(name, fmt.Errorf("%s: %w", f.Name, err))
		}
	}
	return nil
}

func encryptedErr(name string) error {
	return fileErr(name, ErrEncrypted, "is password-protected; open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, clear it), "+saveAsXLSX, nil)
}

func spool(src Source, path string) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.NewSectionReader(src, 0, src.Size())); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// guardOpen runs an excelize open and turns a failure into an error, closing what a
// failed open leaves half-made (excelize returns the *File with some errors).
func guardOpen(open func() (*excelize.File, error)) (f *excelize.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	f, err = open()
	if err != nil {
		if f != nil {
			_ = closeWorkbook(f)
		}
		return nil, err
	}
	return f, nil
}

func closeWorkbook(f *excelize.File) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	return f.Close()
}

// pickSheet returns the named sheet, or the first visible one: hidden sheets usually
// hold lookup tables, not the list the user edited.
func pickSheet(f *excelize.File, o options) (name string, err error) {
	defer func() {
		if r := recover(); r != nil {
			name, err = "", damaged(o.Name, fmt.Errorf("%w: %v", errPanic, r))
		}
	}()
	list := f.GetSheetList()
	if len(list) == 0 {
		return "", fileErr(o.Name, ErrNoSheet, "has no sheets; open it in Excel, "+saveAsXLSX, nil)
	}
	if o.Sheet != "" {
		want := fold.Words(o.Sheet)
		for _, s := range list {
			if s == o.Sheet || fold.Words(s) == want {
				return s, nil
			}
		}
		return "", fileErr(o.Name, ErrNoSheet, fmt.Sprintf("has no sheet named %q; its sheets are %s. Rename the sheet or change the folder's sheet setting",
			o.Sheet, listHeaders(list)), nil)
	}
	for _, s := range list {
		if visible, err := f.GetSheetVisible(s); err == nil && visible {
			return s, nil
		}
	}
	return list[0], nil
}

func date1904(f *excelize.File) (is bool) {
	defer func() {
		if recover() != nil {
			is = false
		}
	}()
	props, err := f.GetWorkbookProps()
	return err == nil && props.Date1904 != nil && *props.Date1904
}

func openRows(f *excelize.File, sheet string) (rows *excelize.Rows, err error) {
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	rows, err = f.Rows(sheet)
	if err != nil && rows != nil {
		_ = rows.Close()
	}
	return rows, err
}

// nextRow advances to the next spreadsheet row and returns its raw cell values
// (RawCellValue: numbers as stored, never as formatted for display, so a date format
// on a SKU or a locale short date cannot change what is read).
func nextRow(rows *excelize.Rows) (more bool, cells []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			more, cells, err = false, nil, fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	if !rows.Next() {
		return false, nil, rows.Error()
	}
	cells, err = rows.Columns()
	return err == nil, cells, err
}
