package sheet

import (
	"fmt"
	"strconv"
	"strings"

	"syncagent/connectors/money"
)

// table turns the rows of either format into Rows and Problems: it finds the header
// row, then reads every later row through the column map. CSV and XLSX differ only in
// how they produce cells and in xlsx (raw workbook values, see readNumber).
type table struct {
	o      options
	m      *matcher
	xlsx   bool
	header *Header
	lim    limits
	fn     func(Row) error
	reject func(Problem) error

	found bool
	cols  columns
	seen  int      // non-empty rows looked at while searching for the header
	best  []string // the widest of those rows, to show in the error if no header is found
}

func newTable(o options, m *matcher, xlsx bool, h *Header, lim limits, fn func(Row) error, reject func(Problem) error) *table {
	return &table{o: o, m: m, xlsx: xlsx, header: h, lim: lim, fn: fn, reject: reject}
}

// feed takes one row of cells. cells may be reused by the caller after feed returns.
func (t *table) feed(line int, cells []string) error {
	if blank(cells) {
		return nil
	}
	if !t.found {
		return t.findHeader(line, cells)
	}
	return t.row(line, cells)
}

// finish reports a file that ended before its header row.
func (t *table) finish() error {
	if t.found {
		return nil
	}
	if t.seen == 0 {
		return fileErr(t.o.Name, ErrEmpty, "has no rows; export the stock list again", nil)
	}
	return t.noHeader()
}

func (t *table) findHeader(line int, cells []string) error {
	if t.m.isHeader(cells) {
		cols, err := t.m.mapColumns(t.o.Name, cells)
		if err != nil {
			return err
		}
		t.found, t.cols = true, cols
		t.header.Line = line
		t.header.Columns = make(map[Field]string)
		for i, f := range Fields {
			if cols[i].idx >= 0 {
				t.header.Columns[f] = cols[i].header
			}
		}
		return nil
	}
	t.seen++
	if nonEmpty(cells) > nonEmpty(t.best) {
		t.best = append(t.best[:0], cells...)
	}
	if t.seen >= t.lim.headerRows {
		return t.noHeader()
	}
	return nil
}

func (t *table) noHeader() error {
	if h, ok := t.o.Columns[FieldSKU]; ok {
		return fileErr(t.o.Name, ErrNoHeader, fmt.Sprintf(
			"has no column %q (the folder's setting for the stock code) in its first %d rows; headers found: %s",
			h, t.lim.headerRows, listHeaders(t.best)), nil).withHeaders(t.best)
	}
	return fileErr(t.o.Name, ErrNoHeader, fmt.Sprintf(
		"has no stock-code column: no header such as \"Stok Kodu\", \"SKU\" or \"Ürün Kodu\" in its first %d rows; headers found: %s. Rename the column, or set columns.sku in the folder's settings",
		t.lim.headerRows, listHeaders(t.best)), nil).withHeaders(t.best)
}

// row reads one data row. Every problem in the row is reported, so the user can fix
// them all in one pass; a row with any problem is not delivered.
func (t *table) row(line int, cells []string) error {
	cell := func(i int) string {
		if c := t.cols[i].idx; c >= 0 && c < len(cells) {
			return trimCell(cells[c])
		}
		return ""
	}
	var probs []Problem
	bad := func(i int, value, reason string) {
		probs = append(probs, Problem{Line: line, Column: t.cols[i].header, Value: value, Reason: reason})
	}

	r := Row{Line: line}
	raw := cell(iSKU)
	sku, sci := codeText(raw, t.xlsx)
	switch {
	case sku == "":
		return t.reject(Problem{Line: line, Column: t.cols[iSKU].header, Reason: "row has no stock code"})
	case strings.EqualFold(sku, t.cols[iSKU].header):
		return t.reject(Problem{Line: line, Column: t.cols[iSKU].header, Value: raw, Reason: "row repeats the header row"})
	case sci:
		bad(iSKU, raw, fmt.Sprintf("'%s': Excel turned the stock code into a number and dropped digits; format the column as Text and re-enter it", raw))
	}
	r.SKU = sku

	if raw = cell(iBarcode); raw != "" {
		code, sci := codeText(raw, t.xlsx)
		r.Barcode = code
		if sci {
			bad(iBarcode, raw, fmt.Sprintf("'%s': Excel turned the barcode into a number and dropped digits; format the column as Text and re-enter it", raw))
		} else if ok, applies, want := checkDigit(code); applies && !ok && t.o.barcode != barcodeOff {
			p := Problem{Line: line, Column: t.cols[iBarcode].header, Value: raw, Reason: fmt.Sprintf(
				"'%s' has a wrong check digit (the last digit should be %c); check the barcode for a typo", code, want)}
			if t.o.barcode == barcodeReject {
				probs = append(probs, p)
			} else {
				r.Warnings = append(r.Warnings, p)
			}
		}
	}

	if raw = cell(iQuantity); raw != "" {
		q, reason := quantity(raw, t.o.locale, t.xlsx)
		if reason != "" {
			bad(iQuantity, raw, reason)
		}
		r.Quantity = q
	}
	for _, i := range priceColumns {
		raw := cell(i)
		if raw == "" {
			continue
		}
		p, reason := price(raw, t.o.locale, t.xlsx)
		if reason != "" {
			bad(i, raw, reason)
		}
		if i == iPrice {
			r.Price = p
		} else {
			r.ListPrice = p
		}
	}
	r.Warehouse, _ = codeText(cell(iWarehouse), t.xlsx)
	r.PriceList, _ = codeText(cell(iPriceList), t.xlsx)

	if len(probs) > 0 {
		for _, p := range probs {
			if err := t.reject(p); err != nil {
				return err
			}
		}
		return nil
	}
	if r.Quantity == nil && r.Price == nil && r.ListPrice == nil {
		r.Warnings = append(r.Warnings, Problem{Line: line, Column: t.cols[iSKU].header, Value: sku,
			Reason: "row has no quantity or price, so there is nothing to update"})
	}
	if r.Price != nil && *r.Price == 0 {
		r.Warnings = append(r.Warnings, Problem{Line: line, Column: t.cols[iPrice].header, Value: cell(iPrice),
			Reason: "price is 0"})
	}
	return t.fn(r)
}

