package push

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"syncagent/config/localtime"
	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/queue"
)

// resyncPage is how many outbox rows a resync reads back at once. Large, because some
// marketplaces can only be read back by listing every product (PazarSync, Giyim Moda),
// once per call; Trendyol's connector splits a call into requests of 50 barcodes.
const resyncPage = 5000

// examples is how many SKUs a report names of each kind.
const examples = 5

// ErrNotRunning is the answer of PushNow and Resync when the loop has stopped (or never
// started).
var ErrNotRunning = errors.New("the store's push loop is not running")

// Report is what a push-now or a resync did, in words for the person who asked.
type Report struct {
	Text string
	// Failed: nothing of what was asked could be done (the store waits out a hold, the
	// marketplace cannot be read back, every request failed).
	Failed bool
}

type askKind int

const (
	askPushNow askKind = iota
	askResync
)

// ask is a request handed to the loop's goroutine, which runs it between cycles.
type ask struct {
	kind  askKind
	reply chan Report
}

// PushNow runs a push cycle now, as a scheduled push would, and reports what it did. It
// also ends a pause (refused credentials wait for the next scheduled push otherwise) and
// makes items waiting for their retry after failed attempts due at once. A wait the
// marketplace asked for (Retry-After, a marketplace counted as down) is kept: the report
// says until when.
func (l *Loop) PushNow(ctx context.Context) (Report, error) { return l.ask(ctx, askPushNow) }

// Resync reads back what the store shows for every item that is neither in flight nor
// dead-lettered, records it as the confirmed state, and pushes what differs from what
// the store should show: after someone changed stock in the marketplace's panel, or an
// order the agent does not fetch lowered it, the store shows the right values again.
func (l *Loop) Resync(ctx context.Context) (Report, error) { return l.ask(ctx, askResync) }

func (l *Loop) ask(ctx context.Context, kind askKind) (Report, error) {
	if l.done == nil {
		return Report{}, ErrNotRunning
	}
	a := ask{kind: kind, reply: make(chan Report, 1)}
	select {
	case l.asks <- a:
	case <-l.done:
		return Report{}, ErrNotRunning
	case <-ctx.Done():
		return Report{}, ctx.Err()
	}
	select {
	case r := <-a.reply:
		return r, nil
	case <-l.done:
		return Report{}, ErrNotRunning
	case <-ctx.Done():
		return Report{}, ctx.Err()
	}
}

// serve runs an ask on the loop's goroutine.
func (l *Loop) serve(ctx context.Context, kind askKind) Report {
	l.gate.resume()
	if !l.gate.open() {
		return Report{Failed: true, Text: fmt.Sprintf("%s waits until %s, as %s asked or because it did not answer; nothing is sent before then",
			l.name, localtime.Format(l.gate.until(), l.set.Location), l.marketplace)}
	}
	switch kind {
	case askResync:
		return l.resync(ctx)
	default:
		due, err := l.q.MakeDue(ctx, l.name)
		if err != nil {
			return Report{Failed: true, Text: "making the items waiting for a retry due failed: " + err.Error()}
		}
		st := l.cycle(ctx, wakeSchedule)
		r := cycleReport(l.name, l.marketplace, &st)
		if due > 0 {
			r.Text += fmt.Sprintf(" (%d of them were waiting for a retry)", due)
		}
		return r
	}
}

// cycleReport says what a cycle run for a person did.
func cycleReport(name, marketplace string, st *cycleStats) Report {
	if st.items == 0 && st.lastError == "" {
		return Report{Text: "nothing was waiting to be pushed to " + name}
	}
	text := fmt.Sprintf("pushed %s to %s in %s: %d confirmed, %d awaiting %s's result, %d to retry, %d rejected",
		plural(st.items, "item", "items"), name, plural(st.requests, "request", "requests"), st.confirmed, st.pending, marketplace, st.retry, st.rejected)
	if st.items == 0 {
		text = "nothing could be pushed to " + name
	}
	failed := false
	if st.lastError != "" {
		text += "; " + st.lastError
		failed = st.confirmed+st.pending == 0
	}
	return Report{Text: text, Failed: failed}
}

