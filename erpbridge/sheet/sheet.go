// Package sheet reads the stock and price lists that warehouse staff drop as CSV or
// XLSX files. It turns each data row into a Row (SKU, barcode, quantity, prices) or,
// when a cell cannot be trusted, into a Problem that says in plain words what is wrong
// and how to fix it. The package does no I/O of its own beyond the Source it is given
// and the TempDir where large workbooks are unpacked or rewritten.
package sheet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"syncagent/connectors/money"
	"syncagent/erpbridge/erpdb/fold"
)

// Field names a column the parser understands. The names are those of
// config.ColumnFields.
type Field string

// The fields a stock list may hold. Only FieldSKU is required, together with at
// least one of FieldQuantity and FieldPrice.
const (
	FieldSKU       Field = "sku"
	FieldBarcode   Field = "barcode"
	FieldQuantity  Field = "quantity"
	FieldPrice     Field = "price"
	FieldListPrice Field = "list_price"
	FieldWarehouse Field = "warehouse"
	FieldPriceList Field = "price_list"
)

// Fields lists every Field in column-report order.
var Fields = []Field{FieldSKU, FieldBarcode, FieldQuantity, FieldPrice, FieldListPrice, FieldWarehouse, FieldPriceList}

// Options says how to read one file. The zero value detects everything.
type Options struct {
	Name         string           // file name: chooses the format when the content does not, and appears in messages
	Format       string           // "xlsx", "csv" or "" (detect from content, then Name)
	Sheet        string           // XLSX sheet name; "" = first visible worksheet
	Columns      map[Field]string // explicit header text per field; replaces the built-in aliases for that field
	Locale       string           // "auto" (or ""), "tr" (1.249,90) or "en" (1,249.90)
	Encoding     string           // CSV: "auto" (or ""), "utf-8", "utf-16", "windows-1254"
	Delimiter    string           // CSV: "auto" (or ""), ";", ",", "tab"
	BarcodeCheck string           // "warn" (or ""), "reject" or "off": what a wrong EAN/UPC check digit does
	TempDir      string           // where large workbooks are unpacked; "" = os.TempDir()
}

// Row is one data row of the file. Text fields are trimmed; SKU is never empty.
type Row struct {
	Line      int          `json:"line"` // Excel row number, or the CSV record's first line
	SKU       string       `json:"sku"`
	Barcode   string       `json:"barcode,omitempty"`
	Quantity  *int64       `json:"quantity,omitempty"` // nil: no quantity column, or the cell is empty
	Price     *money.Kurus `json:"price,omitempty"`
	ListPrice *money.Kurus `json:"list_price,omitempty"`
	Warehouse string       `json:"warehouse,omitempty"`
	PriceList string       `json:"price_list,omitempty"`
	Warnings  []Problem    `json:"warnings,omitempty"` // the row is usable, but the user should look at these
}

// Problem is a cell (or row) the parser would not trust, in words a warehouse user
// can act on.
type Problem struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"` // the header as written in the file
	Value  string `json:"value,omitempty"`  // the cell as written
	Reason string `json:"reason"`           // e.g. "'1.249' is ambiguous: write 1249 or 1249,00"
}

// String gives the problem as one line: "row 14, column Fiyat: '1.249' is ambiguous: …".
func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("row %d: %s", p.Line, p.Reason)
	}
	return fmt.Sprintf("row %d, column %s: %s", p.Line, p.Column, p.Reason)
}

// Source gives random access to the file's bytes (an XLSX is a zip, read from its
// end) without the parser opening files itself. *bytes.Reader, *strings.Reader and
// *io.SectionReader satisfy it; FileSource adapts an *os.File.
type Source interface {
	io.ReaderAt
	Size() int64
}

var _ Source = (*bytes.Reader)(nil)

// FileSource adapts an open file to Source. The caller keeps ownership of f.
func FileSource(f *os.File) (Source, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("sheet: stat %s: %w", f.Name(), err)
	}
	return io.NewSectionReader(f, 0, fi.Size()), nil
}

// Header describes what was found in the file.
type Header struct {
	Format    string           `json:"format"`              // "xlsx" or "csv"
	Sheet     string           `json:"sheet,omitempty"`     // XLSX: the sheet that was read
	Line      int              `json:"line,omitempty"`      // row number of the header row
	Columns   map[Field]string `json:"columns,omitempty"`   // header text per matched field
	Encoding  string           `json:"encoding,omitempty"`  // CSV: "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1254"
	Delimiter string           `json:"delimiter,omitempty"` // CSV: ";", "," or "tab"
	Date1904  bool             `json:"date1904,omitempty"`  // XLSX: serial dates count from 1904 (see SerialTime)
}

// Parse reads the whole file and calls fn for every usable data row and reject for
// every problem, in file order. A row with problems goes to reject (once per
// problem, all with the row's Line) instead of to fn. Empty rows are skipped.
//
// A *FileError means the file as a whole is unusable (wrong format, no stock-code
// column, encrypted, damaged…); its message is for the warehouse user. Rows delivered
// before such an error must be discarded by the caller. An error returned by fn or
// reject stops parsing and is returned unchanged, as is ctx.Err() when ctx ends.
// Errors wrapping ErrOptions are the caller's mistake; any other error is an I/O
// failure reading src or the temporary folder.
//
// Rows are not deduplicated: a SKU may appear twice and the later row wins. Dedup
// tracks that for the importer.
func Parse(ctx context.Context, src Source, opts Options, fn func(Row) error, reject func(Problem) error) (Header, error) {
	return parse(ctx, src, opts, defaultLimits, fn, reject)
}

