package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sstLimits make excelize read every shared-string table from disk, as it reads the
// large tables that get inlined; with inline set, every table is inlined.
func sstLimits(inline bool) limits {
	lim := defaultLimits
	lim.unzipSpill = 1
	lim.sstInlineAbove = 1 << 40
	if inline {
		lim.sstInlineAbove = 0
	}
	return lim
}

// outcome is everything Parse reports, comparable as JSON.
type outcome struct {
	Header Header
	Rows   []Row
	Probs  []Problem
	Err    string
}

func parseOutcome(t testing.TB, data []byte, opts Options, lim limits) outcome {
	t.Helper()
	var out outcome
	h, err := parse(context.Background(), bytes.NewReader(data), opts, lim, func(r Row) error {
		out.Rows = append(out.Rows, r)
		return nil
	}, func(p Problem) error {
		out.Probs = append(out.Probs, p)
		return nil
	})
	out.Header = h
	if err != nil {
		out.Err = err.Error()
	}
	return out
}

// sameWithInlining parses data with its table read by excelize and inlined, fails the
// test if the two differ, and returns the outcome and whether a copy was inlined.
func sameWithInlining(t testing.TB, data []byte, opts Options) (outcome, bool) {
	t.Helper()
	opts.TempDir = t.TempDir()
	plain := parseOutcome(t, data, opts, sstLimits(false))
	inlined := parseOutcome(t, data, opts, sstLimits(true))
	a, _ := json.Marshal(plain)
	b, _ := json.Marshal(inlined)
	if !bytes.Equal(a, b) {
		t.Fatalf("%s: inlining changed the outcome:\n  read as is: %s\n  inlined:    %s", opts.Name, a, b)
	}
	if left, _ := os.ReadDir(opts.TempDir); len(left) != 0 {
		t.Errorf("%s: left %d entries in TempDir", opts.Name, len(left))
	}
	path, err := inlineSharedStrings(context.Background(), bytes.NewReader(data), sstLimits(true), t.TempDir())
	if err != nil {
		t.Fatalf("%s: %v", opts.Name, err)
	}
	return plain, path != ""
}

// Every golden workbook reads the same with its strings inlined: numbers stored as
// text, dates, 1904, formulas' cached values, named and hidden sheets, sparse rows.
func TestInliningKeepsGoldenWorkbooks(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "golden", "xlsx-*"))
	inlined := 0
	for _, dir := range dirs {
		input, opts := loadGoldenCase(t, dir)
		if bytes.HasPrefix(input, oleMagic) {
			continue // encrypted: decrypted in memory by excelize, never inlined
		}
		_, did := sameWithInlining(t, input, opts)
		_, zerr := zip.NewReader(bytes.NewReader(input), int64(len(input)))
		if zerr == nil && !did {
			t.Errorf("%s: not inlined", filepath.Base(dir))
		}
		if did {
			inlined++
		}
	}
	if inlined < 15 {
		t.Errorf("only %d golden workbooks were inlined", inlined)
	}
}

// The real-world workbooks of the shared corpus read the same inlined: strict
// namespaces, other prefixes, _x000D_, empty and malformed tables, XML bombs.
func TestInliningKeepsCorpusWorkbooks(t *testing.T) {
	needCorpus(t)
	paths, _ := filepath.Glob(filepath.Join(corpusDir, "xlsx", "*.xls[xm]"))
	if len(paths) == 0 {
		t.Fatalf("no workbooks in %s/xlsx", corpusDir)
	}
	inlined := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(path)
		_, did := sameWithInlining(t, data, Options{Name: name})
		if did {
			inlined++
		}
		// Most are not stock lists: map their own headers so their cells are compared.
		var fe *FileError
		if _, _, _, err := parseAll(t, data, Options{Name: name}); errors.As(err, &fe) && errors.Is(err, ErrNoHeader) {
			if cols := mapAnyHeaders(fe.Headers); cols != nil {
				sameWithInlining(t, data, Options{Name: name, Columns: cols})
			}
		}
	}
	t.Logf("%d of %d corpus workbooks inlined", inlined, len(paths))
	if inlined < 20 {
		t.Errorf("only %d corpus workbooks were inlined", inlined)
	}
}

const mainNS = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`

// sstWorkbook is basicBook with its sheet and shared-string parts replaced.
func sstWorkbook(t *testing.T, sheetData, sst string) []byte {
	t.Helper()
	sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet ` + mainNS + `>` + sheetData + `</worksheet>`
	return withParts(t, basicBook().bytes(), map[string][]byte{
		"xl/worksheets/sheet1.xml": []byte(sheet),
		"xl/sharedStrings.xml":     []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + sst),
	})
}

