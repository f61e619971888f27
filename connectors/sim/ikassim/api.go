package ikassim

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// gqlError is one element of errors[].
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func gqlErr(code, msg string) *gqlError {
	return &gqlError{Message: msg, Extensions: map[string]any{"code": code}}
}

func errorsBody(e *gqlError) map[string]any { return map[string]any{"errors": []any{e}} }

// codeOf names the errors the kit itself answers (storm 429, injected 5xx, 413, 404).
func codeOf(status int) string {
	switch {
	case status == 429:
		return "TOO_MANY_REQUESTS"
	case status == 404:
		return "NOT_FOUND"
	case status == 413:
		return "PAYLOAD_TOO_LARGE"
	case status >= 500:
		return "INTERNAL_SERVER_ERROR"
	}
	return "BAD_REQUEST"
}

// argError is the v1 APIErrorCode for arguments out of range.
func argError(format string, a ...any) *gqlError {
	return gqlErr("ARGUMENT_VALIDATION_ERROR", fmt.Sprintf(format, a...))
}

// ms renders a time as the Timestamp scalar: epoch milliseconds.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// page reads pagination {page (1-based, default 1), limit (default 50, 1..MaxLimit)}.
func (x *exec) page(args map[string]any) (page, limit int, e *gqlError) {
	page, limit = 1, 50
	p, _ := args["pagination"].(map[string]any)
	if v, ok := p["page"]; ok && v != nil {
		n, ok := integer(v)
		if !ok || n < 1 {
			return 0, 0, argError("pagination.page must be 1 or more")
		}
		page = int(n)
	}
	if v, ok := p["limit"]; ok && v != nil {
		n, ok := integer(v)
		if !ok || n < 1 || n > int64(x.s.opt.MaxLimit) {
			return 0, 0, argError("pagination.limit must be between 1 and %d", x.s.opt.MaxLimit)
		}
		limit = int(n)
	}
	return page, limit, nil
}

// pageOf is the paginated reply: count is the rows on this page.
func pageOf[T any](all []T, page, limit int, render func(T) map[string]any) map[string]any {
	part := simkit.Page(all, (page-1)*limit, limit)
	data := make([]map[string]any, len(part))
	for i, v := range part {
		data[i] = render(v)
	}
	return map[string]any{"count": len(part), "data": data, "hasNext": page*limit < len(all), "limit": limit, "page": page}
}

// matchString applies a StringFilterInput {eq, ne, in, nin} to the values of a record
// (a record matches when any of its values does; nil filter: all).
func matchString(f any, values ...string) bool {
	m, ok := f.(map[string]any)
	if !ok || m == nil {
		return true
	}
	any1 := func(pred func(string) bool) bool {
		for _, v := range values {
			if pred(v) {
				return true
			}
		}
		return false
	}
	if v, ok := m["eq"].(string); ok && !any1(func(s string) bool { return s == v }) {
		return false
	}
	if v, ok := m["ne"].(string); ok && any1(func(s string) bool { return s == v }) {
		return false
	}
	if list, ok := m["in"].([]any); ok {
		set := map[string]bool{}
		for _, e := range list {
			if s, ok := e.(string); ok {
				set[s] = true
			}
		}
		if !any1(func(s string) bool { return set[s] }) {
			return false
		}
	}
	if list, ok := m["nin"].([]any); ok {
		for _, e := range list {
			if s, ok := e.(string); ok && any1(func(v string) bool { return v == s }) {
				return false
			}
		}
	}
	return true
}

// matchDate applies a DateFilterInput (epoch ms) to t.
func matchDate(f any, t time.Time) (bool, *gqlError) {
	m, ok := f.(map[string]any)
	if !ok || m == nil {
		return true, nil
	}
	v := t.UnixMilli()
	for op, raw := range m {
		if raw == nil {
			continue
		}
		if op == "in" || op == "nin" {
			list, _ := raw.([]any)
			found := false
			for _, e := range list {
				n, ok := integer(e)
				if !ok {
					return false, argError("%s: not epoch milliseconds", op)
				}
				found = found || n == v
			}
			if found != (op == "in") {
				return false, nil
			}
			continue
		}
		n, ok := integer(raw)
		if !ok {
			return false, argError("%s: %v is not epoch milliseconds", op, raw)
		}
		okOp := map[string]bool{"eq": v == n, "ne": v != n, "gt": v > n, "gte": v >= n, "lt": v < n, "lte": v <= n}[op]
		if !okOp {
			return false, nil
		}
	}
	return true, nil
}

// sortBy orders records by a sort argument: a field name with "-" for descending.
func sortBy[T any](list []T, spec string, allowed map[string]func(T) string) *gqlError {
	if spec == "" {
		return nil
	}
	desc := strings.HasPrefix(spec, "-")
	key, ok := allowed[strings.TrimPrefix(spec, "-")]
	if !ok {
		names := make([]string, 0, len(allowed))
		for k := range allowed {
			names = append(names, k)
		}
		sort.Strings(names)
		return argError("sort %q: use one of %s, with - for descending", spec, strings.Join(names, ", "))
	}
	sort.SliceStable(list, func(i, j int) bool {
		if desc {
			return key(list[j]) < key(list[i])
		}
		return key(list[i]) < key(list[j])
	})
	return nil
}

// sortableMs makes epoch ms sort as text.
func sortableMs(t time.Time) string { return fmt.Sprintf("%020d", t.UnixMilli()) }

// integer reads a whole number from a coerced value (json.Number, int64, float64).
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		f, err := n.Float64()
		if err != nil || f != math.Trunc(f) {
			return 0, false
		}
		return int64(f), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if n != math.Trunc(n) {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}

// amount reads a Float money value exactly (json.Number keeps the decimal text).
func amount(v any) (money.Kurus, bool) {
	switch n := v.(type) {
	case json.Number:
		k, err := simkit.Decimal(json.RawMessage(n))
		return k, err == nil
	case int64:
		return money.Kurus(n * 100), true
	case float64:
		k, err := simkit.Decimal(json.RawMessage(strconv.FormatFloat(n, 'f', -1, 64)))
		return k, err == nil
	}
	return 0, false
}

// count reads a Float stock count.
func count(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func str(v any) string { s, _ := v.(string); return s }

func kurusOrNil(k *money.Kurus) any {
	if k == nil {
		return nil
	}
	return *k
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
