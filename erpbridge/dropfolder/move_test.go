package dropfolder

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestMoveFileNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	writeFile(t, src, "new")
	writeFile(t, dst, "old")
	if err := moveFile(src, dst); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("move over an existing file: %v, want fs.ErrExist", err)
	}
	for p, want := range map[string]string{src: "new", dst: "old"} {
		if b, err := os.ReadFile(p); err != nil || string(b) != want {
			t.Fatalf("%s holds %q (%v), want %q", p, b, err, want)
		}
	}
	if err := os.Remove(dst); err != nil {
		t.Fatal(err)
	}
	if err := moveFile(src, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(src); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("source still there after the move: %v", err)
	}
}

func TestCopyThenRemove(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a.csv"), filepath.Join(dir, "sub", "a.csv")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, src, "içerik")
	if err := copyThenRemove(src, dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(dst); err != nil || string(b) != "içerik" {
		t.Fatalf("copy holds %q (%v)", b, err)
	}
	if _, err := os.Stat(src); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("source still there: %v", err)
	}
	writeFile(t, src, "ikinci")
	if err := copyThenRemove(src, dst); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("copy over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(src); string(b) != "ikinci" {
		t.Fatalf("source lost after a refused copy: %q", b)
	}
}

func TestUniqueName(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 3, 14, 10, 22, 5, 0, time.UTC)
	if got := uniqueName(dir, "stok.xlsx", now); got != "stok.xlsx" {
		t.Fatalf("free name: %q", got)
	}
	writeFile(t, filepath.Join(dir, "stok.xlsx"), "")
	writeFile(t, filepath.Join(dir, "stok-2.xlsx"+reportSuffix), "") // a report alone also takes the name
	if got := uniqueName(dir, "stok.xlsx", now); got != "stok-3.xlsx" {
		t.Fatalf("got %q, want stok-3.xlsx", got)
	}
	for i := 3; i < 1000; i++ {
		writeFile(t, filepath.Join(dir, "stok-"+itoa(i)+".xlsx"), "")
	}
	if got := uniqueName(dir, "stok.xlsx", now); got != "stok-20250314T102205.000.xlsx" {
		t.Fatalf("got %q after 999 names", got)
	}
	if got := uniqueName(dir, "noext", now); got != "noext" {
		t.Fatalf("got %q", got)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
