package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"syncagent/config"
	"syncagent/config/localtime"
	"syncagent/queue"
)

func init() {
	register(&command{name: "dead-letters", args: "[STORE]",
		summary: "list the items the agent gave up pushing, with the marketplace's reasons (syncagent retry sends them again)",
		run:     runDeadLetters})
}

func runDeadLetters(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("dead-letters"), env)
	path := configFlag(fs, env)
	limit := fs.Int("limit", 200, "show at most this many items, newest first")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintf(env.Stderr, "syncagent dead-letters: give at most one STORE (got %d)\n", len(pos))
		fs.Usage()
		return exitUsage
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	store := ""
	if len(pos) == 1 {
		store = pos[0]
	}
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{ReadOnly: true})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	items, total, err := st.DeadItems(ctx, store, max(*limit, 1))
	if err != nil {
		return fail(env, "reading %s: %v", cfg.DBPath(), err)
	}
	if store != "" && total == 0 {
		if _, ok := cfg.Store(store); !ok {
			if _, err := activeStore(cfg, store); err != nil {
				return fail(env, "%v", err)
			}
		}
	}
	WriteDeadLetters(env.Stdout, cfg, store, items, total, time.Now())
	return exitOK
}

// WriteDeadLetters prints dead items as a table, each with the marketplace's reason in
// full: it is what the person fixing the listing needs to read.
func WriteDeadLetters(w io.Writer, cfg *config.Config, store string, items []queue.DeadItem, total int, now time.Time) {
	where := ""
	if store != "" {
		where = " of " + store
	}
	if total == 0 {
		fmt.Fprintf(w, "no dead-lettered items%s: everything the agent could not push is either retried or done\n", where)
		return
	}
	fmt.Fprintf(w, "%d dead-lettered %s%s. An item is pushed again when its value changes, or after: syncagent retry STORE SKU… (or --all)\n\n",
		total, agreeN(total, "item", "items"), where)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STORE\tSKU\tBARCODE\tVALUES REFUSED\tATTEMPTS\tSINCE\tREASON")
	for _, d := range items {
		since := "-"
		if !d.At.IsZero() {
			since = localtime.Short(d.At, now, cfg.Location)
		}
		barcode := d.Barcode
		if barcode == "" {
			barcode = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.Store, d.SKU, barcode, refused(d), d.Attempts, since, strings.Join(strings.Fields(d.Reason), " "))
	}
	tw.Flush()
	if len(items) < total {
		fmt.Fprintf(w, "… and %d more (--limit %d shows more)\n", total-len(items), total)
	}
}

func refused(d queue.DeadItem) string {
	var parts []string
	if d.Qty != nil {
		parts = append(parts, fmt.Sprintf("stock %d", *d.Qty))
	}
	if d.Price != nil {
		parts = append(parts, "price "+d.Price.String())
	}
	if d.ListPrice != nil {
		parts = append(parts, "list "+d.ListPrice.String())
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func agreeN(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
