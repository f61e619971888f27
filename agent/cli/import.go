package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent"
	"syncagent/config"
	"syncagent/connectors"
	"syncagent/erpbridge/dropfolder"
	"syncagent/queue"
)

func init() {
	register(&command{name: "import", args: "FILE",
		summary: "import a stock or price list by hand with a drop folder's settings (the file stays where it is); --dry-run shows the changes and saves nothing",
		run:     runImport})
}

func runImport(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("import"), env)
	path := configFlag(fs, env)
	dry := fs.Bool("dry-run", false, "print the changes the file would make (SKU, field, old → new) and save nothing")
	source := fs.String("source", "", "drop folder whose settings (columns, locale, policy, warehouse) to use; required when the config has several")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(env.Stderr, "syncagent import: give exactly one FILE (got %d)\n", len(pos))
		fs.Usage()
		return exitUsage
	}
	file, err := filepath.Abs(pos[0])
	if err != nil {
		return fail(env, "%v", err)
	}
	if fi, err := os.Stat(file); err != nil {
		return fail(env, "cannot read %s: %v", file, unwrapPath(err))
	} else if !fi.Mode().IsRegular() {
		return fail(env, "%s is not a file", file)
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	folder, err := pickFolder(cfg, *source)
	if err != nil {
		return fail(env, "%v", err)
	}
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{
		MaxAttempts: cfg.Queue.MaxAttempts, RetryBase: cfg.Queue.RetryBase.D(), RetryMax: cfg.Queue.RetryMax.D(), Lease: cfg.Queue.Lease.D(),
	})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	if !*dry {
		rules, err := activeStoreRules(cfg)
		if err != nil {
			return fail(env, "%v; nothing was imported (--dry-run still works)", err)
		}
		st.SetStores(rules)
	}

	set := dropfolder.FromConfig(cfg, folder)
	// A staging folder of its own: the running agent empties the folder's usual one
	// when it starts.
	base := filepath.Join(string(cfg.DataDir), "staging")
	if err := os.MkdirAll(base, 0o750); err != nil {
		return fail(env, "creating %s: %v", base, err)
	}
	if set.StagingDir, err = os.MkdirTemp(base, "import-command-*"); err != nil {
		return fail(env, "creating a staging folder in %s: %v", base, err)
	}
	defer os.RemoveAll(set.StagingDir)
	im, err := dropfolder.NewImporter(set, st, zerolog.Nop())
	if err != nil {
		return fail(env, "%v", err)
	}
	res, err := im.Import(ctx, dropfolder.Request{Path: file, DryRun: *dry})
	if err != nil {
		return fail(env, "%s was not imported: %v; nothing was saved", file, err)
	}
	defer res.Close()
	if *dry {
		if err := printChanges(env.Stdout, res); err != nil {
			return fail(env, "%v", err)
		}
	}
	if err := res.WriteReport(env.Stdout, dropfolder.Terminal); err != nil {
		return fail(env, "writing the report: %v", err)
	}
	if res.Outcome == dropfolder.Failed {
		return exitError
	}
	if !*dry && res.Applied > 0 {
		fmt.Fprintln(env.Stdout, tellAgentChanged(ctx, cfg, st))
	}
	return exitOK
}

// tellAgentChanged lets a running agent know that an import by hand changed the ERP
// view, as its own drop folder would have, and says what happens next.
//
// An import by hand may run beside the agent: it writes through its own single writer
// connection in one immediate transaction per file, and SQLite's lock with busy_timeout
// (10 s) makes the agent's writes wait for it and it for them, so neither sees half of
// the other. The agent claims the new outbox rows like any others; the request only
// makes stores with an on-change push (schedule.debounce) push soon instead of at
// their next scheduled push.
func tellAgentChanged(ctx context.Context, cfg *config.Config, st *queue.Store) string {
	a := readAgent(ctx, cfg, st, time.Now())
	if !a.Running {
		return "no agent is running: the changes are pushed to the stores when it starts"
	}
	if _, err := st.AddRequest(ctx, queue.RequestChanged, ""); err != nil {
		return fmt.Sprintf("the changes are saved; telling the running agent failed (%v), so they go at each store's next scheduled push", err)
	}
	return "the running agent (" + a.Info.Describe(cfg.Location) + ") pushes the changes: stores with an on-change push (schedule.debounce) within their debounce, the others at their next scheduled push"
}

// pickFolder returns the drop folder named source, or the only one.
func pickFolder(cfg *config.Config, source string) (config.DropFolder, error) {
	folders := cfg.Sources.DropFolders
	var names []string
	for _, f := range folders {
		if f.Name == source {
			return f, nil
		}
		names = append(names, f.Name)
	}
	switch {
	case len(folders) == 0:
		return config.DropFolder{}, fmt.Errorf("%s has no drop folder (sources.drop_folders); the import uses a folder's settings, so add one", cfg.File)
	case source != "":
		return config.DropFolder{}, fmt.Errorf("%s has no drop folder named %q; its drop folders are %s", cfg.File, source, strings.Join(names, ", "))
	case len(folders) > 1:
		return config.DropFolder{}, fmt.Errorf("%s has %d drop folders (%s); choose whose settings to use with --source NAME", cfg.File, len(folders), strings.Join(names, ", "))
	}
	return folders[0], nil
}

// activeStoreRules builds the rules of the active stores as the agent does, so that a
// file imported by hand updates every store's outbox in the same transaction and the
// running agent pushes it like a dropped file.
func activeStoreRules(cfg *config.Config) (map[string]queue.Rules, error) {
	rules := map[string]queue.Rules{}
	for i := range cfg.Stores {
		s := &cfg.Stores[i]
		if !s.Active {
			continue
		}
		cs := s.Connector()
		conn, err := connectors.New(&cs, connectors.Deps{Log: zerolog.Nop(), Now: time.Now})
		if err != nil {
			return nil, fmt.Errorf("cannot compute what store %s should show: %w", s.Name, err)
		}
		r, err := agent.NewStoreRules(s.Rules, conn.Features())
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", s.Name, err)
		}
		rules[s.Name] = r
	}
	return rules, nil
}

// printChanges lists what a dry run would change. The table is flushed every few
// hundred lines so a huge file does not sit in memory.
func printChanges(w io.Writer, res *dropfolder.Result) error {
	fmt.Fprintf(w, "DEĞİŞİKLİKLER, kaydedilmedi (CHANGES THIS FILE WOULD MAKE, nothing saved)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROW\tSKU\tFIELD\tOLD\t\tNEW")
	n := 0
	err := res.EachChange(func(d queue.FieldDiff) error {
		old := d.Old
		if old == "" {
			old = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t→\t%s\n", d.Source.Row, d.SKU, d.Field, old, d.New)
		if n++; n%500 == 0 {
			return tw.Flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(tw, "(none)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintln(w)
	return err
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
