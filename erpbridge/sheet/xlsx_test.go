package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// bigBook is a workbook with n data rows, large enough for the spill paths when the
// limits are shrunk: SKUs in the shared-string table, barcodes inline.
func bigBook(n int) []byte {
	rows := []xrow{textRow(1, "Stok Kodu", "Barkod", "Miktar", "Fiyat")}
	for i := 2; i <= n+1; i++ {
		rows = append(rows, xr(i, xsst(fmt.Sprintf("SKU-%06d", i)), xinl(ean(fmt.Sprintf("869%09d", i))), xnum(strconv.Itoa(i%50)), xnum("12.5")))
	}
	return xbook{sheets: []xsheet{{name: "Stok", rows: rows}}}.bytes()
}

func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func parseWith(t *testing.T, data []byte, opts Options, lim limits) ([]Row, []Problem, error) {
	t.Helper()
	var rows []Row
	var probs []Problem
	_, err := parse(context.Background(), bytes.NewReader(data), opts, lim, func(r Row) error {
		rows = append(rows, r)
		return nil
	}, func(p Problem) error {
		probs = append(probs, p)
		return nil
	})
	return rows, probs, err
}

// A large workbook is copied to TempDir and opened by path, or rewritten there with
// its shared strings inlined; its sheet is unpacked to TempDir by excelize, and
// nothing is left behind afterwards.
func TestLargeWorkbookUsesTempDirAndCleansUp(t *testing.T) {
	data := bigBook(3000)
	lim := defaultLimits
	lim.unzipSpill = 16 << 10
	fds := openFiles(t) // after the first parse below the runtime's own descriptors exist
	routes := []struct {
		name          string
		spool, inline int64
	}{
		{"copied", 1 << 10, 1 << 40}, // force the copy-and-open-by-path route
		{"in memory", 1 << 30, 1 << 40},
		{"copied again", 1 << 10, 1 << 40},
		{"inlined", 1 << 30, 0},
	}
	for _, route := range routes {
		lim.spoolAbove, lim.sstInlineAbove = route.spool, route.inline
		tmp := t.TempDir()
		var during []string
		n := 0
		_, err := parse(context.Background(), bytes.NewReader(data), Options{Name: "big.xlsx", TempDir: tmp}, lim, func(r Row) error {
			if n == 0 {
				during = filesUnder(t, tmp)
			}
			n++
			return nil
		}, func(p Problem) error { return fmt.Errorf("unexpected problem %v", p) })
		if err != nil || n != 3000 {
			t.Fatalf("%s: %d rows, err %v", route.name, n, err)
		}
		spilled := 0
		for _, f := range during {
			if strings.Contains(f, "excelize-") {
				spilled++
			}
		}
		// Read as it is, the table is unpacked and indexed to files of its own.
		if spilled == 0 || route.inline == 0 && spilled != 1 {
			t.Errorf("%s: %d excelize temp files under TempDir while parsing; saw %q", route.name, spilled, during)
		}
		if left := filesUnder(t, tmp); len(left) != 0 {
			t.Errorf("%s: left behind %q", route.name, left)
		}
		if now := openFiles(t); fds >= 0 && now > fds {
			t.Errorf("%s: %d open files after parsing, %d before: the rows or the workbook were not closed", route.name, now, fds)
		}
		fds = openFiles(t)
	}
}

// openFiles counts this process's open file descriptors (-1 where /proc is absent).
func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

func TestFailedOpenLeavesNothingBehind(t *testing.T) {
	data := bigBook(500)
	lim := defaultLimits
	lim.spoolAbove = 1 << 10
	for name, b := range map[string][]byte{
		"truncated": data[:len(data)*2/3],
		"bad crc":   corruptCRC(data, "xl/worksheets/sheet1.xml"),
		"bad sheet": replacePart(data, "xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A0\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>"),
		"no sheet":  replacePart(data, "xl/workbook.xml", "<workbook><sheets/></workbook>"),
	} {
		tmp := t.TempDir()
		_, _, err := parseWith(t, b, Options{Name: "x.xlsx", TempDir: tmp}, lim)
		var fe *FileError
		if !errors.As(err, &fe) || (name != "no sheet" && !errors.Is(err, ErrDamaged)) {
			t.Errorf("%s: err %v; want a damaged-file error", name, err)
		}
		if left := filesUnder(t, tmp); len(left) != 0 {
			t.Errorf("%s: left behind %q", name, left)
		}
	}
}

