package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"syncagent/agent"
	"syncagent/agent/instance"
	"syncagent/agent/service"
	"syncagent/config"
	"syncagent/config/localtime"
	"syncagent/queue"
)

func init() {
	register(&command{name: "status", summary: "show whether the agent runs, then per store what waits, is in flight or failed, and recent imports (works while the agent runs)", run: runStatus})
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
	now := time.Now()
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{ReadOnly: true})
	if err != nil {
		a := readAgent(ctx, cfg, nil, now)
		fmt.Fprintf(env.Stdout, "agent: %s\n", a.Describe(cfg.Location, now))
		return fail(env, "%v", err)
	}
	defer st.Close()
	a := readAgent(ctx, cfg, st, now)
	fmt.Fprintf(env.Stdout, "agent: %s\n", a.Describe(cfg.Location, now))
	if err := WriteStatus(ctx, env.Stdout, cfg, st, a, now); err != nil {
		return fail(env, "reading %s: %v", cfg.DBPath(), err)
	}
	return exitOK
}

// staleAfter is how old the heartbeat of a running agent may be before status says it
// does not respond: a dozen missed beats, more than the longest time an import holds
// the database's writer.
const staleAfter = 12 * agent.HeartbeatEvery

// AgentStatus is whether an agent works on the data folder, and since when or until
// when: from the data folder's lock (held exactly while an agent runs, released by the
// operating system when it dies) and from the heartbeat the agent writes to the queue.
type AgentStatus struct {
	Running bool
	Info    instance.Info // the running agent, or the last one
	HasRun  bool          // an agent has run with this database
	Beat    time.Time     // its last heartbeat
	Stopped time.Time     // its clean stop (zero: running, or it died)
	LockErr error         // the lock could not be probed (status then goes by the heartbeat)
}

// readAgent finds out whether an agent runs on cfg's data folder. st may be nil (no
// database yet).
func readAgent(ctx context.Context, cfg *config.Config, st *queue.Store, now time.Time) AgentStatus {
	var a AgentStatus
	lock, err := instance.Probe(string(cfg.DataDir))
	a.LockErr = err
	a.Info = lock.Info
	if st != nil {
		if run, ok, err := st.LastRun(ctx); err == nil && ok {
			a.HasRun, a.Beat, a.Stopped = true, run.Beat, run.Stopped
			switch {
			case !lock.Held:
				a.Info = instance.Info{PID: run.PID, Mode: run.Mode, Host: run.Host, Started: run.Started}
			case run.PID != lock.Info.PID || run.Started.UnixMilli() != lock.Info.Started.UnixMilli():
				// The agent holding the folder has not recorded its start yet: the
				// heartbeat is its predecessor's.
				a.Beat, a.Stopped = time.Time{}, time.Time{}
			}
		}
	}
	a.HasRun = a.HasRun || a.Info.PID != 0
	if err == nil {
		a.Running = lock.Held
	} else {
		a.Running = a.HasRun && a.Stopped.IsZero() && now.Sub(a.Beat) < staleAfter
	}
	return a
}

// Describe says in one line whether the agent runs.
func (a AgentStatus) Describe(loc *time.Location, now time.Time) string {
	as := ""
	switch a.Info.Mode {
	case instance.ModeService:
		as = " as the service"
	case instance.ModeForeground:
		as = " in the foreground (syncagent run)"
	}
	pid := ""
	if a.Info.PID > 0 {
		pid = fmt.Sprintf(", PID %d", a.Info.PID)
	}
	at := func(t time.Time) string { return localtime.Format(t, loc) + " (" + ago(now.Sub(t)) + ")" }
	lockNote := ""
	if a.LockErr != nil {
		lockNote = fmt.Sprintf(" (told by its heartbeat: %v)", a.LockErr)
	}
	switch {
	case a.Running && a.Info.Started.IsZero():
		return "running" + as + pid + lockNote
	case a.Running && !a.Beat.IsZero() && now.Sub(a.Beat) >= staleAfter:
		return fmt.Sprintf("running since %s%s%s, but its last heartbeat was %s: it is stuck or very busy; if this lasts, restart it%s",
			at(a.Info.Started), as, pid, ago(now.Sub(a.Beat)), lockNote)
	case a.Running && a.Beat.IsZero():
		return "running since " + at(a.Info.Started) + as + pid + "; starting up (no heartbeat yet)" + lockNote
	case a.Running:
		return "running since " + at(a.Info.Started) + as + pid + "; last heartbeat " + ago(now.Sub(a.Beat)) + lockNote
	case !a.HasRun:
		return "not running; no agent has run with this data folder yet" + lockNote
	case !a.Stopped.IsZero():
		return "not running; it stopped at " + at(a.Stopped) + lockNote
	case !a.Beat.IsZero():
		return "not running; it ended without stopping cleanly (a crash, a kill or a power cut); last seen at " + at(a.Beat) + lockNote
	default:
		return "not running" + lockNote
	}
}

