package logging

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testLine is a log line as the agent writes it, numbered so tests can count.
func testLine(seq int) []byte {
	return fmt.Appendf(nil, `{"level":"info","component":"test","seq":%d,"pad":"%s","time":"2026-11-23T10:15:00.123+03:00","message":"line %d"}`+"\n",
		seq, strings.Repeat("x", seq%40), seq)
}

func openTestFile(t *testing.T, dir string, maxSize int64, maxFiles int) *File {
	t.Helper()
	f, err := OpenFile(FileOptions{Dir: dir, MaxSize: maxSize, MaxFiles: maxFiles})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// logFiles returns the rotated files oldest first, then the live file.
func logFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := listBackups(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join(dir, n))
	}
	if _, err := os.Stat(filepath.Join(dir, LiveName)); err == nil {
		paths = append(paths, filepath.Join(dir, LiveName))
	}
	return paths
}

// readSeqs reads every file in stream order and returns the seq of each line, failing
// on any line that is not valid JSON.
func readSeqs(t *testing.T, dir string) []int {
	t.Helper()
	var seqs []int
	for _, p := range logFiles(t, dir) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seqsIn(t, b)...)
	}
	return seqs
}

func seqsIn(t *testing.T, b []byte) []int {
	t.Helper()
	var seqs []int
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v struct{ Seq *int }
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil || v.Seq == nil {
			t.Fatalf("not a whole log line: %q (%v)", sc.Text(), err)
		}
		seqs = append(seqs, *v.Seq)
	}
	return seqs
}

// wantSeqs fails unless got is exactly from, from+1, ..., to-1.
func wantSeqs(t *testing.T, got []int, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Errorf("got %d lines, want %d", len(got), to-from)
	}
	for i, s := range got {
		if s != from+i {
			t.Fatalf("line %d has seq %d, want %d (lost, repeated or out of order)", i, s, from+i)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// eventually waits for cond. The limit only stops a broken test from hanging; it
// asserts nothing about speed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeClock is a settable clock for the writer.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
