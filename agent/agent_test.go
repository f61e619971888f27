package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
)

type fakeComp struct {
	name     string
	events   *[]string
	mu       *sync.Mutex
	startErr error
	stopWait time.Duration
}

func (f *fakeComp) Name() string { return f.name }
func (f *fakeComp) record(e string) {
	f.mu.Lock()
	*f.events = append(*f.events, e)
	f.mu.Unlock()
}
func (f *fakeComp) Start(ctx context.Context) error {
	f.record("start " + f.name)
	return f.startErr
}
func (f *fakeComp) Stop(ctx context.Context) error {
	select {
	case <-time.After(f.stopWait):
	case <-ctx.Done():
		f.record("stop-timeout " + f.name)
		return ctx.Err()
	}
	f.record("stop " + f.name)
	return nil
}

func testConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	os.WriteFile(file, []byte(yaml), 0o644)
	c, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func factories(events *[]string, mu *sync.Mutex, tweak func(map[string]*fakeComp)) []Factory {
	comps := map[string]*fakeComp{}
	for _, n := range []string{"sink:a", "store:b", "source:c"} {
		comps[n] = &fakeComp{name: n, events: events, mu: mu}
	}
	if tweak != nil {
		tweak(comps)
	}
	one := func(n string) func(*Env) ([]Component, error) {
		return func(*Env) ([]Component, error) { return []Component{comps[n]}, nil }
	}
	// Registered out of order on purpose: the agent orders by kind.
	return []Factory{{KindSource, one("source:c")}, {KindSink, one("sink:a")}, {KindStore, one("store:b")}}
}

func TestRunStartsSinksFirstAndStopsSourcesFirst(t *testing.T) {
	cfg := testConfig(t, "")
	var events []string
	var mu sync.Mutex
	a := New(cfg, zerolog.Nop(), Options{Factories: factories(&events, &mu, nil)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-a.Ready():
	case err := <-done:
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := "start sink:a,start store:b,start source:c,stop source:c,stop store:b,stop sink:a"
	if got := strings.Join(events, ","); got != want {
		t.Fatalf("order:\n%s\nwant\n%s", got, want)
	}
	if _, err := os.Stat(cfg.DBPath()); err != nil {
		t.Fatalf("database not created in the data dir: %v", err)
	}
}

func TestFailedStartStopsWhatStarted(t *testing.T) {
	cfg := testConfig(t, "")
	var events []string
	var mu sync.Mutex
	a := New(cfg, zerolog.Nop(), Options{Factories: factories(&events, &mu, func(m map[string]*fakeComp) {
		m["source:c"].startErr = errors.New("folder missing")
	})})
	err := a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "source:c cannot start: folder missing") {
		t.Fatalf("err = %v", err)
	}
	want := "start sink:a,start store:b,start source:c,stop store:b,stop sink:a"
	if got := strings.Join(events, ","); got != want {
		t.Fatalf("order %s", got)
	}
}

func TestStopIsBounded(t *testing.T) {
	cfg := testConfig(t, "")
	var events []string
	var mu sync.Mutex
	a := New(cfg, zerolog.Nop(), Options{StopTimeout: 300 * time.Millisecond, Factories: factories(&events, &mu, func(m map[string]*fakeComp) {
		m["store:b"].stopWait = time.Hour
	})})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	<-a.Ready()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a stuck component must make Run report the unfinished stop")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return: stop is not bounded")
	}
}

func TestRunDoesNotDependOnTheWorkingDirectory(t *testing.T) {
	cfg := testConfig(t, "data_dir: state\n")
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir("/")
	a := New(cfg, zerolog.Nop(), Options{Factories: []Factory{}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	<-a.Ready()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg.File), "state", "syncagent.db")); err != nil {
		t.Fatal("database not beside the config file:", err)
	}
}

func TestUnwritableDataDirFailsClearly(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	cfg := testConfig(t, "data_dir: "+filepath.Join(dir, "file", "data")+"\n")
	err := New(cfg, zerolog.Nop(), Options{Factories: []Factory{}}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "file", "data")) {
		t.Fatalf("err = %v", err)
	}
}
