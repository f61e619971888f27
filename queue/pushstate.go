package queue

import (
	"context"
	"database/sql"
	"time"
)

// NextDue returns the earliest time after `after` at which a dirty row of store becomes
// claimable again (a retry's backoff or a Retry-After wait ends, a lost lease expires),
// so the push loop can sleep until then instead of polling. ok is false when no row
// waits for a later time. It reads the outbox_claim index only.
func (s *Store) NextDue(ctx context.Context, store string, after time.Time) (time.Time, bool, error) {
	var at sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT MIN(next_at) FROM outbox
		WHERE store = ? AND dirty = 1 AND state IN ('ready', 'leased') AND next_at > ?`, store, after.UnixMilli()).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return fromMS(at.Int64), true, nil
}
