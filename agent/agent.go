// Package agent wires the parts together and runs them: it takes the data folder (one
// agent per folder, agent/instance), opens the store, starts the scheduler and the
// components in order (sinks before stores before sources, so nothing produces work
// before its consumer is ready), writes a heartbeat and serves the command line's
// requests (requests.go) while it runs, and stops everything in reverse order within a
// bounded time.
package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/instance"
	"syncagent/agent/logging"
	"syncagent/config"
	"syncagent/connectors"
	"syncagent/queue"
)

// Component is a long-running part of the agent: a source, a store's push and order
// loops, a sink.
type Component interface {
	// Name identifies the component in logs and health records ("source:stock-lists").
	Name() string
	// Start begins work and returns promptly; it must not fail because a remote system
	// (ERP database, marketplace) is unreachable — that is retried inside and reported as
	// health. An error means the component cannot run at all (bad local setup).
	Start(ctx context.Context) error
	// Stop ends work, leaving nothing half-done that a restart cannot resume, before ctx
	// ends.
	Stop(ctx context.Context) error
}

// Kind orders start-up: sinks first, sources last.
type Kind int

const (
	KindSink Kind = iota
	KindStore
	KindSource
)

// Env is what a component factory gets.
type Env struct {
	Config *config.Config
	Store  *queue.Store
	Sched  *Scheduler
	Log    zerolog.Logger
	// Connectors are the active stores' connectors by store name, built once before any
	// component (ConnectStores): a store's push loop and order loop share its one value.
	Connectors map[string]connectors.Connector
	// Changed is called by sources after they commit changes, so stores with an on-change
	// debounce can push soon.
	Changed func()
	// Stores are the active stores' push loops by store name (BuildStores fills it), for
	// the command line's push-now and resync.
	Stores map[string]StoreLoop
}

// Factory builds the components of one kind from the config.
type Factory struct {
	Kind  Kind
	Build func(env *Env) ([]Component, error)
}

// Options tune an agent.
type Options struct {
	// StopTimeout bounds the whole stop sequence (default 8 s, inside the 10 s a service
	// manager allows).
	StopTimeout time.Duration
	// Factories build the components; defaults to the built-in ones (DefaultFactories).
	Factories []Factory
	// Connect builds a store's connector (default BuildConnector, through the
	// marketplace's registration); tests give simulator- or fake-backed ones.
	Connect ConnectorBuilder
	// Lock is the data folder, already taken (the service entry takes it while it
	// starts, so a second agent is refused before the service reports running). Run
	// releases it when it ends. Nil: Run takes it, as Mode.
	Lock *instance.Lock
	// Mode is how the agent runs, for the lock file and status (default
	// instance.ModeForeground); used when Run takes the lock itself.
	Mode string
	// HeartbeatEvery and PollEvery set how often the agent records that it is alive
	// (default HeartbeatEvery) and looks for requests of the command line (default 1 s).
	HeartbeatEvery, PollEvery time.Duration
}

// HeartbeatEvery is how often a running agent records that it is alive; `status` takes
// an agent whose heartbeat is much older for one that does not respond.
const HeartbeatEvery = 5 * time.Second

// Agent is one running syncagent.
type Agent struct {
	cfg  *config.Config
	log  zerolog.Logger
	opts Options

	store *queue.Store
	sched *Scheduler
	comps [3][]Component
	ready chan struct{}
}

// New prepares an agent; nothing is opened until Run.
func New(cfg *config.Config, log zerolog.Logger, opts Options) *Agent {
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 8 * time.Second
	}
	if opts.Factories == nil {
		opts.Factories = DefaultFactories()
	}
	if opts.Mode == "" {
		opts.Mode = instance.ModeForeground
	}
	if opts.HeartbeatEvery <= 0 {
		opts.HeartbeatEvery = HeartbeatEvery
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = time.Second
	}
	return &Agent{cfg: cfg, log: log, opts: opts, ready: make(chan struct{})}
}

// Ready is closed once every component has started.
func (a *Agent) Ready() <-chan struct{} { return a.ready }

// Store is the open queue (nil before Run has opened it).
func (a *Agent) Store() *queue.Store { return a.store }

// TakeDataDir takes the config's data folder for an agent running as mode, or tells who
// holds it (*instance.HeldError).
func TakeDataDir(cfg *config.Config, mode string) (*instance.Lock, error) {
	host, _ := os.Hostname()
	return instance.Acquire(string(cfg.DataDir), instance.Info{PID: os.Getpid(), Mode: mode, Started: time.Now(), Host: host, Config: cfg.File}, cfg.Location)
}

