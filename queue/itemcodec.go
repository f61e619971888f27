package queue

import (
	"fmt"
	"strconv"
	"strings"

	"syncagent/connectors/money"
)

// An item's quantities and prices are stored in its row as text: records separated by
// \x1e, fields by \x1f (ASCII record and unit separators, which validate() keeps out of
// warehouse and price list names). Stock: "WH\x1fQTY". Prices: "LIST\x1fPRICE\x1fLISTPRICE"
// in kuruş, an empty field meaning no value. Records are sorted so equal states encode
// equally.

const (
	recSep  = "\x1e"
	unitSep = "\x1f"
)

func encodeStock(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	keys := sortedKeys(m)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(recSep)
		}
		b.WriteString(k)
		b.WriteString(unitSep)
		b.WriteString(strconv.FormatInt(m[k], 10))
	}
	return b.String()
}

func decodeStock(s string, into map[string]int64) error {
	if s == "" {
		return nil
	}
	for _, rec := range strings.Split(s, recSep) {
		wh, q, ok := strings.Cut(rec, unitSep)
		if !ok {
			return fmt.Errorf("stock record %q", rec)
		}
		v, err := strconv.ParseInt(q, 10, 64)
		if err != nil {
			return fmt.Errorf("stock record %q: %w", rec, err)
		}
		into[wh] = v
	}
	return nil
}

func encodePrices(m map[string]PriceEntry) string {
	if len(m) == 0 {
		return ""
	}
	keys := sortedKeys(m)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(recSep)
		}
		pe := m[k]
		b.WriteString(k)
		b.WriteString(unitSep)
		if pe.Price != nil {
			b.WriteString(strconv.FormatInt(int64(*pe.Price), 10))
		}
		b.WriteString(unitSep)
		if pe.ListPrice != nil {
			b.WriteString(strconv.FormatInt(int64(*pe.ListPrice), 10))
		}
	}
	return b.String()
}

func decodePrices(s string, into map[string]PriceEntry) error {
	if s == "" {
		return nil
	}
	for _, rec := range strings.Split(s, recSep) {
		f := strings.Split(rec, unitSep)
		if len(f) != 3 {
			return fmt.Errorf("price record %q", rec)
		}
		var pe PriceEntry
		for i, dst := range []**money.Kurus{&pe.Price, &pe.ListPrice} {
			if f[i+1] == "" {
				continue
			}
			v, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				return fmt.Errorf("price record %q: %w", rec, err)
			}
			k := money.Kurus(v)
			*dst = &k
		}
		into[f[0]] = pe
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Few keys per item: insertion sort allocates nothing more.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// validName reports whether a warehouse or price list name can be stored.
func validName(s string) bool {
	return !strings.ContainsAny(s, recSep+unitSep)
}
