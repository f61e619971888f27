package order

import (
	"fmt"
	"strings"

	"syncagent/connectors/money"
)

// Amount reads an amount a marketplace sent as a JSON number or string ("112.85",
// "250.00", 89.9, 100). Up to two decimals it is exact; more decimals (per-unit shares of
// a discount, VAT bases) are rounded half away from zero to the kuruş on the decimal text
// itself, never through a float. Exponents are refused rather than guessed.
func Amount(s string) (money.Kurus, error) {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	if s == "" || s == "null" {
		return 0, nil
	}
	if strings.ContainsAny(s, "eE") {
		return 0, fmt.Errorf("amount %q: %w", s, money.ErrFormat)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) <= 2 {
		return money.Parse(s)
	}
	round := frac[2] >= '5'
	k, err := money.Parse(intPart + "." + frac[:2])
	if err != nil {
		return 0, err
	}
	if strings.Trim(frac[2:], "0123456789") != "" {
		return 0, fmt.Errorf("amount %q: %w", s, money.ErrFormat)
	}
	if round {
		if strings.HasPrefix(intPart, "-") {
			k--
		} else {
			k++
		}
	}
	return k, nil
}

// Rate reads a VAT rate given in percent ("20", 18, "8.00") as basis points.
func Rate(s string) (money.BasisPoints, error) {
	k, err := Amount(s)
	return money.BasisPoints(k), err
}
