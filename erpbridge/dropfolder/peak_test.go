package dropfolder

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/erpbridge/sheet"
	"syncagent/queue"
)

type peak struct {
	peakMB float64
	took   time.Duration
}

// runPeakChild runs TestHelperPeakRSS in a child process doing mode over path.
func runPeakChild(b *testing.B, mode, path, dir string, rows int) peak {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPeakRSS$")
	cmd.Env = append(os.Environ(), "DROPFOLDER_PEAK_MODE="+mode, "DROPFOLDER_PEAK_FILE="+path,
		"DROPFOLDER_PEAK_DIR="+dir, "DROPFOLDER_PEAK_ROWS="+strconv.Itoa(rows))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s child: %v\n%s", mode, err, out.String())
	}
	var p peak
	var kb int64
	var ns int64
	for _, line := range strings.Split(out.String(), "\n") {
		if _, err := fmt.Sscanf(line, "PEAK %d %d", &kb, &ns); err == nil {
			p.peakMB, p.took = float64(kb)/1024, time.Duration(ns)
			return p
		}
	}
	b.Fatalf("%s child printed no PEAK line:\n%s", mode, out.String())
	return p
}

// TestHelperPeakRSS is the child of BenchmarkXLSX1MPeakRSS: it reads the workbook
// (the bare excelize loop, or a full import into a fresh store) and prints its own
// peak resident memory and the time taken.
func TestHelperPeakRSS(t *testing.T) {
	mode := os.Getenv("DROPFOLDER_PEAK_MODE")
	if mode == "" {
		t.Skip("child process of BenchmarkXLSX1MPeakRSS")
	}
	path, dir := os.Getenv("DROPFOLDER_PEAK_FILE"), os.Getenv("DROPFOLDER_PEAK_DIR")
	rows, _ := strconv.Atoi(os.Getenv("DROPFOLDER_PEAK_ROWS"))
	start := time.Now()
	switch mode {
	case "raw":
		if cells := rawExcelizeLoop(t, path); cells != (rows+1)*6 {
			t.Fatalf("%d cells", cells)
		}
	case "import":
		st, err := queue.Open(context.Background(), dir+"/syncagent.db", queue.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		set := Settings{Name: "bench", Dir: dir, Patterns: []string{"*"}, Warehouse: "default", PriceList: "default",
			Policy: Partial, StagingDir: dir + "/staging", Parse: sheet.Options{Locale: "auto"}}
		im, err := NewImporter(set, st, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		res, err := im.Import(context.Background(), Request{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Close()
		if res.RowsRead != rows || res.Applied != rows {
			t.Fatalf("read %d, applied %d, rejected %d", res.RowsRead, res.Applied, res.Rejected)
		}
	default:
		t.Fatalf("mode %q", mode)
	}
	took := time.Since(start)
	fmt.Printf("PEAK %d %d\n", vmHWM(t), took.Nanoseconds())
}

// vmHWM reads the process's peak resident set size in kB.
func vmHWM(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}
