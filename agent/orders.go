package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/queue"
)

// The order flow (docs/orders.md): per store, a fetch loop on the store's orders
// schedule imports new and changed orders into the queue, which holds their units
// against every store's stock in the same transaction; one transfer loop writes due
// orders and cancellations to the ERP through the sinks.

// orderWiring is what the order components of one agent share.
type orderWiring struct {
	build ConnectorBuilder
	kick  chan struct{} // orders became due: the transfer loop looks now
	now   func() time.Time
}

// OrderFactories are the order flow's components: the ERP write-back with its sinks
// (started before the stores) and one fetch loop per active store that fetches orders.
// build should be the one the store factory uses (SharedConnectors), so that a store's
// orders and pushes share one HTTP client, rate limit and token.
func OrderFactories(build ConnectorBuilder) []Factory {
	w := &orderWiring{build: build, kick: make(chan struct{}, 1), now: time.Now}
	return []Factory{sinkFactory(w), {Kind: KindStore, Build: w.buildFetchers}}
}

// SharedConnectors returns build, remembering the connector it built for each store, so
// that every component of a store (push loop, order fetch loop) talks through the same
// connector: the marketplaces count requests per account, not per component.
func SharedConnectors(build ConnectorBuilder) ConnectorBuilder {
	var mu sync.Mutex
	built := map[string]connectors.Connector{}
	return func(store *config.Store, deps connectors.Deps) (connectors.Connector, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := built[store.Name]; ok {
			return c, nil
		}
		c, err := build(store, deps)
		if err != nil {
			return nil, err
		}
		built[store.Name] = c
		return c, nil
	}
}

func (w *orderWiring) kickTransfers() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// policyOf is how a store's orders are handled.
func policyOf(s *config.Store) queue.OrderPolicy {
	o := s.Orders
	return queue.OrderPolicy{Transfer: o.Transfer, Deduct: o.DeductStock, Warehouse: o.DefaultWarehouse, Release: o.Release}
}

func (w *orderWiring) buildFetchers(env *Env) ([]Component, error) {
	var out []Component
	for i := range env.Config.Stores {
		s := &env.Config.Stores[i]
		if !s.Active || !s.Orders.Fetch {
			continue
		}
		deps := connectors.Deps{Log: env.Log.With().Str("component", "connector").Str("store", s.Name).Logger(), Now: time.Now}
		conn, err := w.build(s, deps)
		if err != nil {
			return nil, err // connectors.New names the store
		}
		f, err := connectors.NewOrderFetcher(conn, s, deps)
		if errors.Is(err, connectors.ErrNoOrders) {
			env.Log.Warn().Str("component", "orders").Str("store", s.Name).Err(err).Msg("orders of this store are not fetched")
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", s.Name, err)
		}
		out = append(out, &fetchLoop{w: w, env: env, store: s, fetcher: f,
			log: env.Log.With().Str("component", "orders").Str("store", s.Name).Logger()})
	}
	return out, nil
}

// maxPages bounds one fetch run; a store with more waiting goes on at the next tick.
const maxPages = 500

// fetchLoop imports one store's orders on the store's orders schedule.
type fetchLoop struct {
	w       *orderWiring
	env     *Env
	store   *config.Store
	fetcher connectors.OrderFetcher
	log     zerolog.Logger
}

// Name implements Component; it is also the loop's health record.
func (f *fetchLoop) Name() string { return "orders:" + f.store.Name }

func (f *fetchLoop) cursorName() string { return "orders:" + f.store.Name + ":cursor" }

// Start implements Component: the fetch runs on the schedule and once right away (which
// also stands for a run missed while the agent was down).
func (f *fetchLoop) Start(context.Context) error {
	job := "orders:" + f.store.Name
	if err := f.env.Sched.Add(job, f.store.Schedule.Orders, JobOptions{Store: f.store.Name}, f.run); err != nil {
		return err
	}
	f.env.Sched.Trigger(job)
	if d := f.store.Orders.ReleaseAfter.D(); d > 0 {
		return f.env.Sched.Add("orders-release:"+f.store.Name, "@every 10m", JobOptions{Store: f.store.Name}, func(ctx context.Context) {
			f.releaseStale(ctx, d)
		})
	}
	return nil
}

