package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"syncagent/config/localtime"
	"syncagent/queue"
)

func init() {
	register(&command{name: "push-now", args: "STORE",
		summary: "ask the running agent to push a store now (items waiting for a retry too) and print what it did",
		run:     func(ctx context.Context, env *Env, args []string) int { return runAsk(ctx, env, "push-now", args) }})
	register(&command{name: "resync", args: "STORE",
		summary: "ask the running agent to read back what a store shows and push whatever differs from what it should show",
		run:     func(ctx context.Context, env *Env, args []string) int { return runAsk(ctx, env, "resync", args) }})
}

// askPoll is how often push-now and resync look for the agent's answer.
const askPoll = 250 * time.Millisecond

func runAsk(ctx context.Context, env *Env, name string, args []string) int {
	fs := flags(lookup(name), env)
	path := configFlag(fs, env)
	kind, def := queue.RequestPushNow, 2*time.Minute
	if name == "resync" {
		// Reading a large store back goes at the marketplace's read rate.
		kind, def = queue.RequestResync, 15*time.Minute
	}
	wait := fs.Duration("wait", def, "how long to wait for the agent's answer")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(env.Stderr, "syncagent %s: give exactly one STORE (got %d)\n", name, len(pos))
		fs.Usage()
		return exitUsage
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	store := pos[0]
	if _, err := activeStore(cfg, store); err != nil {
		return fail(env, "%v", err)
	}
	a := agentOf(ctx, cfg)
	if !a.Running {
		return fail(env, "%s", notRunning(cfg, a, name+" asks the running agent: start it (syncagent start for the service, or syncagent run); it pushes every store when it starts"))
	}
	fmt.Fprintf(env.Stdout, "asked the running agent (%s) for %s of %s …\n", a.Info.Describe(cfg.Location), name, store)
	req, err := askAgent(ctx, cfg, kind, store, *wait, askPoll)
	switch {
	case errors.Is(err, errNoAnswer) && req.TakenAt.IsZero():
		return fail(env, "the agent has not taken the request within %s: it is stuck or very busy (syncagent status shows its heartbeat); the request stays and is done when the agent gets to it", *wait)
	case errors.Is(err, errNoAnswer):
		return fail(env, "the agent took the request at %s and is still at it after %s; syncagent logs --store %s shows when it is done",
			localtime.Format(req.TakenAt, cfg.Location), *wait, store)
	case err != nil:
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "%s %s: %s\n", name, store, req.Result)
	if req.Failed {
		return exitError
	}
	return exitOK
}
