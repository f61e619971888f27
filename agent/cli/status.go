package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"syncagent/agent/service"
	"syncagent/config"
	"syncagent/queue"
)

func init() {
	register(&command{name: "status", summary: "show per store what waits, is in flight or failed, and recent imports (works while the agent runs)", run: runStatus})
}

func runStatus(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("status"), env)
	path := configFlag(fs, env)
	if _, code := parse(fs, args); code >= 0 {
		return code
	}
	// The service first: a stopped or failed service explains a stale report.
	state, err := service.State(*path)
	if err != nil {
		state = fmt.Sprintf("%s (%v)", state, err)
	}
	fmt.Fprintf(env.Stdout, "service: %s\n", state)
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{ReadOnly: true})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	if err := WriteStatus(ctx, env.Stdout, cfg, st, time.Now()); err != nil {
		return fail(env, "reading %s: %v", cfg.DBPath(), err)
	}
	return exitOK
}

// StatusQueue is what the status report reads of the queue (queue.Store has it, opened
// read-only beside a running agent).
type StatusQueue interface {
	Path() string
	Stats(ctx context.Context) (map[string]*queue.StoreStats, error)
	HealthOf(ctx context.Context) (map[string]queue.Health, error)
	RecentImports(ctx context.Context, limit int) ([]queue.Import, error)
	OrderSummaries(ctx context.Context) (map[string]*queue.OrderSummary, error)
}

var _ StatusQueue = (*queue.Store)(nil)

// WriteStatus prints the status report. It shows no secrets: only names, counts, times
// and the errors the agent recorded (which never contain credentials).
func WriteStatus(ctx context.Context, w io.Writer, cfg *config.Config, st StatusQueue, now time.Time) error {
	stats, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	health, err := st.HealthOf(ctx)
	if err != nil {
		return err
	}
	when := whenFunc(cfg, now)
	fmt.Fprintf(w, "database: %s\n\nSTORES\n", st.Path())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STORE\tMARKETPLACE\tSTATE\tWAITING\tRETRYING\tIN FLIGHT\tDEAD\tLAST SUCCESSFUL PUSH\tLAST ERROR")
	names := map[string]bool{}
	for _, s := range cfg.Stores {
		names[s.Name] = true
		state := "active"
		if !s.Active {
			state = "passive"
		}
		ss := stats[s.Name]
		if ss == nil {
			ss = &queue.StoreStats{}
		}
		h := health["store:"+s.Name]
		lastOK := ss.LastConfirmed
		if h.OKAt.After(lastOK) {
			lastOK = h.OKAt
		}
		lastErr := ss.LastError
		if h.Error != "" && (lastErr == "" || h.ErrorAt.After(h.OKAt)) {
			lastErr = h.Error + " at " + when(h.ErrorAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", s.Name, s.Marketplace, state, ss.Dirty, ss.Retrying, ss.InFlight, ss.Dead, when(lastOK), oneLine(lastErr, 80))
	}
	var orphans []string
	for n := range stats {
		if !names[n] {
			orphans = append(orphans, n)
		}
	}
	sort.Strings(orphans)
	for _, n := range orphans {
		ss := stats[n]
		fmt.Fprintf(tw, "%s\t(not in config)\t-\t%d\t%d\t%d\t%d\t%s\t%s\n", n, ss.Dirty, ss.Retrying, ss.InFlight, ss.Dead, when(ss.LastConfirmed), oneLine(ss.LastError, 80))
	}
	tw.Flush()

	if len(cfg.Sources.DropFolders)+len(cfg.Sources.SQL) > 0 {
		fmt.Fprintf(w, "\nSOURCES\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tKIND\tSTATE\tLAST OK\tLAST READING\tLAST ERROR")
		row := func(name, kind string) {
			h := health["source:"+name]
			errText := "-"
			if h.Error != "" {
				errText = oneLine(h.Error, 80) + " at " + when(h.ErrorAt)
			}
			state := h.State
			if state == "" {
				state = "not started yet"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, kind, state, when(h.OKAt), oneLine(h.Detail, 70), errText)
		}
		for _, f := range cfg.Sources.DropFolders {
			row(f.Name, "drop folder ("+f.Mode+")")
		}
		for _, s := range cfg.Sources.SQL {
			row(s.Name, "sql "+s.Driver+" ("+s.Mode.String()+")")
		}
		tw.Flush()
	}

	if err := WriteOrdersStatus(ctx, w, cfg, st, now); err != nil {
		return err
	}

	imports, err := st.RecentImports(ctx, 10)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nRECENT IMPORTS\n")
	if len(imports) == 0 {
		fmt.Fprintln(w, "  none yet")
		return nil
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tSOURCE\tFILE\tRESULT\tROWS\tAPPLIED\tUNCHANGED\tREJECTED")
	for _, im := range imports {
		result := im.Status
		if im.Error != "" {
			result += ": " + oneLine(im.Error, 60)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", when(im.StartedAt), im.Source, im.File, result, im.RowsRead, im.Applied, im.Unchanged, im.Rejected)
	}
	return tw.Flush()
}

// whenFunc formats times for the status report: local time in the config's zone and how
// long ago, or "never".
func whenFunc(cfg *config.Config, now time.Time) func(time.Time) string {
	return func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.In(cfg.Location).Format("2006-01-02 15:04:05") + " (" + ago(now.Sub(t)) + ")"
	}
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
