package sheet

import (
	"strings"
	"unicode/utf8"
)

// codeText reads a SKU, barcode, warehouse or price-list cell as text, exactly as
// written: leading zeros stay. A raw workbook number like "123.0" (some writers add
// the ".0" to whole numbers) loses the ".0", because the user typed 123. It reports
// sci when the cell holds Excel's scientific display ("8,68E+12"): the digits after
// the first few are already gone and cannot be recovered.
func codeText(cell string, xlsx bool) (text string, sci bool) {
	s := trimCell(cell)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if isScientific(s) {
		return s, true
	}
	if xlsx {
		if i := strings.IndexByte(s, '.'); i > 0 && allDigits(s[:i]) && i+1 < len(s) && allByte(s[i+1:], '0') {
			s = s[:i]
		}
	}
	return s, false
}

// checkDigit verifies the GS1 check digit of an EAN-8, UPC-A (12), EAN-13 or GTIN-14
// barcode. applies is false for other lengths or non-digit codes, which are in-house
// barcodes with no check digit to verify.
func checkDigit(code string) (ok, applies bool, want byte) {
	switch len(code) {
	case 8, 12, 13, 14:
	default:
		return false, false, 0
	}
	if !allDigits(code) {
		return false, false, 0
	}
	sum := 0
	weight := 3 // the digit next to the check digit weighs 3, then 1, 3, 1…
	for i := len(code) - 2; i >= 0; i-- {
		sum += int(code[i]-'0') * weight
		weight = 4 - weight
	}
	want = byte('0' + (10-sum%10)%10)
	return code[len(code)-1] == want, true, want
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
