package connectors

import (
	"errors"
	"fmt"
	"time"
)

// ErrorKind classifies a failed request.
type ErrorKind int

const (
	// Transient: not applied; retry with backoff (5xx before processing, connection refused).
	Transient ErrorKind = iota
	// Unknown: the request may have been applied (timeout after sending, lost response).
	Unknown
	// RetryAfter: throttled; wait Error.RetryAfter, which counts as no failure of the items.
	RetryAfter
	// Permanent: the request will never succeed as sent (400 for the whole batch).
	Permanent
	// Auth: credentials are wrong or lack permission; nothing will succeed until fixed.
	Auth
	// Expired: an asynchronous result is no longer available.
	Expired
)

func (k ErrorKind) String() string {
	return [...]string{"transient", "unknown outcome", "retry-after", "permanent", "auth", "expired"}[k]
}

// Error is a classified request failure. Message never contains credentials.
type Error struct {
	Kind       ErrorKind
	Status     int           // HTTP status, 0 when none
	RetryAfter time.Duration // Kind RetryAfter
	Message    string        // what happened, in words an operator can act on
	// Hint is what to check, when the connector knows it better than the Kind tells
	// (a licence, a permission in the marketplace's panel, a consent to give again);
	// test-store shows it instead of its generic advice for the Kind.
	Hint string
	Err  error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Status != 0 {
		msg = fmt.Sprintf("%d: %s", e.Status, msg)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err (Transient for an unclassified error).
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Transient
}

// ErrDuplicateRequest marks a push the marketplace refused because an identical request
// arrived within its duplicate window (Trendyol: 15 minutes). It comes wrapped in an
// *Error of Kind Unknown: the earlier identical request may well have been applied, so
// the agent reconciles by ReadBack (or waits out Features.DuplicateWindow) instead of
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
