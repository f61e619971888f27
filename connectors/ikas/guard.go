package ikas

import (
	"context"
	"fmt"
	"sync"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
)

// banLimit is ikas's documented block: more than 25 % of the last hour's requests failed.
const banLimit = 0.25

// guard keeps the store's share of failed requests under Tuning.ErrorTarget over
// Tuning.ErrorWindow, counting every request in flight as if it were going to fail: a
// request goes only when, even failing, it would leave the share at or below the target
// (or fewer than MinVolume requests are in the window). Otherwise it waits, on the
// connector's clock as the pacer does, until enough old requests have left the window.
// So the share ikas computes at any request of this store never passes the target, far
// below the 25 % that blocks the store, whatever fails and however fast.
type guard struct {
	clock httpx.Clock
	t     Tuning

	mu       sync.Mutex
	log      []answered // oldest first, within the window
	inflight int
	held     time.Time
}

type answered struct {
	at     time.Time
	failed bool
}

func newGuard(clock httpx.Clock, t Tuning) *guard { return &guard{clock: clock, t: t} }

// wait blocks until a request may go; done(failed) must be called with its outcome.
func (g *guard) wait(ctx context.Context) (done func(failed bool), err error) {
	for {
		g.mu.Lock()
		now := g.clock.Now()
		g.prune(now)
		until := g.clearAt()
		if until.IsZero() {
			g.inflight++
			g.held = time.Time{}
			g.mu.Unlock()
			var once sync.Once
			return func(failed bool) {
				once.Do(func() {
					g.mu.Lock()
					g.inflight--
					g.log = append(g.log, answered{g.clock.Now(), failed})
					g.mu.Unlock()
				})
			}, nil
		}
		g.held = until
		g.mu.Unlock()
		if err := g.clock.Sleep(ctx, until.Sub(now)); err != nil {
			return nil, &connectors.Error{Kind: connectors.Transient, Err: err,
				Message: fmt.Sprintf("request to ikas not sent: holding back until %s to keep the share of failed requests under %.0f %% (ikas blocks a store above %.0f %%)",
					until.Format("15:04:05"), g.t.ErrorTarget*100, banLimit*100)}
		}
	}
}

func (g *guard) prune(now time.Time) {
	cut := 0
	for cut < len(g.log) && !g.log[cut].at.After(now.Add(-g.t.ErrorWindow)) {
		cut++
	}
	g.log = g.log[cut:]
}

// allows reports whether one more request may go with n answered, e of them failed.
func (g *guard) allows(n, e int) bool {
	n += g.inflight + 1
	e += g.inflight + 1
	return n < g.t.MinVolume || float64(e) <= g.t.ErrorTarget*float64(n)
}

// clearAt is zero when a request may go now, else when enough answers will have left
// the window for it to go.
func (g *guard) clearAt() time.Time {
	n, e := len(g.log), 0
	for _, a := range g.log {
		if a.failed {
			e++
		}
	}
	if g.allows(n, e) {
		return time.Time{}
	}
	for k, a := range g.log {
		n--
		if a.failed {
			e--
		}
		if g.allows(n, e) {
			return g.log[k].at.Add(g.t.ErrorWindow + 10*time.Millisecond)
		}
	}
	return g.clock.Now().Add(time.Second) // requests in flight alone fill the budget: wait for their answers
}

func (g *guard) report() connectors.ErrorRatio {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.prune(g.clock.Now())
	r := connectors.ErrorRatio{Window: g.t.ErrorWindow, Requests: len(g.log), InFlight: g.inflight,
		Limit: banLimit, Target: g.t.ErrorTarget}
	if g.held.After(g.clock.Now()) {
		r.HeldUntil = g.held
	}
	for _, a := range g.log {
		if a.failed {
			r.Failed++
		}
	}
	return r
}
