package agent

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func istanbul(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Istanbul")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestPanickingJobIsLoggedAndRunsAgain(t *testing.T) {
	var logs syncBuf
	s := NewScheduler(istanbul(t), zerolog.New(&logs), nil)
	var runs atomic.Int32
	if err := s.Add("boom", "* * * * * *", JobOptions{Store: "ty"}, func(ctx context.Context) {
		runs.Add(1)
		panic("kaboom")
	}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	waitFor(t, "two runs of a panicking job", func() bool { return runs.Load() >= 2 })
	s.Stop(context.Background())
	out := logs.String()
	if !strings.Contains(out, `"panic":"kaboom"`) || !strings.Contains(out, `"component":"scheduler"`) || !strings.Contains(out, `"store":"ty"`) {
		t.Fatalf("panic not logged properly: %s", out)
	}
}

func TestOverlappingTickIsSkipped(t *testing.T) {
	var logs syncBuf
	s := NewScheduler(time.UTC, zerolog.New(&logs), nil)
	var running, maxRunning, runs atomic.Int32
	release := make(chan struct{})
	s.Add("slow", "* * * * * *", JobOptions{}, func(ctx context.Context) {
		n := running.Add(1)
		if n > maxRunning.Load() {
			maxRunning.Store(n)
		}
		runs.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		running.Add(-1)
	})
	s.Start()
	waitFor(t, "a skipped tick", func() bool { return strings.Contains(logs.String(), "this tick is skipped") })
	close(release)
	s.Stop(context.Background())
	if maxRunning.Load() != 1 {
		t.Fatalf("%d runs overlapped", maxRunning.Load())
	}
}

func TestScheduleUsesTheConfiguredTimeZone(t *testing.T) {
	s := NewScheduler(istanbul(t), zerolog.Nop(), nil)
	s.Add("three", "0 3 * * *", JobOptions{}, func(context.Context) {})
	s.Start()
	defer s.Stop(context.Background())
	next := s.c.Entries()[0].Next
	if next.UTC().Hour() != 0 || next.Minute() != 0 {
		t.Fatalf("03:00 Istanbul should be 00:00 UTC, got %v", next.UTC())
	}
}

type memCursors struct {
	mu sync.Mutex
	m  map[string]string
}

func (m *memCursors) Cursor(_ context.Context, n string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[n]
	return v, ok, nil
}
func (m *memCursors) SetCursor(_ context.Context, n, v string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[n] = v
	return nil
}

func TestMissedRunExecutesOnceAtStart(t *testing.T) {
	cur := &memCursors{m: map[string]string{}}
	// Last run two days ago, daily at 03:00: one run was missed.
	cur.m["job:daily:last_run"] = time.Now().Add(-48 * time.Hour).Format(time.RFC3339Nano)
	cur.m["job:fresh:last_run"] = time.Now().Format(time.RFC3339Nano)
	s := NewScheduler(time.UTC, zerolog.Nop(), cur)
	var daily, fresh atomic.Int32
	s.Add("daily", "0 3 * * *", JobOptions{CatchUp: true}, func(context.Context) { daily.Add(1) })
	s.Add("fresh", "0 3 * * *", JobOptions{CatchUp: true}, func(context.Context) { fresh.Add(1) })
	s.Start()
	waitFor(t, "catch-up run", func() bool { return daily.Load() == 1 })
	waitFor(t, "last run recorded", func() bool {
		v, _, _ := cur.Cursor(context.Background(), "job:daily:last_run")
		last, _ := time.Parse(time.RFC3339Nano, v)
		return time.Since(last) < time.Minute
	})
	s.Stop(context.Background())
	if daily.Load() != 1 || fresh.Load() != 0 {
		t.Fatalf("daily %d fresh %d", daily.Load(), fresh.Load())
	}
}

func TestStopCancelsRunningJobs(t *testing.T) {
	s := NewScheduler(time.UTC, zerolog.Nop(), nil)
	started := make(chan struct{})
	s.Add("long", "* * * * * *", JobOptions{}, func(ctx context.Context) {
		select {
		case started <- struct{}{}:
		default:
		}
		<-ctx.Done()
	})
	s.Start()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if !s.Stop(ctx) {
		t.Fatal("a job that honours its context did not stop")
	}
}

func TestDuplicateJobAndBadSpecRejected(t *testing.T) {
	s := NewScheduler(time.UTC, zerolog.Nop(), nil)
	if err := s.Add("a", "whenever", JobOptions{}, func(context.Context) {}); err == nil {
		t.Fatal("bad spec accepted")
	}
	s.Add("a", "@every 1h", JobOptions{}, func(context.Context) {})
	if err := s.Add("a", "@every 1h", JobOptions{}, func(context.Context) {}); err == nil {
		t.Fatal("duplicate accepted")
	}
}
