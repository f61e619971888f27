package sqlpoll

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// markKind is the type of an incremental source's change column.
type markKind int

const (
	markNone  markKind = iota
	markInt            // a growing id or counter (integer or whole DECIMAL column)
	markTime           // a timestamp such as updated_at
	markBytes          // SQL Server rowversion or another binary counter, compared as a big-endian unsigned number
)

var markKindNames = map[markKind]string{markInt: "int", markTime: "time", markBytes: "bytes"}

// mark is a high-water mark: the largest change-column value a source has committed.
type mark struct {
	kind markKind
	i    int64
	t    time.Time
	b    []byte
}

// zeroTime starts timestamp sources: the earliest date SQL Server's datetime holds, and a
// valid value for every other database here.
var zeroTime = time.Date(1753, 1, 1, 0, 0, 0, 0, time.UTC)

// startMark is the mark before the first reading: lower than any value of the kind, so
// the first reading returns every row. size is the binary column's length when known.
func startMark(k markKind, size int) mark {
	switch k {
	case markTime:
		return mark{kind: markTime, t: zeroTime}
	case markBytes:
		if size <= 0 || size > 64 {
			size = 8 // rowversion
		}
		return mark{kind: markBytes, b: make([]byte, size)}
	default:
		return mark{kind: markInt, i: math.MinInt64}
	}
}

// kindOfType classifies a result column by its database type name, for the first reading
// (before any value has been seen). "" means the driver did not say (SQLite expressions).
func kindOfType(driver, dbType string) (markKind, error) {
	t := strings.ToUpper(dbType)
	switch {
	case t == "" && driver == "sqlite3":
		// SQLite orders every integer, text and blob above the smallest integer, so the
		// integer start returns every row whatever the column holds.
		return markInt, nil
	case strings.Contains(t, "INT"), t == "DECIMAL", t == "NUMERIC":
		return markInt, nil
	case strings.Contains(t, "DATE"), strings.HasPrefix(t, "TIMESTAMP"):
		return markTime, nil
	case strings.Contains(t, "BINARY"), t == "BYTEA", strings.Contains(t, "BLOB"), t == "ROWVERSION":
		return markBytes, nil
	}
	return markNone, fmt.Errorf("the change column's type %s cannot be a high-water mark; use an integer, a date/time or a rowversion/binary column (CAST it in the query)", dbType)
}

// markOf reads a change-column value as a mark of kind k (the column's kind). ok is false
// for NULL: such a row is applied but does not move the mark.
func markOf(v any, k markKind) (m mark, ok bool, err error) {
	if v == nil {
		return mark{}, false, nil
	}
	switch k {
	case markInt:
		switch x := v.(type) {
		case int64:
			return mark{kind: markInt, i: x}, true, nil
		case uint64:
			if x > math.MaxInt64 {
				return mark{}, false, fmt.Errorf("change value %d is too large", x)
			}
			return mark{kind: markInt, i: int64(x)}, true, nil
		case string, []byte:
			s := strings.TrimSpace(fmt.Sprintf("%s", x))
			if whole, frac, ok := strings.Cut(s, "."); ok && strings.Trim(frac, "0") == "" {
				s = whole // a whole DECIMAL: "42.000"
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return mark{}, false, fmt.Errorf("change value %q is not a whole number", x)
			}
			return mark{kind: markInt, i: n}, true, nil
		}
	case markTime:
		switch x := v.(type) {
		case time.Time:
			return mark{kind: markTime, t: x.UTC()}, true, nil
		case string, []byte: // MySQL without parseTime, SQLite text dates
			t, err := parseDBTime(fmt.Sprintf("%s", x))
			if err != nil {
				return mark{}, false, err
			}
			return mark{kind: markTime, t: t}, true, nil
		}
	case markBytes:
		if x, ok := v.([]byte); ok {
			return mark{kind: markBytes, b: bytes.Clone(x)}, true, nil
		}
	}
	return mark{}, false, fmt.Errorf("change value %v (%T) does not match the column's type (%s)", v, v, markKindNames[k])
}

// dbTimeLayouts are the text forms MySQL and SQLite give dates in; they carry no zone and
// are read as UTC wall clock, which is also how the value goes back as a parameter.
var dbTimeLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02"}

func parseDBTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dbTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("change value %q is not a date and time", s)
}

// after reports whether m is later than o (same kind).
func (m mark) after(o mark) bool {
	switch m.kind {
	case markInt:
		return m.i > o.i
	case markTime:
		return m.t.After(o.t)
	case markBytes:
		a, b := bytes.TrimLeft(m.b, "\x00"), bytes.TrimLeft(o.b, "\x00")
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return bytes.Compare(a, b) > 0
	}
	return false
}

// arg is the mark as a query parameter.
func (m mark) arg() any {
	switch m.kind {
	case markTime:
		return m.t
	case markBytes:
		return m.b
	default:
		return m.i
	}
}

// String is the stored form: "int:42", "time:2026-11-23T10:00:00.123Z", "bytes:00000000000007d1".
func (m mark) String() string {
	switch m.kind {
	case markInt:
		return "int:" + strconv.FormatInt(m.i, 10)
	case markTime:
		return "time:" + m.t.UTC().Format(time.RFC3339Nano)
	case markBytes:
		return "bytes:" + hex.EncodeToString(m.b)
	}
	return ""
}

// display is the mark for people: the number, the time, or 0x… for binary.
func (m mark) display() string {
	if m.kind == markBytes {
		return "0x" + strings.ToUpper(hex.EncodeToString(m.b))
	}
	_, v, _ := strings.Cut(m.String(), ":")
	return v
}

func parseMark(s string) (mark, error) {
	kind, v, _ := strings.Cut(s, ":")
	switch kind {
	case "int":
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return mark{kind: markInt, i: n}, nil
		}
	case "time":
		t, err := time.Parse(time.RFC3339Nano, v)
		if err == nil {
			return mark{kind: markTime, t: t.UTC()}, nil
		}
	case "bytes":
		b, err := hex.DecodeString(v)
		if err == nil {
			return mark{kind: markBytes, b: b}, nil
		}
	}
	return mark{}, fmt.Errorf("stored high-water mark %q is not readable", s)
}
