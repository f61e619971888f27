// Package orders is the order flow of the agent (docs/orders.md): per store, a fetch
// loop on the store's orders schedule imports new and changed orders into the queue,
// which holds their units against every store's stock in the same transaction; one
// transfer loop writes due orders and cancellations to the ERP through the sinks.
package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/logging"
	"syncagent/config"
	"syncagent/connectors"
	"syncagent/queue"
)

// Fetcher is what a fetch loop needs of a store's connector: its orders, page by page.
type Fetcher interface {
	// FetchOrders returns the next page after q.Cursor; see connectors.OrderFetcher.
	FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error)
}

// FetchQueue is what a fetch loop uses of the queue (*queue.Store).
type FetchQueue interface {
	Cursor(ctx context.Context, name string) (string, bool, error)
	OrderVersions(ctx context.Context, store string, ids []string) (map[string]string, error)
	// PutOrders stores a page of orders, their reservations and the cursor that follows
	// them in one transaction.
	PutOrders(ctx context.Context, b queue.OrderBatch) (queue.PutResult, error)
	ReleaseStale(ctx context.Context, store string, before time.Time) (int, error)

	ReportOK(ctx context.Context, component, state, detail string) error
	ReportError(ctx context.Context, component, state, msg string) error
}

// FetchSettings tune one store's order fetch; the agent's order factory fills them from
// the store's config.
type FetchSettings struct {
	Schedule string        // cron spec of the fetches (schedule.orders)
	Lookback time.Duration // how far back the first fetch reaches
	// ReleaseAfter releases reservations held longer than this, whatever else happened
	// (0: never).
	ReleaseAfter time.Duration
	Policy       queue.OrderPolicy
	Location     *time.Location // the orders' times are kept in it (nil: as fetched)
	Now          func() time.Time
}

// Hooks connect the order loops to the agent without this package knowing the agent.
type Hooks struct {
	// Schedule registers fn to run on the cron spec under name (the agent's scheduler:
	// panics are recovered, a tick is skipped while the previous run is still going, a
	// running fn ends when the scheduler stops).
	Schedule func(name, spec string, fn func(ctx context.Context)) error
	// Trigger runs the job registered under name now, unless it is running.
	Trigger func(name string) bool
	// Changed is called when the stock the stores show moved (may be nil).
	Changed func()
	// Due is called when orders became due for the ERP (may be nil).
	Due func()
}

// maxPages bounds one fetch run; a store with more waiting goes on at the next tick.
const maxPages = 500

// FetchLoop imports one store's orders on the store's orders schedule.
type FetchLoop struct {
	store   string
	fetcher Fetcher
	q       FetchQueue
	set     FetchSettings
	hooks   Hooks
	log     zerolog.Logger
}

// NewFetchLoop builds the fetch loop of store.
func NewFetchLoop(store string, f Fetcher, q FetchQueue, set FetchSettings, hooks Hooks, log zerolog.Logger) *FetchLoop {
	if set.Now == nil {
		set.Now = time.Now
	}
	return &FetchLoop{store: store, fetcher: f, q: q, set: set, hooks: hooks,
		log: logging.Store(logging.Component(log, logging.CompOrders), store)}
}

// Name implements agent.Component; it is also the loop's health record.
func (f *FetchLoop) Name() string { return "orders:" + f.store }

func (f *FetchLoop) cursorName() string { return "orders:" + f.store + ":cursor" }

// Start implements agent.Component: the fetch runs on the schedule and once right away
// (which also stands for a run missed while the agent was down).
func (f *FetchLoop) Start(context.Context) error {
	job := "orders:" + f.store
	if err := f.hooks.Schedule(job, f.set.Schedule, f.Fetch); err != nil {
		return err
	}
	f.hooks.Trigger(job)
	if d := f.set.ReleaseAfter; d > 0 {
		return f.hooks.Schedule("orders-release:"+f.store, "@every 10m", func(ctx context.Context) {
			f.releaseStale(ctx, d)
		})
	}
	return nil
}

// Stop implements agent.Component: the scheduler ends a running fetch; a page not
// committed is fetched again at the next start, and the queue takes it as unchanged.
func (f *FetchLoop) Stop(context.Context) error { return nil }

