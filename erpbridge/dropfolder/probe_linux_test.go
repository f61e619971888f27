//go:build linux

package dropfolder

import (
	"os"
	"path/filepath"
	"testing"
)

// probeSeesWriters reports whether probe, in dir, refuses a file another descriptor has
// open for writing (file systems without leases cannot tell).
func probeSeesWriters(t *testing.T, dir string) bool {
	t.Helper()
	p := filepath.Join(dir, ".lease-check")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(p)
	defer f.Close()
	return inUse(probe(p))
}

func TestProbeRefusesFileOpenForWriting(t *testing.T) {
	dir := t.TempDir()
	if !probeSeesWriters(t, dir) {
		t.Skip("this file system grants no leases")
	}
	p := filepath.Join(dir, "a.csv")
	writeFile(t, p, "x")
	if err := probe(p); err != nil {
		t.Fatalf("closed file refused: %v", err)
	}
}
