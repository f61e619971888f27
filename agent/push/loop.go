// Package push is the push loop of one store: it keeps a marketplace in step with the
// store's desired state in the outbox. Like telegraf's RunningOutput it owns everything
// around the connector, so a connector only speaks its API.
//
// One batch goes one way through the package:
//
//	claim.go      claim dirty rows, hold back a repeat the marketplace would refuse
//	send.go       send batches, several in flight within the connector's pacing
//	book.go       book every item's fate: confirmed, awaiting a result, retry, rejected, lost
//	results.go    read the result of an awaiting batch when its check comes due
//	reconcile.go  settle a lost or expired outcome by reading back what the store shows
//	request.go    push-now and resync, asked for by a person through the running agent
//
// beside the parts they share: gate.go (hold, pause, failures in a row), checks.go (when
// each awaiting batch is read), duplicates.go (requests sent within the duplicate window),
// market.go (the only caller of the connector), debounce.go and recompute.go.
package push

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/logging"
)

// Loop is the push loop of one active store.
//
// One goroutine runs every cycle of a store, so cycles never overlap; the schedule and
// the sources only signal it (Trigger, Changed), and a signal that comes during a cycle
// leads to another cycle after it, which is how a change made while a push is in flight
// still ends with the latest value.
type Loop struct {
	store
	q   Queue
	now func() time.Time

	kick    chan struct{} // a scheduled push is due
	changed chan struct{} // a source committed changes
	asks    chan ask      // push-now and resync (request.go)
	cancel  context.CancelFunc
	done    chan struct{}

	// The parts, used by the run goroutine only.
	deb     debouncer
	gate    *gate
	desired *desiredState
	results *resultReader
	send    *sender
	market  *market
	set     *Settings

	stats counter
}

// New builds the push loop of store, which sends through conn.
func New(storeName string, conn Pusher, q Queue, set Settings, log zerolog.Logger) *Loop {
	set.defaults()
	st := store{name: storeName, marketplace: set.Marketplace,
		log: logging.Store(logging.Component(log, logging.CompPush), storeName)}
	g := newGate(&set)
	checks := newCheckSchedule(&set)
	m := newMarket(st, conn)
	b := &booker{store: st, q: q, gate: g, checks: checks, set: &set}
	return &Loop{
		store:   st,
		q:       q,
		now:     set.Now,
		kick:    make(chan struct{}, 1),
		changed: make(chan struct{}, 1),
		asks:    make(chan ask),
		market:  m,
		set:     &set,
		deb:     debouncer{debounce: set.Debounce, maxDelay: set.MaxDelay},
		gate:    g,
		desired: &desiredState{store: st, q: q, hash: set.RulesHash, now: set.Now},
		results: &resultReader{store: st, q: q, market: m, book: b, checks: checks, gate: g, now: set.Now,
			reconcile: &reconciler{store: st, market: m, book: b, checks: checks, set: &set}},
		send: &sender{store: st, q: q, market: m, book: b, gate: g, recent: newRecentRequests(set.DupWindow), set: &set},
	}
}

// Name implements agent.Component; it is also the store's health record.
func (l *Loop) Name() string { return "store:" + l.name }

// Start implements agent.Component. The loop outlives the start context: it ends on
// Stop, so the agent can stop sources before stores.
func (l *Loop) Start(ctx context.Context) error {
	ctx, l.cancel = context.WithCancel(context.WithoutCancel(ctx))
	l.done = make(chan struct{})
	go l.run(ctx)
	return nil
}

// Stop implements agent.Component: the push in flight is cut, its items are booked
// (retry, or reconcile when the marketplace may have applied them) and nothing stays
// leased.
func (l *Loop) Stop(ctx context.Context) error {
	if l.cancel == nil {
		return nil
	}
	l.cancel()
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("push loop of %s did not stop in time; its leased items become claimable again when the lease ends", l.name)
	}
}

