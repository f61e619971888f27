// Package simkit holds what the marketplace simulators share, so that each simulator is
// only its routes, its wire shapes, its state and its marketplace's rules: the lifecycle
// and request path (Sim), seeded fault injection, request statistics, a clock tests can
// move, sliding-window rate limits with their 429s, bearer tokens, and the tables that
// hold a simulator's records. connectors/sim/README.md says how a simulator uses them.
package simkit

import (
	"context"
	"sync"
	"time"
)

// Clock tells a simulator what time it is. Every rule that depends on time (the
// 15-minute duplicate window, batch expiry, token lifetime, rate windows) reads it, so a
// test can move a FakeClock instead of sleeping.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// RealClock is the wall clock, the default of every simulator.
func RealClock() Clock { return realClock{} }

// FakeClock stands still until a test moves it. Safe for concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock starts at t (UTC noon of 2026-10-01 when t is zero, so tests that do not
// care get a stable date inside every documented lookback window).
func NewFakeClock(t time.Time) *FakeClock {
	if t.IsZero() {
		t = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	}
	return &FakeClock{now: t}
}

// Now returns the current fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backwards for a negative d, to test clock skew).
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set jumps to t.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Sleep waits d of wall time or until ctx ends; simulators use it for configured
// processing times that a client's timeout must be able to observe.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Touch moves a last-modified stamp to now, or step past its old value when the clock
// has not moved past it (a fake clock standing still, stamps of whole seconds): a
// client that reads changes by modification time must see every change.
func Touch(last *time.Time, now time.Time, step time.Duration) {
	if !now.After(*last) {
		now = last.Add(step)
	}
	*last = now
}
