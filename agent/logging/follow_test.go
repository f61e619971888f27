package logging

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// followInto starts a follow with a short poll, so a test meets many more rotations
// between two looks than a real follow would. stop cancels it and returns its error.
func followInto(t *testing.T, dir string, q Query) (out *syncBuffer, stop func() error) {
	t.Helper()
	out = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	q.Follow = true
	go func() { done <- printLog(ctx, dir, q, out, time.Millisecond) }()
	var stopped bool
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	return out, stop
}

func printed(out *syncBuffer, seq int) func() bool {
	needle := fmt.Appendf(nil, `"seq":%d,`, seq)
	return func() bool { return bytes.Contains(out.Bytes(), needle) }
}

func TestFollowAcrossRotationsWhileWriting(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rename func(calls int64, oldpath, newpath string) error
	}{
		{"rename", func(_ int64, o, n string) error { return os.Rename(o, n) }},
		{"copy-truncate", func(_ int64, o, n string) error { return sharingViolation(o, n) }},
		{"both in turn", func(calls int64, o, n string) error {
			if calls%2 == 0 {
				return sharingViolation(o, n)
			}
			return os.Rename(o, n)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := openTestFile(t, dir, 4096, 1_000_000)
			var calls atomic.Int64
			f.rename = func(o, n string) error { return tc.rename(calls.Add(1), o, n) }
			const already, n = 100, 4000
			for i := range already {
				mustWrite(t, f, i) // some lines are in rotated files before the follow starts
			}
			out, stop := followInto(t, dir, Query{JSON: true})
			for i := already; i < n; i++ {
				mustWrite(t, f, i)
				if i%200 == 0 {
					time.Sleep(time.Millisecond) // let the follower catch up at varied points
				}
			}
			eventually(t, "the last line to be printed", printed(out, n-1))
			if err := stop(); err != nil {
				t.Fatalf("follow ended with %v", err)
			}
			wantSeqs(t, seqsIn(t, out.Bytes()), 0, n)
			s := f.Stats()
			if s.Rotations < 50 || s.Errors != 0 {
				t.Errorf("stats %+v: want many rotations, no errors", s)
			}
			if tc.name == "copy-truncate" && s.CopyFallbacks != s.Rotations {
				t.Errorf("stats %+v: want every rotation by copy", s)
			}
		})
	}
}

func TestFollowReadableLines(t *testing.T) {
	dir := t.TempDir()
	f := openTestFile(t, dir, 1024, 100)
	out, stop := followInto(t, dir, Query{MinLevel: "warn"})
	log := Component(newLogger(f), "pusher")
	for i := range 30 {
		log.Info().Int("i", i).Msg("quiet")
		log.Warn().Int("i", i).Msg("loud")
	}
	eventually(t, "the last warning", func() bool { return bytes.Contains(out.Bytes(), []byte("loud i=29\n")) })
	must(t, stop())
	if got := bytes.Count(out.Bytes(), []byte(" WRN pusher: loud i=")); got != 30 || bytes.Contains(out.Bytes(), []byte("quiet")) {
		t.Errorf("output:\n%s", out.Bytes())
	}
}

func TestFollowWaitsForTheFirstFile(t *testing.T) {
	dir := t.TempDir()
	out, stop := followInto(t, dir, Query{JSON: true})
	f := openTestFile(t, dir, 2048, 100)
	for i := range 50 {
		mustWrite(t, f, i)
	}
	eventually(t, "the last line", printed(out, 49))
	must(t, stop())
	wantSeqs(t, seqsIn(t, out.Bytes()), 0, 50)
}

func TestFollowStartsOverWhenSomeoneEmptiesTheFile(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, LiveName)
	var first []byte
	for i := range 10 {
		first = append(first, testLine(i)...)
	}
	must(t, os.WriteFile(live, first, 0o644))
	out, stop := followInto(t, dir, Query{JSON: true})
	eventually(t, "the first lines", printed(out, 9))

	// Staff empty the file in place (no rotated copy), then the agent writes on. Whether
	// the follower looks at the empty file or only at the regrown one, it starts over.
	must(t, os.Truncate(live, 0))
	w, err := os.OpenFile(live, os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	for i := 10; i < 20; i++ {
		_, err := w.Write(testLine(i))
		must(t, err)
	}
	must(t, w.Close())
	eventually(t, "the new lines", printed(out, 19))
	must(t, stop())
	wantSeqs(t, seqsIn(t, out.Bytes()), 0, 20)
}

func TestFollowNoticesARewriteLongerThanWhatWasRead(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, LiveName)
	must(t, os.WriteFile(live, testLine(0), 0o644))
	out, stop := followInto(t, dir, Query{JSON: true})
	eventually(t, "the first line", printed(out, 0))
	// Replaced in place by more than was read, so the size alone does not tell.
	var next []byte
	for i := 1; i < 6; i++ {
		next = append(next, testLine(i)...)
	}
	w, err := os.OpenFile(live, os.O_WRONLY|os.O_TRUNC, 0)
	must(t, err)
	_, err = w.Write(next)
	must(t, err)
	must(t, w.Close())
	eventually(t, "the rewritten lines", printed(out, 5))
	must(t, stop())
	wantSeqs(t, seqsIn(t, out.Bytes()), 0, 6)
}