// resync reads the store back page by page, then pushes.
func (l *Loop) resync(ctx context.Context) Report {
	if !l.market.canReadBack() {
		return Report{Failed: true, Text: fmt.Sprintf("%s's connector cannot read what a store shows, so %s cannot be resynced; push-now sends what the agent knows is different",
			l.marketplace, l.name)}
	}
	var (
		read, skipped    int
		differ, unlisted []string
		shownDifferently []string
		after            string
	)
	for {
		rows, err := l.q.OutboxRows(ctx, l.name, after, resyncPage)
		if err != nil {
			return Report{Failed: true, Text: "reading the outbox failed: " + err.Error()}
		}
		if len(rows) == 0 {
			break
		}
		after = rows[len(rows)-1].SKU
		var ask []queue.Claimed
		for _, r := range rows {
			if r.State != "ready" {
				skipped++
				continue
			}
			ask = append(ask, r.Claimed)
		}
		if len(ask) == 0 {
			continue
		}
		obs, err := l.market.readBack(ctx, ask)
		if err != nil {
			return Report{Failed: true, Text: fmt.Sprintf("reading %s back failed after %d items: %v; nothing was changed for the items not read yet", l.name, read, err)}
		}
		read += len(ask)
		shown := make([]queue.Shown, 0, len(ask))
		for _, r := range ask {
			o := obs[r.SKU]
			if !o.Found {
				unlisted = append(unlisted, r.SKU)
				continue
			}
			shown = append(shown, queue.Shown{SKU: r.SKU, Qty: o.Qty, Price: o.Price, ListPrice: o.ListPrice})
			if d := difference(o, r); d != "" {
				differ = append(differ, r.SKU)
				if len(shownDifferently) < examples {
					shownDifferently = append(shownDifferently, r.SKU+": "+d)
				}
			}
		}
		if _, err := l.q.RecordShown(ctx, l.name, shown); err != nil {
			return Report{Failed: true, Text: "recording what the store shows failed: " + err.Error()}
		}
	}
	l.log.Info().Int("read", read).Int("different", len(differ)).Int("unlisted", len(unlisted)).Int("skipped", skipped).
		Msgf("resync of %s: read %d items back, %d show other values than they should, %d are not listed; pushing what differs", l.name, read, len(differ), len(unlisted))
	var b strings.Builder
	fmt.Fprintf(&b, "read %s back from %s: %d %s other values than %s should", plural(read, "item", "items"), l.name,
		len(differ), agree(len(differ), "shows", "show"), agree(len(differ), "it", "they"))
	if len(shownDifferently) > 0 {
		fmt.Fprintf(&b, " (%s%s)", strings.Join(shownDifferently, "; "), more(len(differ)))
	}
	if len(unlisted) > 0 {
		fmt.Fprintf(&b, "; %d %s not listed at %s (%s%s): a stock or price update cannot create a listing", len(unlisted), agree(len(unlisted), "is", "are"), l.marketplace,
			strings.Join(unlisted[:min(len(unlisted), examples)], ", "), more(len(unlisted)))
	}
	if skipped > 0 {
		fmt.Fprintf(&b, "; %d in flight or dead-lettered %s left as %s (syncagent dead-letters %s)", skipped,
			agree(skipped, "was", "were"), agree(skipped, "it is", "they are"), l.name)
	}
	st := l.cycle(ctx, wakeSchedule)
	r := cycleReport(l.name, l.marketplace, &st)
	b.WriteString(". Then: " + r.Text)
	return Report{Text: b.String(), Failed: r.Failed}
}

func plural(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, agree(n, one, many))
}

func agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func more(n int) string {
	if n > examples {
		return fmt.Sprintf(", and %d more", n-examples)
	}
	return ""
}

// difference says how what the store shows differs from what it should show, for the
// values both are known: "stock 3 at the store, should be 8".
func difference(o connectors.Observed, r queue.Claimed) string {
	var parts []string
	if r.Qty != nil && o.Qty != nil && *o.Qty != *r.Qty {
		parts = append(parts, fmt.Sprintf("stock %d at the store, should be %d", *o.Qty, *r.Qty))
	}
	price := func(name string, shown, want *money.Kurus) {
		if want != nil && shown != nil && *shown != *want {
			parts = append(parts, fmt.Sprintf("%s %s at the store, should be %s", name, *shown, *want))
		}
	}
	price("price", o.Price, r.Price)
	price("list price", o.ListPrice, r.ListPrice)
	return strings.Join(parts, ", ")
}
