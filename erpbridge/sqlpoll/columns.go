package sqlpoll

import (
	"fmt"
	"sort"
	"strings"

	"syncagent/erpbridge/erpdb/fold"
)

// field is what a result column feeds.
type field int

const (
	fieldNone field = iota
	fieldSKU
	fieldBarcode
	fieldQuantity
	fieldPrice
	fieldListPrice
	fieldWarehouse
	fieldPriceList
	fieldChange // the incremental change column
	numFields
)

var fieldNames = [numFields]string{"", "sku", "barcode", "quantity", "price", "list_price", "warehouse", "price_list", "change column"}

func (f field) String() string { return fieldNames[f] }

// columnAliases are the result column names each field accepts, compared after fold.Key
// (so case, Turkish letters, spaces, underscores and a bracketed unit do not matter:
// STOK_KODU, "Stok Kodu", stokkodu and "Stok Kodu (ERP)" are one name). They follow the
// drop folders' header names, and are folded the same way, so a merchant who knows one
// knows the other. docs/sqlpoll.md lists them.
var columnAliases = map[field][]string{
	fieldSKU:       {"sku", "stok_kodu", "stok_kod", "urun_kodu", "malzeme_kodu", "stock_code", "product_code", "item_code"},
	fieldBarcode:   {"barcode", "barkod", "ean", "gtin"},
	fieldQuantity:  {"quantity", "qty", "miktar", "stok", "adet", "stock", "onhand", "on_hand"},
	fieldPrice:     {"price", "fiyat", "satis_fiyati", "birim_fiyati", "sale_price"},
	fieldListPrice: {"list_price", "liste_fiyati", "psf", "market_price"},
	fieldWarehouse: {"warehouse", "depo", "depo_kodu", "warehouse_code"},
	fieldPriceList: {"price_list", "fiyat_listesi", "price_list_code"},
}

var aliasIndex = func() map[string]field {
	m := map[string]field{}
	for f, list := range columnAliases {
		for _, a := range list {
			m[fold.Key(a)] = f
		}
	}
	return m
}()

// layout is where each field stands in the result (-1: absent).
type layout struct {
	pos     [numFields]int
	names   [numFields]string // the result's own column names, for messages
	ignored []string          // result columns no field takes
}

func (l *layout) has(f field) bool { return l.pos[f] >= 0 }

// mapColumns matches the result's columns to fields. changeColumn ("" in snapshot mode)
// names the incremental change column. It fails when the result cannot feed the queue:
// no SKU, nothing to change, two columns for one field, or a missing change column.
func mapColumns(cols []string, changeColumn string) (*layout, error) {
	l := &layout{}
	for i := range l.pos {
		l.pos[i] = -1
	}
	change := fold.Key(changeColumn)
	for i, c := range cols {
		k := fold.Key(c)
		f := aliasIndex[k]
		if change != "" && k == change {
			f = fieldChange
		}
		if f == fieldNone {
			l.ignored = append(l.ignored, c)
			continue
		}
		if l.pos[f] >= 0 {
			return nil, fmt.Errorf("the query returns two columns for %s: %q and %q; keep one (or rename the other with AS)", f, l.names[f], c)
		}
		l.pos[f], l.names[f] = i, c
	}
	if !l.has(fieldSKU) {
		return nil, fmt.Errorf("the query returns no SKU column (columns: %s); name the stock code column sku, e.g. SELECT CODE AS sku", strings.Join(cols, ", "))
	}
	if !l.has(fieldQuantity) && !l.has(fieldPrice) && !l.has(fieldListPrice) {
		return nil, fmt.Errorf("the query returns neither a quantity nor a price column (columns: %s); name them quantity and price with AS", strings.Join(cols, ", "))
	}
	if changeColumn != "" && !l.has(fieldChange) {
		return nil, fmt.Errorf("incremental mode needs the change column %q in the query's result (columns: %s)", changeColumn, strings.Join(cols, ", "))
	}
	return l, nil
}

// describe says which result column feeds which field, for check-source.
func (l *layout) describe() string {
	var parts []string
	for f := fieldSKU; f < numFields; f++ {
		if l.has(f) {
			parts = append(parts, fmt.Sprintf("%s ← %s", f, l.names[f]))
		}
	}
	s := strings.Join(parts, ", ")
	if len(l.ignored) > 0 {
		ig := append([]string(nil), l.ignored...)
		sort.Strings(ig)
		s += "; ignored: " + strings.Join(ig, ", ")
	}
	return s
}
