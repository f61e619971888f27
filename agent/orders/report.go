package orders

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"syncagent/erpbridge/sinks"
	"syncagent/queue"
)

// report logs one line per sink and cycle (order numbers only) and records each sink's
// health.
func (t *TransferLoop) report(ctx context.Context, results []result) {
	type tally struct {
		written, already, unexported []string
		failed                       []string
		lastErr                      error
	}
	bySink := map[string]*tally{}
	for _, r := range results {
		name := r.sink
		if name == "" {
			name = "(none)"
		}
		tl := bySink[name]
		if tl == nil {
			tl = &tally{}
			bySink[name] = tl
		}
		ref := r.Job.Store + " " + r.Job.Order.Number
		if r.Job.Kind == queue.WriteCancel {
			ref += fmt.Sprintf(" (cancellation %d)", r.Job.CancelSeq)
		}
		switch {
		case r.Err != nil:
			tl.failed = append(tl.failed, ref)
			tl.lastErr = r.Err
		case r.outcome == sinks.AlreadyThere:
			tl.already = append(tl.already, ref)
		case r.outcome == sinks.NotExported:
			tl.unexported = append(tl.unexported, ref)
		default:
			tl.written = append(tl.written, ref)
		}
	}
	names := make([]string, 0, len(bySink))
	for n := range bySink {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		tl := bySink[n]
		if ok := len(tl.written) + len(tl.already) + len(tl.unexported); ok > 0 {
			ev := t.log.Info().Str("sink", n).Int("written", len(tl.written)).Int("already_there", len(tl.already))
			if len(tl.written) > 0 {
				ev = ev.Str("orders", numbers(tl.written))
			}
			if len(tl.already) > 0 {
				ev = ev.Str("found_in_erp", numbers(tl.already))
			}
			ev.Msgf("%s written to the ERP through %s (%d found there already)", plural(len(tl.written)+len(tl.already), "order or cancellation", "orders or cancellations"), n, len(tl.already))
			if len(tl.unexported) > 0 {
				t.log.Warn().Str("sink", n).Str("orders", numbers(tl.unexported)).
					Msg("cancellations recorded but not exported: the sink has no cancel statement (sinks.sql[].cancel / cancel_line)")
			}
			_ = t.q.ReportOK(ctx, "sink:"+n, "ok", fmt.Sprintf("%d written in the last cycle", ok))
		}
		if len(tl.failed) > 0 {
			kind := sinks.KindOf(tl.lastErr)
			t.log.Warn().Str("sink", n).Str("orders", numbers(tl.failed)).Str("kind", kind.String()).Err(tl.lastErr).
				Msgf("%s could not be written to the ERP through %s; they stay due and are tried again with backoff (syncagent orders --pending shows them)",
					plural(len(tl.failed), "order or cancellation", "orders or cancellations"), n)
			_ = t.q.ReportError(ctx, "sink:"+n, strings.ReplaceAll(kind.String(), " ", "_"), tl.lastErr.Error())
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// numbers lists up to 10 order numbers.
func numbers(ns []string) string {
	if len(ns) > 10 {
		return strings.Join(ns[:10], ", ") + fmt.Sprintf(" and %d more", len(ns)-10)
	}
	return strings.Join(ns, ", ")
}
