package dropfolder

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"
)

// benchImporter returns an importer writing to a fresh store in dir, with stores active
// stores whose rules take the default warehouse and price list.
func benchImporter(b *testing.B, dir string, stores int) (*Importer, *queue.Store) {
	b.Helper()
	st, err := queue.Open(context.Background(), filepath.Join(dir, "syncagent.db"), queue.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rules := map[string]queue.Rules{}
	for i := 0; i < stores; i++ {
		rules[string(rune('a'+i))] = queue.RulesFunc(func(it *queue.Item) queue.Desired {
			var q int64
			for _, v := range it.Stock {
				q += v
			}
			pe := it.Prices["default"]
			return queue.Desired{Qty: &q, Price: pe.Price, ListPrice: pe.ListPrice}
		})
	}
	st.SetStores(rules)
	set := Settings{Name: "bench", Dir: dir, Patterns: []string{"*"}, Warehouse: "default", PriceList: "default",
		Policy: Partial, StagingDir: filepath.Join(dir, "staging"), Parse: sheet.Options{Locale: "auto"}}
	im, err := NewImporter(set, st, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	return im, st
}

func importOnce(b *testing.B, im *Importer, path string, wantRows int) {
	b.Helper()
	res, err := im.Import(context.Background(), Request{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	defer res.Close()
	if res.Outcome != Imported || res.RowsRead != wantRows || res.Rejected != 0 || res.Applied != wantRows {
		var buf bytes.Buffer
		_ = res.WriteReport(&buf, Terminal)
		b.Fatalf("import: %s", buf.String())
	}
}

// rawExcelizeLoop is the baseline: the least any reader of the workbook must do.
func rawExcelizeLoop(b testing.TB, path string) int {
	b.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cells := 0
	for rows.Next() {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			b.Fatal(err)
		}
		cells += len(cols)
	}
	return cells
}

// BenchmarkXLSX100k measures a 100k-row, 6-column workbook from file to committed
// changes (fresh database, every row a new item, no store or one active store) against
// a bare excelize raw-value row loop over the same file in the same iteration: x-raw is
// the ratio of the two times. parse-x-raw is the sheet parser alone (callbacks that
// keep nothing) against the same loop, to tell reading from writing.
func BenchmarkXLSX100k(b *testing.B) {
	const rows = 100000
	dir := b.TempDir()
	path := filepath.Join(dir, "stok.xlsx")
	if err := writeBigXLSX(path, rows, true); err != nil {
		b.Fatal(err)
	}
	for _, stores := range []int{0, 1} {
		b.Run(map[int]string{0: "no-store", 1: "one-store"}[stores], func(b *testing.B) {
			var raw, imp, parse time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				im, st := benchImporter(b, b.TempDir(), stores)
				b.StartTimer()
				t0 := time.Now()
				if cells := rawExcelizeLoop(b, path); cells != (rows+1)*6 {
					b.Fatalf("%d cells", cells)
				}
				t1 := time.Now()
				importOnce(b, im, path, rows)
				t2 := time.Now()
				parseOnly(b, path, rows)
				raw, imp, parse = raw+t1.Sub(t0), imp+t2.Sub(t1), parse+time.Since(t2)
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows*b.N)/imp.Seconds(), "rows/s")
			b.ReportMetric(float64(rows*b.N)/raw.Seconds(), "raw-rows/s")
			b.ReportMetric(imp.Seconds()/raw.Seconds(), "x-raw")
			b.ReportMetric(parse.Seconds()/raw.Seconds(), "parse-x-raw")
		})
	}
}

// parseOnly runs the sheet parser over path with callbacks that keep nothing.
func parseOnly(b *testing.B, path string, rows int) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	src, err := sheet.FileSource(f)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	_, err = sheet.Parse(context.Background(), src, sheet.Options{Name: filepath.Base(path), TempDir: b.TempDir()},
		func(sheet.Row) error { n++; return nil }, func(p sheet.Problem) error { b.Fatal(p); return nil })
	if err != nil || n != rows {
		b.Fatalf("%d rows, %v", n, err)
	}
}

// BenchmarkCSV1254 measures a 200k-row Turkish CSV (Windows-1254, ';', decimal commas):
// parse-only (the sheet parser with callbacks that keep nothing) and end to end (file to
// committed changes, fresh database, no store).
func BenchmarkCSV1254(b *testing.B) {
	const rows = 200000
	dir := b.TempDir()
	path := filepath.Join(dir, "stok.csv")
	if err := writeBigCSV1254(path, rows); err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			parseOnly(b, path, rows)
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("end-to-end", func(b *testing.B) {
		var imp time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			im, st := benchImporter(b, b.TempDir(), 0)
			b.StartTimer()
			t0 := time.Now()
			importOnce(b, im, path, rows)
			imp += time.Since(t0)
			b.StopTimer()
			st.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(rows*b.N)/imp.Seconds(), "rows/s")
	})
}

// BenchmarkXLSX1MPeakRSS imports a generated 1M-row workbook in a child process and
// reports the child's peak resident memory (VmHWM), beside a child running the bare
// excelize loop over the same file. It takes minutes, so it runs only when asked:
//
//	DROPFOLDER_BENCH_1M=1 go test -run '^$' -bench XLSX1MPeakRSS -benchtime 1x ./erpbridge/dropfolder/
func BenchmarkXLSX1MPeakRSS(b *testing.B) {
	if os.Getenv("DROPFOLDER_BENCH_1M") == "" {
		b.Skip("set DROPFOLDER_BENCH_1M=1 to run the 1M-row memory benchmark")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc to read peak memory")
	}
	const rows = 1000000
	for _, shared := range []bool{true, false} {
		b.Run(map[bool]string{true: "shared-strings", false: "inline-strings"}[shared], func(b *testing.B) {
			dir := b.TempDir()
			path := filepath.Join(dir, "stok.xlsx")
			if err := writeBigXLSX(path, rows, shared); err != nil {
				b.Fatal(err)
			}
			fi, _ := os.Stat(path)
			b.Logf("workbook: %d rows, %.1f MB", rows, float64(fi.Size())/(1<<20))
			for i := 0; i < b.N; i++ {
				raw := runPeakChild(b, "raw", path, b.TempDir(), rows)
				imp := runPeakChild(b, "import", path, b.TempDir(), rows)
				b.Logf("raw loop: peak %.1f MB in %s; import: peak %.1f MB in %s", raw.peakMB, raw.took, imp.peakMB, imp.took)
				b.ReportMetric(imp.peakMB, "peak-MB")
				b.ReportMetric(raw.peakMB, "raw-peak-MB")
				b.ReportMetric(imp.took.Seconds()/raw.took.Seconds(), "x-raw")
			}
		})
	}
}
