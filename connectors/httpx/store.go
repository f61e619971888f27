package httpx

import (
	"time"

	"syncagent/config"
	"syncagent/connectors"
)

// StorePacer builds the pacer of a store: every bucket gets its documented rate, or the
// store's limits.requests per limits.per when those are set (the override applies to
// each bucket, as each is counted separately by the marketplace).
func StorePacer(store *config.Store, clock Clock, def connectors.Rate, buckets map[string]connectors.Rate) *Pacer {
	if l := store.Limits; l.Requests > 0 && l.Per > 0 {
		over := connectors.Rate{Requests: l.Requests, Per: l.Per.D()}
		def = over
		b := make(map[string]connectors.Rate, len(buckets))
		for k := range buckets {
			b[k] = over
		}
		buckets = b
	}
	return NewPacer(clock, def, buckets)
}

// StoreTimeout is limits.timeout when set, else def.
func StoreTimeout(store *config.Store, def time.Duration) time.Duration {
	if t := store.Limits.Timeout.D(); t > 0 {
		return t
	}
	return def
}
