package push

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"sort"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/queue"
)

// flight is one claimed batch on its way to the marketplace.
type flight struct {
	claimed []queue.Claimed
	items   []connectors.Item
	key     string // requestKey when the marketplace has a duplicate window
	sentAt  time.Time
	took    time.Duration
	out     connectors.Outcomes
	err     error
}

// pushAll claims and pushes batches until nothing claimable is left, a hold or pause
// begins, or the loop stops. Up to Parallel requests are in flight at once: the
// connector's pacer keeps them within the marketplace's rate, and while one request
// waits for its answer the next batch is claimed and sent. Claims and every booking stay
// on the loop's goroutine (SQLite has one writer anyway); only the connector's Push runs
// beside it.
//
// Sending comes first, so a rate limit's burst is used fully: a batch that came back
// accepted waits (still leased) while the loop claims and sends the next, and while every
// request in flight waits for the pacer the loop books what came back and claims up to
// Ahead batches (one rate window's worth) in advance, so that when the window opens only
// the cheap sends and bookings are left. A failed request is booked at once, since it may
// stop the cycle. At most maxUnbooked accepted batches wait for booking and Ahead claimed
// ones for a slot, which bounds how long their leases are held.
func (p *Loop) pushAll(ctx context.Context, st *cycleStats) {
	landed := make(chan *flight, p.set.Parallel)
	var unbooked, ready []*flight
	inFlight := 0
	stop := false  // a failure ended the sending: let what is in flight land, send nothing more
	empty := false // nothing claimable is left (or claiming failed)
	take := func(f *flight) {
		inFlight--
		if f.err == nil {
			p.failures = 0 // failures in a row count in the order answers come back
			unbooked = append(unbooked, f)
			return
		}
		if p.land(ctx, f, st) {
			stop = true
		}
	}
	defer func() {
		for _, f := range ready {
			p.release(f.claimed)
		}
	}()
	for {
		for collecting := true; collecting && inFlight > 0; {
			select {
			case f := <-landed:
				take(f)
			default:
				collecting = false
			}
		}
		sending := !stop && p.mayPush(ctx)
		canSend := sending && inFlight < p.set.Parallel
		switch {
		case canSend && len(ready) > 0:
			p.start(ctx, ready[0], landed, st)
			ready = ready[1:]
			inFlight++
			continue
		case canSend && !empty && len(unbooked) < maxUnbooked:
			if f := p.next(ctx, st, &empty); f != nil {
				p.start(ctx, f, landed, st)
				inFlight++
			}
			continue
		case len(unbooked) > 0:
			p.land(ctx, unbooked[0], st)
			unbooked = unbooked[1:]
			continue
		case sending && !empty && inFlight > 0 && len(ready) < p.set.Ahead:
			if f := p.next(ctx, st, &empty); f != nil {
				ready = append(ready, f)
			}
			continue
		}
		if inFlight == 0 && (len(ready) == 0 || !sending) {
			return
		}
		if inFlight > 0 {
			take(<-landed)
		}
	}
}

// maxUnbooked accepted batches may wait for their booking while the loop sends.
const maxUnbooked = 64

// next claims and prepares the next batch; nil when there is none to send now. It sets
// empty when nothing claimable is left or the claim failed.
func (p *Loop) next(ctx context.Context, st *cycleStats, empty *bool) *flight {
	claimed, err := p.q.Claim(ctx, p.name, p.set.Batch)
	if err != nil {
		if ctx.Err() == nil {
			st.fail("claiming items from the outbox failed: " + err.Error())
			p.log.Error().Err(err).Msg("claiming items from the outbox failed; trying again at the next cycle")
		}
		*empty = true
		return nil
	}
	if len(claimed) == 0 {
		*empty = true
		return nil
	}
	return p.prepare(ctx, claimed)
}

// start sends a prepared batch on its own goroutine; its answer comes back on landed.
func (p *Loop) start(ctx context.Context, f *flight, landed chan<- *flight, st *cycleStats) {
	st.requests++
	f.sentAt = p.set.Now()
	go func() {
		f.out, f.err = p.safePush(ctx, f.items)
		f.took = p.set.Now().Sub(f.sentAt)
		landed <- f
	}()
}

// mayPush reports whether the loop may send now.
func (p *Loop) mayPush(ctx context.Context) bool {
	return ctx.Err() == nil && p.paused == "" && !p.set.Now().Before(p.holdUntil)
}

// send pushes one claimed batch and waits for it (halving a refused batch uses it).
func (p *Loop) send(ctx context.Context, claimed []queue.Claimed, st *cycleStats) (stop bool) {
	if !p.mayPush(ctx) {
		p.release(claimed)
		return true
	}
	f := p.prepare(ctx, claimed)
	if f == nil {
		return false
	}
	st.requests++
	f.sentAt = p.set.Now()
	f.out, f.err = p.safePush(ctx, f.items)
	f.took = p.set.Now().Sub(f.sentAt)
	if f.err == nil {
		p.failures = 0
	}
	return p.land(ctx, f, st)
}

