package tsoft

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/tsoft/api"
)

// T-Soft's numbers come as JSON numbers, as numeric strings and as strings with a
// decimal comma ("299,80"; the reference warns that the form varies by shop and by
// field). Every amount is read from its text into exact kuruş, never through a float.
//
// decimalText turns a T-Soft number into a plain decimal with a dot: "299,80" →
// "299.80", "1.249,90" → "1249.90", "1,249.90" → "1249.90", "149.90" and 149.9 as they
// are. With both separators the later one is the decimal mark and the other must group
// thousands by three; a lone comma is a decimal comma, a lone dot a decimal point (the
// form JSON APIs and the verified client use; an API never writes "1.249" for 1249
// without decimals, and if it did, money.Parse refuses the three decimals rather than
// guess). Exponents are refused.
func decimalText(v api.Value) (string, error) {
	s := strings.TrimSpace(string(v))
	if s == "" {
		return "", fmt.Errorf("empty")
	}
	if strings.ContainsAny(s, "eE") {
		return "", fmt.Errorf("%q: %w", s, money.ErrFormat)
	}
	comma, dot := strings.LastIndexByte(s, ','), strings.LastIndexByte(s, '.')
	switch {
	case comma >= 0 && dot >= 0:
		dec, thou := byte(','), "."
		if dot > comma {
			dec, thou = '.', ","
		}
		i := strings.LastIndexByte(s, dec)
		intPart, frac := s[:i], s[i+1:]
		if !groupedBy3(intPart, thou) {
			return "", fmt.Errorf("%q: thousands are not grouped by three: %w", s, money.ErrFormat)
		}
		return strings.ReplaceAll(intPart, thou, "") + "." + frac, nil
	case comma >= 0:
		if strings.Count(s, ",") > 1 {
			if !groupedBy3(s, ",") {
				return "", fmt.Errorf("%q: %w", s, money.ErrFormat)
			}
			return strings.ReplaceAll(s, ",", ""), nil
		}
		return strings.Replace(s, ",", ".", 1), nil
	case dot >= 0 && strings.Count(s, ".") > 1:
		if !groupedBy3(s, ".") {
			return "", fmt.Errorf("%q: %w", s, money.ErrFormat)
		}
		return strings.ReplaceAll(s, ".", ""), nil
	}
	return s, nil
}

// groupedBy3 reports whether s (an optional sign, then digits) separates thousands with
// sep in groups of exactly three after a first group of one to three digits.
func groupedBy3(s, sep string) bool {
	s = strings.TrimLeft(s, "+-")
	parts := strings.Split(s, sep)
	if len(parts[0]) < 1 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// price reads a product price: exact to the kuruş, more decimals are refused (a
// price that does not fit kuruş is no price the agent can confirm).
func price(v api.Value) (money.Kurus, error) {
	t, err := decimalText(v)
	if err != nil {
		return 0, err
	}
	return money.Parse(t)
}

// amount reads an order amount: up to two decimals exact, more (VAT shares) rounded half
// away from zero on the decimal text, as order.Amount does for every marketplace.
func amount(v api.Value) (money.Kurus, error) {
	if strings.TrimSpace(string(v)) == "" {
		return 0, nil
	}
	t, err := decimalText(v)
	if err != nil {
		return 0, err
	}
	return order.Amount(t)
}

// whole reads a quantity or stock that must be a whole number: "12", 12, "12,00",
// "12.0"; "12,5" is an error (T-Soft keeps decimal stock for goods sold by weight, which
// a quantity in units cannot express).
func whole(v api.Value) (int64, error) {
	t, err := decimalText(v)
	if err != nil {
		return 0, err
	}
	k, err := money.Parse(t)
	if err != nil {
		return 0, err
	}
	if k%100 != 0 {
		return 0, fmt.Errorf("%q is not a whole number", string(v))
	}
	return int64(k / 100), nil
}

// vatRate reads a VAT rate in percent ("20", 18, "8,00") as basis points.
func vatRate(v api.Value) (money.BasisPoints, error) {
	if strings.TrimSpace(string(v)) == "" {
		return 0, nil
	}
	k, err := amount(v)
	return money.BasisPoints(k), err
}

// turkey is Turkey's time (UTC+3 all year since 2016), fixed so no zone database is
// needed: T-Soft's date strings carry no zone and are read as the shop's local time.
var turkey = time.FixedZone("TRT", 3*60*60)

// dateLayouts are the date forms seen in T-Soft replies: "YYYY-MM-DD HH:MM:SS" (orders,
// filters) and "DD-MM-YYYY HH:MM:SS" (the login's expirationTime in the verified client).
var dateLayouts = []string{"2006-01-02 15:04:05", "02-01-2006 15:04:05", "2006-01-02T15:04:05", "02.01.2006 15:04:05", "2006-01-02"}

// instant reads a date T-Soft sends: epoch seconds (or milliseconds) as a number or a
// numeric string, RFC 3339, or one of dateLayouts in Turkey time.
func instant(v api.Value) (time.Time, error) {
	s := strings.TrimSpace(string(v))
	if s == "" {
		return time.Time{}, fmt.Errorf("empty")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		switch {
		case n > 1e12: // milliseconds
			return time.UnixMilli(n).UTC(), nil
		case n > 1e8:
			return time.Unix(n, 0).UTC(), nil
		}
		return time.Time{}, fmt.Errorf("%q is no date", s)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, turkey); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is no date in a form T-Soft is known to use", s)
}
