package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/logging"
	"syncagent/agent/push"
	"syncagent/config"
	"syncagent/config/localtime"
	"syncagent/connectors"
	"syncagent/queue"
)

// requestServer is what a running agent does for the command line: it writes the
// heartbeat `status` reads, and it takes the requests other commands leave in the
// database (push-now, resync, a manual import's changes), does them and writes their
// results, which the asking command waits for. The database is the channel: every
// command already opens it, it needs no port and no firewall rule, and a request made
// while the agent restarts waits there.
type requestServer struct {
	cfg       *config.Config
	q         *queue.Store
	stores    map[string]StoreLoop
	changed   func()
	log       zerolog.Logger
	beatEvery time.Duration
	pollEvery time.Duration
	started   time.Time

	conns   map[string]connectors.Connector
	figures map[string]string // the figures last written per store

	wg       sync.WaitGroup
	beatFail bool // the last heartbeat failed (its failure was logged once)
}

func newRequestServer(env *Env, beatEvery, pollEvery time.Duration) *requestServer {
	return &requestServer{
		cfg: env.Config, q: env.Store, stores: env.Stores, changed: env.Changed,
		conns: env.Connectors, figures: map[string]string{},
		log:       logging.Component(env.Log, logging.CompAgent),
		beatEvery: beatEvery, pollEvery: pollEvery, started: time.Now(),
	}
}

// run beats and serves until ctx ends, then waits for the requests being done (each
// ends with ctx too).
func (r *requestServer) run(ctx context.Context) {
	defer r.wg.Wait()
	beat := time.NewTicker(r.beatEvery)
	defer beat.Stop()
	poll := time.NewTicker(r.pollEvery)
	defer poll.Stop()
	r.serveOpen(ctx) // a request that came while the agent started
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			r.heartbeat(ctx)
			r.recordFigures(ctx)
		case <-poll.C:
			r.serveOpen(ctx)
		}
	}
}

func (r *requestServer) heartbeat(ctx context.Context) {
	err := r.q.Heartbeat(ctx)
	switch {
	case err != nil && ctx.Err() == nil && !r.beatFail:
		r.beatFail = true
		r.log.Warn().Err(err).Msg("writing the heartbeat failed; `syncagent status` may show the agent as not responding until it works again")
	case err == nil && r.beatFail:
		r.beatFail = false
		r.log.Info().Msg("the heartbeat is written again")
	}
}

// serveOpen takes every open request; each runs in a goroutine of its own, so a long
// resync holds up neither the heartbeat nor another store's request.
func (r *requestServer) serveOpen(ctx context.Context) {
	open, err := r.q.OpenRequests(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn().Err(err).Msg("reading requests of the command line failed; trying again in a second")
		}
		return
	}
	for _, req := range open {
		taken, err := r.q.TakeRequest(ctx, req.ID)
		if err != nil || !taken {
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.serve(ctx, req)
		}()
	}
}

func (r *requestServer) serve(ctx context.Context, req queue.Request) {
	log := r.log.With().Str("request", req.Kind).Int64("request_id", req.ID).Logger()
	if req.Store != "" {
		log = logging.Store(log, req.Store)
	}
	text, failed := r.do(ctx, req)
	bctx, cancel := queue.BookingContext(ctx)
	defer cancel()
	if err := r.q.FinishRequest(bctx, req.ID, text, failed); err != nil {
		log.Error().Err(err).Msg("recording the answer to a request failed; the command that asked reports it unanswered")
		return
	}
	ev := log.Info()
	if failed {
		ev = log.Warn()
	}
	ev.Str("result", text).Msgf("%s of %s asked from the command line: done", req.Kind, storeOrAll(req.Store))
}

// do carries a request out and says what became of it.
func (r *requestServer) do(ctx context.Context, req queue.Request) (string, bool) {
	switch req.Kind {
	case queue.RequestChanged:
		r.changed()
		return "the stores with an on-change push (schedule.debounce) push the changes within their debounce; the others at their next scheduled push", false
	case queue.RequestPushNow, queue.RequestResync:
	default:
		return fmt.Sprintf("this agent does not know the request %q (is the command newer than the running agent? restart it)", req.Kind), true
	}
	loop, ok := r.stores[req.Store]
	if !ok {
		return r.noStore(req.Store), true
	}
	var rep push.Report
	var err error
	if req.Kind == queue.RequestResync {
		rep, err = loop.Resync(ctx)
	} else {
		rep, err = loop.PushNow(ctx)
	}
	switch {
	case errors.Is(err, push.ErrNotRunning), ctx.Err() != nil:
		return "the agent stopped before it was done; what it did not finish happens at its next start", true
	case err != nil:
		return err.Error(), true
	}
	return rep.Text, rep.Failed
}

// noStore says why the running agent has no push loop for store.
func (r *requestServer) noStore(store string) string {
	since := localtime.Format(r.started, r.cfg.Location)
	s, ok := r.cfg.Store(store)
	switch {
	case !ok:
		return fmt.Sprintf("the running agent has no store %q: its config (read when it started, %s) does not name it; restart the agent after changing the config", store, since)
	case !s.Active:
		return fmt.Sprintf("store %s is passive (active: false) in the running agent's config: the agent sends it nothing", store)
	default:
		return fmt.Sprintf("the running agent has no push loop for store %s", store)
	}
}

func storeOrAll(store string) string {
	if store == "" {
		return "every store"
	}
	return store
}
