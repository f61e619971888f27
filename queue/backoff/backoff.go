// Package backoff is the one retry schedule of the agent: exponential from a base, capped,
// with optional jitter. The queue uses it for an item's next push attempt and an order's
// next write to the ERP, the push loop for a store that failed several requests in a row,
// the drop folder for a file it could not read yet. It imports nothing of the agent, so
// any retrying part may use it.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Policy is an exponential backoff: Base before the second attempt, doubling per attempt,
// never more than Max. Jitter spreads each delay by ±Jitter (0.25: 75 %–125 %) so that
// things that failed together do not retry in lockstep; 0 gives exact delays.
type Policy struct {
	Base, Max time.Duration
	Jitter    float64
	// Rand returns a random fraction in [0,1) for the jitter (nil: math/rand). Tests give
	// a constant: 0.5 is no jitter at all.
	Rand func() float64
}

// Nominal is the delay after failure n (1-based) before jitter: Base·2^(n-1), at most
// Max. n below 1 counts as 1; a Max of 0 means no cap.
func (p Policy) Nominal(n int) time.Duration {
	d := p.Base
	for i := 1; i < n && (p.Max <= 0 || d < p.Max); i++ {
		d *= 2
	}
	if p.Max > 0 {
		d = min(d, p.Max)
	}
	return d
}

// Delay is Nominal(n) spread by the jitter.
func (p Policy) Delay(n int) time.Duration {
	d := p.Nominal(n)
	if p.Jitter <= 0 {
		return d
	}
	r := p.Rand
	if r == nil {
		r = rand.Float64
	}
	f := 1 - p.Jitter + 2*p.Jitter*r()
	return time.Duration(float64(d) * f)
}
