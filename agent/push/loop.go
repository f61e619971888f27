package push

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/queue"
	"syncagent/queue/backoff"
)

// Settings tune one store's push loop. The agent's store factory fills them from the
// store's config and its connector's declaration; zero values take the defaults.
type Settings struct {
	Marketplace string // the store's marketplace, for messages
	// RulesHash is the fingerprint of the rules the outbox must have been computed with;
	// when the outbox records another one, the store's desired state is recomputed first.
	RulesHash string
	Batch     int // items per Push: the connector's MaxBatch, or limits.batch_size
	Parallel  int // requests in flight at once (the pacer still keeps the rate)
	// Ahead batches are claimed in advance while every request waits for the pacer: one
	// rate window's worth of requests, so the next window's burst goes out at once. At
	// least Parallel, at most maxUnbooked; the queue's lease (minutes) is far longer
	// than a window.
	Ahead              int
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

// PassiveRules is the rules fingerprint the agent records for a passive store. Changes
// made while a store is passive are not computed for it, so when it becomes active again
// the fingerprint differs and its whole desired state is recomputed.
const PassiveRules = "passive"

// defaultParallel requests in flight let a store use a rate limit's burst: while one
// request waits for its answer, the next batch is claimed and sent.
const defaultParallel = 4

func (s *Settings) defaults() {
	if s.Batch <= 0 {
		s.Batch = 100
	}
	if s.Parallel <= 0 {
		s.Parallel = defaultParallel
	}
	s.Ahead = min(max(s.Ahead, s.Parallel), maxUnbooked)
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

// Queue is what a push loop uses of the queue (*queue.Store).
type Queue interface {
	// Claim leases up to n dirty rows of store whose retry time has come.
	Claim(ctx context.Context, store string, n int) ([]queue.Claimed, error)
	Release(ctx context.Context, items []queue.Claimed) error
	Confirm(ctx context.Context, items []queue.Claimed) error
	Retry(ctx context.Context, items []queue.Claimed, reason string, outcome queue.Outcome) (dead int, err error)
	RetryAfter(ctx context.Context, items []queue.Claimed, reason string, wait time.Duration) error
	Reject(ctx context.Context, items []queue.Claimed, reason string) error
	MarkAwaiting(ctx context.Context, items []queue.Claimed, ref string, checkAt time.Time) error
	ListAwaiting(ctx context.Context, store string) (map[string][]queue.Claimed, []string, error)
	NextDue(ctx context.Context, store string, after time.Time) (time.Time, bool, error)

	RulesHash(ctx context.Context, store string) (string, error)
	RecomputeStore(ctx context.Context, store string) (int, error)
	RecordRulesHash(ctx context.Context, store, hash string) error

	ReportOK(ctx context.Context, component, state, detail string) error
	ReportError(ctx context.Context, component, state, msg string) error
}

// Stats count what a loop did since it was built.
type Stats struct {
	Cycles   int // cycles run, including those a hold, a pause or a stop cut short
	Requests int // pushes, result reads and read-backs
	Items    int // items pushed
	// Fates booked, of pushes and of result reads and read-backs.
	Confirmed, Pending, Retried, Rejected int
}

// Loop is one active store: it keeps the marketplace in step with the store's desired
// state in the outbox. Like telegraf's RunningOutput it owns everything around the
// connector (batching, retries, result checks, reconciliation, health and stats) so a
// connector only speaks its API.
//
// One goroutine runs every cycle of a store, so cycles never overlap; the schedule and
// the sources only signal it (Trigger, Changed), and a signal that comes during a cycle
// leads to another cycle after it, which is how a change made while a push is in flight
// still ends with the latest value.
type Loop struct {
	name        string
	marketplace string
	conn        connectors.Connector
	q           Queue
	log         zerolog.Logger
	set         Settings
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

	mu    sync.Mutex
	stats Stats

	cancel context.CancelFunc
	done   chan struct{}
}

// New builds the push loop of store, which sends through conn.
func New(store string, conn connectors.Connector, q Queue, set Settings, log zerolog.Logger) *Loop {
	set.defaults()
	return &Loop{
		name:        store,
		marketplace: set.Marketplace,
		conn:        conn,
		q:           q,
		log:         log.With().Str("component", "push").Str("store", store).Logger(),
		set:         set,
		rulesHash:   set.RulesHash,
		kick:        make(chan struct{}, 1),
		changed:     make(chan struct{}, 1),
		deb:         debouncer{debounce: set.Debounce, maxDelay: set.MaxDelay},
		checks:      map[string]*resultCheck{},
		recent:      map[string]time.Time{},
	}
}

// Stats returns what the loop did so far; safe to call from any goroutine.
func (p *Loop) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Name implements agent.Component; it is also the store's health record.
func (p *Loop) Name() string { return "store:" + p.name }

// Start implements agent.Component. The loop outlives the start context: it ends on Stop, so
// the agent can stop sources before stores.
func (p *Loop) Start(ctx context.Context) error {
	ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	p.done = make(chan struct{})
	go p.run(ctx)
	return nil
}

// Stop implements agent.Component: the push in flight is cut, its items are booked (retry, or
// reconcile when the marketplace may have applied them) and nothing stays leased.
func (p *Loop) Stop(ctx context.Context) error {
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
func (p *Loop) Trigger() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Changed tells the loop a source committed changes; with a debounce configured, a push
// follows once changes stop arriving.
func (p *Loop) Changed() {
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

func (p *Loop) run(ctx context.Context) {
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
func (p *Loop) nextWake() (time.Time, string) {
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
func (p *Loop) cycle(ctx context.Context, why string) {
	var st cycleStats
	defer p.count(&st)
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
	if p.checkResults(ctx, &st) {
		p.pushAll(ctx, &st)
	}
	p.afterCycle(ctx, &st)
}

// prepareRules recomputes the store's desired state when its rules changed since the outbox
// was computed, or the store was passive (or unknown) until now.
func (p *Loop) prepareRules(ctx context.Context) error {
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
	case PassiveRules:
		why = "the store became active"
	}
	p.log.Info().Int("items", n).Dur("took", p.set.Now().Sub(started)).
		Msgf("%s: desired stock and prices of %s recomputed for %d items; values that differ from the marketplace's are pushed now", why, p.name, n)
	return nil
}

// count adds a cycle's counts to the loop's stats.
func (p *Loop) count(st *cycleStats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Cycles++
	p.stats.Requests += st.requests
	p.stats.Items += st.items
	p.stats.Confirmed += st.confirmed
	p.stats.Pending += st.pending
	p.stats.Retried += st.retry
	p.stats.Rejected += st.rejected
}

// afterCycle records health and finds when the next retry comes due.
func (p *Loop) afterCycle(ctx context.Context, st *cycleStats) {
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

func (p *Loop) health(ctx context.Context, state, msg string) {
	if err := p.q.ReportError(ctx, p.Name(), state, msg); err != nil && ctx.Err() == nil {
		p.log.Warn().Err(err).Msg("recording the store's health failed")
	}
}

func (p *Loop) healthOK(ctx context.Context, detail string) {
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
func (p *Loop) retryPolicy() backoff.Policy {
	return backoff.Policy{Base: p.set.RetryBase, Max: p.set.RetryMax}
}

// storeBackoff is the wait after the marketplace failed n requests in a row: RetryBase
// at the FailStop-th, doubling with every further one.
func (p *Loop) storeBackoff(n int) time.Duration {
	return p.retryPolicy().Nominal(n - p.set.FailStop + 1)
}

// itemBackoff mirrors the queue's nominal retry delay for attempt, for log messages.
func (p *Loop) itemBackoff(attempt int) time.Duration {
	return p.retryPolicy().Nominal(attempt)
}
