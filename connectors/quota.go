package connectors

import "time"

// QuotaReporter is an optional ability of a connector whose marketplace counts every
// request of the store against a plan's budget over a long window (PazarSync: 10 000
// requests a day on the Temel plan), which the connector paces itself to stay under.
// The status report shows the figures beside the store, so an operator sees the
// budget running out before the marketplace refuses.
type QuotaReporter interface {
	// Quota reports the budget as the connector counts it. It does no I/O and may be
	// called at any time from any goroutine. ok is false when the store's plan has no
	// such budget (PazarSync Kurumsal: unlimited).
	Quota() (q Quota, ok bool)
}

// Quota is a request budget over a long window and its use.
type Quota struct {
	What      string        // the budget in words: "PazarSync Temel plan: 10 000 requests a day"
	Limit     int           // requests allowed per Per
	Per       time.Duration // the window (a sliding one: the last 24 hours, not the calendar day)
	Used      int           // requests sent in the last Per, as counted since the agent started
	Remaining int           // Limit − Used
	// NextAt is when the next request may go: now while Remaining > 0, else when the
	// oldest counted request leaves the window.
	NextAt time.Time
}
