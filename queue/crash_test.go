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

const (
	crashGroups    = 7  // batch n rewrites group n % crashGroups
	crashGroupSize = 10 // SKUs per group, all written in one transaction
)

// TestCrashChild is the child process of TestCrashSafety: it applies numbered batches as
// fast as it can and prints "committed N" after each commit returns. It does nothing when
// run as an ordinary test.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("SYNCAGENT_CRASH_DB")
	if path == "" {
		t.Skip("child of TestCrashSafety only")
	}
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(3)
	}
	s.SetStores(map[string]Rules{"ty": passThrough})
	v, _, err := s.Cursor(ctx, "crash.n")
	if err != nil {
		os.Exit(4)
	}
	n, _ := strconv.Atoi(v)
	out := bufio.NewWriter(os.Stdout)
	for {
		n++
		tx, err := s.begin(ctx)
		if err != nil {
			os.Exit(5)
		}
		if _, err := s.ApplyTx(ctx, tx, crashBatch(n)); err != nil {
			os.Exit(6)
		}
		if err := s.SetCursorTx(ctx, tx, "crash.n", strconv.Itoa(n)); err != nil {
			os.Exit(7)
		}
		if err := tx.Commit(); err != nil {
			os.Exit(8)
		}
		fmt.Fprintf(out, "committed %d\n", n)
		out.Flush()
		if n%5 == 0 { // also exercise claim/confirm under the axe
			c, err := s.Claim(ctx, "ty", 20)
			if err == nil {
				s.Confirm(ctx, c)
			}
		}
	}
}

func crashBatch(n int) []ItemChange {
	g := n % crashGroups
	out := make([]ItemChange, 0, crashGroupSize+1)
	for k := 0; k < crashGroupSize; k++ {
		q := int64(n)
		out = append(out, ItemChange{SKU: fmt.Sprintf("g%d-%d", g, k), Warehouse: "W", Qty: &q, Source: Source{Kind: "manual", Ref: "crash"}})
	}
	return out
}

// TestCrashSafety kills a child applying changes with SIGKILL at random moments, 60
// times, and checks after each kill that every batch the child reported committed is
// present, no batch is half-applied, the outbox agrees with the items, and the database
// passes integrity_check.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	const rounds = 60
	reportedRounds, totalReported := 0, 0
	for round := 1; round <= rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), "SYNCAGENT_CRASH_DB="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan int, 1<<16)
		done := make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if v, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
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
			totalReported += maxReported
		}
		verifyAfterCrash(t, path, round, maxReported)
	}
	t.Logf("%d rounds, %d with commits reported before the kill", rounds, reportedRounds)
	if reportedRounds < rounds/2 {
		t.Fatalf("only %d of %d rounds committed anything before the kill: the test proves too little", reportedRounds, rounds)
	}
}

func verifyAfterCrash(t *testing.T, path string, round, maxReported int) {
	t.Helper()
	ctx := context.Background()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if maxReported > 0 {
			t.Fatalf("round %d: database missing but %d reported", round, maxReported)
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
	v, _, _ := s.Cursor(ctx, "crash.n")
	committed, _ := strconv.Atoi(v)
	if committed < maxReported {
		t.Fatalf("round %d: child reported batch %d committed, database holds only up to %d", round, maxReported, committed)
	}
	for g := 0; g < crashGroups; g++ {
		// The newest batch that wrote group g, among those the cursor says committed.
		want := -1
		for n := committed; n >= 1 && n > committed-crashGroups; n-- {
			if n%crashGroups == g {
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
			rows.Scan(&sku, &enc, &w)
			stock := map[string]int64{}
			if err := decodeStock(enc, stock); err != nil {
				t.Fatalf("round %d: %s: %v", round, sku, err)
			}
			q := stock["W"]
			count++
			if int(q) != want {
				t.Errorf("round %d: %s has batch %d, want batch %d (committed up to %d): half-applied or lost", round, sku, q, want, committed)
			}
			if !w.Valid || w.Int64 != q {
				t.Errorf("round %d: %s outbox want %v disagrees with item %d", round, sku, w, q)
			}
		}
		rows.Close()
		if want > 0 && count != crashGroupSize {
			t.Errorf("round %d: group %d has %d SKUs, want %d", round, g, count, crashGroupSize)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}
