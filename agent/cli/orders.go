package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"syncagent/config"
	"syncagent/config/localtime"
	"syncagent/queue"
)

func init() {
	register(&command{name: "orders", args: "[retry ORDER]",
		summary: "list imported orders with their ERP transfer state and reservations; 'orders retry ORDER' writes a failed order again now",
		run:     runOrders})
}

func runOrders(ctx context.Context, env *Env, args []string) int {
	fs := flags(lookup("orders"), env)
	path := configFlag(fs, env)
	store := fs.String("store", "", "only this store's orders")
	pending := fs.Bool("pending", false, "only orders not yet (completely) in the ERP: unpaid, due, failed, or with a cancellation to export")
	since := fs.String("since", "", "only orders first seen this recently (30m, 12h, 7d)")
	limit := fs.Int("limit", 100, "at most this many orders, newest first")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	cfg, code := loadConfig(env, *path)
	if code >= 0 {
		return code
	}
	if *store != "" {
		if _, ok := cfg.Store(*store); !ok {
			return fail(env, "no store named %q in %s", *store, cfg.File)
		}
	}
	if len(pos) > 0 && pos[0] == "retry" {
		if len(pos) != 2 {
			fmt.Fprintln(env.Stderr, "syncagent orders retry: give exactly one ORDER (its order number or marketplace id)")
			return exitUsage
		}
		return retryOrder(ctx, env, cfg, *store, pos[1])
	}
	if len(pos) > 0 {
		fmt.Fprintf(env.Stderr, "syncagent orders: unexpected %q (did you mean 'orders retry ORDER'?)\n", pos[0])
		return exitUsage
	}
	f := queue.OrderFilter{Store: *store, Pending: *pending, Limit: *limit}
	if *since != "" {
		d, err := config.ParseDuration(*since)
		if err != nil {
			fmt.Fprintf(env.Stderr, "syncagent orders: --since: %v\n", err)
			return exitUsage
		}
		f.Since = time.Now().Add(-d)
	}
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{ReadOnly: true})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	list, err := st.ListOrders(ctx, f)
	if err != nil {
		return fail(env, "reading %s: %v", cfg.DBPath(), err)
	}
	WriteOrders(env.Stdout, cfg, list)
	return exitOK
}

// WriteOrders prints orders as a table. It shows store and order numbers, states and
// amounts, never customers.
func WriteOrders(w io.Writer, cfg *config.Config, list []queue.OrderInfo) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no orders match")
		return
	}
	now := time.Now()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ORDERED\tSTORE\tORDER\tSTATUS\tTOTAL\tLINES\tTRANSFER\tATTEMPTS\tRESERVED\tLAST ERROR")
	for _, o := range list {
		status := o.Status
		if o.RawStatus != "" && o.RawStatus != o.Status {
			status += " (" + o.RawStatus + ")"
		}
		transfer := o.TransferState
		switch {
		case o.TransferState == queue.TransferFailed && !o.NextAt.IsZero():
			transfer += ", next try " + localtime.Short(o.NextAt, now, cfg.Location)
		case o.TransferState == queue.TransferDone && o.CancelState != "":
			transfer += ", cancellation " + o.CancelState
		}
		reserved := "-"
		switch {
		case o.Held > 0:
			reserved = fmt.Sprintf("%d held", o.Held)
		case o.Released > 0:
			reserved = fmt.Sprintf("%d released", o.Released)
		}
		errText := "-"
		if o.LastError != "" && (o.TransferState != queue.TransferDone || o.CancelState == "failed") {
			errText = shorten(o.LastError, 120)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\t%d/%d\t%s\t%d\t%s\t%s\n", localtime.Format(o.OrderedAt, cfg.Location),
			o.Store, o.Number, status, o.Total, o.Currency, o.Lines, o.Units, transfer, o.Attempts, reserved, errText)
	}
	tw.Flush()
}

func retryOrder(ctx context.Context, env *Env, cfg *config.Config, store, ref string) int {
	st, err := queue.Open(ctx, cfg.DBPath(), queue.Options{})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	n, err := st.RetryTransfer(ctx, store, ref)
	switch {
	case errors.Is(err, queue.ErrNoSuchOrder):
		return fail(env, "no order %q%s in %s", ref, storeSuffix(store), cfg.DBPath())
	case err != nil:
		return fail(env, "%v", err)
	case n == 0:
		fmt.Fprintf(env.Stdout, "order %s has nothing waiting to be written (see syncagent orders)\n", ref)
	default:
		fmt.Fprintf(env.Stdout, "order %s queued again; the running agent writes it within 30 seconds\n", ref)
	}
	return exitOK
}

func storeSuffix(store string) string {
	if store == "" {
		return ""
	}
	return " of store " + store
}

// WriteOrdersStatus prints the ORDERS section of the status report: per store that
// fetches or transfers orders, what was imported, what waits for the ERP, and the units
// held against the stores' stock; then the sinks' health. The status command calls it.
func WriteOrdersStatus(ctx context.Context, w io.Writer, cfg *config.Config, st StatusQueue, now time.Time) error {
	sums, err := st.OrderSummaries(ctx)
	if err != nil {
		return err
	}
	health, err := st.HealthOf(ctx)
	if err != nil {
		return err
	}
	when := whenFunc(cfg, now)
	show := false
	for _, s := range cfg.Stores {
		show = show || s.Orders.Fetch || s.Orders.Transfer || sums[s.Name] != nil
	}
	if !show {
		return nil
	}
	fmt.Fprintf(w, "\nORDERS\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STORE\tLAST FETCH\tORDERS\tUNPAID\tTO WRITE\tFAILED\tCANCELLATIONS\tHELD UNITS\tOLDEST HELD\tLAST ERROR")
	for _, s := range cfg.Stores {
		o := sums[s.Name]
		if o == nil {
			if !s.Orders.Fetch || !s.Active {
				continue
			}
			o = &queue.OrderSummary{}
		}
		h := health["orders:"+s.Name]
		fetch := when(h.OKAt)
		if !s.Active || !s.Orders.Fetch {
			fetch = "off"
		}
		lastErr := o.LastError
		if h.Error != "" && h.ErrorAt.After(h.OKAt) {
			lastErr = "(" + localtime.Short(h.ErrorAt, now, cfg.Location) + ") fetch: " + h.Error
		}
		held := fmt.Sprintf("%d in %d orders", o.HeldUnits, o.HeldOrders)
		if o.AwaitingReading > 0 {
			held += fmt.Sprintf(", %d await an ERP reading", o.AwaitingReading)
		}
		oldest := "-"
		if !o.OldestHeld.IsZero() {
			oldest = ago(now.Sub(o.OldestHeld))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", s.Name, fetch, o.Orders, o.Waiting, o.Pending, o.Failed,
			o.Cancellations, held, oldest, shorten(lastErr, 120))
	}
	tw.Flush()
	names := make([]string, 0, len(cfg.Sinks.Files)+len(cfg.Sinks.SQL))
	for _, f := range cfg.Sinks.Files {
		names = append(names, f.Name)
	}
	for _, q := range cfg.Sinks.SQL {
		names = append(names, q.Name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nSINKS\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SINK\tSTATE\tLAST WRITE\tLAST ERROR")
	for _, n := range names {
		h := health["sink:"+n]
		state, errText := h.State, "-"
		if state == "" {
			state = "no writes yet"
		}
		if h.Error != "" {
			errText = "(" + localtime.Short(h.ErrorAt, now, cfg.Location) + ") " + shorten(h.Error, 100)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n, state, when(h.OKAt), errText)
	}
	return tw.Flush()
}