// Trigger asks for a push now, as the schedule does; it also ends a pause.
func (l *Loop) Trigger() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Changed tells the loop a source committed changes; with a debounce configured, a push
// follows once changes stop arriving.
func (l *Loop) Changed() {
	if !l.deb.enabled() {
		return
	}
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// Stats returns what the loop did so far; safe to call from any goroutine.
func (l *Loop) Stats() Stats { return l.stats.get() }

// wake reasons
const (
	wakeStart    = "start"
	wakeSchedule = "schedule"
	wakeChange   = "change"
	wakeRetry    = "retry"
	wakeResults  = "results"
	wakeResume   = "resume"
)

func (l *Loop) run(ctx context.Context) {
	defer close(l.done)
	l.cycle(ctx, wakeStart)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		at, why := l.nextWake()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		var fire <-chan time.Time
		if !at.IsZero() {
			timer.Reset(max(at.Sub(l.now()), 0))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-l.kick:
			l.gate.resume()
			l.cycle(ctx, wakeSchedule)
		case <-l.changed:
			l.deb.Note(l.now())
		case a := <-l.asks:
			a.reply <- l.serve(ctx, a.kind)
		case <-fire:
			l.cycle(ctx, why)
		}
	}
}

// nextWake is the earliest moment the loop has work: pending changes, a retry coming due,
// a batch result to read, or the end of a hold. Zero when only a signal can bring work.
func (l *Loop) nextWake() (time.Time, string) {
	if l.gate.isPaused() {
		return time.Time{}, ""
	}
	var at time.Time
	why := ""
	consider := func(t time.Time, reason string) {
		if t.IsZero() {
			return
		}
		if t.Before(l.gate.until()) {
			t, reason = l.gate.until(), wakeResume
		}
		if at.IsZero() || t.Before(at) {
			at, why = t, reason
		}
	}
	if t, ok := l.deb.Due(); ok {
		consider(t, wakeChange)
	}
	consider(l.send.nextDue(), wakeRetry)
	consider(l.results.nextDue(), wakeResults)
	return at, why
}

// cycle reads due batch results, then pushes claimable rows batch after batch until none
// is left, the gate shuts, or the loop stops. A panic is logged and the loop goes on. It
// returns what the cycle did.
func (l *Loop) cycle(ctx context.Context, why string) (st cycleStats) {
	defer l.stats.add(&st)
	defer func() {
		if r := recover(); r != nil {
			l.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
				Msg("push cycle panicked; its leased items are claimable again when the lease ends, and the next cycle runs as scheduled")
		}
	}()
	if why == wakeChange {
		l.deb.Fired(l.now())
	} else {
		l.deb.Covered()
	}
	if ctx.Err() != nil || !l.gate.open() {
		return st
	}
	if err := l.desired.ensure(ctx); err != nil {
		l.log.Error().Err(err).Msg("recomputing the store's desired state failed; nothing is pushed until it succeeds (next try at the next scheduled push)")
		st.fail("recomputing desired state failed: " + err.Error())
		l.health(ctx, "error", st.lastError)
		l.gate.pause("recompute")
		return st
	}
	if l.results.checkDue(ctx, &st) {
		l.send.pushAll(ctx, &st)
	}
	l.afterCycle(ctx, &st)
	return st
}

// afterCycle finds when the next retry comes due and records health.
func (l *Loop) afterCycle(ctx context.Context, st *cycleStats) {
	if ctx.Err() != nil {
		return
	}
	l.send.findNextDue(ctx)
	switch {
	case st.lastError != "":
		l.health(ctx, l.gate.state(st.held), st.lastError)
	case st.requests > 0:
		if err := l.q.ReportOK(ctx, l.Name(), "ok", st.summary()); err != nil && ctx.Err() == nil {
			l.log.Warn().Err(err).Msg("recording the store's health failed")
		}
	}
}

func (l *Loop) health(ctx context.Context, state, msg string) {
	if err := l.q.ReportError(ctx, l.Name(), state, msg); err != nil && ctx.Err() == nil {
		l.log.Warn().Err(err).Msg("recording the store's health failed")
	}
}

// counter is a loop's Stats: added to by its goroutine, read by anyone.
type counter struct {
	mu sync.Mutex
	s  Stats
}

func (c *counter) add(st *cycleStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.add(st)
}

func (c *counter) get() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
}
