package httpx

import (
	"syncagent/connectors"
)

// StorePacer builds the pacer of a store: every bucket gets its documented rate, or the
// store's limits.requests per limits.per when those are set (the override applies to
// each bucket, as each is counted separately by the marketplace).
func StorePacer(store *connectors.Store, clock Clock, def connectors.Rate, buckets map[string]connectors.Rate) *Pacer {
	if l := store.Limits; l.Requests > 0 && l.Per > 0 {
		over := connectors.Rate{Requests: l.Requests, Per: l.Per}
		def = over
		b := make(map[string]connectors.Rate, len(buckets))
		for k := range buckets {
			b[k] = over
		}
		buckets = b
	}
	return NewPacer(clock, def, buckets)
}
