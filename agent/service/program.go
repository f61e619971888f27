package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	kservice "github.com/kardianos/service"
)

// Prepare is called when the service starts. It does only local, quick work — read
// the config, open the log file — and returns the function that runs the agent until
// its context ends. It must not wait for a database or the network: those are retried
// inside run. sys is the system log, for what the agent's own log cannot carry.
type Prepare func(sys Logger) (run func(ctx context.Context) error, err error)

// ConfigError marks a Prepare failure caused by the config file. The entry exits with
// ExitConfig for it, which systemd does not restart.
type ConfigError struct {
	Path string
	Err  error
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("the config file %s cannot be used:\n%v", e.Path, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Run runs the agent as the service (under the SCM or systemd) or, in a terminal,
// until Ctrl-C or SIGTERM. It returns the start-up failure, if any, after writing it to
// the system log; the caller exits with ExitConfig for a *ConfigError.
func Run(prepare Prepare) error {
	return runOn(nil, nil, nil, prepare)
}

// runOn is Run on a given service system (nil: the one detected) with extra options
// and system log (tests pass RunWait instead of waiting for a signal, and a recorder).
func runOn(system kservice.System, opts kservice.KeyValue, sys Logger, prepare Prepare) error {
	p := newProgram(prepare)
	c := &kservice.Config{Name: Name, DisplayName: DisplayName, Description: Description, Option: opts}
	var (
		s   kservice.Service
		err error
	)
	if system != nil {
		s, err = system.New(p, c)
	} else {
		s, err = kservice.New(p, c)
	}
	if err != nil {
		return err
	}
	if sys == nil {
		if sys, err = s.Logger(nil); err != nil {
			// No system log (no syslog socket): under systemd stderr still reaches
			// the journal.
			sys = kservice.ConsoleLogger
		}
	}
	p.sys = sys
	handled := false
	if system == nil {
		handled, err = runUnderSCM(p)
	}
	if !handled {
		err = s.Run()
	}
	if err != nil && !p.reported(err) {
		_ = sys.Errorf("%s could not run as a service: %v", DisplayName, err)
	}
	return err
}

// Service-specific exit codes the Windows SCM records when the service stops with an
// error (systemd sees the process's exit status instead).
const (
	exitStartFailed uint32 = 1 // a local reason other than the config (the log folder)
	exitStopFailed  uint32 = 2 // the agent did not stop within StopWait
)

// exitCodeOf is the service-specific exit code of a failed Start: ExitConfig for a
// config that cannot be used, so the Event Log tells it apart and nothing restarts it.
func exitCodeOf(err error) uint32 {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return ExitConfig
	}
	return exitStartFailed
}

// program is the kardianos side of the agent: Start launches it in the background,
// Stop ends it within stopWait.
type program struct {
	prepare  Prepare
	sys      Logger
	stopWait time.Duration
	exit     func(code int) // os.Exit; replaced in tests

	mu       sync.Mutex
	cancel   context.CancelFunc
	done     chan struct{}
	stopping bool
	told     []error // the errors Start and Stop already wrote to the system log
}

// tell writes err to the system log once and remembers it, so Run does not repeat it.
func (p *program) tell(err error, format string, args ...any) {
	p.mu.Lock()
	p.told = append(p.told, err)
	p.mu.Unlock()
	_ = p.sys.Errorf(format, args...)
}

func (p *program) reported(err error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.told {
		if e == err {
			return true
		}
	}
	return false
}

func newProgram(prepare Prepare) *program {
	return &program{prepare: prepare, sys: kservice.ConsoleLogger, stopWait: StopWait, exit: os.Exit}
}

// Start prepares the agent and starts it in the background. It fails only for local
// reasons (config, log folder); kardianos then reports the service as stopped with an
// error, which on Windows is not a crash, so recovery does not restart a service
// whose config needs fixing.
func (p *program) Start(kservice.Service) error {
	run, err := p.prepare(p.sys)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			p.tell(err, "%s could not start: %v\nFix the file (check it with: syncagent check-config --config %s), then start the service again.", DisplayName, err, ce.Path)
		} else {
			p.tell(err, "%s could not start: %v", DisplayName, err)
		}
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p.mu.Lock()
	p.cancel, p.done = cancel, done
	p.mu.Unlock()
	go p.runAgent(ctx, run, done)
	return nil
}

// runAgent runs the agent. If it ends without being asked to, the process exits with
// status 1 so the service manager treats it as a crash and restarts it (a clean
// "stopped" report would not trigger Windows recovery).
func (p *program) runAgent(ctx context.Context, run func(context.Context) error, done chan struct{}) {
	err := run(ctx)
	p.mu.Lock()
	stopping := p.stopping
	p.mu.Unlock()
	if stopping {
		// Reported before done closes, so it precedes Stop's "stopped" and reaches the
		// system log before the service manager ends the process.
		if err != nil {
			_ = p.sys.Warningf("%s stopped with an error: %v", DisplayName, err)
		}
		close(done)
		return
	}
	close(done)
	if err == nil {
		err = errors.New("the agent ended without being asked to stop")
	}
	_ = p.sys.Errorf("%s stopped unexpectedly: %v; exiting so the service manager restarts it in %s", DisplayName, err, RestartDelay)
	p.exit(1)
}

// Stop asks the agent to stop and waits up to stopWait. The agent leaves nothing
// half-done: what it had not finished is still in the store and resumes at the next
// start.
func (p *program) Stop(kservice.Service) error {
	p.mu.Lock()
	p.stopping = true
	cancel, done := p.cancel, p.done
	p.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	t := time.NewTimer(p.stopWait)
	defer t.Stop()
	select {
	case <-done:
		_ = p.sys.Infof("%s stopped", DisplayName)
		return nil
	case <-t.C:
		err := fmt.Errorf("%s did not stop within %s; exiting anyway (unfinished work resumes from the store at the next start)", DisplayName, p.stopWait)
		p.tell(err, "%v", err)
		return err
	}
}
