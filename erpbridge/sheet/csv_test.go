package sheet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

func TestDetectEncoding(t *testing.T) {
	turkish := "Stok Kodu;Ürün Adı\nŞ-1;İğne\n"
	bigValid := strings.Repeat("Ş", 200<<10) // 400 KB of two-byte runes: crosses read blocks
	tests := []struct {
		name string
		data []byte
		enc  string
		want string
	}{
		{"ascii", []byte("a;b\n"), "", "utf-8"},
		{"utf-8 Turkish", []byte(turkish), "", "utf-8"},
		{"utf-8 runes across blocks", []byte(bigValid), "", "utf-8"},
		{"utf-8 BOM", append([]byte("\xEF\xBB\xBF"), turkish...), "", "utf-8-bom"},
		{"utf-16le BOM", utf16Text(turkish, unicode.LittleEndian), "", "utf-16le"},
		{"utf-16be BOM", utf16Text(turkish, unicode.BigEndian), "", "utf-16be"},
		{"utf-16le no BOM", utf16Text(turkish, unicode.LittleEndian)[2:], "", "utf-16le"},
		{"utf-16be no BOM", utf16Text(turkish, unicode.BigEndian)[2:], "", "utf-16be"},
		{"windows-1254", cp1254(turkish), "", "windows-1254"},
		{"windows-1254 late", append([]byte(strings.Repeat("a;b\n", 100<<10)), cp1254("Ş;ı\n")...), "", "windows-1254"},
		{"truncated rune at end", []byte("a;b\n\xC5"), "", "windows-1254"},
		{"configured 1254", []byte(turkish), "windows-1254", "windows-1254"},
		{"configured utf-8 keeps bad bytes", cp1254(turkish), "utf-8", "utf-8"},
		{"BOM beats configuration", append([]byte("\xEF\xBB\xBF"), turkish...), "windows-1254", "utf-8-bom"},
		{"configured utf-16 without BOM", utf16Text(turkish, unicode.BigEndian)[2:], "utf-16", "utf-16be"},
	}
	for _, tc := range tests {
		o, err := normalize(Options{Encoding: tc.enc})
		if err != nil {
			t.Fatal(err)
		}
		e, err := detectEncoding(bytes.NewReader(tc.data), o)
		if err != nil || e.name != tc.want {
			t.Errorf("%s: encoding %q, %v; want %q", tc.name, e.name, err, tc.want)
		}
	}
}