// releaseStale is the store's release_after safety valve: units held longer than d are
// released, whatever else happened. Loud, because it may let the stores sell units the
// ERP does not show yet.
func (f *fetchLoop) releaseStale(ctx context.Context, d time.Duration) {
	n, err := f.env.Store.ReleaseStale(ctx, f.store.Name, f.w.now().Add(-d))
	switch {
	case err != nil:
		f.log.Error().Err(err).Msg("releasing reservations past release_after failed; trying again in 10 minutes")
	case n > 0:
		f.log.Warn().Int("released", n).Str("release_after", f.store.Orders.ReleaseAfter.String()).
			Msgf("%d reservations of %s were held longer than release_after and are released without an ERP reading; check that the ERP sources run (syncagent status)", n, f.store.Name)
		if f.env.Changed != nil {
			f.env.Changed()
		}
	}
}

// Stop implements Component: the scheduler ends a running fetch; a page not committed
// is fetched again at the next start, and the queue takes it as unchanged.
func (f *fetchLoop) Stop(context.Context) error { return nil }

// run fetches until the marketplace has nothing more, committing each page's orders
// with the cursor that follows them.
func (f *fetchLoop) run(ctx context.Context) {
	q := f.env.Store
	policy := policyOf(f.store)
	var got queue.PutResult
	pages := 0
	for ; pages < maxPages && ctx.Err() == nil; pages++ {
		cursor, _, err := q.Cursor(ctx, f.cursorName())
		if err != nil {
			f.failed(ctx, err)
			return
		}
		page, err := f.fetcher.FetchOrders(ctx, connectors.OrderQuery{
			Cursor: cursor,
			Since:  f.w.now().Add(-f.store.Orders.Lookback.D()),
			Known: func(ctx context.Context, ids []string) (map[string]string, error) {
				return q.OrderVersions(ctx, f.store.Name, ids)
			},
		})
		if err != nil {
			if ctx.Err() == nil {
				f.failed(ctx, err)
			}
			return
		}
		for i := range page.Orders {
			page.Orders[i] = page.Orders[i].In(f.env.Config.Location)
		}
		res, err := q.PutOrders(ctx, queue.OrderBatch{Store: f.store.Name, Policy: policy, Orders: page.Orders,
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
		if res.StockMoved && f.env.Changed != nil {
			f.env.Changed() // every store's push loop: the stock shown moved
		}
		if res.Due > 0 {
			f.w.kickTransfers()
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
	if err := q.ReportOK(ctx, f.Name(), "ok", detail); err != nil {
		f.log.Warn().Err(err).Msg("recording the order fetch's health failed")
	}
}

// report logs one line per page that brought something: store and order numbers only,
// never customers.
func (f *fetchLoop) report(r queue.PutResult) {
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
	ev.Msgf("orders of %s imported: %s, %d changed", f.store.Name, plural(r.New, "new order", "new orders"), r.Changed)
}

// numbers lists up to 10 order numbers.
func numbers(ns []string) string {
	if len(ns) > 10 {
		return strings.Join(ns[:10], ", ") + fmt.Sprintf(" and %d more", len(ns)-10)
	}
	return strings.Join(ns, ", ")
}

func (f *fetchLoop) failed(ctx context.Context, err error) {
	f.log.Warn().Err(err).Str("kind", connectors.KindOf(err).String()).
		Msgf("fetching the orders of %s failed; trying again at the next scheduled fetch (%s)", f.store.Name, f.store.Schedule.Orders)
	if rerr := f.env.Store.ReportError(context.WithoutCancel(ctx), f.Name(), "error", err.Error()); rerr != nil {
		f.log.Warn().Err(rerr).Msg("recording the order fetch's health failed")
	}
}
