package sqlpoll

import (
	"database/sql"
	"math"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/money"
)

func TestBindSince(t *testing.T) {
	cases := []struct {
		driver, in, text, probe string
		uses                    int
	}{
		{"postgres", "SELECT * FROM t WHERE rv > :since", "SELECT * FROM t WHERE rv > $1", "SELECT * FROM t WHERE rv > NULL", 1},
		{"postgres", "WHERE a >= :since AND :since IS NOT NULL", "WHERE a >= $1 AND $1 IS NOT NULL", "WHERE a >= NULL AND NULL IS NOT NULL", 2},
		{"mysql", "WHERE a > :since OR b > :since", "WHERE a > ? OR b > ?", "WHERE a > NULL OR b > NULL", 2},
		{"sqlserver", "WHERE RV > :since", "WHERE RV > @since", "WHERE RV > NULL", 1},
		{"sqlite3", "WHERE v>:since", "WHERE v>?", "WHERE v>NULL", 1},
		// Left alone: strings, quoted names, comments, casts, longer names, a:since.
		{"postgres", "SELECT ':since', \":since\", x::since_t, :since_id, a:since -- :since\n/* :since */ FROM t", "", "", 0},
		{"postgres", "SELECT $$ :since $$, $tag$ :since $tag$, $1", "", "", 0},
		{"mysql", "SELECT `:since`, 'it\\'s :since', \"x\"\"y :since\" # :since", "", "", 0},
		{"sqlserver", "SELECT [:since], 'a'':since' FROM t WHERE x > :since", "SELECT [:since], 'a'':since' FROM t WHERE x > @since", "", 1},
	}
	for _, c := range cases {
		b := bindSince(c.driver, c.in)
		if c.text == "" {
			c.text = c.in
		}
		if b.Text != c.text || b.uses != c.uses || (c.probe != "" && b.probe != c.probe) {
			t.Errorf("%s %q:\n got %q (%d uses), probe %q\nwant %q (%d uses), probe %q", c.driver, c.in, b.Text, b.uses, b.probe, c.text, c.uses, c.probe)
		}
	}
	if args := bindSince("mysql", "a > :since OR b > :since").args(int64(7)); len(args) != 2 || args[1] != int64(7) {
		t.Errorf("mysql args: %v", args)
	}
	if args := bindSince("sqlserver", "a > :since OR b > :since").args(int64(7)); len(args) != 1 || args[0].(sql.NamedArg).Name != "since" {
		t.Errorf("sqlserver args: %v", args)
	}
}