// rawZip writes entries as given, including sizes that lie, which zip.Writer's
// normal API would not allow.
func rawZip(t *testing.T, entries ...rawEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		_, _ = fw.Write(e.data)
		_ = fw.Close()
		size := uint64(len(e.data))
		if e.declared > 0 {
			size = e.declared
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(e.data),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type rawEntry struct {
	name     string
	data     []byte
	declared uint64 // 0 = the true size
}

func TestZipBombs(t *testing.T) {
	book := bigBook(10)
	parts := unzipAll(t, book)
	var honest []rawEntry
	for name, data := range parts {
		honest = append(honest, rawEntry{name: name, data: data})
	}
	// 1. Declares 2 GiB: refused before anything is unpacked, with the default limits.
	bomb := append(append([]rawEntry(nil), honest...), rawEntry{name: "xl/media/huge.bin", data: []byte("x"), declared: 2 << 30})
	if _, _, _, err := parseAll(t, rawZip(t, bomb...), Options{Name: "bomb.xlsx"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("declared 2 GiB: err %v; want ErrTooLarge", err)
	}
	// 2. Honest sizes, but more than the limit allows once unpacked.
	big := append(append([]rawEntry(nil), honest...), rawEntry{name: "xl/media/zeros.bin", data: make([]byte, 3<<20)})
	lim := defaultLimits
	lim.unzipTotal = 2 << 20
	if _, _, err := parseWith(t, rawZip(t, big...), Options{Name: "zeros.xlsx"}, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("3 MB of zeros over a 2 MB limit: err %v; want ErrTooLarge", err)
	}
	// 3. Lies low: declares 100 bytes for a 3 MB sheet. The zip reader stops at the
	// declared size and the file is refused as damaged.
	var liar []rawEntry
	for _, e := range honest {
		if e.name == "xl/worksheets/sheet1.xml" {
			e.data = append(bytes.TrimSuffix(e.data, []byte("</sheetData></worksheet>")), bytes.Repeat([]byte(" "), 3<<20)...)
			e.data = append(e.data, "</sheetData></worksheet>"...)
			e.declared = 100
		}
		liar = append(liar, e)
	}
	if _, _, _, err := parseAll(t, rawZip(t, liar...), Options{Name: "liar.xlsx"}); !errors.Is(err, ErrDamaged) {
		t.Errorf("understated size: err %v; want ErrDamaged", err)
	}
}

// The excelize limit is a second line behind sniff's check of the declared sizes;
// this test goes around sniff to prove the limit is set and reported.
func TestExcelizeUnzipLimit(t *testing.T) {
	o, _ := normalize(Options{Name: "big.xlsx"})
	lim := defaultLimits
	lim.unzipTotal = 64 << 10
	f, err := openWorkbook(context.Background(), bytes.NewReader(bigBook(3000)), o, lim, t.TempDir(), false)
	if f != nil {
		_ = closeWorkbook(f)
	}
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err %v; want ErrTooLarge from excelize's UnzipSizeLimit", err)
	}
}

func TestEncryptedWorkbooks(t *testing.T) {
	rows, _, err := parseWith(t, encryptedXLSX(excelDefaultPassword), Options{Name: "v.xlsx"}, defaultLimits)
	if err != nil || len(rows) != 1 || rows[0].SKU != "GİZLİ-1" {
		t.Fatalf("default password: rows %+v err %v", rows, err)
	}
	lim := defaultLimits
	lim.maxDecrypt = 1 << 10
	if _, _, err := parseWith(t, encryptedXLSX(excelDefaultPassword), Options{Name: "v.xlsx"}, lim); !errors.Is(err, ErrEncrypted) {
		t.Errorf("over the decrypt limit: err %v; want ErrEncrypted", err)
	}
	_, _, err = parseWith(t, encryptedXLSX("gizli"), Options{Name: "s.xlsx"}, defaultLimits)
	var fe *FileError
	if !errors.Is(err, ErrEncrypted) || !errors.As(err, &fe) || !strings.Contains(err.Error(), "s.xlsx is password-protected") {
		t.Errorf("real password: err %v; want ErrEncrypted naming the file", err)
	}
}

func TestXLSXFormatOption(t *testing.T) {
	book := basicBook().bytes()
	if _, rows, _, err := parseAll(t, book, Options{Name: "a.bin", Format: "xlsx"}); err != nil || len(rows) == 0 {
		t.Errorf("format xlsx: rows %d err %v", len(rows), err)
	}
	if _, _, _, err := parseAll(t, []byte("Stok Kodu;Miktar\nA;1\n"), Options{Name: "a.xlsx", Format: "xlsx"}); !errors.Is(err, ErrWrongFormat) {
		t.Errorf("text with format xlsx: err %v; want ErrWrongFormat", err)
	}
}

func unzipAll(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]byte)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(rc)
		_ = rc.Close()
		out[f.Name] = b.Bytes()
	}
	return out
}

