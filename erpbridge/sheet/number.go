package sheet

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// locale says how a lone separator followed by three digits is read: "1.249" is 1249
// in Turkish and 1.249 in English. Everything else is read the same in every locale,
// because it has only one sensible reading.
type locale int

const (
	localeAuto locale = iota // such a value is rejected as ambiguous
	localeTR
	localeEN
)

// num is a decimal number kept as digit strings: a price never passes through float.
type num struct {
	neg  bool
	ints string // digits before the decimal point, without separators; "" means 0
	frac string // digits after the decimal point
}

func (n num) isZero() bool { return allByte(n.ints, '0') && allByte(n.frac, '0') }

// plain writes n with the given decimal separator and no thousands separators.
func (n num) plain(dec byte) string {
	s := strings.TrimLeft(n.ints, "0")
	if s == "" {
		s = "0"
	}
	if n.frac != "" {
		s += string(dec) + n.frac
	}
	if n.neg {
		s = "-" + s
	}
	return s
}

type numStatus int

const (
	numOK         numStatus = iota
	numEmpty                // blank cell
	numNotNumber            // letters, stray separators, bad grouping
	numAmbiguous            // "1.249": thousands or decimal, and the locale does not say
	numScientific           // "8,68E+12": Excel's display of a big number, digits already lost
	numExcelError           // "#N/A", "#DIV/0!": a formula failed
)

// reading is what a cell says as a number.
type reading struct {
	status numStatus
	n      num  // the value; for numAmbiguous the thousands reading (1249)
	alt    num  // numAmbiguous: the decimal reading (1.249)
	sep    byte // numAmbiguous: the separator as written
}

// readNumber reads a price or quantity cell. xlsx marks a raw workbook value: a
// numeric cell's raw text is always in Excel's own syntax (digits, at most one '.',
// maybe an exponent, never a thousands separator), so text in that syntax is read
// with '.' as the decimal point whatever the locale. excelize's streaming reader does
// not say whether a cell was a number or text, so "1.249" typed as text in a Turkish
// workbook cannot be told apart from the number 1.249 and is rejected as ambiguous
// rather than guessed.
func readNumber(cell string, loc locale, xlsx bool) reading {
	s := trimCell(cell)
	if s == "" {
		return reading{status: numEmpty}
	}
	if isExcelError(s) {
		return reading{status: numExcelError}
	}
	if xlsx {
		if n, ok := parseExcelNumber(s); ok {
			if loc != localeEN && ambiguousShape(n.ints, n.frac) {
				return reading{status: numAmbiguous, n: num{neg: n.neg, ints: n.ints + n.frac}, alt: n, sep: '.'}
			}
			return reading{status: numOK, n: n}
		}
	}
	return readText(s, loc)
}

// readText reads a number as people write it: "1.249,90", "1,249.90", "1249,9",
// "₺1.249,90", "1249.90 TL", "(12,50)".
func readText(s string, loc locale) reading {
	neg := false
	if len(s) > 2 && s[0] == '(' && s[len(s)-1] == ')' {
		neg, s = true, s[1:len(s)-1]
	}
	for i := 0; i < 2; i++ { // currency and sign in either order: "-₺5", "₺-5", "5 TL"
		s = stripCurrency(s)
		if s != "" && (s[0] == '-' || s[0] == '+') {
			neg = neg || s[0] == '-'
			s = trimCell(s[1:])
		} else if strings.HasPrefix(s, "−") { // U+2212 minus sign
			neg, s = true, trimCell(s[len("−"):])
		}
	}
	if s == "" {
		return reading{status: numNotNumber}
	}
	if isScientific(s) {
		return reading{status: numScientific}
	}
	dots, commas := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case c == ',':
			commas++
		case c < '0' || c > '9':
			return reading{status: numNotNumber}
		}
	}
	if dots+commas == len(s) {
		return reading{status: numNotNumber}
	}
	switch {
	case dots == 0 && commas == 0:
		return reading{n: num{neg: neg, ints: s}}
	case dots > 0 && commas > 0:
		// Both present: the last one is the decimal separator and may occur once.
		last := strings.LastIndexAny(s, ".,")
		dec := s[last]
		thou := byte(',')
		if dec == ',' {
			thou = '.'
		}
		if strings.IndexByte(s[:last], dec) >= 0 {
			return reading{status: numNotNumber}
		}
		ints, ok := ungroup(s[:last], thou)
		if !ok {
			return reading{status: numNotNumber}
		}
		return reading{n: num{neg: neg, ints: ints, frac: s[last+1:]}}
	case dots+commas > 1:
		// One kind, several times: only thousands grouping reads that way ("1.249.000").
		sep := byte('.')
		if commas > 0 {
			sep = ','
		}
		ints, ok := ungroup(s, sep)
		if !ok {
			return reading{status: numNotNumber}
		}
		return reading{n: num{neg: neg, ints: ints}}
	}
	// One separator, once.
	i := strings.IndexAny(s, ".,")
	sep, ints, frac := s[i], s[:i], s[i+1:]
	asDecimal := num{neg: neg, ints: ints, frac: frac}
	if !ambiguousShape(ints, frac) {
		return reading{n: asDecimal}
	}
	asThousands := num{neg: neg, ints: ints + frac}
	switch {
	case loc == localeTR && sep == '.', loc == localeEN && sep == ',':
		return reading{n: asThousands}
	case loc == localeTR, loc == localeEN:
		return reading{n: asDecimal}
	}
	return reading{status: numAmbiguous, n: asThousands, alt: asDecimal, sep: sep}
}

