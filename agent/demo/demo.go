// Package demo runs the whole agent on one computer with no network and no input: three
// simulated marketplaces (Trendyol, PazarSync, Giyim Moda) seeded with a small catalogue,
// a temporary data folder, a drop folder with a sample Excel stock list, and a config
// pointing the stores at the simulators. The console shows the values arriving in the
// simulated stores, after each store's rules.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"syncagent/agent"
	"syncagent/agent/logging"
	"syncagent/config"
)

// Options configure a demo run.
type Options struct {
	Out io.Writer     // the console
	Dir string        // working folder; "": a new temporary folder, kept afterwards
	For time.Duration // stop after this long; 0: run until ctx ends (Ctrl-C)
	// Command is how the user runs syncagent, for the hints ("syncagent", "go run .").
	Command string
}

// Result is what a demo run did.
type Result struct {
	Dir     string
	Config  string
	Changes int // change lines shown
}

// settle is how long the stores must stay unchanged after the first wave before the
// demo drops its second file.
const settle = 3 * time.Second

// Run runs the demo until ctx ends or For has passed. With For set, it is an error when
// no change reached the stores, so a CI run proves the whole path works.
func Run(ctx context.Context, opt Options) (Result, error) {
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	if opt.Command == "" {
		opt.Command = "syncagent"
	}
	var res Result
	dir := opt.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "syncagent-demo-")
		if err != nil {
			return res, fmt.Errorf("demo: cannot create a working folder: %w", err)
		}
		dir = d
	}
	res.Dir = dir
	drop := filepath.Join(dir, "drop")
	if err := os.MkdirAll(drop, 0o750); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	ms, err := startMarkets()
	if err != nil {
		return res, fmt.Errorf("demo: starting the simulated marketplaces: %w", err)
	}
	defer ms.close()
	res.Config, err = writeConfig(dir, ms)
	if err != nil {
		return res, fmt.Errorf("demo: writing the config: %w", err)
	}
	cfg, err := config.Load(res.Config)
	if err != nil {
		return res, fmt.Errorf("demo: the generated config does not load: %w", err)
	}
	log, logFile, err := logging.New(logging.Options{Dir: string(cfg.Log.Dir), Level: cfg.Log.Level, MaxSizeMB: cfg.Log.MaxSizeMB, MaxFiles: cfg.Log.MaxFiles})
	if err != nil {
		return res, fmt.Errorf("demo: opening the log: %w", err)
	}
	defer logFile.Close()

	intro(opt, res, drop, ms)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opt.For > 0 {
		runCtx, cancel = context.WithTimeout(ctx, opt.For)
		defer cancel()
	}
	a := agent.New(cfg, log, agent.Options{})
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	select {
	case <-a.Ready():
	case err := <-done:
		return res, fmt.Errorf("demo: the agent did not start: %w", err)
	}

	if err := writeStockList(drop, "stok-listesi.xlsx", catalogue); err != nil {
		cancel()
		<-done
		return res, fmt.Errorf("demo: writing the sample stock list: %w", err)
	}
	fmt.Fprintf(opt.Out, "\nDropped stok-listesi.xlsx (%d items) into the drop folder. Watching the stores…\n\n", len(catalogue))
	res.Changes = watch(runCtx, opt.Out, drop, ms)
	runErr := <-done
	fmt.Fprintf(opt.Out, "\nStopped. %d changes arrived in the simulated stores.\n", res.Changes)
	fmt.Fprintf(opt.Out, "The demo's folder stays for a look: %s (delete it when done)\n", dir)
	if runErr != nil {
		return res, fmt.Errorf("demo: the agent stopped with an error: %w", runErr)
	}
	if opt.For > 0 && res.Changes == 0 {
		return res, fmt.Errorf("demo: %w within %s; see '%s logs --config %s'", ErrNothingArrived, opt.For, opt.Command, res.Config)
	}
	return res, nil
}

func intro(opt Options, res Result, drop string, ms markets) {
	w := opt.Out
	fmt.Fprintln(w, "syncagent demo: the agent and three simulated marketplaces, all on this computer (no network, nothing to type).")
	fmt.Fprintln(w)
	for _, m := range ms {
		fmt.Fprintf(w, "  %-11s %-24s store %s: %s\n", m.label, m.url, m.store, m.rules)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  config       %s\n", res.Config)
	fmt.Fprintf(w, "  drop folder  %s\n", drop)
	fmt.Fprintln(w, "               drop another Excel or CSV stock list here (columns Stok Kodu, Barkod, Miktar, Fiyat, Liste Fiyatı)")
	fmt.Fprintf(w, "  status       %s status --config %s\n", opt.Command, res.Config)
	fmt.Fprintf(w, "  logs         %s logs -f --config %s\n", opt.Command, res.Config)
	if opt.For > 0 {
		fmt.Fprintf(w, "\nRunning for %s.\n", opt.For)
	} else {
		fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
	}
}

// watch prints what changes in the stores until ctx ends, and drops a second, smaller
// stock list once the first has settled: only its changed values travel. It returns the
// number of change lines printed.
func watch(ctx context.Context, out io.Writer, drop string, ms markets) int {
	w := newWatcher(ms)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	n := 0
	var lastChange time.Time
	second := false
	for {
		select {
		case <-ctx.Done():
			for _, l := range w.changes(ms) {
				fmt.Fprintln(out, l)
				n++
			}
			return n
		case now := <-tick.C:
			lines := w.changes(ms)
			for _, l := range lines {
				fmt.Fprintln(out, l)
			}
			n += len(lines)
			if len(lines) > 0 {
				lastChange = now
			}
			if !second && n > 0 && now.Sub(lastChange) >= settle {
				second = true
				if err := writeStockList(drop, "fiyat-guncelleme.xlsx", update()); err != nil {
					fmt.Fprintf(out, "\n(could not drop the second sample file: %v)\n", err)
					continue
				}
				fmt.Fprintln(out, "\nThe ERP changed 3 items: dropped fiyat-guncelleme.xlsx with the whole list again.")
				fmt.Fprintln(out, "Only the changed values travel; the other items are not sent again.")
				fmt.Fprintln(out)
			}
		}
	}
}

// update is the catalogue with three items changed: a sale, a delivery, a sell-out.
func update() []article {
	rows := append([]article(nil), catalogue...)
	rows[0].Price = 12990 // SKU-001 on sale
	rows[4].Qty = 30      // SKU-005 delivered
	rows[8].Qty = 0       // SKU-009 sold out
	return rows
}

// ErrNothingArrived is returned (wrapped) when a timed run showed no change.
var ErrNothingArrived = errors.New("no change reached the simulated stores")