func TestQuantityValue(t *testing.T) {
	good := []struct {
		in   any
		want int64
	}{{nil, 0}, {int64(5), 5}, {5.0, 5}, {4.9999999999, 5}, {float32(7), 7}, {"12", 12}, {" 12.000 ", 12}, {[]byte("0"), 0}, {"-0", 0}, {"+3", 3}}
	for _, c := range good {
		if got, err := quantityValue(c.in); err != nil || got != c.want {
			t.Errorf("quantity %#v: %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	bad := []struct {
		in   any
		want string
	}{{int64(-1), "negative"}, {-2.0, "negative"}, {2.5, "not a whole number"}, {"1.5", "not a whole number"},
		{"abc", "not a number"}, {"1,5", "not a number"}, {"1e3", "not a number"}, {"", "not a number"}, {math.NaN(), "not a usable"},
		{"-4", "negative"}, {true, "true/false"}, {time.Time{}, "date"}, {"1234567890123456", "too large"}, {[]byte("x"), "not a number"}}
	for _, c := range bad {
		if _, err := quantityValue(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("quantity %#v: %v, want %q", c.in, err, c.want)
		}
	}
}

func TestPriceValue(t *testing.T) {
	good := []struct {
		in   any
		want money.Kurus
	}{{int64(12), 1200}, {"1249.90", 124990}, {"12.3400", 1234}, {[]byte("0.005"), 1}, {"0.0049", 0},
		{12.345, 1235}, {0.1 + 0.2, 30}, {float32(19.99), 1999}, {1249.9, 124990}, {"7", 700}, {" 3.1 ", 310}}
	for _, c := range good {
		got, ok, err := priceValue(c.in, "price")
		if err != nil || !ok || got != c.want {
			t.Errorf("price %#v: %d %v %v; want %d", c.in, got, ok, err, c.want)
		}
	}
	if _, ok, err := priceValue(nil, "price"); ok || err != nil {
		t.Errorf("NULL price: ok %v err %v (want not given)", ok, err)
	}
	bad := map[any]string{"12,50": "is not an amount", "1.249,90": "is not an amount", "-1": "negative", int64(-1): "out of range",
		math.Inf(1): "not a usable", "abc": "is not an amount", true: "not an amount"}
	for in, want := range bad {
		if _, _, err := priceValue(in, "price"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("price %#v: %v, want %q", in, err, want)
		}
	}
}

func TestTextValue(t *testing.T) {
	cases := []struct {
		in   any
		want string
		ok   bool
	}{{nil, "", false}, {"  A-1  ", "A-1", true}, {[]byte("B"), "B", true}, {"   ", "", false}, {int64(42), "42", true}, {8690000000011.0, "8690000000011", true}}
	for _, c := range cases {
		got, ok, err := textValue(c.in)
		if err != nil || got != c.want || ok != c.ok {
			t.Errorf("text %#v: %q %v %v", c.in, got, ok, err)
		}
	}
	if _, _, err := textValue(1.5); err == nil {
		t.Error("a fractional code was accepted")
	}
}

func TestMarks(t *testing.T) {
	b := func(h ...byte) mark { return mark{kind: markBytes, b: h} }
	if !b(0, 0, 1, 0).after(b(0, 0, 0, 255)) || b(0, 0, 0, 255).after(b(0, 0, 1, 0)) {
		t.Error("bytes compare as big-endian unsigned")
	}
	if !b(1, 0).after(b(0, 0, 0, 255)) || b(0, 0, 0, 255).after(b(1, 0)) || b(0, 5).after(b(5)) || b(5).after(b(0, 5)) {
		t.Error("bytes of different lengths compare by value (leading zeros do not count)")
	}
	for _, m := range []mark{{kind: markInt, i: -3}, {kind: markTime, t: time.Date(2026, 1, 2, 3, 4, 5, 600700800, time.UTC)}, b(0, 0, 0, 0, 0, 0, 7, 209)} {
		back, err := parseMark(m.String())
		if err != nil || back.String() != m.String() || back.after(m) || m.after(back) {
			t.Errorf("mark %s round trip: %s %v", m, back, err)
		}
	}
	if got := b(0, 0, 0, 0, 0, 0, 7, 209).display(); got != "0x00000000000007D1" {
		t.Errorf("display %s", got)
	}
	if _, err := parseMark("float:1.5"); err == nil {
		t.Error("an unknown mark kind was accepted")
	}
	kinds := map[string]markKind{"BIGINT": markInt, "INT4": markInt, "UNSIGNED BIGINT": markInt, "DECIMAL": markInt,
		"DATETIME2": markTime, "TIMESTAMPTZ": markTime, "DATE": markTime, "BINARY": markBytes, "VARBINARY": markBytes, "BYTEA": markBytes}
	for typ, want := range kinds {
		if got, err := kindOfType("sqlserver", typ); err != nil || got != want {
			t.Errorf("type %s: %v %v", typ, got, err)
		}
	}
	if _, err := kindOfType("postgres", "TEXT"); err == nil || !strings.Contains(err.Error(), "cannot be a high-water mark") {
		t.Errorf("text change column: %v", err)
	}
	if m, ok, err := markOf([]byte("42.000"), markInt); err != nil || !ok || m.i != 42 {
		t.Errorf("whole decimal mark: %v %v %v", m, ok, err)
	}
	if m, ok, err := markOf([]byte("2026-11-23 10:00:00.123456"), markTime); err != nil || !ok || m.t.Nanosecond() != 123456000 {
		t.Errorf("text datetime mark: %v %v %v", m, ok, err)
	}
	if _, ok, err := markOf(nil, markInt); ok || err != nil {
		t.Errorf("NULL mark: %v %v", ok, err)
	}
	if _, _, err := markOf("x", markBytes); err == nil {
		t.Error("text accepted as a binary mark")
	}
}

func TestMapColumns(t *testing.T) {
	l, err := mapColumns([]string{"STOK_KODU", "Barkod", "MİKTAR", "Satış Fiyatı", "DEPO", "extra", "RV"}, "rv")
	if err != nil {
		t.Fatal(err)
	}
	want := "sku ← STOK_KODU, barcode ← Barkod, quantity ← MİKTAR, price ← Satış Fiyatı, warehouse ← DEPO, change column ← RV; ignored: extra"
	if got := l.describe(); got != want {
		t.Errorf("describe:\n got %s\nwant %s", got, want)
	}
	errs := map[string][]string{
		"no SKU column":            {"code", "qty"},
		"neither a quantity":       {"sku", "name"},
		"two columns for quantity": {"sku", "qty", "quantity"},
	}
	for want, cols := range errs {
		if _, err := mapColumns(cols, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v, want %q", cols, err, want)
		}
	}
	if _, err := mapColumns([]string{"sku", "qty"}, "updated_at"); err == nil || !strings.Contains(err.Error(), "change column \"updated_at\"") {
		t.Errorf("missing change column: %v", err)
	}
}

func TestSpoolRoundTrip(t *testing.T) {
	sp, err := newSpool(t.TempDir(), "a/b")
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	q, p, l := int64(7), money.Kurus(1250), money.Kurus(0)
	in := []Row{
		{Line: 1, SKU: "A", Barcode: "869", Warehouse: "W", PriceList: "L", Qty: &q, Price: &p, ListPrice: &l, keyOK: true},
		{Line: 2, SKU: "ÇİĞ \"x\"", Warehouse: "W", PriceList: "L", Reject: "quantity \"x\" is not a number", keyOK: true},
		{Line: 3000000, Change: "0x01", mark: mark{kind: markBytes, b: []byte{0, 1}}, hasMark: true},
		{Line: 4, mark: mark{kind: markTime, t: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}, hasMark: true},
	}
	for i := range in {
		if err := sp.put(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.rewind(); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		var got Row
		if ok, err := sp.next(&got); !ok || err != nil {
			t.Fatalf("row %d: %v %v", i, ok, err)
		}
		want := in[i]
		if got.Line != want.Line || got.SKU != want.SKU || got.Barcode != want.Barcode || got.Reject != want.Reject || got.keyOK != want.keyOK ||
			!eqPtr(got.Qty, want.Qty) || !eqPtr(got.Price, want.Price) || !eqPtr(got.ListPrice, want.ListPrice) ||
			got.hasMark != want.hasMark || got.mark.String() != want.mark.String() || got.Change != want.Change {
			t.Errorf("row %d: got %+v, want %+v", i, got, want)
		}
	}
	if ok, err := sp.next(&Row{}); ok || err != nil {
		t.Fatalf("end: %v %v", ok, err)
	}
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
