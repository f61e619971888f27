package sheet

import (
	"fmt"
	"strings"

	"syncagent/erpbridge/erpdb/fold"
)

// aliases are the header texts recognised without configuration, in Turkish and
// English. They are compared after fold.Words, so case, Turkish letters, punctuation
// and a bracketed unit ("Fiyat (TL)") do not matter.
var aliases = map[Field][]string{
	FieldSKU:       {"Stok Kodu", "Stok Kod", "SKU", "Ürün Kodu", "Malzeme Kodu", "Stock Code", "Product Code"},
	FieldBarcode:   {"Barkod", "Barcode", "EAN", "GTIN"},
	FieldQuantity:  {"Miktar", "Stok", "Adet", "Quantity", "Qty", "Stock"},
	FieldPrice:     {"Fiyat", "Satış Fiyatı", "Birim Fiyatı", "Satış Fiyat", "Birim Fiyat", "Price", "Sale Price"},
	FieldListPrice: {"Liste Fiyatı", "Liste Fiyat", "PSF", "List Price"},
	FieldWarehouse: {"Depo", "Warehouse", "Depo Kodu"},
	FieldPriceList: {"Fiyat Listesi", "Price List"},
}

// aliasIndex maps a folded alias to its field.
var aliasIndex = func() map[string]Field {
	m := make(map[string]Field)
	for f, list := range aliases {
		for _, a := range list {
			m[fold.Words(a)] = f
		}
	}
	return m
}()

// column is where a field sits: its index in the row and its header as written.
type column struct {
	idx    int // -1 when the file has no such column
	header string
}

// columns holds one column per field, indexed like Fields.
type columns [7]column

func fieldIndex(f Field) int {
	for i, k := range Fields {
		if k == f {
			return i
		}
	}
	return -1
}

const (
	iSKU = iota
	iBarcode
	iQuantity
	iPrice
	iListPrice
	iWarehouse
	iPriceList
)

// matcher recognises the header row and maps its cells to fields.
type matcher struct {
	cfg      map[Field]string // configured header per field, as written in the settings
	explicit map[string]Field // folded configured header → field
	hasOwn   [7]bool          // field has a configured header, so its aliases are off
	skuKeys  map[string]bool  // folded texts that mark the header row
}

func newMatcher(cfg map[Field]string) *matcher {
	m := &matcher{cfg: cfg, explicit: make(map[string]Field), skuKeys: make(map[string]bool)}
	for f, h := range cfg {
		m.explicit[fold.Words(h)] = f
		m.hasOwn[fieldIndex(f)] = true
	}
	if h, ok := cfg[FieldSKU]; ok {
		m.skuKeys[fold.Words(h)] = true
	} else {
		for _, a := range aliases[FieldSKU] {
			m.skuKeys[fold.Words(a)] = true
		}
	}
	return m
}

// isHeader reports whether the row holds a stock-code header cell.
func (m *matcher) isHeader(cells []string) bool {
	for _, c := range cells {
		if len(c) > 64 {
			continue
		}
		if m.skuKeys[fold.Words(c)] {
			return true
		}
	}
	return false
}

// fieldOf says which field a header cell stands for, if any.
func (m *matcher) fieldOf(cell string) (Field, bool) {
	k := fold.Words(cell)
	if k == "" {
		return "", false
	}
	if f, ok := m.explicit[k]; ok {
		return f, true
	}
	if f, ok := aliasIndex[k]; ok && !m.hasOwn[fieldIndex(f)] {
		return f, true
	}
	return "", false
}

// mapColumns maps the header row. Two cells claiming the same field is an error:
// guessing which of two price columns is meant could publish the wrong price.
func (m *matcher) mapColumns(name string, cells []string) (columns, error) {
	var cols columns
	for i := range cols {
		cols[i].idx = -1
	}
	for i, c := range cells {
		f, ok := m.fieldOf(c)
		if !ok {
			continue
		}
		fi := fieldIndex(f)
		if prev := cols[fi]; prev.idx >= 0 {
			return cols, fileErr(name, ErrColumns, fmt.Sprintf(
				"has two columns that could be the %s: %q (column %s) and %q (column %s); remove one, or set columns.%s in the folder's settings",
				fieldWords(f), prev.header, colName(prev.idx), trimCell(c), colName(i), f), nil).withHeaders(cells)
		}
		cols[fi] = column{idx: i, header: trimCell(c)}
	}
	for i, f := range Fields {
		if m.hasOwn[i] && cols[i].idx < 0 {
			return cols, fileErr(name, ErrColumns, fmt.Sprintf(
				"has no column %q, which the folder's settings name for the %s; headers found: %s",
				m.cfg[f], fieldWords(f), listHeaders(cells)), nil).withHeaders(cells)
		}
	}
	if cols[iQuantity].idx < 0 && cols[iPrice].idx < 0 {
		return cols, fileErr(name, ErrNoValues, fmt.Sprintf(
			"has a stock-code column (%q) but no quantity or price column; name one Miktar/Quantity or Fiyat/Price, or set columns.quantity or columns.price in the folder's settings; headers found: %s",
			cols[iSKU].header, listHeaders(cells)), nil).withHeaders(cells)
	}
	return cols, nil
}

func fieldWords(f Field) string {
	switch f {
	case FieldSKU:
		return "stock code"
	case FieldListPrice:
		return "list price"
	case FieldPriceList:
		return "price list"
	}
	return string(f)
}

// colName gives a column's spreadsheet letter (0 → A, 26 → AA), which users see in
// Excel and also recognise in a CSV opened there.
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// listHeaders quotes the non-empty cells of a row for an error message, shortening
// long or many cells so the message stays readable.
func listHeaders(cells []string) string {
	var out []string
	for _, c := range cells {
		c = trimCell(c)
		if c == "" {
			continue
		}
		if r := []rune(c); len(r) > 40 {
			c = string(r[:40]) + "…"
		}
		out = append(out, fmt.Sprintf("%q", c))
		if len(out) == 20 {
			out = append(out, "…")
			break
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
