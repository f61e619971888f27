package httpx

import (
	"context"
	"sync"
	"time"

	"syncagent/connectors"
)

// Pacer spaces the requests of one store. Each bucket (an endpoint or a group of
// endpoints that share a budget, as the marketplace counts them) keeps a log of the
// send times it handed out and gives the next request the earliest time at which the
// last Requests sends all lie more than Per (plus a safety margin) in the past: a
// sliding window, the way the marketplaces' gateways count, so a burst at the end of one
// window and the start of the next cannot overshoot.
//
// The pacer is also where the server's word lands: Retry-After and an exhausted
// X-RateLimit-Remaining hold the bucket until the given time, and a lower
// X-RateLimit-Limit lowers the budget (a higher one never raises it: that takes the
// store's limits.requests, set on the marketplace's word).
type Pacer struct {
	clock Clock
	def   connectors.Rate

	mu      sync.Mutex
	rates   map[string]connectors.Rate
	buckets map[string]*bucket
}

// NewPacer returns a pacer whose buckets get rates[name], or def for names not listed.
// A Rate with Requests <= 0 is unlimited.
func NewPacer(clock Clock, def connectors.Rate, rates map[string]connectors.Rate) *Pacer {
	r := make(map[string]connectors.Rate, len(rates))
	for k, v := range rates {
		r[k] = v
	}
	return &Pacer{clock: clock, def: def, rates: r, buckets: map[string]*bucket{}}
}

// Margin is the extra time the pacer leaves between a send and the send Requests later:
// the server stamps a request when it arrives, a little after we released it, and that
// delay varies. One percent of the window, at least 50 ms and at most a second.
func Margin(per time.Duration) time.Duration {
	return min(max(per/100, 50*time.Millisecond), time.Second)
}

type bucket struct {
	rate   connectors.Rate
	margin time.Duration
	slots  []time.Time // handed-out send times, ascending; at most rate.Requests kept
	hold   time.Time   // nothing is sent before this

	srvKnown     bool // the server's own count, from the last reply with headers
	srvRemaining int
	srvReset     time.Time
	inflight     int
}

func (p *Pacer) bucket(name string) *bucket {
	b := p.buckets[name]
	if b == nil {
		rate, ok := p.rates[name]
		if !ok {
			rate = p.def
		}
		b = &bucket{rate: rate, margin: Margin(rate.Per)}
		p.buckets[name] = b
	}
	return b
}

// reserve hands out the next send time of b at or after now.
func (b *bucket) reserve(now time.Time) time.Time {
	t := now
	if b.hold.After(t) {
		t = b.hold
	}
	n := len(b.slots)
	if n > 0 && b.slots[n-1].After(t) { // first come, first served
		t = b.slots[n-1]
	}
	if lim := b.rate.Requests; lim > 0 && n >= lim {
		if free := b.slots[n-lim].Add(b.rate.Per + b.margin); free.After(t) {
			t = free
		}
	}
	if b.srvKnown {
		switch {
		case !t.Before(b.srvReset):
			b.srvKnown = false // the server's window has turned over by then
		case b.srvRemaining <= 0:
			t = b.srvReset.Add(b.margin)
			b.srvKnown = false
		default:
			b.srvRemaining--
		}
	}
	if lim := b.rate.Requests; lim > 0 {
		if n >= lim {
			copy(b.slots, b.slots[n-lim+1:])
			b.slots = b.slots[:lim-1]
		}
		b.slots = append(b.slots, t)
	}
	b.inflight++
	return t
}

// Wait blocks until the bucket allows one more request and counts it as sent. The
// returned done must be called once the reply (or the failure) is in.
func (p *Pacer) Wait(ctx context.Context, name string) (done func(), err error) {
	p.mu.Lock()
	b := p.bucket(name)
	now := p.clock.Now()
	at := b.reserve(now)
	p.mu.Unlock()
	done = func() {
		p.mu.Lock()
		b.inflight--
		p.mu.Unlock()
	}
	if d := at.Sub(now); d > 0 {
		if err := p.clock.Sleep(ctx, d); err != nil {
			done()
			return nil, err
		}
	} else if err := ctx.Err(); err != nil {
		done()
		return nil, err
	}
	return done, nil
}

// Observe takes in what a reply said about the rate limit. It returns how long the
// caller should be told to wait when the reply was a refusal (429): Retry-After when
// given, else the server's reset, else one window of the bucket.
func (p *Pacer) Observe(name string, ri RateInfo, refused bool) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.bucket(name)
	now := p.clock.Now()
	if ri.HasLimit && ri.Limit > 0 && (b.rate.Requests <= 0 || ri.Limit < b.rate.Requests) && b.rate.Per > 0 {
		b.rate.Requests = ri.Limit
		if len(b.slots) > ri.Limit {
			b.slots = append(b.slots[:0], b.slots[len(b.slots)-ri.Limit:]...)
		}
	}
	if ri.HasRemaining && ri.HasReset {
		// Requests of ours still in flight are not in the server's count yet.
		b.srvKnown = true
		b.srvRemaining = ri.Remaining - max(b.inflight-1, 0)
		b.srvReset = now.Add(ri.Reset)
	}
	if !refused {
		if ri.HasRetryAfter && ri.RetryAfter > 0 { // some servers announce a pause on a 503
			b.holdUntil(now.Add(ri.RetryAfter))
		}
		return 0
	}
	var wait time.Duration
	switch {
	case ri.HasRetryAfter:
		wait = ri.RetryAfter
	case ri.HasReset:
		wait = ri.Reset
	default:
		wait = b.rate.Per
	}
	if wait > 0 {
		b.holdUntil(now.Add(wait))
	}
	return wait
}

func (b *bucket) holdUntil(t time.Time) {
	if t.After(b.hold) {
		b.hold = t
	}
}

// Rate returns the budget a bucket works with now (after any lowering by the server).
func (p *Pacer) Rate(name string) connectors.Rate {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bucket(name).rate
}

// HeldFor returns how long the pacer holds bucket from now because the server asked for
// a pause (0: not held), for status pages.
func (p *Pacer) HeldFor(name string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.bucket(name).hold.Sub(p.clock.Now()), 0)
}
