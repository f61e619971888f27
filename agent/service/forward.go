package service

import (
	"sync"
	"time"
)

// LogFileErrorEvery is how often, at most, failures of the agent's log file are
// written to the system log. When the disk is full every line fails; one entry a
// minute tells the administrator without flooding the Event Log or the journal.
const LogFileErrorEvery = time.Minute

// ForwardErrors returns a handler for logging.File.OnError that writes log-file
// failures to the system log: the first at once, then at most one per every, each
// saying how many were held back since the last one. now is time.Now outside tests.
func ForwardErrors(sys Logger, every time.Duration, now func() time.Time) func(error) {
	var (
		mu   sync.Mutex
		last time.Time
		held int
	)
	return func(err error) {
		mu.Lock()
		t := now()
		if !last.IsZero() && t.Sub(last) < every {
			held++
			mu.Unlock()
			return
		}
		n := held
		last, held = t, 0
		mu.Unlock()
		if n > 0 {
			_ = sys.Errorf("%s cannot write its log file: %v (and %d more failures since the previous report); the agent keeps running", DisplayName, err, n)
			return
		}
		_ = sys.Errorf("%s cannot write its log file: %v; the agent keeps running", DisplayName, err)
	}
}