func TestDecodedTextIsUTF8(t *testing.T) {
	want := "Stok Kodu;Ürün Adı\nŞ-1;İğne ıslak çğüö\n"
	for name, data := range map[string][]byte{
		"1254":     cp1254(want),
		"utf-16le": utf16Text(want, unicode.LittleEndian),
		"utf-16be": utf16Text(want, unicode.BigEndian),
		"utf-8bom": append([]byte("\xEF\xBB\xBF"), want...),
	} {
		o, _ := normalize(Options{})
		e, err := detectEncoding(bytes.NewReader(data), o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(e.reader(bytes.NewReader(data)))
		if err != nil || string(got) != want {
			t.Errorf("%s: decoded %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestSniffDelimiter(t *testing.T) {
	m := newMatcher(nil)
	tests := []struct {
		name, data string
		want       rune
	}{
		{"semicolon with decimal commas", "Stok Kodu;Fiyat\nA;1,5\nB;2,5\n", ';'},
		{"comma", "Stok Kodu,Fiyat\nA,1.5\nB,2.5\n", ','},
		{"tab", "Stok Kodu\tFiyat\nA\t1,5\n", '\t'},
		{"comma with quoted semicolons", "Stok Kodu,Ad,Fiyat\nA,\"x;y;z\",1\nB,\"p;q\",2\n", ','},
		{"semicolon with quoted commas", "\"Stok Kodu\";\"Ad\"\nA;\"a, b, c\"\n", ';'},
		{"no header: most consistent", "a,b,c\n1,2,3\n4,5,6\n", ','},
		{"title rows above", "Liste;;\n;;\nStok Kodu;Miktar;Fiyat\nA;1;2\n", ';'},
		{"nothing to go on", "hello\n", ';'},
	}
	for _, tc := range tests {
		if got := sniffDelimiter([]byte(tc.data), true, m); got != tc.want {
			t.Errorf("%s: delimiter %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestRecordReader(t *testing.T) {
	type rec struct {
		line    int
		fields  []string
		problem bool
	}
	tests := []struct {
		name string
		in   string
		want []rec
	}{
		{"plain and CRLF", "a;b\r\nc;d\n", []rec{{1, []string{"a", "b"}, false}, {2, []string{"c", "d"}, false}}},
		{"no final newline", "a;b", []rec{{1, []string{"a", "b"}, false}}},
		{"empty fields", ";;\n", []rec{{1, []string{"", "", ""}, false}}},
		{"quoted delimiter and doubled quote", "\"a;b\";\"say \"\"hi\"\"\"\n", []rec{{1, []string{"a;b", `say "hi"`}, false}}},
		{"quoted line break (CRLF normalised)", "\"a\r\nb\";c\r\nd;e\r\n", []rec{{1, []string{"a\nb", "c"}, false}, {3, []string{"d", "e"}, false}}},
		{"bare quote kept", "24\" monitor;5\n", []rec{{1, []string{`24" monitor`, "5"}, false}}},
		{"lone quote in one-line quoted value", "\"24\" monitor\";5\n", []rec{{1, []string{`24" monitor`, "5"}, false}}},
		{"space before quote", "a; \"b;c\"\n", []rec{{1, []string{"a", "b;c"}, false}}},
		{"unclosed quote", "a;\"b\nc;d\n", []rec{{1, []string{"a", "b\nc;d"}, true}}},
		{"unbalanced over lines", "a;\"b\" c;1\nd;\"e\";2\nf;3\n", []rec{{1, []string{"a", "b\" c;1\nd;\"e", "2"}, true}, {3, []string{"f", "3"}, false}}},
	}
	for _, tc := range tests {
		r := newRecordReader(strings.NewReader(tc.in), ';')
		var got []rec
		for {
			f, line, problem, err := r.read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rec{line, append([]string(nil), f...), problem != ""})
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestRecordReaderLimitsRunawayQuote(t *testing.T) {
	in := "a;\"never closed\n" + strings.Repeat("x;1\n", maxRecord/2) + "z;9\n"
	r := newRecordReader(strings.NewReader(in), ';')
	_, line, problem, err := r.read()
	if err != nil || line != 1 || !strings.Contains(problem, "not closed within") {
		t.Fatalf("first record: line %d, problem %q, err %v; want a runaway-quote problem on line 1", line, problem, err)
	}
	var last []string
	for {
		f, _, _, err := r.read()
		if err != nil {
			break
		}
		last = append(last[:0], f...)
	}
	if !reflect.DeepEqual(last, []string{"z", "9"}) {
		t.Errorf("reading resumed wrongly: last record %q; want [z 9]", last)
	}
}

func TestRecordReaderLongLine(t *testing.T) {
	in := "a;" + strings.Repeat("x", maxRecord+200<<10) + ";b\nc;d\n"
	r := newRecordReader(strings.NewReader(in), ';')
	if _, _, problem, err := r.read(); err != nil || !strings.Contains(problem, "longer than") {
		t.Fatalf("long line: problem %q, err %v", problem, err)
	}
	if f, line, problem, err := r.read(); err != nil || problem != "" || line != 2 || !reflect.DeepEqual(f, []string{"c", "d"}) {
		t.Errorf("after long line: %q line %d %q %v; want [c d] on line 2", f, line, problem, err)
	}
}

func parseAll(t *testing.T, data []byte, opts Options) (Header, []Row, []Problem, error) {
	t.Helper()
	var rows []Row
	var probs []Problem
	h, err := Parse(context.Background(), bytes.NewReader(data), opts, func(r Row) error {
		rows = append(rows, r)
		return nil
	}, func(p Problem) error {
		probs = append(probs, p)
		return nil
	})
	return h, rows, probs, err
}

func TestConfiguredDelimiterAndEncoding(t *testing.T) {
	data := []byte("Stok Kodu;Miktar\nŞ-1;1\n")
	// Detected: ';' and UTF-8.
	h, rows, _, err := parseAll(t, data, Options{})
	if err != nil || h.Delimiter != ";" || h.Encoding != "utf-8" || len(rows) != 1 || rows[0].SKU != "Ş-1" {
		t.Fatalf("detected: header %+v rows %+v err %v", h, rows, err)
	}
	// A configured delimiter is used as is, even when it is wrong for the file.
	if _, _, _, err := parseAll(t, data, Options{Delimiter: ","}); !errors.Is(err, ErrNoHeader) {
		t.Errorf("configured ',': err %v; want ErrNoHeader", err)
	}
	// So is a configured encoding: the UTF-8 bytes of Ş read as Windows-1254.
	h, rows, _, err = parseAll(t, data, Options{Encoding: "windows-1254"})
	if err != nil || h.Encoding != "windows-1254" || len(rows) != 1 || rows[0].SKU != "\u00c5\uFFFD-1" { // 0x9E is unassigned in 1254
		t.Fatalf("configured 1254: header %+v rows %+v err %v", h, rows, err)
	}
	_, rows, probs, err := parseAll(t, cp1254("Stok Kodu\tFiyat\nŞ-1\t5,5\n"), Options{Delimiter: "tab"})
	if err != nil || len(probs) != 0 || len(rows) != 1 || rows[0].SKU != "Ş-1" || *rows[0].Price != 550 {
		t.Fatalf("tab: rows %+v problems %+v err %v", rows, probs, err)
	}
}

func TestBinaryGarbageNamedXLSX(t *testing.T) {
	_, _, _, err := parseAll(t, []byte("\x01\x02\x03garbage"), Options{Name: "stok.xlsx"})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("err = %v; want ErrDamaged", err)
	}
	// The same bytes named .csv are read as text and fail for want of a header.
	_, _, _, err = parseAll(t, []byte("\x01\x02\x03garbage"), Options{Name: "stok.csv"})
	if !errors.Is(err, ErrNoHeader) {
		t.Fatalf("err = %v; want ErrNoHeader", err)
	}
}

func TestTextNamedXLSIsReadAsCSV(t *testing.T) {
	// ERPs export "Excel" files that are tab-separated text with an .xls name.
	_, rows, _, err := parseAll(t, []byte("Stok Kodu\tMiktar\nA\t1\n"), Options{Name: "export.xls"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %+v err %v", rows, err)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, o := range []Options{
		{Locale: "de"}, {Encoding: "latin1"}, {Delimiter: "|"}, {BarcodeCheck: "maybe"}, {Format: "xls"},
		{Columns: map[Field]string{"colour": "Renk"}}, {Columns: map[Field]string{FieldPrice: " ( ) "}},
	} {
		_, _, _, err := parseAll(t, []byte("Stok Kodu;Miktar\nA;1\n"), o)
		if !errors.Is(err, ErrOptions) {
			t.Errorf("Parse with %+v: err %v; want ErrOptions", o, err)
		}
	}
}

func TestCallbackErrorStopsParsing(t *testing.T) {
	stop := errors.New("stop")
	data := []byte("Stok Kodu;Miktar\nA;1\nB;x\nC;3\n")
	n := 0
	_, err := Parse(context.Background(), bytes.NewReader(data), Options{}, func(Row) error { n++; return stop }, func(Problem) error { return nil })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn error: err %v after %d rows; want stop after 1", err, n)
	}
	_, err = Parse(context.Background(), bytes.NewReader(data), Options{}, func(Row) error { return nil }, func(Problem) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("reject error: err %v; want stop", err)
	}
}

func TestContextEndsParsing(t *testing.T) {
	var b strings.Builder
	b.WriteString("Stok Kodu;Miktar\n")
	for i := 0; i < 10000; i++ {
		b.WriteString("A;1\n")
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := Parse(ctx, strings.NewReader(b.String()), Options{}, func(Row) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	}, func(Problem) error { return nil })
	if !errors.Is(err, context.Canceled) || n >= 10000 {
		t.Errorf("err %v after %d rows; want context.Canceled well before the end", err, n)
	}
	if _, err := Parse(ctx, strings.NewReader("x"), Options{}, func(Row) error { return nil }, func(Problem) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("ended context: err %v", err)
	}
}

func TestFileSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stok.csv")
	if err := os.WriteFile(path, []byte("Stok Kodu;Miktar\nA;1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := FileSource(f)
	if err != nil || src.Size() != 21 {
		t.Fatalf("FileSource: size %v, err %v", src, err)
	}
	var got []Row
	if _, err := Parse(context.Background(), src, Options{Name: "stok.csv"}, func(r Row) error { got = append(got, r); return nil }, func(Problem) error { return nil }); err != nil || len(got) != 1 {
		t.Fatalf("rows %+v err %v", got, err)
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{Line: 14, Column: "Fiyat", Value: "1.249", Reason: "'1.249' is ambiguous: write 1249 or 1249,00"}
	if got, want := p.String(), "row 14, column Fiyat: '1.249' is ambiguous: write 1249 or 1249,00"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
	if got, want := (Problem{Line: 3, Reason: "row has no stock code"}).String(), "row 3: row has no stock code"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
}
