package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"syncagent/config"
	"syncagent/connectors/money"
	"syncagent/erpbridge/sqlpoll"
	"syncagent/queue"
)

func init() {
	register(&command{name: "check-source", args: "NAME",
		summary: "run an ERP database source's query once: print the first rows, the count, and what would change (SKU, field, old → new); nothing is saved",
		run:     runCheckSource})
}

func runCheckSource(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("check-source"), env)
	path := configFlag(fs, env)
	rows := fs.Int("rows", 10, "how many of the first rows to print")
	changes := fs.Int("changes", 50, "how many changes to print")
	reset := fs.Bool("reset", false, "forget the source's last reading and high-water mark, so the agent's next reading takes every row as new (after the query was changed); runs no query")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(env.Stderr, "syncagent check-source: name one source: syncagent check-source NAME --config FILE (sources: %s)\n", sqlSourceNames(cfg))
		return exitUsage
	}
	var src *config.SQLSource
	for i := range cfg.Sources.SQL {
		if cfg.Sources.SQL[i].Name == pos[0] {
			src = &cfg.Sources.SQL[i]
		}
	}
	if src == nil {
		return fail(env, "%s has no ERP database source named %q (sources.sql: %s)", cfg.File, pos[0], sqlSourceNames(cfg))
	}

	st, note, cleanup, err := checkStore(ctx, cfg, *reset)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer cleanup()
	p, err := sqlpoll.New(*src, st, sqlpoll.Options{})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer p.Close()
	if *reset {
		if err := p.Reset(ctx); err != nil {
			return fail(env, "forgetting the last reading of %s: %v", src.Name, err)
		}
		fmt.Fprintf(env.Stdout, "the last reading and high-water mark of %s are forgotten: the agent's next reading takes every row as new (unchanged values are not sent again)\n", src.Name)
		return exitOK
	}
	c := p.Config()
	fmt.Fprintf(env.Stdout, "ERP source %s: %s, %s mode; warehouse %q and price list %q unless the query says", c.Name, c.Driver, c.Mode, c.Warehouse, c.PriceList)
	if c.Mode == config.Snapshot {
		fmt.Fprintf(env.Stdout, "; missing rows: %s", c.Missing)
	}
	fmt.Fprintf(env.Stdout, "\n%s\n", note)
	res, err := p.DryRun(ctx, *rows, *changes)
	if res.Columns != "" {
		fmt.Fprintf(env.Stdout, "columns: %s\n", res.Columns)
	}
	if err != nil {
		var se *sqlpoll.Error
		if errors.As(err, &se) {
			return fail(env, "%v (%s); nothing was saved", se.Err, se.Kind.State())
		}
		return fail(env, "%v; nothing was saved", err)
	}
	if err := writeCheckResult(env.Stdout, res, c.Mode); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

func sqlSourceNames(cfg *config.Config) string {
	var names []string
	for _, s := range cfg.Sources.SQL {
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// checkStore opens the agent's database, where the source's last reading is. The dry run
// writes inside a transaction it rolls back, so it needs the database writable; without
// one yet (the agent never ran), a throw-away database stands in and every row is new.
func checkStore(ctx context.Context, cfg *config.Config, reset bool) (*queue.Store, string, func(), error) {
	path := cfg.DBPath()
	if _, err := os.Stat(path); err == nil || reset {
		st, err := queue.Open(ctx, path, queue.Options{})
		if err != nil {
			return nil, "", nil, err
		}
		return st, "compared with the last reading in " + path, func() { st.Close() }, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil, err
	}
	dir, err := os.MkdirTemp("", "syncagent-check-source-*")
	if err != nil {
		return nil, "", nil, err
	}
	st, err := queue.Open(ctx, dir+string(os.PathSeparator)+"check.db", queue.Options{})
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	return st, "no agent database at " + path + " yet: every row counts as new", func() { st.Close(); os.RemoveAll(dir) }, nil
}

func writeCheckResult(w io.Writer, res sqlpoll.Result, mode config.SourceMode) error {
	fmt.Fprintf(w, "\nFIRST ROWS\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "ROW\tSKU\tBARCODE\tWAREHOUSE\tQUANTITY\tPRICE LIST\tPRICE\tLIST PRICE"
	if mode == config.Incremental {
		head += "\tCHANGE"
	}
	fmt.Fprintln(tw, head+"\tPROBLEM")
	for _, r := range res.Sample {
		line := fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s", r.Line, sourceCell(r.SKU), sourceCell(r.Barcode), r.Warehouse, sourceQty(r.Qty), r.PriceList, sourceKurus(r.Price), sourceKurus(r.ListPrice))
		if mode == config.Incremental {
			line += "\t" + sourceCell(r.Change)
		}
		fmt.Fprintln(tw, line+"\t"+sourceCell(r.Reject))
	}
	if len(res.Sample) == 0 {
		fmt.Fprintln(tw, "(the query returned no rows)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nread %d rows in %s (the ERP's part: %s): %d differ from the last reading, %d of them change what the agent knows",
		res.Rows, res.Duration.Round(time.Millisecond), res.ERPTime.Round(time.Millisecond), res.Changed, res.Applied)
	if mode == config.Snapshot {
		fmt.Fprintf(w, "; %d rows disappeared (%d quantities would be set to 0)", res.Disappeared, res.Zeroed)
	} else if res.Mark != "" {
		fmt.Fprintf(w, "; the high-water mark would move to %s", res.Mark)
	}
	fmt.Fprintf(w, "; %d rejected\n", res.Rejected)
	if res.Rejected > 0 {
		fmt.Fprintf(w, "\nREJECTED ROWS (skipped; the other rows are used)\n")
		for _, r := range res.Rejects {
			fmt.Fprintf(w, "  %s\n", r)
		}
		if more := res.Rejected - len(res.Rejects); more > 0 {
			fmt.Fprintf(w, "  and %d more\n", more)
		}
	}

	fmt.Fprintf(w, "\nWOULD CHANGE")
	if res.DiffCount > len(res.Diffs) {
		fmt.Fprintf(w, " (first %d of %d)", len(res.Diffs), res.DiffCount)
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SKU\tFIELD\tOLD\t\tNEW")
	for _, d := range res.Diffs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t→\t%s\n", d.SKU, d.Field, sourceCell(d.Old), sourceCell(d.New))
	}
	if res.DiffCount == 0 {
		fmt.Fprintln(tw, "(nothing)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nnothing was saved: the agent's database and the ERP are unchanged\n")
	return err
}

func sourceCell(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sourceQty(q *int64) string {
	if q == nil {
		return "-"
	}
	return fmt.Sprint(*q)
}

func sourceKurus(k *money.Kurus) string {
	if k == nil {
		return "-"
	}
	return k.String()
}
