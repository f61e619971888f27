package simkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"syncagent/connectors/money"
)

// Field errors. A simulator turns them into the marketplace's own validation message.
var (
	ErrNotNumber  = errors.New("not a JSON number")
	ErrNotInteger = errors.New("not a whole number")
	ErrNotBool    = errors.New("not a boolean")
)

// Absent reports whether a JSON field was left out or sent as null.
func Absent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// Decimal reads a JSON number as an exact amount. Strings are refused: the APIs that
// take numbers are strict about it, and a connector that quotes its prices must fail here.
func Decimal(raw json.RawMessage) (money.Kurus, error) {
	t := strings.TrimSpace(string(raw))
	if t == "" || t[0] == '"' || t == "null" || t == "true" || t == "false" {
		return 0, fmt.Errorf("%s: %w", t, ErrNotNumber)
	}
	if strings.ContainsAny(t, "eE") {
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", t, ErrNotNumber)
		}
		t = strconv.FormatFloat(f, 'f', -1, 64)
	}
	k, err := money.Parse(t)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", t, err)
	}
	return k, nil
}

// LooseDecimal reads a number or a numeric string, as Laravel's "numeric" rule does.
func LooseDecimal(raw json.RawMessage) (money.Kurus, error) {
	t := strings.TrimSpace(string(raw))
	if len(t) >= 2 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("%s: %w", t, ErrNotNumber)
		}
		return Decimal(json.RawMessage(strings.TrimSpace(s)))
	}
	return Decimal(raw)
}

// Integer reads a JSON number that is whole (100 or 100.0); strings are refused.
func Integer(raw json.RawMessage) (int64, error) {
	t := strings.TrimSpace(string(raw))
	if t == "" || t[0] == '"' || t == "null" || t == "true" || t == "false" {
		return 0, fmt.Errorf("%s: %w", t, ErrNotNumber)
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", t, ErrNotNumber)
	}
	if f != float64(int64(f)) {
		return 0, fmt.Errorf("%s: %w", t, ErrNotInteger)
	}
	return int64(f), nil
}

// LooseInteger reads a whole number or a string holding one, as Laravel's "integer" rule does.
func LooseInteger(raw json.RawMessage) (int64, error) {
	t := strings.TrimSpace(string(raw))
	if len(t) >= 2 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("%s: %w", t, ErrNotInteger)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, ErrNotInteger)
		}
		return n, nil
	}
	n, err := Integer(raw)
	if err != nil {
		return 0, err
	}
	if strings.Contains(t, ".") {
		return 0, fmt.Errorf("%s: %w", t, ErrNotInteger)
	}
	return n, nil
}

// LooseBool reads true/false, 1/0 or "1"/"0"/"true"/"false", as Laravel's "boolean" rule does.
func LooseBool(raw json.RawMessage) (bool, error) {
	switch strings.TrimSpace(string(raw)) {
	case "true", "1", `"1"`, `"true"`:
		return true, nil
	case "false", "0", `"0"`, `"false"`:
		return false, nil
	}
	return false, fmt.Errorf("%s: %w", strings.TrimSpace(string(raw)), ErrNotBool)
}
