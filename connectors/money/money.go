// Package money keeps amounts of Turkish lira as whole kuruş (1/100 TRY) so that
// prices never pass through floating point between the ERP and a marketplace.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kurus is an amount in kuruş. 1249.90 TRY is Kurus(124990).
type Kurus int64

// ErrFormat is returned (wrapped) by the parsers for text that is not a plain decimal number.
var ErrFormat = errors.New("not a decimal number")

// String formats the amount with a dot and two decimals ("1249.90"), the form JSON
// APIs and logs use. It never uses a thousands separator.
func (k Kurus) String() string {
	neg := k < 0
	v := int64(k)
	if neg {
		v = -v
	}
	s := fmt.Sprintf("%d.%02d", v/100, v%100)
	if neg {
		return "-" + s
	}
	return s
}

// MarshalJSON writes the amount as a JSON number with two decimals, e.g. 112.85.
func (k Kurus) MarshalJSON() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalJSON accepts a JSON number or a string holding a plain decimal ("250.00").
func (k *Kurus) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	s = strings.Trim(s, `"`)
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Parse reads a plain decimal with a dot as the decimal separator and no thousands
// separators ("1249.9", "1249.90", "-3", "0.5"). More than two decimals is an error
// unless the extra digits are zeros: a price never silently loses precision.
func Parse(s string) (Kurus, error) {
	return ParseWith(s, '.')
}

// ParseWith reads a plain decimal whose decimal separator is dec ('.' or ',').
func ParseWith(s string, dec byte) (Kurus, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%q: %w", orig, ErrFormat)
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, dec); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
	}
	if intPart == "" && frac == "" {
		return 0, fmt.Errorf("%q: %w", orig, ErrFormat)
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, fmt.Errorf("%q: %w", orig, ErrFormat)
	}
	for len(frac) > 2 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than two decimals", orig)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if intPart == "" {
		intPart = "0"
	}
	if len(intPart) > 15 {
		return 0, fmt.Errorf("%q is too large", orig)
	}
	v, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", orig, ErrFormat)
	}
	if neg {
		v = -v
	}
	return Kurus(v), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// BasisPoints is a percentage in hundredths of a percent: 12.5% is BasisPoints(1250).
type BasisPoints int64

// ParsePercent reads "12.5", "12,5", "-3" or "0.25" (percent, up to two decimals).
func ParsePercent(s string) (BasisPoints, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	dec := byte('.')
	if strings.Contains(s, ",") && !strings.Contains(s, ".") {
		dec = ','
	}
	k, err := ParseWith(s, dec)
	return BasisPoints(k), err
}

func (b BasisPoints) String() string {
	return strings.TrimSuffix(strings.TrimSuffix(Kurus(b).String(), "0"), ".0") + "%"
}

// AddPercent returns k increased by p percent, rounded half away from zero to a whole kuruş.
func (k Kurus) AddPercent(p BasisPoints) Kurus {
	num := int64(k) * (10000 + int64(p))
	return Kurus(divRound(num, 10000))
}

func divRound(num, den int64) int64 {
	q, r := num/den, num%den
	if r < 0 {
		r = -r
	}
	if 2*r >= den {
		if num < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

// RoundUpToEnding returns the smallest amount ≥ k whose kuruş part is ending
// (e.g. ending 90: 1243.12 → 1243.90, 1243.95 → 1244.90). ending must be 0..99.
// Psychological prices are always rounded up so a markup is never undercut.
func (k Kurus) RoundUpToEnding(ending int64) Kurus {
	if ending < 0 || ending > 99 {
		return k
	}
	v := int64(k)
	lira := v / 100
	c := lira*100 + ending
	if c < v {
		c += 100
	}
	return Kurus(c)
}
