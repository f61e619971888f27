package erpdb

import (
	"database/sql"
	"strconv"
	"strings"
)

// The :name parameters of SQL the user wrote (a source's query, a sink's statements).
// One query text reads the same for every database; it is translated per driver into
// that driver's placeholders: PostgreSQL $1, $2 (a name used twice keeps its number),
// MySQL and SQLite ? (the value repeated per occurrence), SQL Server @name.
//
// A parameter is a colon, a letter or underscore, then letters, digits and underscores,
// found outside string literals, quoted identifiers and comments as the driver's own
// parser sees them. "::" (a PostgreSQL cast, a SQL Server static method call) is not one,
// nor a colon right after a word (a:b, an array slice) or before a non-letter (:=, :1).
// Text the lexer cannot end (an unclosed quote or comment) runs to the end of the query:
// no parameter is found in it, and the database reports the mistake.

// Param is one :name parameter: query[Start:End] is the colon and the name.
type Param struct {
	Name       string
	Start, End int
}

// Params returns the parameters of query as driver (postgres, mysql, sqlserver or
// sqlite3) reads it, in order.
func Params(driver, query string) []Param {
	var out []Param
	lex(driver, query, func(p Param) { out = append(out, p) })
	return out
}

// Replace returns query with each parameter for which with returns true replaced by the
// text it returns; the others and everything around them stay as written.
func Replace(driver, query string, with func(name string) (string, bool)) string {
	var b strings.Builder
	last := 0
	lex(driver, query, func(p Param) {
		s, ok := with(p.Name)
		if !ok {
			return
		}
		if last == 0 {
			b.Grow(len(query))
		}
		b.WriteString(query[last:p.Start])
		b.WriteString(s)
		last = p.End
	})
	if last == 0 {
		return query
	}
	b.WriteString(query[last:])
	return b.String()
}

// Statement is a query whose parameters were translated into one driver's placeholders.
type Statement struct {
	Driver string
	Text   string // the query to run
	// Names are the parameters behind the arguments, in argument order: one per
	// occurrence for ?, one per name (in order of first use) for $n and @name.
	Names []string
}

// Bind translates the parameters of query for which isParam returns true (every one
// when isParam is nil); the others stay as written.
func Bind(driver, query string, isParam func(name string) bool) Statement {
	st := Statement{Driver: driver}
	num := map[string]int{}
	st.Text = Replace(driver, query, func(name string) (string, bool) {
		if isParam != nil && !isParam(name) {
			return "", false
		}
		switch driver {
		case "postgres":
			n, ok := num[name]
			if !ok {
				st.Names = append(st.Names, name)
				n = len(st.Names)
				num[name] = n
			}
			return "$" + strconv.Itoa(n), true
		case "sqlserver":
			if _, ok := num[name]; !ok {
				num[name] = len(st.Names)
				st.Names = append(st.Names, name)
			}
			return "@" + name, true
		}
		st.Names = append(st.Names, name)
		return "?", true
	})
	return st
}

// Args returns the statement's arguments, value giving each parameter's value. SQL
// Server's are sql.Named, to match their @name placeholders.
func (st Statement) Args(value func(name string) any) []any {
	out := make([]any, len(st.Names))
	for i, n := range st.Names {
		v := value(n)
		if st.Driver == "sqlserver" {
			v = sql.Named(n, v)
		}
		out[i] = v
	}
	return out
}

