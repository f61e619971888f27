package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"syncagent/agent/orders"
	"syncagent/config"
	"syncagent/connectors"
	"syncagent/queue"
)

// orderWiring is what the order components of one agent share.
type orderWiring struct {
	build    ConnectorBuilder
	transfer *orders.TransferLoop // nil when no store transfers orders
}

// OrderFactories are the order flow's components: the ERP write-back with its sinks
// (started before the stores) and one fetch loop per active store that fetches orders.
// build should be the one the store factory uses (SharedConnectors), so that a store's
// orders and pushes share one HTTP client, rate limit and token.
func OrderFactories(build ConnectorBuilder) []Factory {
	w := &orderWiring{build: build}
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

// transfersDue tells the transfer loop, if there is one, that orders became due.
func (w *orderWiring) transfersDue() {
	if w.transfer != nil {
		w.transfer.Kick()
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
		set := orders.FetchSettings{
			Schedule:     s.Schedule.Orders,
			Lookback:     s.Orders.Lookback.D(),
			ReleaseAfter: s.Orders.ReleaseAfter.D(),
			Policy:       policyOf(s),
			Location:     env.Config.Location,
		}
		hooks := orders.Hooks{
			Schedule: func(name, spec string, fn func(context.Context)) error {
				return env.Sched.Add(name, spec, JobOptions{Store: s.Name}, fn)
			},
			Trigger: env.Sched.Trigger,
			// env.Changed is read at each call: the store factory chains the stores'
			// on-change triggers into it.
			Changed: func() {
				if env.Changed != nil {
					env.Changed()
				}
			},
			Due: w.transfersDue,
		}
		out = append(out, orders.NewFetchLoop(s.Name, f, env.Store, set, hooks, env.Log))
	}
	return out, nil
}
