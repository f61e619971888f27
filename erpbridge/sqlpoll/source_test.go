package sqlpoll

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakeAgent stands in for the agent's scheduler and clock.
type fakeAgent struct {
	mu        sync.Mutex
	now       time.Time
	spec      string
	job       func(context.Context)
	triggers  int
	changed   int
	retryWait time.Duration
	retry     func()
}

func (f *fakeAgent) hooks() Hooks {
	return Hooks{
		Schedule: func(name, spec string, fn func(context.Context)) error {
			f.spec, f.job = spec, fn
			return nil
		},
		Trigger: func(string) bool { f.mu.Lock(); f.triggers++; f.mu.Unlock(); return true },
		Changed: func() { f.changed++ },
		Now:     func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now },
	}
}

func (f *fakeAgent) afterFunc(d time.Duration, fn func()) func() bool {
	f.retryWait, f.retry = d, fn
	return func() bool { return true }
}

func TestSourceDownAtStartRetriesWithBackoffAndRecovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "erp.db")
	// The ERP database does not exist yet: opened read-only, it cannot be opened.
	dsn := "file:" + path + "?mode=ro&_auth_pass=" + url.QueryEscape(canary)
	st := openStore(t)
	cfg := config.SQLSource{Name: "erp", Driver: "sqlite3", DSN: config.NewSecret(dsn), Query: "SELECT sku, qty FROM stock",
		Mode: config.Snapshot, Schedule: "@every 1m", Warehouse: "MERKEZ", PriceList: "default", Missing: config.MissingIgnore, Timeout: config.Duration(10 * time.Second)}
	p, err := New(cfg, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	fa := &fakeAgent{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	src := NewSource(p, st, zerolog.New(&logs), fa.hooks())
	src.afterFunc = fa.afterFunc
	ctx := context.Background()

	if err := src.Start(ctx); err != nil {
		t.Fatalf("Start failed although only the ERP database is missing: %v", err)
	}
	if fa.spec != "@every 1m" || fa.triggers != 1 || src.Name() != "source:erp" {
		t.Fatalf("start: spec %q, %d triggers", fa.spec, fa.triggers)
	}

	fa.job(ctx) // the first reading: down
	h, err := st.HealthOf(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := h["source:erp"]; got.State != "down" || !strings.Contains(got.Error, "unable to open database file") {
		t.Fatalf("health after failure: %+v", got)
	}
	if fa.retryWait != 15*time.Second || !strings.Contains(logs.String(), "retrying in 15s (attempt 1)") {
		t.Fatalf("retry in %s; logs: %s", fa.retryWait, logs.String())
	}

	// A scheduled tick inside the backoff does not touch the database.
	fa.mu.Lock()
	fa.now = fa.now.Add(10 * time.Second)
	fa.mu.Unlock()
	fa.job(ctx)
	if n := strings.Count(logs.String(), "failed:"); n != 1 {
		t.Fatalf("tick inside the backoff read the database (%d failures logged)", n)
	}

	// The database appears; the retry timer fires and triggers the job.
	erp, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer erp.Close()
	if _, err := erp.Exec("CREATE TABLE stock (sku TEXT, qty INTEGER); INSERT INTO stock VALUES ('A', 5), ('B', 2)"); err != nil {
		t.Fatal(err)
	}
	fa.mu.Lock()
	fa.now = fa.now.Add(5 * time.Second)
	fa.mu.Unlock()
	fa.retry()
	if fa.triggers != 2 {
		t.Fatalf("retry did not trigger the job (%d triggers)", fa.triggers)
	}
	fa.job(ctx)
	h, _ = st.HealthOf(ctx)
	got := h["source:erp"]
	if got.State != "polling" || !strings.HasPrefix(got.Detail, "2 rows, 2 changed, 0 disappeared, 0 rejected in ") || got.OKAt.IsZero() {
		t.Fatalf("health after recovery: %+v", got)
	}
	if fa.changed != 1 || !strings.Contains(logs.String(), "ERP database reachable again") || !strings.Contains(logs.String(), "ERP source erp read: 2 rows, 2 changed") {
		t.Fatalf("recovery: changed %d; logs: %s", fa.changed, logs.String())
	}
	if strings.Contains(logs.String(), "Kanarya") || strings.Contains(got.Error, "Kanarya") {
		t.Fatalf("the password reached the logs or the health record")
	}

	// Backoff grows with each failure and resets after a success.
	for i, want := range []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute} {
		if got := retryDelay(i + 1); got != want {
			t.Errorf("retry delay after %d failures: %s, want %s", i+1, got, want)
		}
	}

	if err := src.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	before := logs.String()
	fa.job(ctx) // a tick after Stop does nothing
	if logs.String() != before {
		t.Fatalf("job ran after Stop: %s", strings.TrimPrefix(logs.String(), before))
	}
}

func TestSourceStopCancelsAReadingInProgress(t *testing.T) {
	e := pgERP(t)
	st := openStore(t)
	cfg := source(e, "slow", "SELECT 'A' AS sku, 1 AS qty FROM pg_sleep(60)")
	p := newPoller(t, cfg, st, Options{})
	var logs syncBuffer
	fa := &fakeAgent{now: time.Now()}
	src := NewSource(p, st, zerolog.New(&logs), fa.hooks())
	src.afterFunc = fa.afterFunc
	ctx := context.Background()
	if err := src.Start(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { fa.job(ctx); close(done) }()
	// Wait until the query runs on the server.
	for i := 0; ; i++ {
		var n int
		e.db.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'syncagent source slow' AND state = 'active'").Scan(&n)
		if n == 1 {
			break
		}
		if i == 500 {
			t.Fatal("the reading never reached the server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := src.Stop(stopCtx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	<-done
	if !strings.Contains(logs.String(), "reading cancelled because the agent is stopping") {
		t.Fatalf("logs: %s", logs.String())
	}
	h, _ := st.HealthOf(ctx)
	if got := h["source:slow"]; got.Error != "" {
		t.Fatalf("a stop was recorded as a failure: %+v", got)
	}
}