// limits are the safety valves; tests shrink them to exercise the paths cheaply.
type limits struct {
	spoolAbove int64 // XLSX larger than this is copied to TempDir and opened by path: excelize.OpenReader holds the whole file in memory
	unzipTotal int64 // refuse workbooks whose parts unpack to more than this (zip bombs)
	unzipSpill int64 // worksheet and shared-string parts larger than this are unpacked to TempDir, not memory
	headerRows int   // non-empty rows searched for the header row
	maxDecrypt int64 // largest encrypted workbook tried with Excel's built-in default password (decrypted in memory)
	checkEvery int   // rows between ctx checks

	// Shared-string parts larger than this (uncompressed) are inlined into the sheets
	// before excelize reads the workbook (see inlineSharedStrings). 16 MB is some
	// 300,000 SKU-sized strings: a 100k-row list is read as it is.
	sstInlineAbove int64
}

var defaultLimits = limits{
	spoolAbove: 4 << 20,
	unzipTotal: 1 << 30,
	unzipSpill: 8 << 20,
	headerRows: 30,
	maxDecrypt: 32 << 20,
	checkEvery: 256,

	sstInlineAbove: 16 << 20,
}

func parse(ctx context.Context, src Source, opts Options, lim limits, fn func(Row) error, reject func(Problem) error) (Header, error) {
	if err := ctx.Err(); err != nil {
		return Header{}, err
	}
	if src == nil || fn == nil || reject == nil {
		return Header{}, errors.New("sheet: Parse needs a source and both callbacks")
	}
	o, err := normalize(opts)
	if err != nil {
		return Header{}, err
	}
	kind, err := sniff(src, o, lim)
	if err != nil {
		return Header{}, err
	}
	switch kind {
	case kindXLSX, kindEncrypted:
		if o.Format == "csv" {
			return Header{}, fileErr(o.Name, ErrWrongFormat, "is an Excel workbook, but this folder expects CSV files; save it as CSV or change the folder's format", nil)
		}
		return parseXLSX(ctx, src, o, lim, kind == kindEncrypted, fn, reject)
	default:
		if o.Format == "xlsx" {
			return Header{}, fileErr(o.Name, ErrWrongFormat, "is a text (CSV) file, not an Excel workbook; save it as .xlsx (Excel Workbook) and drop it again", nil)
		}
		return parseCSV(ctx, src, o, lim, fn, reject)
	}
}

// options is Options after validation, with defaults filled in.
type options struct {
	Options
	locale  locale
	barcode barcodeMode
	delim   rune // 0 = detect
}

type barcodeMode int

const (
	barcodeWarn barcodeMode = iota
	barcodeReject
	barcodeOff
)

func normalize(in Options) (options, error) {
	o := options{Options: in}
	if o.Name == "" {
		o.Name = "file"
	}
	bad := func(what, v string, allowed ...string) error {
		return fmt.Errorf("sheet: %w: %s %q is not one of %s", ErrOptions, what, v, strings.Join(allowed, ", "))
	}
	switch strings.ToLower(o.Format) {
	case "":
	case "xlsx", "xlsm":
		o.Format = "xlsx"
	case "csv":
		o.Format = "csv"
	default:
		return o, bad("format", in.Format, "xlsx", "csv")
	}
	switch strings.ToLower(o.Locale) {
	case "", "auto":
		o.locale = localeAuto
	case "tr":
		o.locale = localeTR
	case "en":
		o.locale = localeEN
	default:
		return o, bad("locale", in.Locale, "auto", "tr", "en")
	}
	switch strings.ToLower(o.BarcodeCheck) {
	case "", "warn":
		o.barcode = barcodeWarn
	case "reject":
		o.barcode = barcodeReject
	case "off":
		o.barcode = barcodeOff
	default:
		return o, bad("barcode_check", in.BarcodeCheck, "warn", "reject", "off")
	}
	switch strings.ToLower(o.Encoding) {
	case "", "auto":
		o.Encoding = ""
	case "utf-8", "utf8":
		o.Encoding = "utf-8"
	case "utf-16", "utf16":
		o.Encoding = "utf-16"
	case "windows-1254", "cp1254", "iso-8859-9":
		o.Encoding = "windows-1254"
	default:
		return o, bad("encoding", in.Encoding, "auto", "utf-8", "utf-16", "windows-1254")
	}
	switch strings.ToLower(o.Delimiter) {
	case "", "auto":
	case ";":
		o.delim = ';'
	case ",":
		o.delim = ','
	case "tab", "\t":
		o.delim = '\t'
	default:
		return o, bad("delimiter", in.Delimiter, "auto", ";", ",", "tab")
	}
	for f, h := range o.Columns {
		if !knownField(f) {
			return o, fmt.Errorf("sheet: %w: unknown column field %q (known: %s)", ErrOptions, f, fieldList())
		}
		if fold.Words(h) == "" {
			return o, fmt.Errorf("sheet: %w: column header for %s is empty", ErrOptions, f)
		}
	}
	return o, nil
}

func knownField(f Field) bool {
	for _, k := range Fields {
		if k == f {
			return true
		}
	}
	return false
}

func fieldList() string {
	s := make([]string, len(Fields))
	for i, f := range Fields {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}
