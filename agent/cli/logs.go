package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"syncagent/agent/logging"
	"syncagent/config"
)

func init() {
	register(&command{name: "logs", summary: "print the agent's log as readable lines, oldest first; -f follows it live", run: runLogs})
}

func runLogs(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("logs"), env)
	path := configFlag(fs, env)
	dir := fs.String("dir", "", "log folder to read instead of the one in the config")
	follow := fs.Bool("f", false, "keep following the log as it grows, across rotations (Ctrl-C to stop)")
	level := fs.String("level", "", "only this level and above: debug, info, warn, error")
	store := fs.String("store", "", "only lines about this store")
	comp := fs.String("component", "", "only lines from this component ("+strings.Join(logging.Components, ", ")+")")
	since := fs.String("since", "", "only lines newer than this: a duration (90m, 1h, 2d) or a time (2026-11-23T10:00)")
	asJSON := fs.Bool("json", false, "print the original JSON lines, for other tools")
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	// Times are shown in the config's time zone; a log folder read without the config
	// shows them with the offset the agent wrote them with, named either way.
	var loc *time.Location
	if *dir == "" {
		cfg, err := config.Load(*path)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%v\n(use --dir FOLDER to read a log folder without a config)\n", err)
			return exitConfig
		}
		*dir, loc = string(cfg.Log.Dir), cfg.Location
	}
	q := logging.Query{MinLevel: *level, Store: *store, Component: *comp, JSON: *asJSON, Follow: *follow, Color: env.Interactive && !*asJSON, Location: loc}
	if *since != "" {
		t, err := parseSince(*since, time.Now(), loc)
		if err != nil {
			fmt.Fprintf(env.Stderr, "syncagent logs: --since: %v\n", err)
			return exitUsage
		}
		q.Since = t
	}
	if *follow {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	if err := logging.Print(ctx, *dir, q, env.Stdout); err != nil && ctx.Err() == nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

// parseSince reads "1h", "2d" (ago) or an absolute time in loc (nil: the machine's
// zone), the zone the lines are shown in.
func parseSince(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if d, err := config.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if loc == nil {
		loc = time.Local
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (90m, 1h, 2d) nor a time (2026-11-23T10:00)", s)
}
