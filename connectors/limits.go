package connectors

import "syncagent/config"

// WithLimits returns the capabilities with a store's limits applied: limits.batch_size
// replaces MaxBatch and limits.requests/per replace PushRate. The limits exist to go
// below the documented figures (a shared account) or, on the marketplace's word, above
// them (a higher plan); they are taken as given.
func (c Capabilities) WithLimits(l config.Limits) Capabilities {
	if l.BatchSize > 0 {
		c.MaxBatch = l.BatchSize
	}
	if l.Requests > 0 && l.Per > 0 {
		c.PushRate = Rate{Requests: l.Requests, Per: l.Per.D()}
	}
	return c
}
