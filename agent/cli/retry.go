package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"syncagent/queue"
)

func init() {
	register(&command{name: "retry", args: "STORE SKU… | STORE --all",
		summary: "give dead-lettered items of a store a fresh start; a running agent pushes them at once",
		run:     runRetry})
}

func runRetry(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("retry"), env)
	path := configFlag(fs, env)
	all := fs.Bool("all", false, "every dead-lettered item of the store")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) == 0 || (len(pos) == 1) != *all {
		fmt.Fprintln(env.Stderr, "syncagent retry: give a STORE and its SKUs, or a STORE and --all")
		fs.Usage()
		return exitUsage
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	store, skus := pos[0], pos[1:]
	_, storeErr := activeStore(cfg, store)
	if _, ok := cfg.Store(store); !ok {
		return fail(env, "%v", storeErr)
	}
	// Rows change state only through the queue's writer (busy_timeout and immediate
	// transactions), so this is safe beside a running agent, which claims the items
	// like any other dirty rows.
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{})
	if err != nil {
		return fail(env, "%v", err)
	}
	done, err := st.RequeueDead(ctx, store, skus)
	if err != nil {
		st.Close()
		return fail(env, "%v", err)
	}
	var notDead []string
	if len(skus) > 0 {
		got := map[string]bool{}
		for _, s := range done {
			got[s] = true
		}
		for _, s := range skus {
			if !got[s] {
				notDead = append(notDead, s)
			}
		}
	}
	a := readAgent(ctx, cfg, st, time.Now())
	next := ""
	switch {
	case len(done) == 0:
	case storeErr != nil:
		next = "; " + storeErr.Error()
	case a.Running:
		if _, err := st.AddRequest(ctx, queue.RequestPushNow, store); err != nil {
			next = fmt.Sprintf("; asking the running agent to push them now failed (%v): they go at its next scheduled push", err)
		} else {
			next = "; the running agent pushes them within seconds (syncagent dead-letters " + store + " shows any it gives up on again)"
		}
	default:
		next = "; no agent is running: they are pushed when it starts"
	}
	st.Close()
	if len(done) > 0 || len(notDead) == 0 {
		fmt.Fprintf(env.Stdout, "requeued %d dead-lettered %s of %s%s%s\n", len(done), agreeN(len(done), "item", "items"), store, listed(done), next)
	}
	if len(notDead) > 0 {
		return fail(env, "not dead-lettered in %s, so nothing to retry: %s (syncagent dead-letters %s lists what is)", store, strings.Join(notDead, ", "), store)
	}
	return exitOK
}

// listed names up to ten SKUs.
func listed(skus []string) string {
	switch {
	case len(skus) == 0:
		return ""
	case len(skus) > 10:
		return fmt.Sprintf(" (%s, and %d more)", strings.Join(skus[:10], ", "), len(skus)-10)
	}
	return " (" + strings.Join(skus, ", ") + ")"
}
