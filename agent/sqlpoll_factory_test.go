package agent

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/queue"
)

// The factory builds one component per SQL source; started, it reads at once through the
// agent's scheduler and reports the commit through the Env.Changed in place.
func TestSQLSourceFactory(t *testing.T) {
	dir := t.TempDir()
	erpPath := filepath.Join(dir, "erp.db")
	erp, err := sql.Open("sqlite3", "file:"+erpPath)
	if err != nil {
		t.Fatal(err)
	}
	defer erp.Close()
	if _, err := erp.Exec("CREATE TABLE stok (kod TEXT, miktar INTEGER); INSERT INTO stok VALUES ('A', 3), ('B', 4)"); err != nil {
		t.Fatal(err)
	}
	yaml := "sources:\n  sql:\n    - name: erp\n      driver: sqlite3\n      dsn: file:" + filepath.ToSlash(erpPath) +
		"?mode=ro\n      query: SELECT kod AS sku, miktar AS quantity FROM stok\n      schedule: \"@every 1h\"\n"
	cfg, err := config.Parse([]byte(yaml), filepath.Join(dir, "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	st, err := queue.Open(context.Background(), cfg.DBPath(), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sched := NewScheduler(time.UTC, zerolog.Nop(), st)
	env := &Env{Config: cfg, Store: st, Sched: sched, Log: zerolog.Nop()}
	comps, err := sqlSourceFactory().Build(env)
	if err != nil {
		t.Fatal(err)
	}
	if len(comps) != 1 || comps[0].Name() != "source:erp" {
		t.Fatalf("components: %v", comps)
	}
	var changed atomic.Int32
	env.Changed = func() { changed.Add(1) }
	if err := comps[0].Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	sched.Start()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := comps[0].Stop(ctx); err != nil {
			t.Error(err)
		}
		sched.Stop(ctx)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for changed.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no commit reported through Env.Changed within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	h, err := st.HealthOf(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := h["source:erp"]; got.State != "polling" || !strings.HasPrefix(got.Detail, "2 rows, 2 changed") {
		t.Fatalf("health: %+v", got)
	}
}

func TestSQLSourceFactoryRefusesAnUnparsableDSN(t *testing.T) {
	dir := t.TempDir()
	yaml := "sources:\n  sql:\n    - name: logo\n      driver: sqlserver\n      dsn: server=erp;user id=sa;password=Gizli123;port=abc\n      query: SELECT 1 AS sku, 1 AS qty\n"
	cfg, err := config.Parse([]byte(yaml), filepath.Join(dir, "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	st, err := queue.Open(context.Background(), cfg.DBPath(), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env := &Env{Config: cfg, Store: st, Sched: NewScheduler(time.UTC, zerolog.Nop(), st), Log: zerolog.Nop()}
	_, err = sqlSourceFactory().Build(env)
	if err == nil || !strings.Contains(err.Error(), "ERP source logo: the sqlserver DSN cannot be used: invalid tcp port") || strings.Contains(err.Error(), "Gizli123") {
		t.Fatalf("build: %v", err)
	}
}