func replacePart(data []byte, name, body string) []byte {
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		if f.Name == name {
			_, _ = w.Write([]byte(body))
			continue
		}
		rc, _ := f.Open()
		_, _ = io.Copy(w, rc)
		_ = rc.Close()
	}
	_ = zw.Close()
	return buf.Bytes()
}

// corruptCRC flips one byte of a stored part's data so its checksum fails.
func corruptCRC(data []byte, name string) []byte {
	out := append([]byte(nil), data...)
	zr, _ := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	for _, f := range zr.File {
		if f.Name == name {
			off, _ := f.DataOffset()
			out[off+int64(f.CompressedSize64/2)] ^= 0xFF
		}
	}
	return out
}

func TestSniffKinds(t *testing.T) {
	o, _ := normalize(Options{Name: "x"})
	tests := []struct {
		name string
		data []byte
		kind kind
		err  error
	}{
		{"xlsx", basicBook().bytes(), kindXLSX, nil},
		{"encrypted", fakeOLE("EncryptedPackage"), kindEncrypted, nil},
		{"xls", fakeOLE("Workbook"), 0, ErrUnsupported},
		{"biff2", []byte{0x09, 0x00, 0x04, 0x00, 0x07, 0x00, 0x10, 0x00}, 0, ErrUnsupported},
		{"docx", zipOf("[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>"), 0, ErrUnsupported},
		{"plain zip", zipOf("readme.txt", "hello"), 0, ErrUnsupported},
		{"odt", zipOf("mimetype", "application/vnd.oasis.opendocument.text"), 0, ErrUnsupported},
		{"spreadsheetml 2003", []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>`), 0, ErrUnsupported},
		{"html", []byte("\xEF\xBB\xBF  <!DOCTYPE html><table>"), 0, ErrUnsupported},
		{"csv", []byte("a;b\n"), kindText, nil},
		{"zip header only", []byte("PK\x03\x04garbage"), 0, ErrDamaged},
	}
	for _, tc := range tests {
		k, err := sniff(bytes.NewReader(tc.data), o, defaultLimits)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: err %v; want %v", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || k != tc.kind {
			t.Errorf("%s: kind %v err %v; want %v", tc.name, k, err, tc.kind)
		}
	}
}

func TestContainsAcrossBlocks(t *testing.T) {
	data := make([]byte, 200<<10)
	pat := utf16le("EncryptedPackage")
	copy(data[64<<10-5:], pat) // straddles the first block boundary
	found, err := contains(bytes.NewReader(data), pat)
	if err != nil || !found {
		t.Errorf("pattern across a block boundary: found %v err %v", found, err)
	}
	found, _ = contains(bytes.NewReader(make([]byte, 200<<10)), pat)
	if found {
		t.Error("found a pattern that is not there")
	}
}
