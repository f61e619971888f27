package push

import "fmt"

// Stats count what a loop did since it was built.
type Stats struct {
	Cycles   int // cycles run, including those a hold, a pause or a stop cut short
	Requests int // pushes, result reads and read-backs
	Items    int // items pushed
	// Fates booked, of pushes and of result reads and read-backs.
	Confirmed, Pending, Retried, Rejected int
}

// add counts one cycle.
func (s *Stats) add(c *cycleStats) {
	s.Cycles++
	s.Requests += c.requests
	s.Items += c.items
	s.Confirmed += c.confirmed
	s.Pending += c.pending
	s.Retried += c.retry
	s.Rejected += c.rejected
}

// cycleStats count what one cycle did, for its health record and the loop's Stats.
type cycleStats struct {
	requests, items                     int
	confirmed, pending, retry, rejected int
	lastError                           string
	held                                bool // a hold began
}

func (s *cycleStats) fail(msg string) { s.lastError = msg }

func (s *cycleStats) summary() string {
	return fmt.Sprintf("last cycle: %d items in %d requests: %d confirmed, %d awaiting the marketplace's result, %d to retry, %d rejected",
		s.items, s.requests, s.confirmed, s.pending, s.retry, s.rejected)
}
