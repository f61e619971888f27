package connectors

import "context"

// Unlocker is implemented by a connector whose marketplace locks listings on its own
// and lets the seller lift the lock through its API (Hepsiburada: a price outside the
// category band, a checkout price anomaly, an order cancellation). Lifting a lock is an
// operator's decision: only the unlock command calls it, the agent never does.
type Unlocker interface {
	// Unlock lifts the locks of the listings of skus (the merchant's SKUs) and reports,
	// for every SKU, what it found and did.
	Unlock(ctx context.Context, skus []string) (map[string]UnlockResult, error)
}

// UnlockResult is what Unlock did for one SKU.
type UnlockResult struct {
	// Unlocked: the listing was locked and the unlock request for it was accepted.
	Unlocked bool
	// Reasons are the marketplace's lock reasons found before the unlock.
	Reasons []string
	// Message says in plain words what was done or why nothing was (not locked, no
	// listing with this SKU).
	Message string
}
