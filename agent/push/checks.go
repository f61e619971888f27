package push

import (
	"strconv"
	"strings"
	"time"

	"syncagent/queue"
	"syncagent/queue/backoff"
)

// checkSchedule is when the loop reads each awaiting batch next: FirstCheck after it was
// sent, then backing off to MaxCheck while the marketplace is still processing it. It
// lives in memory only: after a restart every awaiting batch is read at the first cycle,
// which is what a restart wants anyway.
type checkSchedule struct {
	first time.Duration
	later backoff.Policy
	byRef map[string]*resultCheck
}

// resultCheck is when one awaiting batch is read next.
type resultCheck struct {
	next  time.Time
	moved int // times the check was moved back
}

func newCheckSchedule(set *Settings) *checkSchedule {
	return &checkSchedule{first: set.FirstCheck, later: set.checkPolicy(), byRef: map[string]*resultCheck{}}
}

// sent returns the check of a batch that was just sent (or lost its answer) under ref:
// due FirstCheck after now.
func (s *checkSchedule) sent(ref string, now time.Time) *resultCheck {
	c := s.byRef[ref]
	if c == nil {
		c = &resultCheck{next: now.Add(s.first)}
		s.byRef[ref] = c
	}
	return c
}

// of returns the check of an awaiting batch; one the loop does not know of (it was sent
// before a restart) is due now.
func (s *checkSchedule) of(ref string, now time.Time) *resultCheck {
	c := s.byRef[ref]
	if c == nil {
		c = &resultCheck{next: now}
		s.byRef[ref] = c
	}
	return c
}

// postpone moves a check back, doubling the wait from FirstCheck up to MaxCheck, but
// never past limit (when not zero).
func (s *checkSchedule) postpone(c *resultCheck, now, limit time.Time) {
	c.moved++
	c.next = now.Add(s.later.Nominal(c.moved + 1))
	if !limit.IsZero() && limit.Before(c.next) {
		c.next = limit
	}
}

// keep forgets the checks of batches that no longer await a result.
func (s *checkSchedule) keep(awaiting map[string][]queue.Claimed) {
	for ref := range s.byRef {
		if _, ok := awaiting[ref]; !ok {
			delete(s.byRef, ref)
		}
	}
}

// earliest is when the next check is due (zero: none).
func (s *checkSchedule) earliest() time.Time {
	var at time.Time
	for _, c := range s.byRef {
		if at.IsZero() || c.next.Before(at) {
			at = c.next
		}
	}
	return at
}

// lostPrefix marks awaiting rows whose request lost its answer: there is no batch id to
// read, only the marketplace's state to compare with.
const lostPrefix = "lost:"

func lostRef(sentAt time.Time) string { return lostPrefix + strconv.FormatInt(sentAt.UnixNano(), 10) }

func isLost(ref string) bool { return strings.HasPrefix(ref, lostPrefix) }