// ambiguousShape: one to three digits (not starting with 0), a separator, exactly three
// digits. Only then can the separator be either a thousands or a decimal separator.
func ambiguousShape(ints, frac string) bool {
	return len(frac) == 3 && len(ints) >= 1 && len(ints) <= 3 && ints[0] != '0'
}

// ungroup removes thousands separators, insisting on groups of three digits so that
// "1.24.9" is not silently read as 1249.
func ungroup(s string, sep byte) (string, bool) {
	if s == "" {
		return "", true // ",5" style: no integer part
	}
	parts := strings.Split(s, string(sep))
	if len(parts[0]) == 0 || len(parts[0]) > 3 && len(parts) > 1 {
		return "", false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return "", false
		}
	}
	return strings.Join(parts, ""), true
}

// parseExcelNumber reads Excel's raw number syntax: -?d+(.d+)?([eE][+-]?d+)?, with the
// exponent applied by moving the decimal point, so "1.23E+3" is exactly 1230.
func parseExcelNumber(s string) (num, bool) {
	var n num
	i := 0
	if i < len(s) && s[i] == '-' {
		n.neg = true
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == start {
		return n, false
	}
	n.ints = s[start:i]
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == fs {
			return n, false
		}
		n.frac = s[fs:i]
	}
	if i == len(s) {
		return n, true
	}
	if s[i] != 'e' && s[i] != 'E' {
		return n, false
	}
	i++
	eneg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		eneg = s[i] == '-'
		i++
	}
	es := i
	exp := 0
	for i < len(s) && isDigit(s[i]) {
		if exp < 10000 {
			exp = exp*10 + int(s[i]-'0')
		}
		i++
	}
	if i == es || i != len(s) {
		return n, false
	}
	if eneg {
		exp = -exp
	}
	return shift(n, exp), true
}

// shift multiplies n by 10^exp by moving digits across the decimal point. Exponents
// far outside any price or quantity are clamped: the result is then either rejected
// as too large or rounds to zero, as the true value would.
func shift(n num, exp int) num {
	const clamp = 40
	if exp > clamp {
		exp = clamp
	}
	if exp < -clamp {
		exp = -clamp
	}
	digits := n.ints + n.frac
	point := len(n.ints) + exp
	switch {
	case point <= 0:
		return num{neg: n.neg, frac: strings.Repeat("0", -point) + digits}
	case point >= len(digits):
		return num{neg: n.neg, ints: digits + strings.Repeat("0", point-len(digits))}
	}
	return num{neg: n.neg, ints: digits[:point], frac: digits[point:]}
}

// round drops decimals beyond places. Dropping non-zero digits is refused, except
// for binary floating-point residue such as 19.899999999999999 (written by tools that
// compute prices in float): what is dropped must be within 1e-9 of a whole unit.
func (n num) round(places int) (num, bool) {
	if len(n.frac) <= places {
		n.frac += strings.Repeat("0", places-len(n.frac))
		return n, true
	}
	tail := n.frac[places:]
	kept := n.frac[:places]
	if allByte(tail, '0') {
		return num{neg: n.neg, ints: n.ints, frac: kept}, true
	}
	tol := 9 - places // leading tail digits that must all be 0 (or all 9) to be within 1e-9
	if tol < 1 || len(tail) <= tol {
		return n, false
	}
	switch {
	case allByte(tail[:tol], '0'):
		return num{neg: n.neg, ints: n.ints, frac: kept}, true
	case allByte(tail[:tol], '9'):
		up := increment(n.ints + kept)
		return num{neg: n.neg, ints: up[:len(up)-places], frac: up[len(up)-places:]}, true
	}
	return n, false
}

// increment adds one to a string of decimal digits.
func increment(d string) string {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

// stripCurrency removes one leading or trailing TL, TRY or ₺ and the spaces next to it.
func stripCurrency(s string) string {
	s = trimCell(s)
	for _, c := range []string{"₺", "TRY", "TL"} {
		if len(s) >= len(c) && strings.EqualFold(s[:len(c)], c) {
			return trimCell(s[len(c):])
		}
		if len(s) >= len(c) && strings.EqualFold(s[len(s)-len(c):], c) {
			return trimCell(s[:len(s)-len(c)])
		}
	}
	return s
}

// isScientific matches what Excel shows (and saves to CSV) for a long number in a
// General cell: "8,68E+12", "8.68E+12", "1.23457E-05".
func isScientific(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == fs {
			return false
		}
	}
	if i+2 >= len(s) || (s[i] != 'E' && s[i] != 'e') || (s[i+1] != '+' && s[i+1] != '-') {
		return false
	}
	for i += 2; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isExcelError matches the error values a failed formula leaves in its cell.
func isExcelError(s string) bool {
	switch strings.ToUpper(s) {
	case "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA", "#YOK", "#SAYI/0!", "#DEĞER!", "#BAŞV!", "#AD?", "#SAYI!", "#BOŞ!":
		return true
	}
	return false
}

// trimCell trims spaces, including the no-break spaces and NUL bytes that exports
// leave around values.
func trimCell(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; c > ' ' && c < utf8.RuneSelf && c != 0x7f {
		if c = s[len(s)-1]; c > ' ' && c < utf8.RuneSelf && c != 0x7f {
			return s // fast path: nothing to trim
		}
	}
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == 0 || r == '\u200b' || r == '\ufeff' || r == '\u202f'
	})
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != b {
			return false
		}
	}
	return true
}
