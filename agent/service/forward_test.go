package service

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestForwardErrorsThrottlesAndCountsWhatItHeldBack(t *testing.T) {
	sys := &sysLog{}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	fwd := ForwardErrors(sys, time.Minute, func() time.Time { return now })
	diskFull := errors.New("cannot write to log file /var/log/syncagent/syncagent.log: no space left on device")

	fwd(diskFull)
	for i := 0; i < 41; i++ { // the same minute: one line each, as when the disk is full
		now = now.Add(time.Second)
		fwd(diskFull)
	}
	if n := len(sys.lines); n != 1 {
		t.Fatalf("%d entries within a minute, want 1:\n%s", n, sys.all())
	}
	now = now.Add(time.Minute)
	fwd(errors.New("cannot rotate log file: permission denied"))
	if n := len(sys.lines); n != 2 {
		t.Fatalf("%d entries after a minute, want 2:\n%s", n, sys.all())
	}
	first, second := sys.lines[0], sys.lines[1]
	if !strings.HasPrefix(first, "E: SyncAgent cannot write its log file: ") || !strings.Contains(first, "no space left on device") || !strings.Contains(first, "keeps running") {
		t.Errorf("first entry: %q", first)
	}
	if !strings.Contains(second, "permission denied") || !strings.Contains(second, "and 41 more failures") {
		t.Errorf("second entry: %q", second)
	}
}
