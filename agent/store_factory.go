package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/logging"
	"syncagent/agent/push"
	"syncagent/config"
	"syncagent/connectors"
	_ "syncagent/connectors/all" // every marketplace of the build, for BuildConnector
	"syncagent/queue"
)

// ConnectorBuilder builds a store's connector: BuildConnector in the agent, a simulator-
// or fake-backed one in tests.
type ConnectorBuilder func(store *config.Store, deps connectors.Deps) (connectors.Connector, error)

// BuildConnector builds a store's connector through the marketplace's registration.
func BuildConnector(store *config.Store, deps connectors.Deps) (connectors.Connector, error) {
	cs := store.Connector()
	return connectors.New(&cs, deps)
}

// ConnectStores builds the connector of every active store, once. Every component of a
// store (its push loop, its order fetch loop) is handed this one value, so they spend one
// HTTP client, one pacer and one token: the marketplaces count requests per account, not
// per component. Passive stores get none: nothing is sent to them and nothing fetched.
func ConnectStores(cfg *config.Config, build ConnectorBuilder, log zerolog.Logger) (map[string]connectors.Connector, error) {
	if build == nil {
		build = BuildConnector
	}
	out := map[string]connectors.Connector{}
	for i := range cfg.Stores {
		s := &cfg.Stores[i]
		if !s.Active {
			continue
		}
		conn, err := build(s, connectors.Deps{
			Log: logging.Store(logging.Component(log, logging.CompConnector), s.Name),
			Now: time.Now,
		})
		if err != nil {
			return nil, err // connectors.New names the store
		}
		out[s.Name] = conn
	}
	return out, nil
}

// StoreFactory builds one push loop per active store on the store's connector in
// Env.Connectors. Passive stores get nothing.
//
// It chains the stores' on-change triggers into Env.Changed, which sources call after
// they commit. A source must read env.Changed when it calls it, not when it is built
// (the built-in source factories do), or come after this factory.
func StoreFactory() Factory {
	return Factory{Kind: KindStore, Build: func(env *Env) ([]Component, error) {
		loops, err := BuildStores(env)
		if err != nil {
			return nil, err
		}
		out := make([]Component, len(loops))
		for i, l := range loops {
			out[i] = l
		}
		return out, nil
	}}
}

// StoreLoop is the handle on one store's push loop.
type StoreLoop interface {
	Component
	// Trigger asks for a push now, as the schedule does.
	Trigger()
	// PushNow and Resync run a push, or a read-back and a push, on the loop and report
	// what they did (the command line's push-now and resync).
	PushNow(ctx context.Context) (push.Report, error)
	Resync(ctx context.Context) (push.Report, error)
}

// BuildStores builds the push loops of the active stores, installs their rules in the
// queue, schedules their pushes and chains their on-change triggers into env.Changed.
func BuildStores(env *Env) ([]StoreLoop, error) {
	cfg := env.Config
	rules := map[string]queue.Rules{}
	type active struct {
		store *config.Store
		loop  *push.Loop
	}
	var loops []active
	for i := range cfg.Stores {
		s := &cfg.Stores[i]
		if !s.Active {
			if err := env.Store.RecordRulesHash(context.Background(), s.Name, push.PassiveRules); err != nil {
				return nil, fmt.Errorf("store %s: %w", s.Name, err)
			}
			continue
		}
		conn := env.Connectors[s.Name]
		if conn == nil {
			return nil, fmt.Errorf("store %s: no connector was built for it", s.Name)
		}
		pusher := connectors.AbilitiesOf(conn).Push
		if pusher == nil {
			return nil, fmt.Errorf("store %s: this version cannot push to %s", s.Name, s.Marketplace)
		}
		caps := conn.Features()
		r, err := NewStoreRules(s.Rules, caps)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", s.Name, err)
		}
		rules[s.Name] = r
		set := push.Settings{
			Marketplace: s.Marketplace,
			RulesHash:   RulesFingerprint(s.Rules, caps),
			Batch:       batchSize(caps),
			Ahead:       aheadBatches(caps),
			Debounce:    s.Schedule.Debounce.D(),
			MaxDelay:    s.Schedule.MaxDelay.D(),
			DupWindow:   caps.DuplicateWindow,
			RetryBase:   cfg.Queue.RetryBase.D(),
			RetryMax:    cfg.Queue.RetryMax.D(),
			MaxAttempts: cfg.Queue.MaxAttempts,
			Location:    cfg.Location,
		}
		loops = append(loops, active{s, push.New(s.Name, pusher, env.Store, set, env.Log)})
	}
	env.Store.SetStores(rules)
	if err := markRemovedStores(env); err != nil {
		return nil, err
	}
	for _, a := range loops {
		s, l := a.store, a.loop
		if err := env.Sched.Add("push:"+s.Name, s.Schedule.Push, JobOptions{Store: s.Name}, func(context.Context) { l.Trigger() }); err != nil {
			return nil, err
		}
	}
	if len(loops) > 0 {
		prev := env.Changed
		env.Changed = func() {
			if prev != nil {
				prev()
			}
			for _, a := range loops {
				a.loop.Changed()
			}
		}
	}
	out := make([]StoreLoop, len(loops))
	for i, a := range loops {
		out[i] = a.loop
		if env.Stores != nil {
			env.Stores[a.store.Name] = a.loop
		}
	}
	return out, nil
}

// batchSize is the connector's batch maximum: the documented one, or limits.batch_size
// when the store sets one (the connector's Features already carry the store's limits).
func batchSize(f connectors.Features) int {
	if f.MaxBatch > 0 {
		return f.MaxBatch
	}
	return 100
}

// aheadBatches is one rate window's worth of batches, what the push loop claims in
// advance: the window's requests, or, where every item is a request of its own
// (Features.PerItem), the batches those requests make, so claimed items never wait
// longer than a window for their turn.
func aheadBatches(f connectors.Features) int {
	if f.PerItem && f.MaxBatch > 1 {
		return max(f.PushRate.Requests/f.MaxBatch, 1)
	}
	return f.PushRate.Requests
}

// markRemovedStores records the passive fingerprint for stores that still have outbox
// rows but are no longer in the config: like a passive store, nothing is computed for
// them, so if one is added back its desired state is recomputed.
func markRemovedStores(env *Env) error {
	stats, err := env.Store.Stats(context.Background())
	if err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	for name := range stats {
		if _, ok := env.Config.Store(name); ok {
			continue
		}
		if err := env.Store.RecordRulesHash(context.Background(), name, push.PassiveRules); err != nil {
			return fmt.Errorf("store %s: %w", name, err)
		}
	}
	return nil
}
