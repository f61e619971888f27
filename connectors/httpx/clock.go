// Package httpx is the HTTP layer every connector shares: one Client per store with
// timeouts and the marketplace's User-Agent, a Pacer that keeps each rate-limited
// endpoint group under its budget and honours Retry-After and X-RateLimit-* headers, a
// client-credentials token cache, classification of every failure into a
// *connectors.Error, and debug logging with secrets redacted.
//
// As in rclone's lib/pacer, the pacer owns spacing and waiting; a connector's
// shouldRetry only says whether a finished exchange may be tried again. Unlike rclone
// the client never loops: one call is one exchange (plus, for token auth, one re-auth
// after a 401), and the agent decides about retries.
package httpx

import (
	"context"
	"time"

	"syncagent/connectors"
)

// Clock is the time source of the pacer and the token cache. Waits go through Sleep so a
// test on a fake clock moves that clock instead of the wall clock.
type Clock struct {
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// ClockOf takes the clock from a connector's Deps; missing parts are the wall clock.
func ClockOf(d connectors.Deps) Clock {
	c := Clock{Now: d.Now, Sleep: d.Sleep}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = WallSleep
	}
	return c
}

// WallSleep waits d of wall time or until ctx ends.
func WallSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
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
