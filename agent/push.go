package agent

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/queue"
	"syncagent/queue/backoff"
)

// pushSettings tune one store's push loop.
type pushSettings struct {
	Batch              int           // items per Push: the connector's MaxBatch, or limits.batch_size
	Parallel           int           // requests in flight at once (the pacer still keeps the rate)
	Ahead              int           // batches claimed in advance while every request waits for the pacer
	Debounce, MaxDelay time.Duration // on-change pushes (Debounce 0: schedule only)
	// FirstCheck is when the result of an asynchronous batch (or the marketplace's state
	// after a lost answer) is read first; later reads back off to MaxCheck.
	FirstCheck, MaxCheck time.Duration
	// DupWindow: the marketplace refuses an identical request repeated within it.
	DupWindow time.Duration
	// FailStop consecutive failed requests end a cycle: the marketplace is treated as down
	// and the store waits RetryBase·2^n (at most RetryMax) before the next try.
	FailStop            int
	RetryBase, RetryMax time.Duration
	MaxAttempts         int // the queue's, for log messages
	Now                 func() time.Time
}

// defaultParallel requests in flight let a store use a rate limit's burst: while one
// request waits for its answer, the next batch is claimed and sent.
const defaultParallel = 4

func (s *pushSettings) defaults() {
	if s.Batch <= 0 {
		s.Batch = 100
	}
	if s.Parallel <= 0 {
		s.Parallel = defaultParallel
	}
	if s.Ahead <= 0 {
		s.Ahead = s.Parallel
	}
	if s.FirstCheck <= 0 {
		s.FirstCheck = 2 * time.Second
	}
	if s.MaxCheck <= 0 {
		s.MaxCheck = time.Minute
	}
	if s.FailStop <= 0 {
		s.FailStop = 3
	}
	if s.RetryBase <= 0 {
		s.RetryBase = 30 * time.Second
	}
	if s.RetryMax <= 0 {
		s.RetryMax = time.Hour
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 8
	}
	if s.Now == nil {
		s.Now = time.Now
	}
}

// pushLoop is one active store: it keeps the marketplace in step with the store's desired
// state in the outbox. Like telegraf's RunningOutput it owns everything around the
// connector (batching, retries, result checks, reconciliation, health and stats) so a
// connector only speaks its API.
//
// One goroutine runs every cycle of a store, so cycles never overlap; the schedule and
// the sources only signal it (kick, changed), and a signal that comes during a cycle
// leads to another cycle after it, which is how a change made while a push is in flight
// still ends with the latest value.
type pushLoop struct {
	name        string
	marketplace string
	conn        connectors.Connector
	q           *queue.Store
	log         zerolog.Logger
	set         pushSettings
	rulesHash   string // fingerprint of the rules the outbox must have been computed with

	kick    chan struct{} // a scheduled push is due
	changed chan struct{} // a source committed changes

	// Owned by the run goroutine.
	deb       debouncer
	prepared  bool
	holdUntil time.Time // no request before (Retry-After, marketplace down)
	paused    string    // why pushes wait for the next scheduled push ("" : not paused)
	failures  int       // consecutive failed requests
	retryAt   time.Time // earliest future retry time of a dirty row
	checks    map[string]*resultCheck
	recent    map[string]time.Time // request fingerprint → when sent (duplicate rule)

	cancel context.CancelFunc
	done   chan struct{}
}

func newPushLoop(name, marketplace string, conn connectors.Connector, q *queue.Store, log zerolog.Logger, set pushSettings, rulesHash string) *pushLoop {
	set.defaults()
	return &pushLoop{
		name:        name,
		marketplace: marketplace,
		conn:        conn,
		q:           q,
		log:         log.With().Str("component", "push").Str("store", name).Logger(),
		set:         set,
		rulesHash:   rulesHash,
		kick:        make(chan struct{}, 1),
		changed:     make(chan struct{}, 1),
		deb:         debouncer{debounce: set.Debounce, maxDelay: set.MaxDelay},
		checks:      map[string]*resultCheck{},
		recent:      map[string]time.Time{},
	}
}

// Name implements Component; it is also the store's health record.
func (p *pushLoop) Name() string { return "store:" + p.name }

// Start implements Component. The loop outlives the start context: it ends on Stop, so
// the agent can stop sources before stores.
func (p *pushLoop) Start(ctx context.Context) error {
	ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	p.done = make(chan struct{})
	go p.run(ctx)
	return nil
}

// Stop implements Component: the push in flight is cut, its items are booked (retry, or
// reconcile when the marketplace may have applied them) and nothing stays leased.
func (p *pushLoop) Stop(ctx context.Context) error {
	if p.cancel == nil {
		return nil
	}
	p.cancel()
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("push loop of %s did not stop in time; its leased items become claimable again when the lease ends", p.name)
	}
}

// Trigger asks for a push now, as the schedule does.
func (p *pushLoop) Trigger() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Changed tells the loop a source committed changes; with a debounce configured, a push
// follows once changes stop arriving.
func (p *pushLoop) Changed() {
	if p.set.Debounce <= 0 {
		return
	}
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// wake reasons
const (
	wakeStart    = "start"
	wakeSchedule = "schedule"
	wakeChange   = "change"
	wakeRetry    = "retry"
	wakeResults  = "results"
	wakeResume   = "resume"
)

func (p *pushLoop) run(ctx context.Context) {
	defer close(p.done)
	p.cycle(ctx, wakeStart)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		at, why := p.nextWake()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		var fire <-chan time.Time
		if !at.IsZero() {
			timer.Reset(max(at.Sub(p.set.Now()), 0))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-p.kick:
			p.paused = ""
			p.cycle(ctx, wakeSchedule)
		case <-p.changed:
			p.deb.Note(p.set.Now())
		case <-fire:
			p.cycle(ctx, why)
		}
	}
}

