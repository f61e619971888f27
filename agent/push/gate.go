package push

import (
	"time"

	"syncagent/config/localtime"
	"syncagent/queue/backoff"
)

// gate says whether the loop may send now. A hold shuts it for a while: the
// marketplace's Retry-After, or a backoff once FailStop requests in a row failed and the
// marketplace counts as down. A pause shuts it until the next scheduled push: refused
// credentials, a refused setup, a recompute that failed. Only the loop's goroutine uses it.
type gate struct {
	now       func() time.Time
	loc       *time.Location // for the hold's end in the store's health record
	failStop  int
	down      backoff.Policy // the wait once the marketplace counts as down
	holdUntil time.Time      // no request before
	paused    string         // why pushes wait for the next scheduled push ("": not paused)
	failures  int            // consecutive failed requests
}

func newGate(set *Settings) *gate {
	return &gate{now: set.Now, loc: set.Location, failStop: set.FailStop, down: set.retryPolicy()}
}

// open reports whether a request may go now.
func (g *gate) open() bool { return g.paused == "" && !g.now().Before(g.holdUntil) }

// hold shuts the gate for wait.
func (g *gate) hold(wait time.Duration) { g.holdUntil = g.now().Add(wait) }

// until is when the current hold ends (in the past when there is none).
func (g *gate) until() time.Time { return g.holdUntil }

// pause shuts the gate until resume; why is for the record.
func (g *gate) pause(why string) { g.paused = why }

func (g *gate) isPaused() bool { return g.paused != "" }

// resume ends a pause: a scheduled push tries again whatever paused the store.
func (g *gate) resume() { g.paused = "" }

// succeeded records a request that got an answer: failures in a row count in the order
// answers come back.
func (g *gate) succeeded() { g.failures = 0 }

// failed records a failed request and returns how many failed in a row. From the
// FailStop-th the marketplace counts as down: the gate holds for RetryBase, doubling
// with every further failure, and reports the wait with down.
func (g *gate) failed() (inRow int, wait time.Duration, down bool) {
	g.failures++
	if g.failures < g.failStop {
		return g.failures, 0, false
	}
	wait = g.down.Nominal(g.failures - g.failStop + 1)
	g.hold(wait)
	return g.failures, wait, true
}

// state describes the gate for the store's health record after a cycle that failed;
// held says whether the cycle began a hold.
func (g *gate) state(held bool) string {
	switch {
	case g.paused != "":
		return "paused until the next scheduled push"
	case held:
		return "waiting until " + localtime.Format(g.holdUntil, g.loc)
	default:
		return "retrying"
	}
}
