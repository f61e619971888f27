package agent

import (
	"context"
	"fmt"

	"syncagent/agent/logging"
	"syncagent/agent/orders"
	"syncagent/config"
	"syncagent/connectors"
	"syncagent/queue"
)

// orderWiring is what the order components of one agent share.
type orderWiring struct {
	transfer *orders.TransferLoop // nil when no store transfers orders
}

// OrderFactories are the order flow's components: the ERP write-back with its sinks
// (started before the stores) and one fetch loop per active store that fetches orders,
// on the store's connector in Env.Connectors, the one its push loop uses.
func OrderFactories() []Factory {
	w := &orderWiring{}
	return []Factory{sinkFactory(w), {Kind: KindStore, Build: w.buildFetchers}}
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
	release := queue.ReleaseShipped
	if o.Release == config.ReleaseERPReading {
		release = queue.ReleaseERPReading
	}
	return queue.OrderPolicy{Transfer: o.Transfer, Deduct: o.DeductStock, Warehouse: o.DefaultWarehouse, Release: release}
}

func (w *orderWiring) buildFetchers(env *Env) ([]Component, error) {
	var out []Component
	for i := range env.Config.Stores {
		s := &env.Config.Stores[i]
		if !s.Active || !s.Orders.Fetch {
			continue
		}
		conn := env.Connectors[s.Name]
		if conn == nil {
			return nil, fmt.Errorf("store %s: no connector was built for it", s.Name)
		}
		f := connectors.AbilitiesOf(conn).Orders
		if f == nil {
			// config refuses orders.fetch for such a marketplace; a connector built by a
			// test may still lack it.
			env.Log.Warn().Str(logging.FieldComponent, logging.CompOrders).Str(logging.FieldStore, s.Name).
				Msgf("this version cannot fetch the orders of %s; they are not fetched", s.Marketplace)
			continue
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
