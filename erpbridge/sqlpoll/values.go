package sqlpoll

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
)

// Drivers hand values over as int64, float64/float32, string or []byte (decimals as
// text: PostgreSQL NUMERIC, MySQL DECIMAL, SQL Server decimal and money), time.Time or
// nil. These functions turn them into the queue's types; an error is a plain-words reason
// for rejecting the row.

// floatTolerance: a float quantity this close to a whole number is that number. ERPs
// such as Logo keep quantities in float columns, and a SUM over them can come back as
// 4.999999999999 where the ledger holds 5.
const floatTolerance = 1e-6

// textValue reads a code (SKU, barcode, warehouse, price list). SQL Server CHAR columns
// come padded with spaces, so the text is trimmed. ok is false for NULL or empty text.
func textValue(v any) (s string, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return "", false, nil
	case string:
		s = strings.TrimSpace(x)
	case []byte:
		s = strings.TrimSpace(string(x))
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		if x != math.Trunc(x) || math.Abs(x) >= 1e15 {
			return "", false, fmt.Errorf("%v is not a code (a number with decimals); cast the column to text in the query", x)
		}
		s = strconv.FormatFloat(x, 'f', 0, 64)
	case float32:
		return textValue(float64(x))
	default:
		return "", false, fmt.Errorf("%s value %v is not a code", typeName(v), v)
	}
	return s, s != "", nil
}

// quantityValue reads a stock quantity: a whole number, at least 0. NULL counts as 0,
// because the usual query LEFT JOINs a stock table and an item that never moved has no
// stock row.
func quantityValue(v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		if x < 0 {
			return 0, fmt.Errorf("quantity %d is negative", x)
		}
		return x, nil
	case float32:
		return quantityValue(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1e15 {
			return 0, fmt.Errorf("quantity %v is not a usable number", x)
		}
		r := math.Round(x)
		if math.Abs(x-r) > floatTolerance {
			return 0, fmt.Errorf("quantity %v is not a whole number", x)
		}
		if r < 0 {
			return 0, fmt.Errorf("quantity %v is negative", x)
		}
		return int64(r), nil
	case string:
		return quantityText(x)
	case []byte:
		return quantityText(string(x))
	default:
		return 0, fmt.Errorf("quantity is a %s (%v), not a number", typeName(v), v)
	}
}

func quantityText(s string) (int64, error) {
	t := strings.TrimSpace(s)
	neg, intPart, frac, ok := splitDecimal(t)
	if !ok {
		return 0, fmt.Errorf("quantity %q is not a number", s)
	}
	if strings.Trim(frac, "0") != "" {
		return 0, fmt.Errorf("quantity %q is not a whole number", s)
	}
	if len(intPart) > 15 {
		return 0, fmt.Errorf("quantity %q is too large", s)
	}
	n, _ := strconv.ParseInt(intPart, 10, 64)
	if neg && n != 0 {
		return 0, fmt.Errorf("quantity %q is negative", s)
	}
	return n, nil
}

// priceValue reads a price in lira into kuruş; ok is false for NULL (no price given: a
// missing price is never sent as 0). Decimals travel as text and are exact. A float
// column (Logo, Mikro and Netsis keep prices in float) is first written as the shortest
// decimal that reads back as the same float (12.345, not 12.3449999…), so the amount is
// the one the ERP shows. Either way, digits past the kuruş are rounded half away from
// zero: 12.345 → 12.35.
func priceValue(v any, what string) (money.Kurus, bool, error) {
	var s string
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case int64:
		if x < 0 || x > math.MaxInt64/100 {
			return 0, false, fmt.Errorf("%s %d is out of range", what, x)
		}
		return money.Kurus(x * 100), true, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, false, fmt.Errorf("%s %v is not a usable number", what, x)
		}
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return 0, false, fmt.Errorf("%s %v is not a usable number", what, x)
		}
		s = strconv.FormatFloat(float64(x), 'f', -1, 32)
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return 0, false, fmt.Errorf("%s is a %s (%v), not an amount", what, typeName(v), v)
	}
	k, err := roundKurus(strings.TrimSpace(s))
	if err != nil {
		return 0, false, fmt.Errorf("%s %q %v", what, s, err)
	}
	if k < 0 {
		return 0, false, fmt.Errorf("%s %q is negative", what, s)
	}
	return k, true, nil
}

// roundKurus reads a plain decimal ("1249.9", "-3", "12.3450") and rounds it half away
// from zero to whole kuruş.
func roundKurus(s string) (money.Kurus, error) {
	neg, intPart, frac, ok := splitDecimal(s)
	if !ok {
		return 0, fmt.Errorf("is not an amount")
	}
	if len(intPart) > 15 {
		return 0, fmt.Errorf("is too large")
	}
	up := len(frac) > 2 && frac[2] >= '5'
	frac = (frac + "00")[:2]
	v, _ := strconv.ParseInt(intPart+frac, 10, 64)
	if up {
		v++
	}
	if neg {
		v = -v
	}
	return money.Kurus(v), nil
}

// splitDecimal splits [+-]digits[.digits] into its parts; at least one digit is needed.
func splitDecimal(s string) (neg bool, intPart, frac string, ok bool) {
	if s == "" {
		return false, "", "", false
	}
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, _ = strings.Cut(s, ".")
	if intPart == "" && frac == "" || !digits(intPart) || !digits(frac) {
		return false, "", "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	return neg, intPart, frac, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func typeName(v any) string {
	switch v.(type) {
	case bool:
		return "true/false value"
	case time.Time:
		return "date"
	case []byte:
		return "binary value"
	}
	return fmt.Sprintf("%T", v)
}
