package agent

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"syncagent/agent/logging"
	"syncagent/config"
)

// Scheduler runs jobs on cron schedules in the configured time zone. Every job is wrapped
// so that a panic is logged and the job runs again at its next tick, and a tick that comes
// while the previous run is still going is skipped (never queued: queued runs pile up
// without bound). robfig/cron's own SkipIfStillRunning is not used because in v3.0.1 it
// never releases its token after a panic.
type Scheduler struct {
	c       *cron.Cron
	log     zerolog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	lastRun LastRunStore
	now     func() time.Time
	catchUp []func()
	mu      sync.Mutex
	jobs    map[string]*job
}

// LastRunStore remembers when a job last ran, so a run missed while the agent was down
// executes once at start. The queue's cursors implement it.
type LastRunStore interface {
	Cursor(ctx context.Context, name string) (string, bool, error)
	SetCursor(ctx context.Context, name, value string) error
}

// NewScheduler makes a scheduler for loc. lastRun may be nil (no catch-up).
func NewScheduler(loc *time.Location, log zerolog.Logger, lastRun LastRunStore) *Scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		c:       cron.New(cron.WithLocation(loc), cron.WithParser(config.CronParser)),
		log:     logging.Component(log, logging.CompScheduler),
		ctx:     ctx,
		cancel:  cancel,
		lastRun: lastRun,
		now:     time.Now,
		jobs:    map[string]*job{},
	}
}

// Job options.
type JobOptions struct {
	// CatchUp runs the job once at start when a scheduled run was missed while the agent
	// was down (the last recorded run is older than the schedule's previous tick).
	CatchUp bool
	// Store names the store a job works for, for its log lines.
	Store string
}

// Add schedules fn under name. fn gets a context cancelled when the scheduler stops.
func (s *Scheduler) Add(name, spec string, opts JobOptions, fn func(ctx context.Context)) error {
	sched, err := config.CronParser.Parse(spec)
	if err != nil {
		return fmt.Errorf("job %s: schedule %q: %w", name, spec, err)
	}
	j := &job{s: s, name: name, fn: fn, store: opts.Store}
	s.mu.Lock()
	if _, dup := s.jobs[name]; dup {
		s.mu.Unlock()
		return fmt.Errorf("job %s is already scheduled", name)
	}
	s.jobs[name] = j
	s.mu.Unlock()
	s.c.Schedule(sched, j)
	if opts.CatchUp && s.lastRun != nil {
		if v, ok, err := s.lastRun.Cursor(s.ctx, j.cursor()); err == nil && ok {
			if last, err := time.Parse(time.RFC3339Nano, v); err == nil {
				if next := sched.Next(last); next.Before(s.now()) {
					s.log.Info().Str("job", name).Time("last_run", last).Time("missed", next).Msg("a scheduled run was missed while the agent was down; running it now")
					s.catchUp = append(s.catchUp, j.Run)
				}
			}
		}
	}
	return nil
}

// Start starts the schedule and the catch-up runs.
func (s *Scheduler) Start() {
	s.c.Start()
	for _, run := range s.catchUp {
		go run()
	}
	s.catchUp = nil
}

// Trigger runs the named job now, outside its schedule (a debounced push after changes);
// like a tick, it is skipped if the job is already running.
func (s *Scheduler) Trigger(name string) bool {
	s.mu.Lock()
	j, ok := s.jobs[name]
	s.mu.Unlock()
	if ok {
		go j.Run()
	}
	return ok
}

// Stop stops scheduling, cancels the jobs' context and waits for running jobs until ctx
// ends. It reports whether every job finished.
func (s *Scheduler) Stop(ctx context.Context) bool {
	stopped := s.c.Stop()
	s.cancel()
	done := make(chan struct{})
	go func() {
		<-stopped.Done()
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

type job struct {
	s       *Scheduler
	name    string
	store   string
	fn      func(ctx context.Context)
	running atomic.Bool
}

func (j *job) cursor() string { return "job:" + j.name + ":last_run" }

func (j *job) log() *zerolog.Logger {
	l := j.s.log.With().Str("job", j.name)
	if j.store != "" {
		l = l.Str("store", j.store)
	}
	lg := l.Logger()
	return &lg
}

// Run implements cron.Job.
func (j *job) Run() {
	if j.s.ctx.Err() != nil {
		return
	}
	if !j.running.CompareAndSwap(false, true) {
		j.log().Warn().Msg("previous run still going; this tick is skipped")
		return
	}
	j.s.wg.Add(1)
	defer j.s.wg.Done()
	defer j.running.Store(false)
	started := j.s.now()
	defer func() {
		if r := recover(); r != nil {
			j.log().Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
				Msg("job panicked; it will run again at its next tick")
		}
		if j.s.lastRun != nil && j.s.ctx.Err() == nil {
			if err := j.s.lastRun.SetCursor(context.Background(), j.cursor(), started.Format(time.RFC3339Nano)); err != nil {
				j.log().Warn().Err(err).Msg("cannot record the job's last run")
			}
		}
	}()
	j.fn(j.s.ctx)
}