// prepare readies a claimed batch for sending, or books it to wait and returns nil when
// the marketplace would refuse it as a repeat of a request it saw within its duplicate
// window: waiting out the window is the only way to send the same values again.
func (p *Loop) prepare(ctx context.Context, claimed []queue.Claimed) *flight {
	sort.Slice(claimed, func(i, j int) bool { return claimed[i].SKU < claimed[j].SKU })
	f := &flight{claimed: claimed, items: toItems(claimed), sentAt: p.set.Now()}
	if p.set.DupWindow <= 0 {
		return f
	}
	f.key = requestKey(f.items)
	p.forgetOld(f.sentAt)
	at, ok := p.recent[f.key]
	if !ok {
		return f
	}
	wait := at.Add(p.set.DupWindow).Sub(f.sentAt)
	bc, cancel := bookCtx(ctx)
	defer cancel()
	reason := fmt.Sprintf("the same request was sent at %s; %s refuses a repeat within %s", at.Format("15:04:05"), p.marketplace, p.set.DupWindow)
	if err := p.q.RetryAfter(bc, claimed, reason, wait); err != nil {
		p.log.Error().Err(err).Msg("recording a wait for the duplicate rule failed; the items become claimable when their lease ends")
	}
	p.log.Info().Int("items", len(claimed)).Dur("wait", wait).
		Msgf("push of %d items to %s held back: %s; sending them at %s", len(claimed), p.name, reason, f.sentAt.Add(wait).Format("15:04:05"))
	return nil
}

// land books a batch whose request finished. It reports whether the cycle must stop
// sending (a hold, a pause, or the marketplace looks down).
func (p *Loop) land(ctx context.Context, f *flight, st *cycleStats) bool {
	if f.err != nil {
		if f.key != "" && mayHaveArrived(f.err) {
			p.recent[f.key] = f.sentAt
		}
		return p.requestFailed(ctx, f.claimed, f.err, f.sentAt, st)
	}
	if f.key != "" {
		p.recent[f.key] = f.sentAt
	}
	p.bookOutcomes(ctx, f.claimed, f.out, f.sentAt, f.took, st)
	return false
}

// toItems converts claimed rows to the connector's items.
func toItems(rows []queue.Claimed) []connectors.Item {
	out := make([]connectors.Item, len(rows))
	for i, c := range rows {
		out[i] = connectors.Item{
			SKU: c.SKU, Barcode: c.Barcode,
			Qty: c.Qty, Price: c.Price, ListPrice: c.ListPrice,
			ConfQty: c.ConfQty, ConfPrice: c.ConfPrice, ConfListPrice: c.ConfListPrice,
		}
	}
	return out
}

// requestKey fingerprints what a request carries (items sorted by SKU, so equal sets give
// equal keys): two pushes with the same key build byte-identical bodies.
func requestKey(items []connectors.Item) string {
	h := sha256.New()
	var buf [8]byte
	num := func(v *int64) {
		if v == nil {
			h.Write([]byte{0})
			return
		}
		binary.LittleEndian.PutUint64(buf[:], uint64(*v))
		h.Write([]byte{1})
		h.Write(buf[:])
	}
	kur := func(k *money.Kurus) {
		if k == nil {
			num(nil)
			return
		}
		v := int64(*k)
		num(&v)
	}
	for _, it := range items {
		h.Write([]byte(it.SKU))
		h.Write([]byte{0})
		h.Write([]byte(it.Barcode))
		h.Write([]byte{0})
		num(it.Qty)
		kur(it.Price)
		kur(it.ListPrice)
		num(it.ConfQty)
		kur(it.ConfPrice)
		kur(it.ConfListPrice)
	}
	return string(h.Sum(nil))
}

// safePush calls the connector, turning a panic into an error of unknown outcome (the
// request may have gone out), so a connector bug costs a retry, not a lease held until
// it expires.
func (p *Loop) safePush(ctx context.Context, items []connectors.Item) (out connectors.Outcomes, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).Msg("the connector panicked during a push")
			out, err = nil, &connectors.Error{Kind: connectors.Unknown, Message: fmt.Sprintf("the %s connector failed (%v)", p.marketplace, r)}
		}
	}()
	return p.conn.Push(ctx, items)
}

// mayHaveArrived reports whether a failed request may have reached the marketplace with
// its body (so an identical body could be refused as a repeat).
func mayHaveArrived(err error) bool {
	switch connectors.KindOf(err) {
	case connectors.Unknown, connectors.Permanent:
		return true
	}
	return false
}

func (p *Loop) forgetOld(now time.Time) {
	for k, at := range p.recent {
		if now.Sub(at) >= p.set.DupWindow {
			delete(p.recent, k)
		}
	}
}

// release gives claimed rows back unsent.
func (p *Loop) release(rows []queue.Claimed) {
	bc, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := p.q.Release(bc, rows); err != nil {
		p.log.Error().Err(err).Int("items", len(rows)).Msg("giving back unsent items failed; they become claimable when their lease ends")
	}
}
