package erpdb

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
)

var drivers = []string{"postgres", "mysql", "sqlserver", "sqlite3"}

// TestParams: which :names each driver's lexer finds. want maps a driver to the names it
// must find; "*" stands for every driver not named.
func TestParams(t *testing.T) {
	cases := []struct {
		name, query string
		want        map[string][]string
	}{
		{"plain", "SELECT * FROM t WHERE a > :since AND b = :b_2", all("since", "b_2")},
		{"repeated", ":a, :b, :a", all("a", "b", "a")},
		{"at the ends", ":a+:b", all("a", "b")},
		{"single-quoted string", "SELECT ':x', :y", all("y")},
		{"doubled quote", "SELECT 'a'':x', :y", all("y")},
		{"backslash: MySQL escapes, standard strings do not", `SELECT 'it\' :x', :y`,
			map[string][]string{"mysql": {"y"}, "*": {"x"}}},
		{"escaped backslash before the closing quote", `SELECT 'a\\':x`, all("x")},
		{"escaped quote before a doubled one", `SELECT 'a\'':x'`,
			map[string][]string{"mysql": {"x"}, "*": nil}},
		{"PostgreSQL E-string", `SELECT E'it\'s :x', e'\\', :y`,
			map[string][]string{"postgres": {"y"}, "mysql": {"y"}, "*": {"x"}}},
		{"a word ending in e is no E-string", `SELECT note'\' :x'`,
			map[string][]string{"mysql": nil, "*": {"x"}}},
		{"double-quoted: identifier or MySQL string", `SELECT ":x", "a"":x", "b\" :y"`,
			map[string][]string{"mysql": nil, "*": {"y"}}},
		{"backtick identifier", "SELECT `:x`, `a``:x`, :y",
			map[string][]string{"mysql": {"y"}, "sqlite3": {"y"}, "*": {"x", "x", "y"}}},
		{"bracket identifier", "SELECT [:x], [a]]:x], :y",
			map[string][]string{"sqlserver": {"y"}, "sqlite3": {"y"}, "*": {"x", "x", "y"}}},
		{"line comment", "SELECT 1 -- :x\n, :y", all("y")},
		{"line comment at the end", "SELECT :y -- :x", all("y")},
		{"MySQL needs a space after --", "SELECT 1--:x\n, :y",
			map[string][]string{"mysql": {"x", "y"}, "*": {"y"}}},
		{"MySQL hash comment", "SELECT a # :x\n, :y",
			map[string][]string{"mysql": {"y"}, "*": {"x", "y"}}},
		{"block comment", "SELECT /* :x\n:x */ :y", all("y")},
		{"MySQL executable comment", "SELECT /*! :x */ :y", all("y")},
		{"nested block comment", "SELECT /* a /* b */ :x */ :y",
			map[string][]string{"postgres": {"y"}, "sqlserver": {"y"}, "*": {"x", "y"}}},
		{"unclosed block comment", "SELECT :y /* :x", all("y")},
		{"unclosed string", "SELECT :y, ':x", all("y")},
		{"dollar quote", "SELECT $$ :x $$, :y",
			map[string][]string{"postgres": {"y"}, "*": {"x", "y"}}},
		{"tagged dollar quote", "SELECT $fn$ :x $$ :x $fn$, :y",
			map[string][]string{"postgres": {"y"}, "*": {"x", "x", "y"}}},
		{"tag with digits and nested tag", "SELECT $a1$ $b$ :x $b$ $a1$, :y",
			map[string][]string{"postgres": {"y"}, "*": {"x", "y"}}},
		{"unclosed dollar quote", "SELECT :y, $q$ :x",
			map[string][]string{"postgres": {"y"}, "*": {"y", "x"}}},
		{"positional parameter is no tag", "SELECT $1, :x, $2", all("x")},
		{"dollar inside a word is no tag", "SELECT a$b$ :x, c$1 :y$", all("x", "y")},
		{"cast", "SELECT :a::numeric, x::since_t, CAST(:b AS int)", all("a", "b")},
		{"colon after a word", "SELECT a:b, x[1:2], arr[lo:hi], 1:c", all()},
		{"not a name", "SELECT :1, := , : x, :", all()},
		{"non-ASCII name", "SELECT :adı, :ürün", all("adı")},
		{"string prefixes", "SELECT N':x', X'3a78', _utf8':x', :y", all("y")},
		{"after a closing quote or bracket", "SELECT 'a':x, (b):y", all("x", "y")},
	}
	for _, c := range cases {
		for _, d := range drivers {
			want, ok := c.want[d]
			if !ok {
				want = c.want["*"]
			}
			var got []string
			for _, p := range Params(d, c.query) {
				if c.query[p.Start:p.End] != ":"+p.Name {
					t.Errorf("%s, %s: param %+v does not cover its text %q", c.name, d, p, c.query[p.Start:p.End])
				}
				got = append(got, p.Name)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %s: %q\n got %q\nwant %q", c.name, d, c.query, got, want)
			}
		}
	}
}

