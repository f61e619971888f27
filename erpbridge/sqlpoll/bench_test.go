package sqlpoll

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"syncagent/config"
)

// The large-table run: a PostgreSQL table of N rows read five times in snapshot mode:
// the first reading (every row new), a second with nothing changed, a third after 1% of
// the rows changed, a fourth after one row was deleted (the quick comparison's key tally
// no longer matches, so the reading runs again in exact mode), and a fifth with nothing
// changed, which starts in exact mode because the one before found a key gone. It runs in a child process so that the peak RSS it reports
// (VmHWM, reset before each phase through /proc/self/clear_refs) is the reading's own,
// not the test framework's or the table setup's.

type phase struct {
	name                                   string
	rows, changed, applied, rejected, gone int
	rechecked                              bool
	seconds, erpSeconds                    float64
	peakMB                                 float64
}

// runLarge creates the table, runs the child and returns its phases.
func runLarge(t testing.TB, rows int) []phase {
	if runtime.GOOS != "linux" {
		t.Skip("the large-table run reads its peak RSS from /proc (Linux)")
	}
	e := pgERP(t)
	tb := e.table(t, "large")
	e.exec(t, "CREATE TABLE "+tb+" (n INTEGER, sku TEXT, barcode TEXT, qty INTEGER, price NUMERIC(12,2))")
	e.exec(t, `INSERT INTO `+tb+` SELECT g, 'SKU' || lpad(g::text, 7, '0'), '869' || lpad(g::text, 10, '0'), g % 500,
		(g % 10000) / 100.0 + 1 FROM generate_series(1, ?) g`, rows)
	e.exec(t, "ANALYZE "+tb)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLargeChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), "SYNCAGENT_SQLPOLL_LARGE="+tb, "SYNCAGENT_SQLPOLL_DIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var phases []phase
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "phase" {
			continue
		}
		p := phase{name: f[1]}
		p.rows, _ = strconv.Atoi(f[2])
		p.changed, _ = strconv.Atoi(f[3])
		p.applied, _ = strconv.Atoi(f[4])
		p.rejected, _ = strconv.Atoi(f[5])
		p.seconds, _ = strconv.ParseFloat(f[6], 64)
		p.erpSeconds, _ = strconv.ParseFloat(f[7], 64)
		p.peakMB, _ = strconv.ParseFloat(f[8], 64)
		p.gone, _ = strconv.Atoi(f[9])
		p.rechecked = f[10] == "true"
		phases = append(phases, p)
	}
	if err := cmd.Wait(); err != nil || len(phases) != 5 {
		t.Fatalf("child: %v, %d phases", err, len(phases))
	}
	return phases
}

// TestLargeChild is the child process of runLarge; it does nothing in a normal run.
func TestLargeChild(t *testing.T) {
	tb := os.Getenv("SYNCAGENT_SQLPOLL_LARGE")
	if tb == "" {
		t.Skip("child process of the large-table run")
	}
	e := pgERP(t)
	st := openStore(t)
	cfg := source(e, "large", "SELECT sku, barcode, qty AS quantity, price FROM "+tb)
	cfg.Timeout = config.Duration(5 * time.Minute)
	p := newPoller(t, cfg, st, Options{})
	run := func(name string) {
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			t.Fatalf("resetting the peak RSS: %v", err)
		}
		start := time.Now()
		res := mustRead(t, p)
		secs := time.Since(start).Seconds()
		fmt.Printf("phase %s %d %d %d %d %.3f %.3f %.1f %d %t\n", name, res.Rows, res.Changed, res.Applied, res.Rejected, secs, res.ERPTime.Seconds(), peakRSSMB(t),
			res.Disappeared, res.Rechecked)
	}
	run("first")
	run("unchanged")
	e.exec(t, "UPDATE "+tb+" SET qty = qty + 1 WHERE n % 100 = 0")
	run("1%changed")
	e.exec(t, "DELETE FROM "+tb+" WHERE n = 1")
	run("1deleted")
	run("afterdelete")
}

// peakRSSMB reads VmHWM, the peak resident set since the last reset.
func peakRSSMB(t testing.TB) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkSnapshot1M reads a 1,000,000-row PostgreSQL table five times (see runLarge)
// and reports each phase's wall time, rows/s and peak RSS. Targets: ≤ 10 s and ≤ 150 MB.
// Run: go test -run '^$' -bench Snapshot1M -benchtime 1x ./erpbridge/sqlpoll/
func BenchmarkSnapshot1M(b *testing.B) {
	for b.Loop() {
		for _, p := range runLarge(b, 1_000_000) {
			b.ReportMetric(p.seconds, p.name+"-s")
			b.ReportMetric(p.erpSeconds, p.name+"-erp-s")
			b.ReportMetric(float64(p.rows)/p.seconds, p.name+"-rows/s")
			b.ReportMetric(p.peakMB, p.name+"-peakMB")
		}
	}
}

// TestSnapshotLargeTable checks the counts of the large-table run and that memory stays
// flat: the peak RSS of a reading does not grow with the table. It is skipped with
// -short; under the race detector (which multiplies memory and time) it reads 100k rows
// and does not judge memory. SYNCAGENT_SQLPOLL_LARGE_ROWS sets another size.
func TestSnapshotLargeTable(t *testing.T) {
	if testing.Short() {
		t.Skip("large-table run skipped in -short mode")
	}
	rows := 1_000_000
	if raceEnabled {
		rows = 100_000
	}
	if v := os.Getenv("SYNCAGENT_SQLPOLL_LARGE_ROWS"); v != "" { // to compare sizes
		rows, _ = strconv.Atoi(v)
	}
	phases := runLarge(t, rows)
	want := []struct{ changed, applied int }{{rows, rows}, {0, 0}, {rows / 100, rows / 100}, {0, 0}, {0, 0}}
	for i, p := range phases {
		t.Logf("%-10s %7d rows, %7d changed, %d disappeared (rechecked: %t) in %6.2f s (ERP phase %5.2f s), peak RSS %5.1f MB", p.name, p.rows, p.changed, p.gone, p.rechecked, p.seconds, p.erpSeconds, p.peakMB)
		wantRows := rows
		if i >= 3 {
			wantRows = rows - 1
		}
		if p.rows != wantRows || p.changed != want[i].changed || p.applied != want[i].applied || p.rejected != 0 ||
			p.gone != map[bool]int{true: 1}[i == 3] || p.rechecked != (i == 3) {
			t.Errorf("%s: %+v, want %d changed and applied", p.name, p, want[i].changed)
		}
		if !raceEnabled && p.peakMB > 150 {
			t.Errorf("%s: peak RSS %.1f MB is over 150 MB", p.name, p.peakMB)
		}
	}
}
