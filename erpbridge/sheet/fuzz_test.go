package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Run each fuzzer for a few minutes with a short minimisation time: nearly every
// workbook mutation reaches new code, and the default of 60 s minimising each new
// input leaves no time to fuzz:
//
//	go test ./erpbridge/sheet/ -run '^$' -fuzz '^FuzzXLSX$' -fuzztime 3m -fuzzminimizetime 3s
//	go test ./erpbridge/sheet/ -run '^$' -fuzz '^FuzzInlineSharedStrings$' -fuzztime 3m -fuzzminimizetime 3s
//
// Crashers land in testdata/fuzz and then run with every go test.

// goldenInputs returns the committed golden inputs whose name ends with one of exts.
func goldenInputs(f *testing.F, exts ...string) [][]byte {
	f.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "input.*"))
	var out [][]byte
	for _, p := range paths {
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				b, err := os.ReadFile(p)
				if err != nil {
					f.Fatal(err)
				}
				out = append(out, b)
			}
		}
	}
	if len(out) == 0 {
		f.Fatalf("no golden inputs ending in %v", exts)
	}
	return out
}

// fuzzOptions spreads one byte over the option combinations that change parsing.
func fuzzOptions(mode uint8) Options {
	return Options{
		Locale:       []string{"auto", "tr", "en"}[mode%3],
		Delimiter:    []string{"auto", ";", ",", "tab"}[mode/3%4],
		Encoding:     []string{"auto", "utf-8", "utf-16", "windows-1254"}[mode/12%4],
		BarcodeCheck: []string{"warn", "reject"}[mode/48%2],
	}
}

// checkInvariants holds for any input: no panic (the fuzzer reports those), no hang
// (a watchdog fails the input with every goroutine's stack, so the fuzzer keeps it),
// an error is a *FileError, and delivered rows keep the Row contract.
func checkInvariants(t *testing.T, data []byte, opts Options) {
	t.Helper()
	type result struct {
		h     Header
		err   error
		rows  []Row
		probs []Problem
	}
	done := make(chan result, 1)
	go func() {
		var res result
		res.h, res.err = Parse(context.Background(), bytes.NewReader(data), opts, func(r Row) error {
			res.rows = append(res.rows, r)
			return nil
		}, func(p Problem) error {
			res.probs = append(res.probs, p)
			return nil
		})
		done <- res
	}()
	var res result
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatalf("Parse still running after 20s on %d bytes:\n%s", len(data), buf[:runtime.Stack(buf, true)])
	}
	h, err, rows := res.h, res.err, res.rows
	for _, p := range res.probs {
		if p.Line <= 0 || p.Reason == "" {
			t.Errorf("problem without line or reason: %+v", p)
		}
	}
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.Msg == "" {
			t.Fatalf("error is not a *FileError with a message: %v", err)
		}
		return
	}
	for _, r := range rows {
		switch {
		case r.SKU == "":
			t.Errorf("row without SKU: %+v", r)
		case r.Line <= h.Line:
			t.Errorf("row %d at or above the header line %d", r.Line, h.Line)
		case r.Quantity != nil && *r.Quantity < 0, r.Price != nil && *r.Price < 0, r.ListPrice != nil && *r.ListPrice < 0:
			t.Errorf("negative value delivered: %+v", r)
		}
	}
}

func FuzzCSV(f *testing.F) {
	for i, b := range goldenInputs(f, ".csv", ".txt") {
		f.Add(b, uint8(i))
	}
	f.Add([]byte("sep=;\nStok Kodu;Miktar;Fiyat\n\"A\n;1;\"1.249,90\"\n"), uint8(0))
	f.Add([]byte("Stok Kodu\tMiktar\n\"x\"\"y\"\t1E+3\n"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := fuzzOptions(mode)
		opts.Name, opts.Format = "fuzz.csv", "csv"
		checkInvariants(t, data, opts)
	})
}

// FuzzXLSX mutates whole workbook files. Most mutations break a zip checksum and are
// refused early; FuzzXLSXParts reaches the XML.
//
// Encrypted seeds are left out: each try at Excel's default password costs a
// 100,000-round key derivation, which under coverage instrumentation slows the
// fuzzer to a crawl and exercises excelize's cryptography rather than this package
// (TestEncryptedWorkbooks and the golden cases cover that path).
func FuzzXLSX(f *testing.F) {
	for _, b := range goldenInputs(f, ".xlsx") {
		if !bytes.HasPrefix(b, oleMagic) {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		checkInvariants(t, data, Options{Name: "fuzz.xlsx", TempDir: tmp})
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("left %d entries in TempDir", len(left))
		}
	})
}

// FuzzXLSXParts builds a valid package around fuzzed sheet, shared-string and
// workbook XML, so mutations reach excelize's XML reading and our row handling.
func FuzzXLSXParts(f *testing.F) {
	for _, parts := range goldenParts(f) {
		f.Add(parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"], parts["xl/workbook.xml"], uint8(0))
	}
	base := basicBook().bytes()
	f.Fuzz(func(t *testing.T, sheet, sst, workbook []byte, mode uint8) {
		data := withParts(t, base, map[string][]byte{
			"xl/worksheets/sheet1.xml": sheet,
			"xl/sharedStrings.xml":     sst,
			"xl/workbook.xml":          workbook,
		})
		opts := fuzzOptions(mode)
		opts.Name, opts.TempDir = "fuzz.xlsx", t.TempDir()
		checkInvariants(t, data, opts)
	})
}

// goldenParts unpacks the golden workbooks that have a first sheet, part name to
// content (the corrupt and encrypted cases are left out).
func goldenParts(f *testing.F) []map[string][]byte {
	var out []map[string][]byte
	for _, b := range goldenInputs(f, ".xlsx") {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			continue
		}
		parts := map[string][]byte{}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				continue
			}
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(rc)
			_ = rc.Close()
			parts[zf.Name] = buf.Bytes()
		}
		if parts["xl/worksheets/sheet1.xml"] != nil {
			out = append(out, parts)
		}
	}
	return out
}

// withParts rewrites a package with some parts replaced.
func withParts(t *testing.T, pkg []byte, replace map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := replace[zf.Name]; ok {
			_, _ = w.Write(b)
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(w, rc)
		_ = rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzInlineSharedStrings builds a package around a fuzzed sheet and shared-string
// table and requires the same outcome whether excelize reads the table or the strings
// are inlined first (or the workbook is found not to be inlinable and read as it is).
func FuzzInlineSharedStrings(f *testing.F) {
	for _, parts := range goldenParts(f) {
		f.Add(parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"])
	}
	f.Add([]byte(`<worksheet><sheetData>`+header+`<row r="2"><c r="A2" t="s"><f>B1</f><v>1</v></c><c r="B2" t="s" t="s"><v> 0</v></c><c r="C2"><v>2</v></c></row></sheetData></worksheet>`),
		[]byte(`<sst><si><r><rPr><b/></rPr><t>R</t></r><r><t>_x0041_</t></r></si><si><t xml:space="preserve"> S </t></si></sst>`))
	base := basicBook().bytes()
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		data := withParts(t, base, map[string][]byte{"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": sst})
		sameWithInlining(t, data, Options{Name: "fuzz.xlsx"})
	})
}
