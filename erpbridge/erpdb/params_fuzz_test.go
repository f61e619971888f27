package erpdb

import (
	"reflect"
	"strings"
	"testing"
)

// enclosure wraps any text into one literal or comment of a driver, escaped the way a
// user (or a tool writing SQL) would, so that nothing of the text can leave it.
type enclosure struct {
	name    string
	drivers string // the drivers that read it as a literal or comment ("" every one)
	wrap    func(s string) string
}

var enclosures = []enclosure{
	{"standard string", "postgres sqlserver sqlite3", func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }},
	{"MySQL string", "mysql", func(s string) string { return "'" + backslashEscape(s, '\'') + "'" }},
	{"MySQL double-quoted string", "mysql", func(s string) string { return `"` + backslashEscape(s, '"') + `"` }},
	{"E-string", "postgres", func(s string) string { return "E'" + backslashEscape(s, '\'') + "'" }},
	{"quoted identifier", "postgres sqlserver sqlite3", func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }},
	{"backtick identifier", "mysql sqlite3", func(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }},
	{"bracket identifier", "sqlserver sqlite3", func(s string) string { return "[" + strings.ReplaceAll(s, "]", "]]") + "]" }},
	{"dollar quote", "postgres", func(s string) string { return "$q$" + strings.ReplaceAll(s, "$", "$ ") + "$q$" }},
	{"empty dollar quote", "postgres", func(s string) string { return "$$" + strings.ReplaceAll(s, "$", "$ ") + "$$" }},
	{"line comment", "", func(s string) string { return "-- " + strings.ReplaceAll(s, "\n", " ") + "\n" }},
	{"hash comment", "mysql", func(s string) string { return "#" + strings.ReplaceAll(s, "\n", " ") + "\n" }},
	{"block comment", "", func(s string) string {
		s = strings.NewReplacer("*/", "  ", "/*", "  ").Replace(s)
		return "/* " + s + " */"
	}},
}

func backslashEscape(s string, quote byte) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, string(quote), string([]byte{quote, quote}))
}

// FuzzParams: whatever the text, the lexer does not panic, reports parameters that are
// exactly ":name" at their offsets, in order, and leaves the text alone when nothing is
// replaced; and the text put into any literal or comment yields no parameter there: only
// the :before and :after around it are found.
func FuzzParams(f *testing.F) {
	for _, s := range []string{"", ":x", "it's :x", `a\'b :x`, `\`, `\\'`, "''", `"`, "`", "]", "[", "$$", "$q$ :x $q$", "$1",
		"-- :x", "\n:x", "/* :x */", "*/ :x /*", "/*", "::x", "a:b", ":ü", "\x00:x\xff", "E'", "#:x", "--\n:x", "$", "$q", "'\\"} {
		for d := range drivers {
			f.Add(uint8(d), s)
		}
	}
	f.Fuzz(func(t *testing.T, d uint8, s string) {
		driver := drivers[int(d)%len(drivers)]
		checkParams(t, driver, s)
		for _, e := range enclosures {
			if e.drivers != "" && !strings.Contains(e.drivers, driver) {
				continue
			}
			q := "SELECT :before, " + e.wrap(s) + " AS c, :after"
			var got []string
			for _, p := range checkParams(t, driver, q) {
				got = append(got, p.Name)
			}
			if !reflect.DeepEqual(got, []string{"before", "after"}) {
				t.Fatalf("%s, %s: found %q in %q", driver, e.name, got, q)
			}
		}
	})
}

func checkParams(t *testing.T, driver, q string) []Param {
	ps := Params(driver, q)
	last := 0
	for _, p := range ps {
		if p.Start < last || p.End > len(q) || p.End-p.Start < 2 || q[p.Start:p.End] != ":"+p.Name || !nameStart(p.Name[0]) {
			t.Fatalf("%s: bad parameter %+v in %q", driver, p, q)
		}
		last = p.End
	}
	if got := Replace(driver, q, func(string) (string, bool) { return "", false }); got != q {
		t.Fatalf("%s: nothing replaced, yet %q became %q", driver, q, got)
	}
	if st := Bind(driver, q, nil); len(ps) == 0 && st.Text != q {
		t.Fatalf("%s: no parameters, yet %q became %q", driver, q, st.Text)
	}
	return ps
}
