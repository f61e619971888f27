package agent

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/erpbridge/sinks"
	"syncagent/queue"
)

// transferLoop writes due orders and cancellations to the ERP. It claims a batch of due
// jobs, writes up to transferParallel of them at once, and records every outcome in one
// transaction. A write that fails stays due, with the error shown, and is tried again
// after a backoff (queue.retry_base doubling to queue.retry_max) for as long as it
// takes: an order is never dropped. A write that reached the ERP but was not recorded
// (the agent was killed in between) is found by the sink on the next attempt and
// recorded then, so it is never written twice.
type transferLoop struct {
	env   *Env
	w     *orderWiring
	sinks map[string]sinks.Sink
	log   zerolog.Logger
	batch int
	poll  time.Duration // look for due writes at least this often (a retry asked from the command line)

	cancel context.CancelFunc
	done   chan struct{}
}

func newTransferLoop(env *Env, w *orderWiring, ss map[string]sinks.Sink) *transferLoop {
	return &transferLoop{env: env, w: w, sinks: ss, batch: 256, poll: 30 * time.Second,
		log: env.Log.With().Str("component", "orders").Logger()}
}

// Name implements Component.
func (t *transferLoop) Name() string { return "orders:transfer" }

// Start implements Component.
func (t *transferLoop) Start(ctx context.Context) error {
	ctx, t.cancel = context.WithCancel(context.WithoutCancel(ctx))
	t.done = make(chan struct{})
	go t.run(ctx)
	return nil
}

// Stop implements Component: writes in flight are cut; their outcome is recorded (as
// failed, when unknown) and the next start finds what reached the ERP.
func (t *transferLoop) Stop(ctx context.Context) error {
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

func (t *transferLoop) run(ctx context.Context) {
	defer close(t.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.w.kick:
		case <-timer.C:
		}
		t.cycle(ctx)
		wait := t.poll
		if at, ok, err := t.env.Store.NextTransferDue(ctx); err == nil && ok {
			wait = min(max(time.Until(at), 0), t.poll)
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
func (t *transferLoop) cycle(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			t.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
				Msg("the order transfer panicked; the orders stay due and are written at the next cycle")
		}
	}()
	for ctx.Err() == nil {
		jobs, err := t.env.Store.DueTransfers(ctx, t.batch)
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
		bctx, cancel := bookCtx(ctx)
		err = t.env.Store.BookTransfers(bctx, outs)
		cancel()
		if err != nil {
			t.log.Error().Err(err).Msg("recording written orders failed; they are written again and found in the ERP")
			return
		}
		t.report(ctx, results)
	}
}

// bookCtx is the context for recording outcomes: when the loop is stopping, the
// bookkeeping of the writes in flight must still reach the database, briefly.
func bookCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
}

// result is one job's outcome with what the log needs.
type result struct {
	queue.TransferOutcome
	sink    string
	outcome sinks.Outcome
}

func (t *transferLoop) writeAll(ctx context.Context, jobs []queue.TransferJob) []result {
	results := make([]result, len(jobs))
	sem := make(chan struct{}, transferParallel)
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
func (t *transferLoop) write(ctx context.Context, j queue.TransferJob) result {
	r := result{TransferOutcome: queue.TransferOutcome{Job: j}}
	store, ok := t.env.Config.Store(j.Store)
	switch {
	case !ok:
		r.Err = fmt.Errorf("store %s is no longer in the config; add it back, or the order stays unwritten", j.Store)
		return r
	case !store.Orders.Transfer:
		r.Err = fmt.Errorf("store %s no longer transfers orders (orders.transfer: false); turn it on, or the order stays unwritten", j.Store)
		return r
	}
	s := t.sinks[store.Orders.Sink]
	if s == nil {
		r.Err = fmt.Errorf("store %s names sink %q, which is not configured", j.Store, store.Orders.Sink)
		return r
	}
	r.sink = s.Name()
	job := &sinks.Job{Store: j.Store, Marketplace: store.Marketplace, Warehouse: store.Orders.DefaultWarehouse,
		CargoFirm: store.Orders.CargoFirm, Order: j.Order.In(t.env.Config.Location)}
	if j.Kind == queue.WriteCancel {
		job.Cancel = &sinks.Cancellation{Seq: j.CancelSeq, Units: j.Cancelled, At: t.w.now()}
	}
	r.outcome, r.Err = s.Write(ctx, job)
	return r
}

// report logs one line per sink and cycle (order numbers only) and records each sink's
// health.
func (t *transferLoop) report(ctx context.Context, results []result) {
	type tally struct {
		written, already, unexported []string
		failed                       []string
		lastErr                      error
	}
	bySink := map[string]*tally{}
	for _, r := range results {
		name := r.sink
		if name == "" {
			name = "(none)"
		}
		tl := bySink[name]
		if tl == nil {
			tl = &tally{}
			bySink[name] = tl
		}
		ref := r.Job.Store + " " + r.Job.Order.Number
		if r.Job.Kind == queue.WriteCancel {
			ref += fmt.Sprintf(" (cancellation %d)", r.Job.CancelSeq)
		}
		switch {
		case r.Err != nil:
			tl.failed = append(tl.failed, ref)
			tl.lastErr = r.Err
		case r.outcome == sinks.AlreadyThere:
			tl.already = append(tl.already, ref)
		case r.outcome == sinks.NotExported:
			tl.unexported = append(tl.unexported, ref)
		default:
			tl.written = append(tl.written, ref)
		}
	}
	names := make([]string, 0, len(bySink))
	for n := range bySink {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		tl := bySink[n]
		if ok := len(tl.written) + len(tl.already) + len(tl.unexported); ok > 0 {
			ev := t.log.Info().Str("sink", n).Int("written", len(tl.written)).Int("already_there", len(tl.already))
			if len(tl.written) > 0 {
				ev = ev.Str("orders", numbers(tl.written))
			}
			if len(tl.already) > 0 {
				ev = ev.Str("found_in_erp", numbers(tl.already))
			}
			ev.Msgf("%s written to the ERP through %s (%d found there already)", plural(len(tl.written)+len(tl.already), "order or cancellation", "orders or cancellations"), n, len(tl.already))
			if len(tl.unexported) > 0 {
				t.log.Warn().Str("sink", n).Str("orders", numbers(tl.unexported)).
					Msg("cancellations recorded but not exported: the sink has no cancel statement (sinks.sql[].cancel / cancel_line)")
			}
			_ = t.env.Store.ReportOK(ctx, "sink:"+n, "ok", fmt.Sprintf("%d written in the last cycle", ok))
		}
		if len(tl.failed) > 0 {
			kind := sinks.KindOf(tl.lastErr)
			t.log.Warn().Str("sink", n).Str("orders", numbers(tl.failed)).Str("kind", kind.String()).Err(tl.lastErr).
				Msgf("%s could not be written to the ERP through %s; they stay due and are tried again with backoff (syncagent orders --pending shows them)",
					plural(len(tl.failed), "order or cancellation", "orders or cancellations"), n)
			_ = t.env.Store.ReportError(ctx, "sink:"+n, strings.ReplaceAll(kind.String(), " ", "_"), tl.lastErr.Error())
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