// Run runs the agent until ctx is cancelled, then stops it within StopTimeout. It
// refuses to run (*instance.HeldError) while another agent works on the data folder.
func (a *Agent) Run(ctx context.Context) error {
	log := a.log.With().Str(logging.FieldComponent, logging.CompAgent).Logger()
	lock := a.opts.Lock
	if lock == nil {
		var err error
		if lock, err = TakeDataDir(a.cfg, a.opts.Mode); err != nil {
			return err
		}
	}
	defer lock.Release()
	st, err := queue.Open(ctx, a.cfg.DBPath(), queue.Options{
		MaxAttempts: a.cfg.Queue.MaxAttempts,
		RetryBase:   a.cfg.Queue.RetryBase.D(),
		RetryMax:    a.cfg.Queue.RetryMax.D(),
		Lease:       a.cfg.Queue.Lease.D(),
	})
	if err != nil {
		return err
	}
	a.store = st
	defer func() {
		if err := st.Close(); err != nil {
			log.Error().Err(err).Msg("closing the database failed")
		}
	}()
	me := lock.Info()
	if err := st.BeginRun(ctx, queue.AgentRun{PID: me.PID, Mode: me.Mode, Host: me.Host, Started: me.Started}); err != nil {
		return fmt.Errorf("recording the agent's start in %s: %w", st.Path(), err)
	}
	defer func() {
		// The clean stop, for status: "stopped at …". A crash leaves only the heartbeat.
		if err := st.EndRun(context.WithoutCancel(ctx)); err != nil {
			log.Warn().Err(err).Msg("recording the agent's stop failed; status will show the time of its last heartbeat")
		}
	}()
	if n, err := st.ExpireRequests(ctx, me.Started, "no agent was running when this was asked; the agent pushes every store when it starts"); err != nil {
		return err
	} else if n > 0 {
		log.Info().Int("requests", n).Msg("requests made while no agent ran were answered as expired")
	}
	a.sched = NewScheduler(a.cfg.Location, a.log, st)
	conns, err := ConnectStores(a.cfg, a.opts.Connect, a.log)
	if err != nil {
		return err
	}
	env := &Env{Config: a.cfg, Store: st, Sched: a.sched, Log: a.log, Connectors: conns, Changed: func() {}, Stores: map[string]StoreLoop{}}
	if err := a.build(env); err != nil {
		return err
	}
	if err := a.addMaintenance(); err != nil {
		return err
	}
	started, err := a.start(ctx)
	if err != nil {
		a.stop(started)
		return err
	}
	a.sched.Start()
	reqCtx, stopRequests := context.WithCancel(context.WithoutCancel(ctx))
	reqs := newRequestServer(env, a.opts.HeartbeatEvery, a.opts.PollEvery)
	reqsDone := make(chan struct{})
	go func() {
		defer close(reqsDone)
		reqs.run(reqCtx)
	}()
	log.Info().Int("stores", len(a.cfg.Stores)).Int("sources", len(a.cfg.Sources.DropFolders)+len(a.cfg.Sources.SQL)).
		Str("database", st.Path()).Str("mode", me.Mode).Int("pid", me.PID).Msg("agent started")
	close(a.ready)
	<-ctx.Done()
	log.Info().Msg("stopping")
	stopRequests()
	<-reqsDone
	if !a.stop(started) {
		return errors.New("stop did not finish in time")
	}
	log.Info().Msg("stopped")
	return nil
}

func (a *Agent) build(env *Env) error {
	for _, f := range a.opts.Factories {
		cs, err := f.Build(env)
		if err != nil {
			return err
		}
		a.comps[f.Kind] = append(a.comps[f.Kind], cs...)
	}
	return nil
}

// start starts sinks, then stores, then sources; it returns what started so a failure
// stops exactly those.
func (a *Agent) start(ctx context.Context) ([]Component, error) {
	var started []Component
	for _, kind := range []Kind{KindSink, KindStore, KindSource} {
		for _, c := range a.comps[kind] {
			if err := c.Start(ctx); err != nil {
				return started, fmt.Errorf("%s cannot start: %w", c.Name(), err)
			}
			started = append(started, c)
		}
	}
	return started, nil
}

// stop stops the scheduler and the started components in reverse start order (sources
// first), all within StopTimeout. It reports whether everything stopped in time.
func (a *Agent) stop(started []Component) bool {
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.StopTimeout)
	defer cancel()
	log := a.log.With().Str(logging.FieldComponent, logging.CompAgent).Logger()
	ok := true
	for i := len(started) - 1; i >= 0; i-- {
		c := started[i]
		if err := c.Stop(ctx); err != nil {
			log.Error().Err(err).Str("part", c.Name()).Msg("stop failed")
			ok = false
		}
	}
	if a.sched != nil && !a.sched.Stop(ctx) {
		log.Error().Msg("scheduled jobs did not finish in time; they resume from the database at the next start")
		ok = false
	}
	return ok
}

// addMaintenance schedules the store's housekeeping.
func (a *Agent) addMaintenance() error {
	log := a.log.With().Str(logging.FieldComponent, logging.CompQueue).Logger()
	if err := a.sched.Add("journal-retention", "@every 1h", JobOptions{}, func(ctx context.Context) {
		n, err := a.store.PurgeJournal(ctx, a.cfg.Queue.JournalRetention.D())
		if err != nil {
			log.Error().Err(err).Msg("purging old journal entries failed; will try again in an hour")
			return
		}
		// Requests of the command line are answered within seconds; a day keeps them
		// readable for whoever asked.
		if m, err := a.store.PurgeRequests(ctx, 24*time.Hour); err != nil {
			log.Warn().Err(err).Msg("purging answered requests failed; will try again in an hour")
		} else {
			n += m
		}
		if n > 0 {
			log.Info().Int64("deleted", n).Str("retention", a.cfg.Queue.JournalRetention.String()).Msg("old journal entries, import records and answered requests purged")
		}
	}); err != nil {
		return err
	}
	// A checkpoint keeps the WAL from growing while readers come and go.
	return a.sched.Add("wal-checkpoint", "@every 5m", JobOptions{}, func(ctx context.Context) {
		if err := a.store.Checkpoint(ctx); err != nil {
			log.Warn().Err(err).Msg("WAL checkpoint failed; will try again in 5 minutes")
		}
	})
}

// DefaultFactories are the built-in component kinds.
func DefaultFactories() []Factory {
	return append([]Factory{dropFolderFactory(), sqlSourceFactory(), StoreFactory()}, OrderFactories()...)
}
