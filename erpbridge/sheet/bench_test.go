package sheet

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// benchCSV1254 is a Turkish Excel "CSV (Comma delimited)" export: Windows-1254,
// ';' and decimal commas.
func benchCSV1254(rows int) []byte {
	var b strings.Builder
	b.WriteString("Stok Kodu;Ürün Adı;Barkod;Miktar;Fiyat;Liste Fiyatı;Depo\r\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "ŞĞÜ-%07d;Çaykur Rize Turist Çayı %d g;%s;%d;%d.%03d,%02d;%d,90;İZMİR\r\n",
			i, i%1000, ean(fmt.Sprintf("869%09d", i)), i%500, 1+i%9, i%1000, i%100, 100+i%900)
	}
	return cp1254(b.String())
}

func BenchmarkCSV1254(b *testing.B) {
	const n = 100_000
	data := benchCSV1254(n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got := 0
		h, err := Parse(context.Background(), bytes.NewReader(data), Options{Name: "b.csv"}, func(Row) error { got++; return nil }, func(p Problem) error { return fmt.Errorf("%v", p) })
		if err != nil || got != n || h.Encoding != "windows-1254" || h.Delimiter != ";" {
			b.Fatalf("rows %d header %+v err %v", got, h, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// streamBook writes rows×6 cells with excelize's StreamWriter (inline strings), the
// way a program would export a stock list.
func streamBook(w io.Writer, rows int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"Stok Kodu", "Barkod", "Miktar", "Fiyat", "Liste Fiyatı", "Depo"}); err != nil {
		return err
	}
	for i := 2; i <= rows+1; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		// Prices are written from their decimal text, never computed in float.
		price, _ := strconv.ParseFloat(fmt.Sprintf("%d.%02d", 1+i%5000, i%100), 64)
		if err := sw.SetRow(cell, []any{fmt.Sprintf("SKU-%07d", i), ean(fmt.Sprintf("869%09d", i)), i % 500, price, 1499.9, "MERKEZ"}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// sstBook holds the same kind of rows with text in the shared-string table, as Excel
// itself saves.
func sstBook(rows int) []byte {
	rs := []xrow{textRow(1, "Stok Kodu", "Barkod", "Miktar", "Fiyat", "Liste Fiyatı", "Depo")}
	for i := 2; i <= rows+1; i++ {
		rs = append(rs, xr(i, xsst(fmt.Sprintf("SKU-%07d", i)), xsst(ean(fmt.Sprintf("869%09d", i))), xnum(strconv.Itoa(i%500)),
			xnum(fmt.Sprintf("%d.%02d", 1+i%5000, i%100)), xnum("1499.9"), xsst("MERKEZ")))
	}
	return xbook{sheets: []xsheet{{name: "Sheet1", rows: rs}}}.bytes()
}

var benchBooks = sync.OnceValues(func() (map[string][]byte, error) {
	var stream bytes.Buffer
	if err := streamBook(&stream, 100_000); err != nil {
		return nil, err
	}
	return map[string][]byte{"stream": stream.Bytes(), "shared-strings": sstBook(100_000)}, nil
})

// BenchmarkXLSX100k compares Parse with the least a caller of excelize can do: open,
// stream the rows with raw values, close. The importer's budget is 1.5× that loop end
// to end, so Parse must stay well under it.
func BenchmarkXLSX100k(b *testing.B) {
	books, err := benchBooks()
	if err != nil {
		b.Fatal(err)
	}
	parseBench := func(data []byte, lim limits) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				got := 0
				_, err := parse(context.Background(), bytes.NewReader(data), Options{Name: "b.xlsx"}, lim, func(Row) error { got++; return nil }, func(p Problem) error { return fmt.Errorf("%v", p) })
				if err != nil || got != 100_000 {
					b.Fatalf("rows %d err %v", got, err)
				}
			}
			b.ReportMetric(100_000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		}
	}
	for _, kind := range []string{"stream", "shared-strings"} {
		data := books[kind]
		b.Run(kind+"/parse", parseBench(data, defaultLimits))
		b.Run(kind+"/bare-excelize", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if got := bareExcelize(b, data); got != 100_001 {
					b.Fatalf("rows %d", got)
				}
			}
			b.ReportMetric(100_000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
	// The same table inlined, as tables above limits.sstInlineAbove are: what the
	// rewrite costs against shared-strings/parse.
	inline := defaultLimits
	inline.sstInlineAbove = 0
	b.Run("shared-strings/parse-inlined", parseBench(books["shared-strings"], inline))
}

func bareExcelize(b *testing.B, data []byte) int {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			b.Fatal(err)
		}
		if len(cells) > 0 {
			n++
		}
	}
	return n
}

// TestPeakRSSMillionRows measures the parser's peak memory on 1,000,000-row
// workbooks in a child process, so the measurement holds nothing but the parse: one
// written by excelize's StreamWriter (inline strings) and one as Excel saves it, with
// two million unique strings in the shared-string table (read through
// inlineSharedStrings).
// It takes a minute or two and runs only when asked:
//
//	SHEET_PEAK_RSS=1 go test -run TestPeakRSSMillionRows -v ./erpbridge/sheet/
func TestPeakRSSMillionRows(t *testing.T) {
	if os.Getenv("SHEET_PEAK_RSS") == "" {
		t.Skip("set SHEET_PEAK_RSS=1 to measure peak memory on 1M-row workbooks")
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("SHEET_PEAK_ROWS")); err == nil && v > 0 {
		n = v // e.g. 500000 for the 500k-row scenario in traps.md
	}
	dir := t.TempDir()
	stream := filepath.Join(dir, "stream.xlsx")
	out, err := os.Create(stream)
	if err != nil {
		t.Fatal(err)
	}
	if err := streamBook(out, n); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	sst := filepath.Join(dir, "shared-strings.xlsx")
	if err := os.WriteFile(sst, sstBook(n), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{stream, sst} {
		fi, _ := os.Stat(path)
		cmd := exec.Command(os.Args[0], "-test.run=^TestPeakRSSChild$", "-test.v")
		cmd.Env = append(os.Environ(), "SHEET_PEAK_CHILD="+path, "SHEET_PEAK_TMP="+t.TempDir())
		outb, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: child failed: %v\n%s", path, err, outb)
		}
		report := ""
		sc := bufio.NewScanner(bytes.NewReader(outb))
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "PEAK ") {
				report = sc.Text()
			}
		}
		t.Logf("%s (%d MB): %s", filepath.Base(path), fi.Size()>>20, report)
		var rows, hwm, bad int
		if _, err := fmt.Sscanf(report, "PEAK rows=%d vmhwm_kb=%d bad=%d", &rows, &hwm, &bad); err != nil || rows != n || bad != 0 {
			t.Fatalf("child report %q: %v", report, err)
		}
		if hwm > 100<<10 {
			t.Errorf("%s: peak RSS %d MB; target is 100 MB", filepath.Base(path), hwm>>10)
		}
	}
}

// TestPeakRSSChild is the child half of TestPeakRSSMillionRows.
func TestPeakRSSChild(t *testing.T) {
	path := os.Getenv("SHEET_PEAK_CHILD")
	if path == "" {
		t.Skip("run by TestPeakRSSMillionRows")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := FileSource(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, bad := 0, 0
	start := time.Now()
	_, err = Parse(context.Background(), src, Options{Name: filepath.Base(path), TempDir: os.Getenv("SHEET_PEAK_TMP")},
		func(r Row) error {
			rows++
			if r.SKU != fmt.Sprintf("SKU-%07d", r.Line) || r.Barcode != ean(fmt.Sprintf("869%09d", r.Line)) {
				bad++
			}
			return nil
		}, func(p Problem) error { return fmt.Errorf("%v", p) })
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status on this system")
	}
	hwm := 0
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			hwm, _ = strconv.Atoi(strings.Fields(line)[1])
		}
	}
	fmt.Printf("PEAK rows=%d vmhwm_kb=%d bad=%d elapsed=%s\n", rows, hwm, bad, elapsed.Round(100*time.Millisecond))
}
