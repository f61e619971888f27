// Package fold reduces the column names people write to comparable keys, the same way
// for a drop folder's spreadsheet headers (erpbridge/sheet) and an ERP query's result
// columns (erpbridge/sqlpoll), so a merchant who knows the names of one knows the other.
//
// It imports nothing but the standard library: the spreadsheet parser uses it and stays
// free of database drivers, which the rest of erpdb imports.
package fold

import (
	"strings"
	"unicode"
)

// Words reduces a header to lower-case words separated by one space: Turkish letters to
// ASCII (İ, I, ı and i all become i, because users type "FİYAT", "FIYAT" and "fıyat" for
// the same word), circumflexed letters to plain ones, bracketed parts dropped ("Fiyat
// (TL)" is "fiyat"), and every run of spaces or punctuation turned into one space.
func Words(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	depth := 0
	space := false
	for _, r := range s {
		switch r {
		case '(', '[', '{':
			depth++
			space = true
			continue
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
			space = true
			continue
		}
		if depth > 0 {
			continue
		}
		switch r {
		case 'İ', 'I', 'ı', 'i', 'Î', 'î':
			r = 'i'
		case 'Ş', 'ş':
			r = 's'
		case 'Ğ', 'ğ':
			r = 'g'
		case 'Ü', 'ü', 'Û', 'û':
			r = 'u'
		case 'Ö', 'ö':
			r = 'o'
		case 'Ç', 'ç':
			r = 'c'
		case 'Â', 'â':
			r = 'a'
		case '\u0307': // combining dot above, left behind when "İ" is lower-cased elsewhere
			continue
		default:
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				space = true
				continue
			}
			r = unicode.ToLower(r)
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Key is Words without the spaces, for names whose words people join or split at will:
// a database column is STOK_KODU, "Stok Kodu" or stokkodu, and all three are one name.
func Key(s string) string {
	return strings.ReplaceAll(Words(s), " ", "")
}
