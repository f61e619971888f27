package dropfolder

import (
	"context"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// health writes the folder's state for the status command from its own goroutine. The
// watcher's loop must never wait for the database: while an import holds the one writer
// connection for a large file, the loop keeps draining file events. Only the newest
// state is kept; older ones are overwritten unwritten, and at most one state per
// healthEvery is written, so a burst of imports does not double the commits.
type health struct {
	st   HealthReporter
	comp string
	log  zerolog.Logger

	mu      sync.Mutex
	pending *healthState
	kick    chan struct{}
}

const healthEvery = time.Second

type healthState struct {
	ok            bool
	state, detail string
}

func newHealth(st HealthReporter, comp string, log zerolog.Logger) *health {
	return &health{st: st, comp: comp, log: log, kick: make(chan struct{}, 1)}
}

// set records the newest state; detail is the error text when ok is false.
func (h *health) set(ok bool, state, detail string) {
	h.mu.Lock()
	h.pending = &healthState{ok: ok, state: state, detail: detail}
	h.mu.Unlock()
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// run writes states until ctx ends.
func (h *health) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.kick:
		}
		h.mu.Lock()
		s := h.pending
		h.pending = nil
		h.mu.Unlock()
		if s == nil {
			continue
		}
		var err error
		if s.ok {
			err = h.st.ReportOK(ctx, h.comp, s.state, s.detail)
		} else {
			err = h.st.ReportError(ctx, h.comp, s.state, s.detail)
		}
		if err != nil && ctx.Err() == nil {
			h.log.Debug().Err(err).Msg("recording the folder's health failed; the next change of state is recorded instead")
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(healthEvery):
		}
	}
}