// nextWake is the earliest moment the loop has work: pending changes, a retry coming due,
// a batch result to read, or the end of a hold. Zero when only a signal can bring work.
func (p *pushLoop) nextWake() (time.Time, string) {
	if p.paused != "" {
		return time.Time{}, ""
	}
	var at time.Time
	why := ""
	consider := func(t time.Time, reason string) {
		if t.IsZero() {
			return
		}
		if t.Before(p.holdUntil) {
			t, reason = p.holdUntil, wakeResume
		}
		if at.IsZero() || t.Before(at) {
			at, why = t, reason
		}
	}
	if t, ok := p.deb.Due(); ok {
		consider(t, wakeChange)
	}
	consider(p.retryAt, wakeRetry)
	for _, c := range p.checks {
		consider(c.next, wakeResults)
	}
	return at, why
}

// cycle reads due batch results, then pushes claimable rows batch after batch until none
// is left, a hold begins, or the loop stops. A panic is logged and the loop goes on.
func (p *pushLoop) cycle(ctx context.Context, why string) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
				Msg("push cycle panicked; its leased items are claimable again when the lease ends, and the next cycle runs as scheduled")
		}
	}()
	now := p.set.Now()
	if why == wakeChange {
		p.deb.Fired(now)
	} else {
		p.deb.Covered()
	}
	if ctx.Err() != nil || now.Before(p.holdUntil) || p.paused != "" {
		return
	}
	if !p.prepared {
		if err := p.prepareRules(ctx); err != nil {
			p.log.Error().Err(err).Msg("recomputing the store's desired state failed; nothing is pushed until it succeeds (next try at the next scheduled push)")
			p.health(ctx, "error", "recomputing desired state failed: "+err.Error())
			p.paused = "recompute"
			return
		}
		p.prepared = true
	}
	var st cycleStats
	if p.checkResults(ctx, &st) {
		p.pushAll(ctx, &st)
	}
	p.afterCycle(ctx, &st)
}

// prepareRules recomputes the store's desired state when its rules changed since the outbox
// was computed, or the store was passive (or unknown) until now.
func (p *pushLoop) prepareRules(ctx context.Context) error {
	have, err := p.q.RulesHash(ctx, p.name)
	if err != nil {
		return err
	}
	if have == p.rulesHash {
		return nil
	}
	started := p.set.Now()
	n, err := p.q.RecomputeStore(ctx, p.name)
	if err != nil {
		return err
	}
	if err := p.q.RecordRulesHash(ctx, p.name, p.rulesHash); err != nil {
		return err
	}
	why := "the store's rules changed"
	switch have {
	case "":
		why = "the store is new"
	case passiveHash:
		why = "the store became active"
	}
	p.log.Info().Int("items", n).Dur("took", p.set.Now().Sub(started)).
		Msgf("%s: desired stock and prices of %s recomputed for %d items; values that differ from the marketplace's are pushed now", why, p.name, n)
	return nil
}

// afterCycle records health and finds when the next retry comes due.
func (p *pushLoop) afterCycle(ctx context.Context, st *cycleStats) {
	if ctx.Err() != nil {
		return
	}
	if t, ok, err := p.q.NextDue(ctx, p.name, p.set.Now()); err == nil && ok {
		p.retryAt = t
	} else {
		p.retryAt = time.Time{}
	}
	switch {
	case st.lastError != "":
		p.health(ctx, st.state(p), st.lastError)
	case st.requests > 0:
		p.healthOK(ctx, st.summary())
	}
}

func (p *pushLoop) health(ctx context.Context, state, msg string) {
	if err := p.q.ReportError(ctx, p.Name(), state, msg); err != nil && ctx.Err() == nil {
		p.log.Warn().Err(err).Msg("recording the store's health failed")
	}
}

func (p *pushLoop) healthOK(ctx context.Context, detail string) {
	if err := p.q.ReportOK(ctx, p.Name(), "ok", detail); err != nil && ctx.Err() == nil {
		p.log.Warn().Err(err).Msg("recording the store's health failed")
	}
}

// bookCtx is the context for recording the fate of items: when the loop is stopping,
// the bookkeeping of the request in flight must still reach the database, briefly.
func bookCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
}

// retryPolicy is the queue's retry schedule without its jitter: RetryBase doubling up to
// RetryMax. The store waits by it once the marketplace counts as down, and an item's
// retry is logged by it.
func (p *pushLoop) retryPolicy() backoff.Policy {
	return backoff.Policy{Base: p.set.RetryBase, Max: p.set.RetryMax}
}

// storeBackoff is the wait after the marketplace failed n requests in a row: RetryBase
// at the FailStop-th, doubling with every further one.
func (p *pushLoop) storeBackoff(n int) time.Duration {
	return p.retryPolicy().Nominal(n - p.set.FailStop + 1)
}

// itemBackoff mirrors the queue's nominal retry delay for attempt, for log messages.
func (p *pushLoop) itemBackoff(attempt int) time.Duration {
	return p.retryPolicy().Nominal(attempt)
}
