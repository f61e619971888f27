package orders

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/logging"
	"syncagent/erpbridge/sinks"
	"syncagent/queue"
)

// TransferQueue is what the transfer loop uses of the queue (*queue.Store).
type TransferQueue interface {
	// DueTransfers claims up to limit writes that are due.
	DueTransfers(ctx context.Context, limit int) ([]queue.TransferJob, error)
	// BookTransfers records their outcomes in one transaction.
	BookTransfers(ctx context.Context, outs []queue.TransferOutcome) error
	NextTransferDue(ctx context.Context) (time.Time, bool, error)

	ReportOK(ctx context.Context, component, state, detail string) error
	ReportError(ctx context.Context, component, state, msg string) error
}

// Target is where and how one store's orders are written to the ERP.
type Target struct {
	Marketplace string
	Transfer    bool   // orders.transfer: the store's orders are written at all
	Sink        string // the sink's name
	Warehouse   string // orders.default_warehouse
	CargoFirm   string
}

// TransferSettings tune the transfer loop; the agent's order factory fills them from the
// config.
type TransferSettings struct {
	// Targets are every store of the config by name; a job of a store not among them
	// stays unwritten, with the reason shown.
	Targets  map[string]Target
	Location *time.Location // the orders' times are written in it (nil: as stored)
	Batch    int            // due writes claimed at once (default 256)
	// Poll: look for due writes at least this often, so a retry asked from the command
	// line is seen (default 30 s).
	Poll time.Duration
	Now  func() time.Time
}

// WriteParallel is how many orders are written at once; the agent sizes the SQL sinks'
// pools to it.
const WriteParallel = 4

// TransferLoop writes due orders and cancellations to the ERP. It claims a batch of due
// jobs, writes up to WriteParallel of them at once, and records every outcome in one
// transaction. A write that fails stays due, with the error shown, and is tried again
// after the queue's backoff (queue.retry_base doubling to queue.retry_max) for as long
// as it takes: an order is never dropped. A write that reached the ERP but was not
// recorded (the agent was killed in between) is found by the sink on the next attempt
// and recorded then, so it is never written twice.
type TransferLoop struct {
	q     TransferQueue
	sinks map[string]sinks.Sink
	set   TransferSettings
	log   zerolog.Logger
	kick  chan struct{} // orders became due: look now

	cancel context.CancelFunc
	done   chan struct{}
}

// NewTransferLoop builds the transfer loop over the configured sinks by name; Stop
// closes them.
func NewTransferLoop(q TransferQueue, ss map[string]sinks.Sink, set TransferSettings, log zerolog.Logger) *TransferLoop {
	if set.Batch <= 0 {
		set.Batch = 256
	}
	if set.Poll <= 0 {
		set.Poll = 30 * time.Second
	}
	if set.Now == nil {
		set.Now = time.Now
	}
	return &TransferLoop{q: q, sinks: ss, set: set, kick: make(chan struct{}, 1),
		log: logging.Component(log, logging.CompOrders)}
}

// Name implements agent.Component.
func (t *TransferLoop) Name() string { return "orders:transfer" }

// Kick tells the loop that orders became due, so it looks now rather than at its next
// poll. It never blocks.
func (t *TransferLoop) Kick() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// Start implements agent.Component.
func (t *TransferLoop) Start(ctx context.Context) error {
	ctx, t.cancel = context.WithCancel(context.WithoutCancel(ctx))
	t.done = make(chan struct{})
	go t.run(ctx)
	return nil
}

// Stop implements agent.Component: writes in flight are cut; their outcome is recorded
// (as failed, when unknown) and the next start finds what reached the ERP.
func (t *TransferLoop) Stop(ctx context.Context) error {
	if t.cancel == nil {
		return nil
	}
	t.cancel()
	select {
	case <-t.done:
	case <-ctx.Done():
		return errors.New("the order transfer did not stop in time; unrecorded writes are found in the ERP at the next start")
	}
	return closeSinks(t.sinks)
}

// closeSinks closes every sink (at stop).
func closeSinks(ss map[string]sinks.Sink) error {
	var first error
	for _, s := range ss {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (t *TransferLoop) run(ctx context.Context) {
	defer close(t.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.kick:
		case <-timer.C:
		}
		t.cycle(ctx)
		wait := t.set.Poll
		if at, ok, err := t.q.NextTransferDue(ctx); err == nil && ok {
			wait = min(max(time.Until(at), 0), t.set.Poll)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// cycle writes due jobs until none is due.
func (t *TransferLoop) cycle(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			t.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
				Msg("the order transfer panicked; the orders stay due and are written at the next cycle")
		}
	}()
	for ctx.Err() == nil {
		jobs, err := t.q.DueTransfers(ctx, t.set.Batch)
		if err != nil {
			if ctx.Err() == nil {
				t.log.Error().Err(err).Msg("reading the orders due for the ERP failed; trying again shortly")
			}
			return
		}
		if len(jobs) == 0 {
			return
		}
		results := t.writeAll(ctx, jobs)
		outs := make([]queue.TransferOutcome, len(results))
		for i, r := range results {
			outs[i] = r.TransferOutcome
		}
		bctx, cancel := queue.BookingContext(ctx)
		err = t.q.BookTransfers(bctx, outs)
		cancel()
		if err != nil {
			t.log.Error().Err(err).Msg("recording written orders failed; they are written again and found in the ERP")
			return
		}
		t.report(ctx, results)
	}
}

// result is one job's outcome with what the log needs.
type result struct {
	queue.TransferOutcome
	sink    string
	outcome sinks.Outcome
}

func (t *TransferLoop) writeAll(ctx context.Context, jobs []queue.TransferJob) []result {
	results := make([]result, len(jobs))
	sem := make(chan struct{}, WriteParallel)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = t.write(ctx, jobs[i])
		}()
	}
	wg.Wait()
	return results
}

// write hands one job to its store's sink.
func (t *TransferLoop) write(ctx context.Context, j queue.TransferJob) result {
	r := result{TransferOutcome: queue.TransferOutcome{Job: j}}
	to, ok := t.set.Targets[j.Store]
	switch {
	case !ok:
		r.Err = fmt.Errorf("store %s is no longer in the config; add it back, or the order stays unwritten", j.Store)
		return r
	case !to.Transfer:
		r.Err = fmt.Errorf("store %s no longer transfers orders (orders.transfer: false); turn it on, or the order stays unwritten", j.Store)
		return r
	}
	s := t.sinks[to.Sink]
	if s == nil {
		r.Err = fmt.Errorf("store %s names sink %q, which is not configured", j.Store, to.Sink)
		return r
	}
	r.sink = s.Name()
	job := &sinks.Job{Store: j.Store, Marketplace: to.Marketplace, Warehouse: to.Warehouse,
		CargoFirm: to.CargoFirm, Order: j.Order.In(t.set.Location)}
	if j.Kind == queue.WriteCancel {
		job.Cancel = &sinks.Cancellation{Seq: j.CancelSeq, Units: j.Cancelled, At: t.set.Now()}
	}
	r.outcome, r.Err = s.Write(ctx, job)
	return r
}
