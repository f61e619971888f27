package sqlpoll

import (
	"database/sql"
	"strings"

	"syncagent/erpbridge/erpdb"
)

// sinceName is the one placeholder syntax of incremental queries, the same :name form the
// SQL order sinks use. It is translated per driver so that one query text reads the same
// in every preset: PostgreSQL $1, MySQL and SQLite ? (the value repeated per
// occurrence), SQL Server @since.
const sinceName = "since"

// boundQuery is a query with :since translated for one driver.
type boundQuery struct {
	text  string // the query to run
	probe string // the query with :since replaced by NULL: returns no rows, but its columns
	uses  int    // occurrences of :since
	drv   string
}

// bindSince translates every :since outside string literals, quoted identifiers and
// comments. A "::" (PostgreSQL cast) and longer names such as :since_id are left alone.
func bindSince(driver, query string) boundQuery {
	var text, probe strings.Builder
	text.Grow(len(query))
	probe.Grow(len(query))
	bq := boundQuery{drv: driver}
	emit := func(s string) { text.WriteString(s); probe.WriteString(s) }
	i := 0
	for i < len(query) {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || (c == '`' && driver == "mysql") || (c == '[' && driver == "sqlserver"):
			end := erpdb.SkipQuoted(query, i, driver)
			emit(query[i:end])
			i = end
		case c == '-' && strings.HasPrefix(query[i:], "--"), c == '#' && driver == "mysql":
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			emit(query[i : i+end])
			i += end
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				end = len(query) - i
			} else {
				end += 4
			}
			emit(query[i : i+end])
			i += end
		case c == '$' && driver == "postgres" && dollarTag(query[i:]) != "":
			tag := dollarTag(query[i:])
			end := strings.Index(query[i+len(tag):], tag)
			if end < 0 {
				end = len(query) - i
			} else {
				end += 2 * len(tag)
			}
			emit(query[i : i+end])
			i += end
		case c == ':' && strings.HasPrefix(query[i:], "::"):
			emit("::")
			i += 2
		case c == ':' && strings.HasPrefix(query[i+1:], sinceName) && !identChar(query, i+1+len(sinceName)) && !identBefore(query, i):
			bq.uses++
			text.WriteString(bq.placeholder())
			probe.WriteString("NULL")
			i += 1 + len(sinceName)
		default:
			text.WriteByte(c)
			probe.WriteByte(c)
			i++
		}
	}
	bq.text, bq.probe = text.String(), probe.String()
	return bq
}

func (b boundQuery) placeholder() string {
	switch b.drv {
	case "postgres":
		return "$1"
	case "sqlserver":
		return "@" + sinceName
	default:
		return "?"
	}
}

// args returns the query's arguments for the mark value v.
func (b boundQuery) args(v any) []any {
	switch b.drv {
	case "postgres":
		return []any{v}
	case "sqlserver":
		return []any{sql.Named(sinceName, v)}
	default:
		out := make([]any, b.uses)
		for i := range out {
			out[i] = v
		}
		return out
	}
}

// dollarTag returns the $tag$ that opens a PostgreSQL dollar-quoted string at the start
// of s, or "" when s does not start one ($1 is a parameter, not a tag).
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1]
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9') {
			return ""
		}
	}
	return ""
}

func identChar(q string, i int) bool {
	if i >= len(q) {
		return false
	}
	c := q[i]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// identBefore reports whether the colon at i follows an identifier character directly
// (a:since is not a placeholder; "x >= :since" and "(:since" are).
func identBefore(q string, i int) bool { return i > 0 && identChar(q, i-1) }
