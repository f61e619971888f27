package queue

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Import n of the crash child writes group n % crashGroups (as TestCrashChild's batches
// do), in two chunks; every importFailEvery-th import fails and must leave only its record.
const importFailEvery = 4

func importBatchFile(n int) string { return fmt.Sprintf("batch-%06d.csv", n) }

// TestImportCrashChild is the child process of the import crash tests: it runs numbered
// imports as fast as it can and prints "committed N" after each Commit returns. With
// SYNCAGENT_IMPORT_CRASH_HOLD=k it commits imports up to k, then applies import k+1,
// prints "applied", and waits to be killed before its commit. It does nothing when run
// as an ordinary test.
func TestImportCrashChild(t *testing.T) {
	path := os.Getenv("SYNCAGENT_IMPORT_CRASH_DB")
	if path == "" {
		t.Skip("child of the import crash tests only")
	}
	hold, _ := strconv.Atoi(os.Getenv("SYNCAGENT_IMPORT_CRASH_HOLD"))
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(3)
	}
	s.SetStores(map[string]Rules{"ty": passThrough})
	ims, err := s.RecentImports(ctx, 1<<20)
	if err != nil {
		os.Exit(4)
	}
	out := bufio.NewWriter(os.Stdout)
	for n := len(ims) + 1; ; n++ {
		file := importBatchFile(n)
		itx, err := s.BeginImport(ctx, "crash", file, time.Now())
		if err != nil {
			os.Exit(5)
		}
		rows := crashBatch(n)
		for i := range rows {
			rows[i].Source = Source{Kind: "file", Ref: file, Row: i + 2}
		}
		for _, chunk := range [][]ItemChange{rows[:crashGroupSize/2], rows[crashGroupSize/2:]} {
			if _, err := itx.Repeats(ctx, chunk); err != nil {
				os.Exit(6)
			}
			if _, err := itx.Apply(ctx, chunk); err != nil {
				os.Exit(7)
			}
		}
		if hold > 0 && n > hold {
			fmt.Fprintln(out, "applied")
			out.Flush()
			time.Sleep(time.Hour) // until killed
		}
		rec := Import{Status: ImportImported, RowsRead: len(rows), Applied: len(rows)}
		if n%importFailEvery == 0 {
			rec = Import{Status: ImportFailed, RowsRead: len(rows), Rejected: 1, Error: "all-or-nothing"}
		}
		if err := itx.Commit(ctx, rec); err != nil {
			os.Exit(8)
		}
		fmt.Fprintf(out, "committed %d\n", n)
		out.Flush()
	}
}

// importChild starts the crash child on path.
func importChild(t *testing.T, path string, hold int) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrashChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), "SYNCAGENT_IMPORT_CRASH_DB="+path, "SYNCAGENT_IMPORT_CRASH_HOLD="+strconv.Itoa(hold))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(stdout)
}

// A kill -9 after an import's rows are applied and before its commit loses none of the
// imports committed before it and leaves nothing of its own: no record, no row.
func TestImportKilledBetweenApplyAndCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	const committed = 6 // imports 1–6, of which 4 failed
	cmd, out := importChild(t, path, committed)
	var lines []string
	for out.Scan() {
		lines = append(lines, out.Text())
		if out.Text() == "applied" {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(lines) != committed+1 || lines[committed-1] != fmt.Sprintf("committed %d", committed) || lines[committed] != "applied" {
		t.Fatalf("the child said %q", lines)
	}
	verifyImportsAfterCrash(t, path, 1, committed)
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ims, _ := s.RecentImports(context.Background(), 100); len(ims) != committed {
		t.Fatalf("%d import records after the kill, want the %d committed", len(ims), committed)
	}
}

// TestImportCrashSafety kills the child at random moments of its imports, 30 times, and
// checks after each kill that every import the child reported committed is there with
// all of its rows (or, for a failed one, none), that no import is half there, and that
// the database passes integrity_check.
func TestImportCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(2, uint64(time.Now().UnixNano())))
	const rounds = 30
	reportedRounds := 0
	for round := 1; round <= rounds; round++ {
		cmd, out := importChild(t, path, 0)
		lines := make(chan int, 1<<16)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for out.Scan() {
				if v, ok := strings.CutPrefix(out.Text(), "committed "); ok {
					n, _ := strconv.Atoi(v)
					lines <- n
				}
			}
		}()
		time.Sleep(time.Duration(20+rng.IntN(250)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		<-done
		close(lines)
		maxReported := 0
		for n := range lines {
			maxReported = max(maxReported, n)
		}
		if maxReported > 0 {
			reportedRounds++
		}
		verifyImportsAfterCrash(t, path, round, maxReported)
	}
	t.Logf("%d rounds, %d with imports reported committed before the kill", rounds, reportedRounds)
	if reportedRounds < rounds/2 {
		t.Fatalf("only %d of %d rounds committed an import before the kill: the test proves too little", reportedRounds, rounds)
	}
}

// verifyImportsAfterCrash checks the store at path after a kill: imports 1…N are all
// recorded, N at least maxReported, each imported or failed as the child decided, and
// every group holds the rows of the newest import that wrote it and did not fail.
func verifyImportsAfterCrash(t *testing.T, path string, round, maxReported int) {
	t.Helper()
	ctx := context.Background()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if maxReported > 0 {
			t.Fatalf("round %d: database missing but import %d reported committed", round, maxReported)
		}
		return
	}
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("round %d: reopen after kill: %v", round, err)
	}
	defer s.Close()
	if res, err := s.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("round %d: integrity_check = %q %v", round, res, err)
	}
	ims, err := s.RecentImports(ctx, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	committed := len(ims)
	if committed < maxReported {
		t.Fatalf("round %d: import %d was reported committed, the database holds %d imports", round, maxReported, committed)
	}
	for i, im := range ims {
		n := committed - i
		want := ImportImported
		if n%importFailEvery == 0 {
			want = ImportFailed
		}
		if im.File != importBatchFile(n) || im.Status != want {
			t.Fatalf("round %d: import record %+v, want %s %s", round, im, importBatchFile(n), want)
		}
	}
	for g := 0; g < crashGroups; g++ {
		want := -1 // the newest import that wrote group g and was kept
		for n := committed; n >= 1 && want < 0; n-- {
			if n%crashGroups == g && n%importFailEvery != 0 {
				want = n
			}
		}
		rows, err := s.r.Query(`SELECT i.sku, i.stock, o.want_qty FROM items i LEFT JOIN outbox o ON o.store = 'ty' AND o.sku = i.sku
			WHERE i.sku LIKE ?`, fmt.Sprintf("g%d-%%", g))
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for rows.Next() {
			var sku, enc string
			var w sql.NullInt64
			if err := rows.Scan(&sku, &enc, &w); err != nil {
				t.Fatal(err)
			}
			stock := map[string]int64{}
			if err := decodeStock(enc, stock); err != nil {
				t.Fatalf("round %d: %s: %v", round, sku, err)
			}
			count++
			if q := stock["W"]; int(q) != want || !w.Valid || w.Int64 != q {
				t.Errorf("round %d: %s holds import %d (outbox %v), want import %d of %d: half-applied, lost, or a failed file's rows kept",
					round, sku, q, w, want, committed)
			}
		}
		rows.Close()
		if want > 0 && count != crashGroupSize {
			t.Errorf("round %d: group %d has %d SKUs, want %d", round, g, count, crashGroupSize)
		}
		if want < 0 && count != 0 {
			t.Errorf("round %d: group %d has %d SKUs and no kept import wrote it", round, g, count)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}
