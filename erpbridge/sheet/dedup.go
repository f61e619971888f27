package sheet

import "fmt"

// Dedup finds rows that repeat a SKU within one file. The later row wins, but that
// is only known once a later row arrives, so Parse delivers every row and the
// importer feeds them here: Add says which earlier row a row replaces, and Winner,
// after the last row, says whether a row is the one to apply.
//
// A SKU may legitimately appear once per warehouse and price list, so the key is
// (SKU, Warehouse, PriceList).
type Dedup struct {
	last map[dedupKey]int
}

type dedupKey struct{ sku, warehouse, priceList string }

// Replacement is one superseded row.
type Replacement struct {
	SKU       string
	Warehouse string
	PriceList string
	Replaced  int // the earlier row's Line
	By        int // the later row's Line
}

// String reads "row 14 replaced by row 20 (same SKU ABC-1)".
func (r Replacement) String() string {
	where := ""
	if r.Warehouse != "" {
		where += ", warehouse " + r.Warehouse
	}
	if r.PriceList != "" {
		where += ", price list " + r.PriceList
	}
	return fmt.Sprintf("row %d replaced by row %d (same SKU %s%s)", r.Replaced, r.By, r.SKU, where)
}

// NewDedup returns an empty tracker.
func NewDedup() *Dedup { return &Dedup{last: make(map[dedupKey]int)} }

// Add records r. When an earlier row had the same key it returns that replacement
// and true. Rows must be added in file order.
func (d *Dedup) Add(r Row) (Replacement, bool) {
	k := dedupKey{r.SKU, r.Warehouse, r.PriceList}
	prev, seen := d.last[k]
	d.last[k] = r.Line
	if !seen {
		return Replacement{}, false
	}
	return Replacement{SKU: r.SKU, Warehouse: r.Warehouse, PriceList: r.PriceList, Replaced: prev, By: r.Line}, true
}

// Winner reports whether r is the last row added for its key, i.e. the one to apply.
func (d *Dedup) Winner(r Row) bool {
	line, ok := d.last[dedupKey{r.SKU, r.Warehouse, r.PriceList}]
	return ok && line == r.Line
}

// Len is the number of distinct keys seen.
func (d *Dedup) Len() int { return len(d.last) }