func all(names ...string) map[string][]string { return map[string][]string{"*": names} }

func TestBindPlaceholders(t *testing.T) {
	q := "INSERT INTO t VALUES (:a, ':a', :b::numeric, :a) -- :c"
	for _, c := range []struct {
		driver, text string
		names        []string
	}{
		{"postgres", "INSERT INTO t VALUES ($1, ':a', $2::numeric, $1) -- :c", []string{"a", "b"}},
		{"mysql", "INSERT INTO t VALUES (?, ':a', ?::numeric, ?) -- :c", []string{"a", "b", "a"}},
		{"sqlite3", "INSERT INTO t VALUES (?, ':a', ?::numeric, ?) -- :c", []string{"a", "b", "a"}},
		{"sqlserver", "INSERT INTO t VALUES (@a, ':a', @b::numeric, @a) -- :c", []string{"a", "b"}},
	} {
		st := Bind(c.driver, q, nil)
		if st.Text != c.text || !reflect.DeepEqual(st.Names, c.names) || st.Driver != c.driver {
			t.Errorf("%s:\n got %q %q\nwant %q %q", c.driver, st.Text, st.Names, c.text, c.names)
		}
	}
	// Only the names asked for are bound; the rest stay as written.
	st := Bind("postgres", "WHERE a > :since AND b = :other AND c > :since", func(n string) bool { return n == "since" })
	if st.Text != "WHERE a > $1 AND b = :other AND c > $1" || !reflect.DeepEqual(st.Names, []string{"since"}) {
		t.Errorf("filtered bind: %q %q", st.Text, st.Names)
	}
	if st := Bind("mysql", "SELECT 1", nil); st.Text != "SELECT 1" || st.Names != nil {
		t.Errorf("no parameters: %+v", st)
	}
}

func TestStatementArgs(t *testing.T) {
	vals := map[string]any{"a": 1, "b": "x"}
	value := func(n string) any { return vals[n] }
	if got := Bind("mysql", ":a :b :a", nil).Args(value); !reflect.DeepEqual(got, []any{1, "x", 1}) {
		t.Errorf("mysql args %v", got)
	}
	if got := Bind("postgres", ":a :b :a", nil).Args(value); !reflect.DeepEqual(got, []any{1, "x"}) {
		t.Errorf("postgres args %v", got)
	}
	if got := Bind("sqlserver", ":a :b :a", nil).Args(value); !reflect.DeepEqual(got, []any{sql.Named("a", 1), sql.Named("b", "x")}) {
		t.Errorf("sqlserver args %v", got)
	}
}

func TestReplace(t *testing.T) {
	q := "SELECT ':since', x FROM t WHERE v > :since AND w = :w"
	got := Replace("postgres", q, func(n string) (string, bool) { return "NULL", n == "since" })
	if want := "SELECT ':since', x FROM t WHERE v > NULL AND w = :w"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := Replace("postgres", q, func(string) (string, bool) { return "", false }); got != q {
		t.Errorf("nothing replaced, yet %q", got)
	}
}

// BenchmarkParams lexes a sink's line statement as long as a real one.
func BenchmarkParams(b *testing.B) {
	q := strings.Repeat(`INSERT INTO lines (order_no, sku, qty, price) VALUES (:order_number, :sku, :quantity, :unit_price::numeric) -- 'note'
		/* keep :sku */ ON CONFLICT DO NOTHING; `, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(q)))
	for b.Loop() {
		Params("postgres", q)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "statements/s")
}