// lex calls found for every parameter of q, in order.
func lex(driver string, q string, found func(Param)) {
	my := driver == "mysql"
	nested := driver == "postgres" || driver == "sqlserver" // block comments nest
	backtick := my || driver == "sqlite3"
	bracket := driver == "sqlserver" || driver == "sqlite3"
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case wordStart(c) || c >= '0' && c <= '9':
			j := i + 1
			for j < len(q) && wordChar(q[j]) {
				j++
			}
			// PostgreSQL's E'…' strings take backslash escapes.
			if driver == "postgres" && j == i+1 && (c == 'E' || c == 'e') && j < len(q) && q[j] == '\'' {
				j = skipQuoted(q, j, '\'', true)
			}
			i = j
		case c == '\'':
			i = skipQuoted(q, i, '\'', my)
		case c == '"':
			i = skipQuoted(q, i, '"', my) // a string in MySQL, an identifier elsewhere
		case c == '`' && backtick:
			i = skipQuoted(q, i, '`', false)
		case c == '[' && bracket:
			i = skipQuoted(q, i, ']', false)
		case c == '-' && strings.HasPrefix(q[i:], "--") && (!my || i+2 == len(q) || q[i+2] <= ' '),
			c == '#' && my:
			// MySQL needs a space or control character after "--" (1--1 is 2).
			i = lineEnd(q, i)
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			i = skipBlock(q, i, nested)
		case c == '$' && driver == "postgres":
			if tag := dollarTag(q[i:]); tag != "" {
				end := strings.Index(q[i+len(tag):], tag)
				if end < 0 {
					return
				}
				i += 2*len(tag) + end
				continue
			}
			j := i + 1 // $1: a positional parameter, one word
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			i = j
		case c == ':' && strings.HasPrefix(q[i:], "::"):
			i += 2
		case c == ':' && i+1 < len(q) && nameStart(q[i+1]) && !(i > 0 && wordChar(q[i-1])):
			j := i + 2
			for j < len(q) && nameChar(q[j]) {
				j++
			}
			found(Param{Name: q[i+1 : j], Start: i, End: j})
			i = j
		default:
			i++
		}
	}
}

// skipQuoted returns the index just past the quoted run that starts at i and ends with
// closeq. A doubled closing quote continues the run (SQL's escape); with backslash, a
// backslash escapes the next byte (MySQL strings, PostgreSQL E-strings).
func skipQuoted(q string, i int, closeq byte, backslash bool) int {
	j := i + 1
	for j < len(q) {
		switch {
		case q[j] == '\\' && backslash:
			j += 2
		case q[j] == closeq && j+1 < len(q) && q[j+1] == closeq:
			j += 2
		case q[j] == closeq:
			return j + 1
		default:
			j++
		}
	}
	return len(q)
}

// lineEnd returns the index of the newline that ends the comment starting at i.
func lineEnd(q string, i int) int {
	if n := strings.IndexByte(q[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(q)
}

// skipBlock returns the index just past the block comment starting at i. PostgreSQL and
// SQL Server nest them (/* a /* b */ c */ is one comment); MySQL and SQLite do not.
func skipBlock(q string, i int, nested bool) int {
	depth := 0
	j := i
	for j+1 < len(q) {
		switch {
		case q[j] == '/' && q[j+1] == '*' && (nested || depth == 0):
			depth++
			j += 2
		case q[j] == '*' && q[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				return j
			}
		default:
			j++
		}
	}
	return len(q)
}

// dollarTag returns the $tag$ that opens a PostgreSQL dollar-quoted string at the start
// of s, or "" when s does not start one ($1 is a parameter, not a tag).
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1]
		}
		if !(wordStart(c) || j > 1 && c >= '0' && c <= '9') {
			return ""
		}
	}
	return ""
}

// wordStart: the first byte of an identifier or keyword (bytes of UTF-8 letters count).
func wordStart(c byte) bool { return nameStart(c) || c >= 0x80 }

// wordChar: a byte inside an identifier, keyword or number; a $ too (PostgreSQL, MySQL
// and SQL Server allow it after the first character).
func wordChar(c byte) bool { return nameChar(c) || c == '$' }

// nameStart: the first letter of a parameter's name.
func nameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// nameChar: a byte of a parameter's name after the first. Bytes of UTF-8 letters count,
// so :adı is one (unknown) name rather than :ad followed by text.
func nameChar(c byte) bool { return nameStart(c) || c >= '0' && c <= '9' || c >= 0x80 }
