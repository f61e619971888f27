package agent

import (
	"context"

	"syncagent/agent/logging"
	"syncagent/erpbridge/sqlpoll"
)

// sqlSourceFactory builds one component per configured ERP database source
// (sources.sql). Building opens no connection: a database that is down at start is
// retried by the source and shown by the status command, never a start-up failure. A DSN
// that cannot be parsed is (without its text).
func sqlSourceFactory() Factory {
	return Factory{Kind: KindSource, Build: func(env *Env) ([]Component, error) {
		var out []Component
		// env.Changed is read at each call, not now: the store factory chains the stores'
		// on-change triggers into it, and may be built after this one.
		changed := func() {
			if env.Changed != nil {
				env.Changed()
			}
		}
		hooks := sqlpoll.Hooks{
			Schedule: func(name, spec string, fn func(context.Context)) error {
				// No catch-up: a source reads once at start anyway.
				return env.Sched.Add(name, spec, JobOptions{}, fn)
			},
			Trigger: env.Sched.Trigger,
			Changed: changed,
		}
		for _, sc := range env.Config.Sources.SQL {
			p, err := sqlpoll.New(sc, env.Store, sqlpoll.Options{})
			if err != nil {
				for _, c := range out {
					_ = c.Stop(context.Background()) // closes the pools built so far; nothing started
				}
				return nil, err
			}
			out = append(out, sqlpoll.NewSource(p, env.Store, logging.Component(env.Log, logging.CompSQLPoll), hooks))
		}
		return out, nil
	}}
}
