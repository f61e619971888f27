package sqlpoll

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"syncagent/config"
	"syncagent/queue"
)

// The connection is killed from the server side while a reading streams its result. The
// reading must fail as "down", leave the queue, the snapshot and the mark exactly as
// before, and the next reading must take everything.

const killRows = 20000

func TestKilledConnectionMidReadingPostgres(t *testing.T) {
	e := pgERP(t)
	tb := e.table(t, "kill")
	e.exec(t, "CREATE TABLE "+tb+" (n INTEGER, sku TEXT, qty INTEGER)")
	e.exec(t, "INSERT INTO "+tb+" SELECT g, 'S' || g, g % 100 FROM generate_series(1, ?) g", killRows)
	st := openStore(t)
	// The server sleeps 20 ms every 1000 rows, so it is still producing rows when the kill
	// comes after the first 1000 rows were read.
	cfg := source(e, "kill", "SELECT sku, qty FROM "+tb+" WHERE n % 1000 <> 0 OR pg_sleep(0.02)::text = ''")
	var once sync.Once
	killed := false
	p := newPoller(t, cfg, st, Options{afterRead: func() {
		once.Do(func() {
			var n int
			err := e.db.QueryRow("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'syncagent source kill'").Scan(&n)
			if err != nil || n != 1 {
				t.Errorf("terminating the reading's backend: %d %v", n, err)
			}
			killed = true
		})
	}})
	_, err := p.Read(context.Background())
	if !killed {
		t.Fatal("the reading ended before the kill")
	}
	checkKilled(t, err, st, "kill", "")
	p.opts.afterRead = nil
	res := mustRead(t, p)
	if res.Rows != killRows || res.Changed != killRows || res.Snapshot != killRows {
		t.Fatalf("retry: %+v", res)
	}
}

func TestKilledConnectionMidReadingMariaDB(t *testing.T) {
	e := myERP(t)
	tb := e.table(t, "kill")
	e.exec(t, "CREATE TABLE "+tb+" (n INTEGER, sku VARCHAR(20), qty INTEGER, ver BIGINT)")
	e.exec(t, "INSERT INTO "+tb+" SELECT n, CONCAT('S', n), n % 100, n FROM "+mysqlSeries(5)+" WHERE n <= ?", killRows)
	st := openStore(t)
	cfg := source(e, "kill", "SELECT sku, qty, ver FROM "+tb+" WHERE ver > :since AND (n % 1000 <> 0 OR SLEEP(0.02) = 0)")
	cfg.Mode, cfg.ChangeColumn = config.Incremental, "ver"
	var once sync.Once
	killed := false
	p := newPoller(t, cfg, st, Options{afterRead: func() {
		once.Do(func() {
			var id int64
			err := e.db.QueryRow("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND INFO NOT LIKE '%PROCESSLIST%'", "%"+tb+"%").Scan(&id)
			if err == nil {
				_, err = e.db.Exec("KILL CONNECTION ?", id)
			}
			if err != nil {
				t.Errorf("killing the reading's connection: %v", err)
			}
			killed = true
		})
	}})
	_, err := p.Read(context.Background())
	if !killed {
		t.Fatal("the reading ended before the kill")
	}
	checkKilled(t, err, st, "kill", "sqlpoll:kill:mark")
	p.opts.afterRead = nil
	res := mustRead(t, p)
	if res.Rows != killRows || res.Changed != killRows || res.Mark != "20000" {
		t.Fatalf("retry: %+v", res)
	}
}

func checkKilled(t *testing.T, err error, st *queue.Store, source, cursor string) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != KindDown {
		t.Fatalf("killed reading: %v (%T)", err, err)
	}
	t.Logf("killed reading reported: %v", err)
	checkNothingCommitted(t, st, source, cursor)
}

// checkNothingCommitted: no journal entry, no snapshot and no mark.
func checkNothingCommitted(t *testing.T, st *queue.Store, source, cursor string) {
	t.Helper()
	ctx := context.Background()
	if j, err := st.Journal(ctx, "", 10); err != nil || len(j) != 0 {
		t.Fatalf("half-applied: %d journal entries (%v)", len(j), err)
	}
	if r, err := st.LastReading(ctx, source); err != nil || r.Gen != 0 {
		t.Fatalf("snapshot committed: %+v (%v)", r, err)
	}
	if cursor != "" {
		if v, _, err := st.Cursor(ctx, cursor); err != nil || v != "" {
			t.Fatalf("mark moved: %q (%v)", v, err)
		}
	}
}

// mysqlSeries is a derived table of n = 1 … 10^digits, built from cross-joined digits
// (MariaDB limits recursive CTEs to 1000 iterations by default).
func mysqlSeries(digits int) string {
	d := "(SELECT 0 i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
	expr, from := "1", ""
	mul := 1
	for k := 0; k < digits; k++ {
		expr += fmt.Sprintf(" + %d*d%d.i", mul, k)
		if k > 0 {
			from += ", "
		}
		from += fmt.Sprintf("%s d%d", d, k)
		mul *= 10
	}
	return "(SELECT " + expr + " AS n FROM " + from + ") series"
}

// TestStopDuringComparisonCommitsNothing: the agent stops while a reading is applying
// its chunks; the reading's one transaction rolls back.
func TestStopDuringComparisonCommitsNothing(t *testing.T) {
	e := liteERP(t)
	tb := e.table(t, "stop")
	e.exec(t, "CREATE TABLE "+tb+" (sku TEXT, qty INTEGER)")
	e.exec(t, "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000) INSERT INTO "+tb+" SELECT 'S' || n, n FROM s")
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	applied := 0
	p := newPoller(t, source(e, "stop", "SELECT sku, qty FROM "+tb), st, Options{Chunk: 1000, afterApply: func() {
		if applied++; applied == 2 {
			cancel()
		}
	}})
	_, err := p.Read(ctx)
	if !errors.Is(err, context.Canceled) || applied != 2 {
		t.Fatalf("stopped reading: %v after %d chunks", err, applied)
	}
	checkNothingCommitted(t, st, "stop", "")
	p.opts.afterApply = nil
	if res := mustRead(t, p); res.Changed != 5000 || res.Snapshot != 5000 {
		t.Fatalf("next reading: %+v", res)
	}
}