// header is a first row of inline strings: the SKU and warehouse columns, then quantity.
const header = `<row r="1"><c r="A1" t="inlineStr"><is><t>Stok Kodu</t></is></c><c r="B1" t="inlineStr"><is><t>Depo</t></is></c><c r="C1" t="inlineStr"><is><t>Miktar</t></is></c></row>`

func TestInliningMatchesExcelize(t *testing.T) {
	sst := func(items ...string) string {
		return `<sst ` + mainNS + `><si><t>MERKEZ</t></si>` + strings.Join(items, "") + `</sst>`
	}
	row := func(r int, skuCell string) string {
		return fmt.Sprintf(`<row r="%d">%s<c r="B%d" t="s"><v>0</v></c><c r="C%d"><v>%d</v></c></row>`, r, skuCell, r, r, r)
	}
	sc := func(r int, v string) string { return fmt.Sprintf(`<c r="A%d" t="s"><v>%s</v></c>`, r, v) }
	tests := []struct {
		name     string
		data     string // sheetData
		sst      string
		wantSKUs []string // nil: only the same outcome both ways
		inlined  bool
	}{
		{"plain and spaces", `<sheetData>` + header + row(2, sc(2, "1")) + row(3, sc(3, "2")) + `</sheetData>`,
			sst(`<si><t>A-1</t></si>`, `<si><t xml:space="preserve"> B 2 </t></si>`), []string{"A-1", "B 2"}, true},
		{"rich text runs", `<sheetData>` + header + row(2, sc(2, "1")) + `</sheetData>`,
			sst(`<si><r><rPr><b/><sz val="11"/></rPr><t>RICH</t></r><r><t xml:space="preserve">-1</t></r></si>`), []string{"RICH-1"}, true},
		{"escapes and entities", `<sheetData>` + header + row(2, sc(2, "1")) + row(3, sc(3, "2")) + row(4, sc(4, "3")) + `</sheetData>`,
			sst(`<si><t>X_x0041_Y</t></si>`, `<si><t>Ç&amp;Ş&#231;</t></si>`, `<si><t><![CDATA[C<1>]]></t></si>`), []string{"XAY", "Ç&Şç", "C<1>"}, true},
		{"pretty-printed table with comments", `<sheetData>` + header + row(2, sc(2, "1")) + row(3, sc(3, "2")) + `</sheetData>`,
			sst("\n  <si>\n    <t>P-1</t>\n  </si>", "<si><!-- note --><t>P-2</t></si>"), []string{"P-1", "P-2"}, true},
		{"other prefixes", `<x:sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + header +
			`<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="C2"><x:v>2</x:v></x:c></x:row></x:sheetData>`,
			`<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:si><x:t>M</x:t></x:si><x:si><x:t>NS-1</x:t></x:si></x:sst>`,
			[]string{"NS-1"}, true},
		{"indexes out of range, signed, spaced and not numbers", `<sheetData>` + header + row(2, sc(2, "99")) + row(3, sc(3, "-1")) +
			row(4, sc(4, " 1 ")) + row(5, sc(5, "abc")) + row(6, sc(6, "+1")) + row(7, sc(7, "")) + `</sheetData>`,
			sst(`<si><t>I-1</t></si>`), []string{"I-1", "MERKEZ", "I-1"}, true},
		{"formula on a shared-string cell", `<sheetData>` + header + row(2, `<c r="A2" t="s"><f t="shared" ref="A2:A3" si="0">B2</f><v>1</v></c>`) +
			row(3, `<c r="A3" t="s"><f t="shared" si="0"/><v>99</v></c>`) + `</sheetData>`, sst(`<si><t>F-1</t></si>`), nil, true},
		{"cells outside rows", `<c r="A1" t="s"><v>1</v></c><sheetData>` + header + row(2, sc(2, "1")) + `</sheetData>` +
			`<c t="s"><v>1</v></c><sheetData>` + row(3, sc(3, "1")) + `</sheetData>`, sst(`<si><t>O-1</t></si>`), nil, true},
		{"empty entries", `<sheetData>` + header + row(2, sc(2, "1")) + row(3, sc(3, "2")) + row(4, sc(4, "3")) + `</sheetData>`,
			sst(`<si/>`, `<si><t/></si>`, `<si><t>E-3</t></si>`), []string{"E-3"}, true},
		{"phonetic hints", `<sheetData>` + header + row(2, sc(2, "1")) + `</sheetData>`,
			sst(`<si><t>KANA</t><rPh sb="0" eb="1"><t>k</t></rPh><phoneticPr fontId="1"/></si>`), []string{"KANA"}, true},
		{"rich text excelize cannot decode", `<sheetData>` + header + row(2, sc(2, "1")) + row(3, sc(3, "2")) + `</sheetData>`,
			sst(`<si><t>B-</t><r><rPr><sz val="big"/></rPr><t>1</t></r></si>`, `<si><r><rPr><b val="maybe"/></rPr><t>Q</t></r><t>T</t></si>`), nil, true},
		{"attributes excelize reads oddly", `<sheetData>` + header +
			row(2, `<c r="A2" t="n" t="s"><v>1</v></c>`) + row(3, `<c xmlns:t="urn:x" r="A3" t="s"><v>1</v></c>`) +
			row(4, `<c r="A4" s="x" t="s"><v>1</v></c>`) + row(5, `<c r="A5" t="s" s="x"><v>1</v></c>`) + row(6, `<c t='s' r='A6' s = "2" ><v>1</v></c>`) + `</sheetData>`,
			sst(`<si><t>AT-1</t></si>`), nil, true},
		{"sheet breaks off", `<sheetData>` + header + row(2, sc(2, "1")) + row(3, sc(3, "1")) + `<row r="4"><c r="A4" t="s"><v>1</v></c><c r="C4"><v>4</v`,
			sst(`<si><t>BR-1</t></si>`), nil, true},
		{"table breaks off", `<sheetData>` + header + row(2, sc(2, "1")) + row(3, sc(3, "2")) + `</sheetData>`,
			`<sst ` + mainNS + `><si><t>M</t></si><si><t>TB-1</t></si><si><t>TB-2`, nil, false},
		{"table ends in bad XML between entries", `<sheetData>` + header + row(2, sc(2, "1")) + row(3, sc(3, "2")) + `</sheetData>`,
			`<sst ` + mainNS + `><si><t>M</t></si><si><t>TE-1</t></si></nope><si><t>TE-2</t></si></sst>`, nil, true},
		{"shared-string cell with an inline string", `<sheetData>` + header + row(2, `<c r="A2" t="s"><is><t>X</t></is><v>1</v></c>`) + `</sheetData>`,
			sst(`<si><t>IS-1</t></si>`), nil, false},
		{"cell inside a table entry", `<sheetData>` + header + row(2, sc(2, "1")) + `</sheetData>`,
			sst(`<si><t>C</t><c t="s"><v>0</v></c></si>`), nil, false},
		{"cell inside a cell", `<sheetData>` + header + row(2, `<c r="A2" t="str"><v>N</v><c r="A2" t="s"><v>1</v></c></c>`) + `</sheetData>`,
			sst(`<si><t>NEST-1</t></si>`), nil, true},
		{"row inside a skipped cell", `<c t="s"><v>1</v><row r="7"/></c><sheetData>` + header + row(2, sc(2, "1")) + `</sheetData>`,
			sst(`<si><t>RS-1</t></si>`), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := sstWorkbook(t, tc.data, tc.sst)
			out, did := sameWithInlining(t, data, Options{Name: "x.xlsx"})
			if did != tc.inlined {
				t.Errorf("inlined %v; want %v", did, tc.inlined)
			}
			if tc.wantSKUs != nil {
				var got []string
				for _, r := range out.Rows {
					got = append(got, r.SKU)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.wantSKUs) {
					t.Errorf("SKUs %q; want %q (outcome %+v)", got, tc.wantSKUs, out)
				}
			}
		})
	}
}

// A large Excel-style workbook reads the same inlined, and a rewrite stopped half-way
// leaves nothing behind (TestLargeWorkbookUsesTempDirAndCleansUp checks a finished one).
func TestInliningLargeWorkbook(t *testing.T) {
	data := sstBook(3000)
	if _, did := sameWithInlining(t, data, Options{Name: "big.xlsx"}); !did {
		t.Fatal("not inlined")
	}
	lim := sstLimits(true)
	// Stopped half-way through the rewrite.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &cancelAfter{r: bytes.NewReader(data), left: int64(len(data)) / 2, cancel: cancel}
	tmp := t.TempDir()
	path, err := inlineSharedStrings(ctx, src, lim, tmp)
	if !errors.Is(err, context.Canceled) || path != "" {
		t.Errorf("cancelled while inlining: path %q, err %v", path, err)
	}
	if left := filesUnder(t, tmp); len(left) != 0 {
		t.Errorf("cancelled: left behind %q", left)
	}
}

// cancelAfter cancels a context once left bytes have been read.
type cancelAfter struct {
	r      *bytes.Reader
	left   int64
	cancel func()
}

func (c *cancelAfter) ReadAt(p []byte, off int64) (int, error) {
	if c.left -= int64(len(p)); c.left <= 0 {
		c.cancel()
	}
	return c.r.ReadAt(p, off)
}

func (c *cancelAfter) Size() int64 { return c.r.Size() }

// Inlining a long string into many cells must not unpack to more than a workbook may:
// past the limit the workbook is read as it is.
func TestInliningStaysWithinTheUnzipLimit(t *testing.T) {
	long := strings.Repeat("UZUN-", 2000)
	rows := header
	for r := 2; r <= 200; r++ {
		rows += fmt.Sprintf(`<row r="%d"><c r="A%d" t="s"><v>1</v></c><c r="C%d"><v>1</v></c></row>`, r, r, r)
	}
	data := sstWorkbook(t, `<sheetData>`+rows+`</sheetData>`, `<sst `+mainNS+`><si><t>M</t></si><si><t>`+long+`</t></si></sst>`)
	lim := sstLimits(true)
	lim.unzipTotal = 512 << 10 // the workbook unpacks to ~40 KB, inlined to ~2 MB
	path, err := inlineSharedStrings(context.Background(), bytes.NewReader(data), lim, t.TempDir())
	if err != nil || path != "" {
		t.Fatalf("inlined to %q, err %v; want the workbook read as it is", path, err)
	}
	rowsRead, _, err := parseWith(t, data, Options{Name: "long.xlsx", TempDir: t.TempDir()}, lim)
	if err != nil || len(rowsRead) != 199 || rowsRead[0].SKU != long {
		t.Fatalf("%d rows, err %v", len(rowsRead), err)
	}
	lim.unzipTotal = 8 << 20
	if path, err := inlineSharedStrings(context.Background(), bytes.NewReader(data), lim, t.TempDir()); err != nil || path == "" {
		t.Fatalf("within the limit: inlined to %q, err %v", path, err)
	}
}

// Entries come back right whether cached, evicted, or spanning cache blocks.
func TestSharedStringsCache(t *testing.T) {
	var sst strings.Builder
	var want []string
	sst.WriteString(`<sst>`)
	for i := 0; i < 400; i++ {
		s := fmt.Sprintf("S%d-%s", i, strings.Repeat("x", (i*7919)%5000))
		if i%50 == 0 {
			s += strings.Repeat("y", cacheBlock) // longer than a block
		}
		want = append(want, `<is><t xml:space="preserve">`+s+`</t></is>`)
		fmt.Fprintf(&sst, `<si><t>%s</t></si>`, s)
	}
	sst.WriteString(`</sst>`)
	table, err := readSharedStrings(context.Background(), strings.NewReader(sst.String()), filepath.Join(t.TempDir(), "s"), int64(sst.Len()))
	if err != nil {
		t.Fatal(err)
	}
	defer table.close()
	table.cache.max = 3
	if table.len() != len(want) {
		t.Fatalf("%d entries; want %d", table.len(), len(want))
	}
	for k := 0; k < 3000; k++ {
		i := (k * 7) % len(want)
		if k%3 == 0 {
			i = 5 // a hot entry
		}
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		if err := table.writeInline(w, i); err != nil {
			t.Fatal(err)
		}
		_ = w.Flush()
		if buf.String() != want[i] {
			t.Fatalf("entry %d: got %.60q; want %.60q", i, buf.String(), want[i])
		}
	}
}

func TestRetypeCell(t *testing.T) {
	tests := []struct{ in, out string }{
		{`<c r="A1" t="s">`, `<c r="A1" t="inlineStr">`},
		{`<x:c t='s' r="A1" s="3">`, `<x:c t='inlineStr' r="A1" s="3">`},
		{"<c\tr=\"A1\"\nt = \"s\" >", "<c\tr=\"A1\"\nt = \"inlineStr\" >"},
		{`<c xmlns:t="urn:t" x:t="s" r="t">`, `<c xmlns:t="inlineStr" x:t="inlineStr" r="t">`},
		{`<c r="A>1" tt="s">`, `<c r="A>1" tt="s">`},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		n, err := retypeCell(w, []byte(tc.in))
		_ = w.Flush()
		if err != nil || buf.String() != tc.out || tc.in[1:1+n] != strings.Fields(tc.in[1:])[0] {
			t.Errorf("%s: %s, name length %d, err %v; want %s", tc.in, buf.String(), n, err, tc.out)
		}
	}
	for _, bad := range []string{`<c t="s"/>`, `<c t="s`, `<c t=s>`, `c t="s">`} {
		if _, err := retypeCell(bufio.NewWriter(&bytes.Buffer{}), []byte(bad)); !errors.Is(err, errNotInlined) {
			t.Errorf("%s: err %v; want errNotInlined", bad, err)
		}
	}
}
