package connectors

import (
	"errors"
	"time"
)

// ErrDuplicateRequest marks a push the marketplace refused because an identical request
// arrived within its duplicate window (Trendyol: 15 minutes). It comes wrapped in an
// *Error of Kind Unknown: the earlier identical request may well have been applied, so
// the agent reconciles by ReadBack (or waits out Capabilities.DuplicateWindow) instead of
// resending the same body into the same refusal.
var ErrDuplicateRequest = errors.New("identical request refused within the marketplace's duplicate window")

// IsDuplicate reports whether err is a duplicate-window refusal.
func IsDuplicate(err error) bool { return errors.Is(err, ErrDuplicateRequest) }

// RetryAfterOf returns how long to wait before the next request when err is of Kind
// RetryAfter, and 0 otherwise.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.Kind == RetryAfter {
		return e.RetryAfter
	}
	return 0
}