// stoppedAt is when the agent stopped working, for the parts that show their state.
func (a AgentStatus) stoppedAt() time.Time {
	if !a.Stopped.IsZero() {
		return a.Stopped
	}
	return a.Beat
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
// and the errors the agent recorded (which never contain credentials). What the
// components last recorded is shown as their state only while the agent runs; once it
// stopped, they show when.
func WriteStatus(ctx context.Context, w io.Writer, cfg *config.Config, st StatusQueue, a AgentStatus, now time.Time) error {
	stats, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	health, err := st.HealthOf(ctx)
	if err != nil {
		return err
	}
	when := whenFunc(cfg, now)
	stopped := "not running"
	if a.HasRun && !a.stoppedAt().IsZero() {
		stopped = "stopped at " + localtime.Short(a.stoppedAt(), now, cfg.Location)
	}
	fmt.Fprintf(w, "database: %s\n\nSTORES\n", st.Path())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STORE\tMARKETPLACE\tSTATE\tWAITING\tRETRYING\tIN FLIGHT\tDEAD\tLAST SUCCESSFUL PUSH\tLAST ERROR")
	names := map[string]bool{}
	for _, s := range cfg.Stores {
		names[s.Name] = true
		ss := stats[s.Name]
		if ss == nil {
			ss = &queue.StoreStats{}
		}
		h := health["store:"+s.Name]
		state := "active"
		switch {
		case !s.Active:
			state = "passive"
		case !a.Running:
			state = stopped
		case h.State != "" && h.State != "ok":
			state += ", " + h.State
		}
		// Only a confirmation by the marketplace counts as a successful push: a batch it
		// accepted for later processing, or a cycle with nothing to send, is not one.
		lastErr := ss.LastError
		if h.Error != "" && (lastErr == "" || h.ErrorAt.After(h.OKAt)) {
			lastErr = "(" + localtime.Short(h.ErrorAt, now, cfg.Location) + ") " + h.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", s.Name, s.Marketplace, state, ss.Dirty, ss.Retrying, ss.InFlight, ss.Dead,
			when(ss.LastConfirmed), shorten(lastErr, 120))
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
		fmt.Fprintf(tw, "%s\t(not in config)\t-\t%d\t%d\t%d\t%d\t%s\t%s\n", n, ss.Dirty, ss.Retrying, ss.InFlight, ss.Dead, when(ss.LastConfirmed), shorten(ss.LastError, 120))
	}
	tw.Flush()
	for _, s := range cfg.Stores {
		// What the store's connector counts of the marketplace's budgets (a plan's daily
		// requests, the share of failed requests it blocks on), as the agent last saw it.
		if h := health[agent.FiguresPrefix+s.Name]; h.Detail != "" && s.Active {
			fmt.Fprintf(w, "%s: %s (%s)\n", s.Name, h.Detail, localtime.Short(h.OKAt, now, cfg.Location))
		}
	}
	if dead := deadTotal(stats); dead > 0 {
		fmt.Fprintf(w, "%d dead-lettered items wait for a new value or a retry: syncagent dead-letters\n", dead)
	}

	if len(cfg.Sources.DropFolders)+len(cfg.Sources.SQL) > 0 {
		fmt.Fprintf(w, "\nSOURCES\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tKIND\tSTATE\tLAST OK\tLAST READING\tLAST ERROR")
		row := func(name, kind string) {
			h := health["source:"+name]
			errText := "-"
			if h.Error != "" {
				errText = "(" + localtime.Short(h.ErrorAt, now, cfg.Location) + ") " + shorten(h.Error, 100)
			}
			state := h.State
			switch {
			case !a.Running && a.HasRun:
				state = stopped
			case state == "":
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
			result += ": " + shorten(im.Error, 80)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", when(im.StartedAt), im.Source, im.File, result, im.RowsRead, im.Applied, im.Unchanged, im.Rejected)
	}
	return tw.Flush()
}

func deadTotal(stats map[string]*queue.StoreStats) int {
	n := 0
	for _, s := range stats {
		n += s.Dead
	}
	return n
}

// whenFunc formats times for the status report: in the config's zone, named, and how long
// ago, or "never".
func whenFunc(cfg *config.Config, now time.Time) func(time.Time) string {
	return func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return localtime.Format(t, cfg.Location) + " (" + ago(now.Sub(t)) + ")"
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

// shorten fits an error message into about n characters on one line without losing what
// it says to do. The agent's messages say what happened, then, after the last "; ", what
// happens next or what to check ("…: 503 …; retrying in about 1m0s (attempt 2/8)"). That
// advice is kept whole; the middle of what happened gives way, marked with "…".
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	const minHead = 40
	head, advice := r, []rune(nil)
	if i := strings.LastIndex(s, "; "); i > 0 {
		head, advice = []rune(s[:i]), []rune(s[i:])
	}
	room := max(n-len(advice)-1, minHead)
	if len(head) <= room {
		return s
	}
	if advice == nil {
		// No advice marked: keep the start (what failed) and the end (the cause).
		tail := room / 3
		return string(head[:room-tail]) + "…" + string(head[len(head)-tail:])
	}
	return string(head[:room]) + "…" + string(advice)
}
