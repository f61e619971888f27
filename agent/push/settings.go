package push

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"syncagent/queue"
	"syncagent/queue/backoff"
)

// Settings tune one store's push loop. The agent's store factory fills them from the
// store's config and its connector's declaration; zero values take the defaults.
type Settings struct {
	Marketplace string // the store's marketplace, for messages
	// RulesHash is the fingerprint of the rules the outbox must have been computed with;
	// when the outbox records another one, the store's desired state is recomputed first.
	RulesHash string
	Batch     int // items per Push: the connector's MaxBatch, or limits.batch_size
	Parallel  int // requests in flight at once (the pacer still keeps the rate)
	// Ahead batches are claimed in advance while every request waits for the pacer: one
	// rate window's worth of requests, so the next window's burst goes out at once. At
	// least Parallel, at most maxUnbooked; the queue's lease (minutes) is far longer
	// than a window.
	Ahead              int
	Debounce, MaxDelay time.Duration // on-change pushes (Debounce 0: schedule only)
	// FirstCheck is when the result of an asynchronous batch (or the marketplace's state
	// after a lost answer) is read first; later reads back off to MaxCheck.
	FirstCheck, MaxCheck time.Duration
	// DupWindow: the marketplace refuses an identical request repeated within it.
	DupWindow time.Duration
	// FailStop consecutive failed requests end a cycle: the marketplace is treated as down
	// and the store waits RetryBase·2^n (at most RetryMax) before the next try.
	FailStop            int
	RetryBase, RetryMax time.Duration
	MaxAttempts         int // the queue's, for log messages
	Now                 func() time.Time
	// Location is the configured time zone, for the times people read: in what push-now
	// and resync report, and in the store's health record that status shows (nil: the
	// machine's).
	Location *time.Location
}

// PassiveRules is the rules fingerprint the agent records for a passive store. Changes
// made while a store is passive are not computed for it, so when it becomes active again
// the fingerprint differs and its whole desired state is recomputed.
const PassiveRules = "passive"

// defaultParallel requests in flight let a store use a rate limit's burst: while one
// request waits for its answer, the next batch is claimed and sent.
const defaultParallel = 4

func (s *Settings) defaults() {
	if s.Batch <= 0 {
		s.Batch = 100
	}
	if s.Parallel <= 0 {
		s.Parallel = defaultParallel
	}
	s.Ahead = min(max(s.Ahead, s.Parallel), maxUnbooked)
	if s.FirstCheck <= 0 {
		s.FirstCheck = 2 * time.Second
	}
	if s.MaxCheck <= 0 {
		s.MaxCheck = time.Minute
	}
	if s.FailStop <= 0 {
		s.FailStop = 3
	}
	if s.RetryBase <= 0 {
		s.RetryBase = 30 * time.Second
	}
	if s.RetryMax <= 0 {
		s.RetryMax = time.Hour
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 8
	}
	if s.Now == nil {
		s.Now = time.Now
	}
}

// retryPolicy is the queue's retry schedule without its jitter: RetryBase doubling up to
// RetryMax. The store waits by it once the marketplace counts as down, and an item's
// retry is logged by it.
func (s *Settings) retryPolicy() backoff.Policy {
	return backoff.Policy{Base: s.RetryBase, Max: s.RetryMax}
}

// checkPolicy is when an awaiting batch is read again: FirstCheck doubling up to MaxCheck.
func (s *Settings) checkPolicy() backoff.Policy {
	return backoff.Policy{Base: s.FirstCheck, Max: s.MaxCheck}
}

// Queue is what a push loop uses of the queue (*queue.Store).
type Queue interface {
	// The store's rows in the outbox: claimed, booked, awaiting a batch result.
	Claim(ctx context.Context, store string, n int) ([]queue.Claimed, error)
	Release(ctx context.Context, items []queue.Claimed) error
	Confirm(ctx context.Context, items []queue.Claimed) error
	Retry(ctx context.Context, items []queue.Claimed, reason string, outcome queue.Outcome) (dead int, err error)
	RetryAfter(ctx context.Context, items []queue.Claimed, reason string, wait time.Duration) error
	Reject(ctx context.Context, items []queue.Claimed, reason string) error
	MarkAwaiting(ctx context.Context, items []queue.Claimed, ref string, checkAt time.Time) error
	ListAwaiting(ctx context.Context, store string) (map[string][]queue.Claimed, []string, error)
	NextDue(ctx context.Context, store string, after time.Time) (time.Time, bool, error)

	// The store's desired state and the rules it was computed with.
	RulesHash(ctx context.Context, store string) (string, error)
	RecomputeStore(ctx context.Context, store string) (int, error)
	RecordRulesHash(ctx context.Context, store, hash string) error

	// The store's health record.
	ReportOK(ctx context.Context, component, state, detail string) error
	ReportError(ctx context.Context, component, state, msg string) error

	// Push-now and resync (request.go): retries made due, the store read back page by
	// page, and what it shows recorded as confirmed.
	MakeDue(ctx context.Context, store string) (int, error)
	OutboxRows(ctx context.Context, store, after string, n int) ([]queue.OutboxRow, error)
	RecordShown(ctx context.Context, store string, shown []queue.Shown) ([]string, error)
}

// store is what every part of a loop knows of the store it works for: its names for
// messages and its logger.
type store struct {
	name, marketplace string
	log               zerolog.Logger
}