var priceColumns = [...]int{iPrice, iListPrice}

// quantity reads a stock count: a whole number, zero or more.
func quantity(cell string, loc locale, xlsx bool) (*int64, string) {
	rd := readNumber(cell, loc, xlsx)
	v := trimCell(cell)
	switch rd.status {
	case numEmpty:
		return nil, ""
	case numAmbiguous:
		if d, ok := rd.alt.round(0); ok {
			return nil, fmt.Sprintf("'%s' is ambiguous: write %s or %s (or set the folder's locale to tr or en)", v, rd.n.plain('.'), d.plain('.'))
		}
		return nil, fmt.Sprintf("'%s' is ambiguous: write %s (or set the folder's locale to tr or en)", v, rd.n.plain('.'))
	case numOK:
	default:
		return nil, numberReason(v, rd.status, "the quantity", "25")
	}
	n, ok := rd.n.round(0)
	switch {
	case !ok:
		return nil, fmt.Sprintf("'%s' is not a whole number; a quantity counts whole items", v)
	case n.neg && !n.isZero():
		return nil, fmt.Sprintf("'%s' is negative; stock cannot be below zero (write 0)", v)
	}
	digits := strings.TrimLeft(n.ints, "0")
	if len(digits) > 15 {
		return nil, fmt.Sprintf("'%s' is too large for a quantity", v)
	}
	q, _ := strconv.ParseInt("0"+digits, 10, 64)
	return &q, ""
}

// price reads an amount in TRY to whole kuruş.
func price(cell string, loc locale, xlsx bool) (*money.Kurus, string) {
	rd := readNumber(cell, loc, xlsx)
	v := trimCell(cell)
	switch rd.status {
	case numEmpty:
		return nil, ""
	case numAmbiguous:
		other := byte(',')
		if rd.sep == ',' {
			other = '.'
		}
		whole := num{ints: rd.n.ints, frac: "00"}
		msg := fmt.Sprintf("'%s' is ambiguous: write %s or %s", v, rd.n.plain(other), whole.plain(other))
		if d, ok := rd.alt.round(2); ok {
			msg += fmt.Sprintf(", or %s for the smaller amount", d.plain(rd.sep))
		}
		return nil, msg + " (or set the folder's locale to tr or en)"
	case numOK:
	default:
		return nil, numberReason(v, rd.status, "the price", "1249,90")
	}
	n, ok := rd.n.round(2)
	switch {
	case !ok:
		return nil, fmt.Sprintf("'%s' has more than two decimals; a price must be in whole kuruş", v)
	case n.neg && !n.isZero():
		return nil, fmt.Sprintf("'%s' is negative; a price cannot be below zero", v)
	}
	n.neg = false
	k, err := money.Parse(n.plain('.'))
	if err != nil {
		return nil, fmt.Sprintf("'%s' is too large for a price", v)
	}
	return &k, ""
}

func numberReason(v string, st numStatus, what, example string) string {
	switch st {
	case numScientific:
		return fmt.Sprintf("'%s' is in scientific notation, so digits are lost; format the column as Number and export again", v)
	case numExcelError:
		return fmt.Sprintf("'%s' is an Excel error from a formula; fix the formula or type the value", v)
	}
	return fmt.Sprintf("'%s' is not a number; write %s with digits only, e.g. %s", v, what, example)
}

func blank(cells []string) bool {
	for _, c := range cells {
		if trimCell(c) != "" {
			return false
		}
	}
	return true
}

func nonEmpty(cells []string) int {
	n := 0
	for _, c := range cells {
		if trimCell(c) != "" {
			n++
		}
	}
	return n
}
