package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/queue"
)

func init() {
	register(&command{name: "unlock", args: "STORE SKU…",
		summary: "lift the marketplace's lock on listings (Hepsiburada: a price outside the category band); only ever by hand, the agent never unlocks",
		run:     runUnlock})
}

func runUnlock(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("unlock"), env)
	path := configFlag(fs, env)
	requeue := fs.Bool("requeue", false, "also give the SKUs' dead letters a fresh start, so the agent sends their current values again "+
		"(a price still outside the band is locked again)")
	timeout := fs.Duration("timeout", time.Minute, "give up when the marketplace has not answered within this time")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) < 2 {
		fmt.Fprintln(env.Stderr, "syncagent unlock: name the store and at least one SKU: syncagent unlock STORE SKU… --config FILE")
		return exitUsage
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	store, ok := cfg.Store(pos[0])
	if !ok {
		return fail(env, "no store named %q in %s; the stores are: %s", pos[0], cfg.File, storeNames(cfg))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	unlocked, code := Unlock(ctx, env.Stdout, store, pos[1:])
	if code != exitOK || !*requeue || len(unlocked) == 0 {
		if len(unlocked) > 0 && !*requeue {
			fmt.Fprintf(env.Stdout, "\nThe agent sends these SKUs again when their values change. To send the ERP's current values now, run again with --requeue "+
				"(if the price is still outside the band, %s locks the listing again).\n", store.Marketplace)
		}
		return code
	}
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	n, err := st.Requeue(ctx, store.Name, unlocked...)
	if err != nil {
		return fail(env, "requeueing the dead letters of %s: %v", store.Name, err)
	}
	fmt.Fprintf(env.Stdout, "\n%d dead-lettered SKUs of %s requeued: the agent sends their current values at its next push.\n", n, store.Name)
	return exitOK
}

// Unlock lifts the locks of skus on store's marketplace and prints one line per SKU. It
// returns the SKUs that were unlocked and the exit code.
func Unlock(ctx context.Context, w io.Writer, store *config.Store, skus []string) ([]string, int) {
	cs := store.Connector()
	conn, err := connectors.New(&cs, connectors.Deps{Log: zerolog.Nop(), Now: time.Now})
	if err != nil {
		fmt.Fprintf(w, "FAILED: %v\n", err)
		return nil, exitError
	}
	u, ok := conn.(connectors.Unlocker)
	if !ok {
		fmt.Fprintf(w, "FAILED: %s does not lock listings, so there is nothing to unlock on store %s\n", store.Marketplace, store.Name)
		return nil, exitError
	}
	res, err := u.Unlock(ctx, skus)
	if err != nil {
		fmt.Fprintf(w, "FAILED: unlocking on store %s: %v\n  nothing was unlocked; what to check: %s\n", store.Name, err, hint(store, err))
		return nil, exitError
	}
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SKU\tRESULT")
	var unlocked []string
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\n", k, res[k].Message)
		if res[k].Unlocked {
			unlocked = append(unlocked, k)
		}
	}
	tw.Flush()
	return unlocked, exitOK
}
