package agent

import (
	"testing"
	"time"

	"syncagent/connectors"
)

// The push loop claims one rate window's worth of batches ahead: as many as the window
// has requests for a bulk endpoint, fewer where each item is a request of its own, so
// claimed items never wait past their lease for a slot (IdeaSoft: 120 requests a minute,
// 10 items a push → 12 batches, not 120).
func TestAheadIsOneWindowOfRequests(t *testing.T) {
	minute := func(n int) connectors.Rate { return connectors.Rate{Requests: n, Per: time.Minute} }
	cases := []struct {
		f    connectors.Features
		want int
	}{
		{connectors.Features{MaxBatch: 1000, PushRate: minute(50)}, 50},
		{connectors.Features{MaxBatch: 10, PushRate: minute(120), PerItem: true}, 12},
		{connectors.Features{MaxBatch: 10, PushRate: minute(5), PerItem: true}, 1},
		{connectors.Features{MaxBatch: 1, PushRate: minute(120), PerItem: true}, 120},
	}
	for _, c := range cases {
		if got := aheadBatches(c.f); got != c.want {
			t.Errorf("%+v: %d batches ahead, want %d", c.f, got, c.want)
		}
	}
}
