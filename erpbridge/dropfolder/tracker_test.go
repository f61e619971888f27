package dropfolder

import (
	"testing"
	"time"
)

// A file or folder that failed waits the quiet period doubled per failed attempt, at
// least a second and at most a minute.
func TestRetryWaitDoublesTheQuietPeriodBetweenASecondAndAMinute(t *testing.T) {
	s := time.Second
	for _, c := range []struct {
		quiet time.Duration
		want  []time.Duration // after 1, 2, 3, … failed attempts
	}{
		{0, []time.Duration{s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, time.Minute, time.Minute}},
		{200 * time.Millisecond, []time.Duration{s, 2 * s, 4 * s}},
		{1500 * time.Millisecond, []time.Duration{1500 * time.Millisecond, 3 * s, 6 * s, 12 * s, 24 * s, 48 * s, time.Minute}},
		{5 * s, []time.Duration{5 * s, 10 * s, 20 * s, 40 * s, time.Minute, time.Minute}},
		{2 * time.Minute, []time.Duration{time.Minute, time.Minute}},
	} {
		for i, want := range c.want {
			if got := retryPolicy(c.quiet).Nominal(i + 1); got != want {
				t.Errorf("quiet %s, after %d failed attempts: wait %s, want %s", c.quiet, i+1, got, want)
			}
		}
		if got := retryPolicy(c.quiet).Nominal(0); got != c.want[0] {
			t.Errorf("quiet %s, before any failed attempt: wait %s, want %s", c.quiet, got, c.want[0])
		}
	}
}
