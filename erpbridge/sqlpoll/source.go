package sqlpoll

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/queue/backoff"
)

// Hooks connect a Source to the agent without this package knowing the agent.
type Hooks struct {
	// Schedule registers fn to run on the cron spec under name (the agent's scheduler:
	// panics are recovered, a tick is skipped while the previous run is still going).
	Schedule func(name, spec string, fn func(ctx context.Context)) error
	// Trigger runs the job registered under name now, unless it is running.
	Trigger func(name string) bool
	// Changed is called after a reading committed changes (may be nil).
	Changed func()
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// retryPolicy spaces readings after failed ones: 15 s doubling up to 10 min, and ticks of
// the source's schedule that fall inside the delay are skipped, so a database that is
// down is asked less and less often; the first reading after it comes back resets it.
var retryPolicy = backoff.Policy{Base: 15 * time.Second, Max: 10 * time.Minute}

func retryDelay(failures int) time.Duration { return retryPolicy.Nominal(failures) }

// Source is the agent component of one SQL source: it reads on the source's schedule
// and at start, retries with backoff while the database is down, and records its health
// for the status command as "source:NAME".
type Source struct {
	p     *Poller
	store HealthRecorder
	log   zerolog.Logger
	hooks Hooks

	mu        sync.Mutex
	ctx       context.Context // ends at Stop; every reading runs under it
	cancel    context.CancelFunc
	running   sync.WaitGroup
	stopped   bool
	failures  int
	notBefore time.Time
	retry     func() bool // stops the pending retry
	afterFunc func(d time.Duration, f func()) (stop func() bool)
}

// NewSource wraps p. The Source owns p from now on and closes it at Stop.
func NewSource(p *Poller, store HealthRecorder, log zerolog.Logger, hooks Hooks) *Source {
	if hooks.Now == nil {
		hooks.Now = time.Now
	}
	return &Source{p: p, store: store, hooks: hooks,
		log:       log.With().Str("source", p.cfg.Name).Logger(),
		afterFunc: func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }}
}

// Name is the component's name, also its health record's key.
func (s *Source) Name() string { return "source:" + s.p.cfg.Name }

func (s *Source) job() string { return "sql-source:" + s.p.cfg.Name }

// Start schedules the readings and runs the first one now. It never fails because the
// ERP database is unreachable: that is a failed reading, retried.
func (s *Source) Start(context.Context) error {
	s.mu.Lock()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.mu.Unlock()
	if err := s.hooks.Schedule(s.job(), s.p.cfg.Schedule, s.tick); err != nil {
		return err
	}
	s.hooks.Trigger(s.job())
	return nil
}

// Stop cancels a reading in progress (its transaction rolls back: nothing half-applied),
// waits for it to end, and closes the connection pool.
func (s *Source) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	if s.retry != nil {
		s.retry()
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("%s: the reading in progress did not end in time: %w", s.Name(), ctx.Err())
	}
	return s.p.Close()
}

// tick is the scheduled job.
func (s *Source) tick(jobCtx context.Context) {
	s.mu.Lock()
	if s.stopped || s.ctx == nil {
		s.mu.Unlock()
		return
	}
	if now := s.hooks.Now(); now.Before(s.notBefore) {
		s.mu.Unlock()
		s.log.Debug().Time("retry_at", s.notBefore).Msg("scheduled reading skipped: waiting to retry after a failure")
		return
	}
	if s.retry != nil {
		s.retry()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.running.Add(1)
	s.mu.Unlock()
	defer s.running.Done()
	defer cancel()
	defer context.AfterFunc(jobCtx, cancel)()

	res, err := s.p.Read(ctx)
	if err != nil && ctx.Err() != nil {
		s.log.Info().Msg("reading cancelled because the agent is stopping; nothing of it was committed")
		return
	}
	if err != nil {
		s.failed(ctx, err)
		return
	}
	s.succeeded(ctx, res)
}

func (s *Source) succeeded(ctx context.Context, res Result) {
	s.mu.Lock()
	failures := s.failures
	s.failures, s.notBefore = 0, time.Time{}
	s.mu.Unlock()
	if failures > 0 {
		s.log.Info().Int("failed_attempts", failures).Msg("ERP database reachable again; readings continue on schedule")
	}
	ev := s.log.Info().Int("rows", res.Rows).Int("changed", res.Changed).Int("applied", res.Applied).
		Int("rejected", res.Rejected).Dur("duration", res.Duration).Dur("erp_duration", res.ERPTime)
	what := fmt.Sprintf("%d rows, %d changed", res.Rows, res.Changed)
	if res.Mode == config.Snapshot {
		ev = ev.Int("disappeared", res.Disappeared).Int("zeroed", res.Zeroed).Bool("rechecked", res.Rechecked)
		what += fmt.Sprintf(", %d disappeared", res.Disappeared)
	} else if res.Mark != "" {
		ev = ev.Str("mark", res.Mark)
	}
	what += fmt.Sprintf(", %d rejected in %s", res.Rejected, res.Duration.Round(time.Millisecond))
	ev.Msgf("ERP source %s read: %s", s.p.cfg.Name, what)
	if res.Rejected > 0 {
		s.log.Warn().Int("rejected", res.Rejected).Msg(RejectSummary(res))
	}
	if err := s.store.ReportOK(ctx, s.Name(), "polling", what); err != nil {
		s.log.Warn().Err(err).Msg("cannot record the source's health; the status command may show an old state")
	}
	if (res.Applied > 0 || res.Zeroed > 0) && s.hooks.Changed != nil {
		s.hooks.Changed()
	}
}

func (s *Source) failed(ctx context.Context, err error) {
	s.mu.Lock()
	s.failures++
	failures := s.failures
	wait := retryDelay(failures)
	s.notBefore = s.hooks.Now().Add(wait)
	if !s.stopped {
		s.retry = s.afterFunc(wait, func() { s.hooks.Trigger(s.job()) })
	}
	s.mu.Unlock()
	kind, msg := KindLocal, err.Error()
	var e *Error
	if errors.As(err, &e) {
		kind, msg = e.Kind, e.Err.Error()
	}
	ev := s.log.Error()
	if kind == KindDown || kind == KindTimeout || kind == KindBusy {
		ev = s.log.Warn()
	}
	ev.Str("state", kind.State()).Int("attempt", failures).Dur("retry_in", wait).
		Msgf("reading of ERP source %s failed: %s; nothing of it was committed; retrying in %s (attempt %d)", s.p.cfg.Name, msg, wait, failures)
	if err := s.store.ReportError(context.WithoutCancel(ctx), s.Name(), kind.State(), msg); err != nil {
		s.log.Warn().Err(err).Msg("cannot record the source's health; the status command may show an old state")
	}
}

// RejectSummary is the one line that reports a reading's rejected rows: the count and
// the first few, each with its row, SKU and reason.
func RejectSummary(res Result) string {
	parts := make([]string, len(res.Rejects))
	for i, r := range res.Rejects {
		parts[i] = r.String()
	}
	s := fmt.Sprintf("%d rows of ERP source %s were rejected and skipped (the other rows were used): %s", res.Rejected, res.Source, strings.Join(parts, "; "))
	if more := res.Rejected - len(res.Rejects); more > 0 {
		s += fmt.Sprintf("; and %d more", more)
	}
	return s
}
