package dropfolder

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/logging"
	"syncagent/config"
	"syncagent/queue"
)

// syncBuf collects log output written from several goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testLog(t *testing.T) (zerolog.Logger, *syncBuf) {
	t.Helper()
	buf := &syncBuf{}
	t.Cleanup(func() {
		if t.Failed() {
			out := buf.String()
			if len(out) > 20000 {
				out = "…" + out[len(out)-20000:]
			}
			t.Logf("log:\n%s", out)
		}
	})
	return logging.Component(logging.ToWriter(buf), "dropfolder"), buf
}

func openStore(t *testing.T, dir string) *queue.Store {
	t.Helper()
	st, err := queue.Open(context.Background(), filepath.Join(dir, "syncagent.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// folderConfig parses folderYAML (the keys of one drop folder, without path) through
// the real config loader, so defaults and validation are the production ones.
func folderConfig(t *testing.T, folderYAML, dir, dataDir string) (*config.Config, config.DropFolder) {
	t.Helper()
	var b strings.Builder
	b.WriteString("data_dir: " + quoteYAML(dataDir) + "\nsources:\n  drop_folders:\n    - path: " + quoteYAML(dir) + "\n")
	for _, line := range strings.Split(strings.TrimRight(folderYAML, "\n"), "\n") {
		b.WriteString("      " + line + "\n")
	}
	cfg, err := config.Parse([]byte(b.String()), filepath.Join(filepath.Dir(dataDir), "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("config:\n%s\n%v", b.String(), err)
	}
	return cfg, cfg.Sources.DropFolders[0]
}

func quoteYAML(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// waitFor polls cond until it holds or limit passes. The limit is a functional bound
// (the condition must come true), not a speed requirement.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for: %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tree lists the files under dir as slash paths, sorted.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func countImports(t *testing.T, st *queue.Store, status string) int {
	t.Helper()
	ims, err := st.RecentImports(context.Background(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, im := range ims {
		if status == "" || im.Status == status {
			n++
		}
	}
	return n
}
