package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// sysLog records what would reach the Event Log or the journal.
type sysLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *sysLog) add(level, s string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+": "+s)
	return nil
}

func (l *sysLog) Error(v ...any) error   { return l.add("E", fmt.Sprint(v...)) }
func (l *sysLog) Warning(v ...any) error { return l.add("W", fmt.Sprint(v...)) }
func (l *sysLog) Info(v ...any) error    { return l.add("I", fmt.Sprint(v...)) }
func (l *sysLog) Errorf(f string, a ...any) error {
	return l.add("E", fmt.Sprintf(f, a...))
}
func (l *sysLog) Warningf(f string, a ...any) error {
	return l.add("W", fmt.Sprintf(f, a...))
}
func (l *sysLog) Infof(f string, a ...any) error { return l.add("I", fmt.Sprintf(f, a...)) }

func (l *sysLog) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// testProgram is a program whose exit is recorded instead of ending the test binary.
func testProgram(prepare Prepare) (*program, *sysLog, chan int) {
	sys := &sysLog{}
	exits := make(chan int, 1)
	p := newProgram(prepare)
	p.sys = sys
	p.exit = func(code int) { exits <- code }
	return p, sys, exits
}

func TestStartReturnsWhileTheAgentRunsAndStopEndsIt(t *testing.T) {
	running := make(chan struct{})
	release := make(chan struct{})
	sawCancel := make(chan struct{})
	var gotSys Logger
	p, sys, exits := testProgram(func(s Logger) (func(context.Context) error, error) {
		gotSys = s
		return func(ctx context.Context) error {
			close(running)
			<-release // Start must not wait for this: the agent runs for years
			<-ctx.Done()
			close(sawCancel)
			return nil
		}, nil
	})
	if err := p.Start(nil); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if gotSys != Logger(sys) {
		t.Fatal("Prepare did not get the system log")
	}
	<-running
	close(release)
	if err := p.Stop(nil); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-sawCancel:
	default:
		t.Fatal("Stop returned before the agent saw its context end")
	}
	if len(exits) != 0 {
		t.Fatal("a requested stop must not exit the process")
	}
	if !strings.Contains(sys.all(), "I: SyncAgent stopped") {
		t.Fatalf("system log: %q", sys.all())
	}
}

func TestStartFailsForABrokenConfigWithPlainWordsInTheSystemLog(t *testing.T) {
	ran := false
	cause := errors.New("/etc/syncagent/config.yaml:4:3: unknown key \"levle\" in log; did you mean \"level\"?")
	p, sys, _ := testProgram(func(Logger) (func(context.Context) error, error) {
		return func(context.Context) error { ran = true; return nil }, &ConfigError{Path: "/etc/syncagent/config.yaml", Err: cause}
	})
	err := p.Start(nil)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("Start returned %v, want the ConfigError", err)
	}
	got := sys.all()
	for _, want := range []string{"E: SyncAgent could not start", "/etc/syncagent/config.yaml:4:3", "did you mean", "check-config --config /etc/syncagent/config.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("system log lacks %q:\n%s", want, got)
		}
	}
	if ran {
		t.Error("the agent ran although Start failed")
	}
	if !p.reported(err) {
		t.Error("Run would write the same failure twice")
	}
	if err := p.Stop(nil); err != nil {
		t.Errorf("Stop after a failed Start: %v", err)
	}
}

func TestAnAgentThatEndsByItselfExitsSoTheServiceManagerRestartsIt(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"error", errors.New("database disk image is malformed"), "database disk image is malformed"},
		{"nil", nil, "ended without being asked to stop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, sys, exits := testProgram(func(Logger) (func(context.Context) error, error) {
				return func(context.Context) error { return tc.err }, nil
			})
			if err := p.Start(nil); err != nil {
				t.Fatal(err)
			}
			if code := <-exits; code != 1 {
				t.Fatalf("exit code %d, want 1 (a crash, which recovery and Restart=on-failure act on)", code)
			}
			got := sys.all()
			if !strings.Contains(got, "E: SyncAgent stopped unexpectedly") || !strings.Contains(got, tc.want) {
				t.Fatalf("system log: %q", got)
			}
		})
	}
}

func TestStopGivesUpAfterStopWait(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	p, sys, exits := testProgram(func(Logger) (func(context.Context) error, error) {
		return func(context.Context) error { <-release; return nil }, nil // ignores its context
	})
	p.stopWait = 0
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	err := p.Stop(nil)
	if err == nil || !strings.Contains(err.Error(), "did not stop within") {
		t.Fatalf("Stop = %v, want a timeout", err)
	}
	if !strings.Contains(sys.all(), "resumes from the store") || !p.reported(err) {
		t.Fatalf("system log: %q", sys.all())
	}
	if len(exits) != 0 {
		t.Fatal("Stop's timeout must leave the exit to the caller")
	}
}

func TestAnErrorWhileStoppingIsAWarningNotACrash(t *testing.T) {
	p, sys, exits := testProgram(func(Logger) (func(context.Context) error, error) {
		return func(ctx context.Context) error { <-ctx.Done(); return errors.New("stop did not finish in time") }, nil
	})
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(nil); err != nil {
		t.Fatal(err)
	}
	if len(exits) != 0 {
		t.Fatal("exit called during a requested stop")
	}
	if !strings.Contains(sys.all(), "W: SyncAgent stopped with an error: stop did not finish in time") {
		t.Fatalf("system log: %q", sys.all())
	}
}

// TestExitCodeOfAFailedStart: the Windows SCM records ExitConfig for a config that
// cannot be used and 1 for any other failed start (the log folder).
func TestExitCodeOfAFailedStart(t *testing.T) {
	if got := exitCodeOf(fmt.Errorf("start: %w", &ConfigError{Path: "c.yaml", Err: errors.New("bad")})); got != ExitConfig {
		t.Fatalf("config error: %d", got)
	}
	if got := exitCodeOf(errors.New("cannot open the log folder")); got != exitStartFailed {
		t.Fatalf("other error: %d", got)
	}
}
