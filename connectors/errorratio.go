package connectors

import "time"

// ErrorRatioReporter is implemented by connectors whose marketplace blocks an account
// for its share of failed requests (ikas: more than 25 % in an hour blocks it for an
// hour). The connector counts its own requests and holds requests back before the share
// gets near the marketplace's limit; status pages show what it counted.
type ErrorRatioReporter interface {
	ErrorRatio() ErrorRatio
}

// ErrorRatio is a connector's count of its requests over the marketplace's window.
type ErrorRatio struct {
	Window   time.Duration // what the marketplace counts over
	Requests int           // requests answered within Window (including the failed ones)
	Failed   int           // of them, those the marketplace counts as failed
	InFlight int           // sent and not yet answered
	Limit    float64       // the share at which the marketplace blocks (0.25)
	Target   float64       // the share the connector keeps under by holding requests back
	// HeldUntil is when the connector will send again when it is holding back now
	// (zero: not holding).
	HeldUntil time.Time
}

// Ratio is Failed / Requests (0 without requests).
func (r ErrorRatio) Ratio() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Failed) / float64(r.Requests)
}