// Fetch fetches until the marketplace has nothing more, committing each page's orders
// with the cursor that follows them. The schedule runs it; it must not run twice at once.
func (f *FetchLoop) Fetch(ctx context.Context) {
	var got queue.PutResult
	pages := 0
	for ; pages < maxPages && ctx.Err() == nil; pages++ {
		cursor, _, err := f.q.Cursor(ctx, f.cursorName())
		if err != nil {
			f.failed(ctx, err)
			return
		}
		page, err := f.fetcher.FetchOrders(ctx, connectors.OrderQuery{
			Cursor: cursor,
			Since:  f.set.Now().Add(-f.set.Lookback),
			Known: func(ctx context.Context, ids []string) (map[string]string, error) {
				return f.q.OrderVersions(ctx, f.store, ids)
			},
		})
		if err != nil {
			if ctx.Err() == nil {
				f.failed(ctx, err)
			}
			return
		}
		for i := range page.Orders {
			page.Orders[i] = page.Orders[i].In(f.set.Location)
		}
		res, err := f.q.PutOrders(ctx, queue.OrderBatch{Store: f.store, Policy: f.set.Policy, Orders: page.Orders,
			CursorName: f.cursorName(), Cursor: page.Cursor})
		if err != nil {
			if ctx.Err() == nil {
				f.failed(ctx, fmt.Errorf("storing orders: %w", err))
			}
			return
		}
		f.report(res)
		got.New += res.New
		got.Changed += res.Changed
		if res.StockMoved && f.hooks.Changed != nil {
			f.hooks.Changed() // every store's push loop: the stock shown moved
		}
		if res.Due > 0 && f.hooks.Due != nil {
			f.hooks.Due()
		}
		if !page.More {
			pages++
			break
		}
	}
	if ctx.Err() != nil {
		return
	}
	detail := fmt.Sprintf("%d new, %d changed orders in the last fetch (%d pages)", got.New, got.Changed, pages)
	if err := f.q.ReportOK(ctx, f.Name(), "ok", detail); err != nil {
		f.log.Warn().Err(err).Msg("recording the order fetch's health failed")
	}
}

// releaseStale is the store's release_after safety valve: units held longer than d are
// released, whatever else happened. Loud, because it may let the stores sell units the
// ERP does not show yet.
func (f *FetchLoop) releaseStale(ctx context.Context, d time.Duration) {
	n, err := f.q.ReleaseStale(ctx, f.store, f.set.Now().Add(-d))
	switch {
	case err != nil:
		f.log.Error().Err(err).Msg("releasing reservations past release_after failed; trying again in 10 minutes")
	case n > 0:
		f.log.Warn().Int("released", n).Str("release_after", config.Duration(d).String()).
			Msgf("%d reservations of %s were held longer than release_after and are released without an ERP reading; check that the ERP sources run (syncagent status)", n, f.store)
		if f.hooks.Changed != nil {
			f.hooks.Changed()
		}
	}
}

// report logs one line per page that brought something: store and order numbers only,
// never customers.
func (f *FetchLoop) report(r queue.PutResult) {
	if r.New+r.Changed == 0 {
		return
	}
	ev := f.log.Info().Int("new", r.New).Int("changed", r.Changed)
	if len(r.NewNumbers) > 0 {
		ev = ev.Str("new_orders", numbers(r.NewNumbers))
	}
	if len(r.ChangedNumbers) > 0 {
		ev = ev.Str("changed_orders", numbers(r.ChangedNumbers))
	}
	ev.Msgf("orders of %s imported: %s, %d changed", f.store, plural(r.New, "new order", "new orders"), r.Changed)
}

func (f *FetchLoop) failed(ctx context.Context, err error) {
	f.log.Warn().Err(err).Str("kind", connectors.KindOf(err).String()).
		Msgf("fetching the orders of %s failed; trying again at the next scheduled fetch (%s)", f.store, f.set.Schedule)
	if rerr := f.q.ReportError(context.WithoutCancel(ctx), f.Name(), "error", err.Error()); rerr != nil {
		f.log.Warn().Err(rerr).Msg("recording the order fetch's health failed")
	}
}
