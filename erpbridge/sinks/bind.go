package sinks

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"syncagent/erpbridge/erpdb"
)

// statement is one configured SQL statement with its :name parameters translated for a
// driver: PostgreSQL $1, $2 (a name used twice keeps its number), MySQL and SQLite ?
// (the value repeated per occurrence), SQL Server @name. Parameters are found outside
// string literals, quoted identifiers and comments; "::" (a PostgreSQL cast) is left
// alone, as is a colon right after an identifier.
type statement struct {
	text   string
	names  []string // in placeholder order (per occurrence for ?, per first use for $n and @name)
	driver string
}

func bind(driver, query string, allowed map[string]bool) (statement, error) {
	st := statement{driver: driver}
	var b strings.Builder
	b.Grow(len(query))
	pos := map[string]int{}
	var unknown []string
	i := 0
	for i < len(query) {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || (c == '`' && driver == "mysql") || (c == '[' && driver == "sqlserver"):
			end := erpdb.SkipQuoted(query, i, driver)
			b.WriteString(query[i:end])
			i = end
		case c == '-' && strings.HasPrefix(query[i:], "--"), c == '#' && driver == "mysql":
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				end = len(query) - i
			} else {
				end += 4
			}
			b.WriteString(query[i : i+end])
			i += end
		case c == ':' && strings.HasPrefix(query[i:], "::"):
			b.WriteString("::")
			i += 2
		case c == ':' && i+1 < len(query) && identStart(query[i+1]) && !(i > 0 && identChar(query[i-1])):
			j := i + 1
			for j < len(query) && identChar(query[j]) {
				j++
			}
			name := query[i+1 : j]
			if !allowed[name] {
				unknown = append(unknown, ":"+name)
			}
			switch driver {
			case "postgres":
				n, ok := pos[name]
				if !ok {
					st.names = append(st.names, name)
					n = len(st.names)
					pos[name] = n
				}
				b.WriteString("$" + strconv.Itoa(n))
			case "sqlserver":
				if _, ok := pos[name]; !ok {
					pos[name] = len(st.names)
					st.names = append(st.names, name)
				}
				b.WriteString("@" + name)
			default:
				st.names = append(st.names, name)
				b.WriteByte('?')
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	if len(unknown) > 0 {
		return st, fmt.Errorf("unknown parameter %s (docs/orders.md lists the parameters)", strings.Join(unknown, ", "))
	}
	st.text = b.String()
	return st, nil
}

// args returns the statement's arguments from the values in ps (later sets win).
func (st statement) args(ps ...params) []any {
	out := make([]any, len(st.names))
	for i, n := range st.names {
		var v any
		for _, p := range ps {
			if x, ok := p.lookup(n); ok {
				v = x
			}
		}
		if st.driver == "sqlserver" {
			v = sql.Named(n, v)
		}
		out[i] = v
	}
	return out
}

func identStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func identChar(c byte) bool { return identStart(c) || c >= '0' && c <= '9' || c >= 0x80 }

func nameSet(lists ...[]string) map[string]bool {
	out := map[string]bool{}
	for _, l := range lists {
		for _, n := range l {
			out[n] = true
		}
	}
	return out
}
