package agent

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/queue"
)

// The factory builds one watcher per folder, and the watcher calls the Env.Changed in
// place when it commits, even one installed after the factory ran.
func TestDropFolderFactory(t *testing.T) {
	dir := t.TempDir()
	yaml := "sources:\n  drop_folders:\n    - name: stok\n      path: drop\n      quiet_period: 50ms\n      poll_interval: 100ms\n"
	cfg, err := config.Parse([]byte(yaml), filepath.Join(dir, "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	st, err := queue.Open(context.Background(), cfg.DBPath(), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env := &Env{Config: cfg, Store: st, Log: zerolog.Nop()}
	comps, err := dropFolderFactory().Build(env)
	if err != nil {
		t.Fatal(err)
	}
	if len(comps) != 1 || comps[0].Name() != "source:stok" {
		t.Fatalf("components: %v", comps)
	}
	var changed atomic.Int32
	env.Changed = func() { changed.Add(1) }
	drop := filepath.Join(dir, "drop")
	if err := os.MkdirAll(drop, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(drop, "stok.csv"), []byte("Stok Kodu;Miktar\nA;1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := comps[0].Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := comps[0].Stop(ctx); err != nil {
			t.Error(err)
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for changed.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no commit reported through Env.Changed within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
