package simkit

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Config is what a simulator tells the kit when it starts: where to listen, its clock,
// its routes and the few things about the request path that differ between marketplaces.
type Config struct {
	Addr  string // listen address; default 127.0.0.1 on a free port, never a public interface
	Clock Clock  // default the wall clock

	// StatsWindow is the marketplace's own rate window, so that Stats' MaxInWindow
	// compares directly with its documented limit.
	StatsWindow time.Duration
	Routes      []Route

	// Gate authenticates and rate-limits a call; a non-nil reply answers it at once.
	Gate func(*Call) *Reply
	// ErrorBody builds the body of errors the kit itself produces (storm 429, injected
	// 5xx, unknown path, wrong method, unreadable body) in the marketplace's own shape.
	ErrorBody func(status int, message string) any
	// ErrorBodyFor, when set, replaces ErrorBody for a marketplace whose error shape
	// differs by endpoint (Trendyol: {"errors":[…]} on product endpoints, {"error",
	// "message"} on order endpoints); it sees the call (its path and endpoint name).
	ErrorBodyFor func(c *Call, status int, message string) any
	// NotAllowed is the status for a known path with another method: 405 (the default)
	// where the marketplace documents it, 404 where a missing endpoint must look missing.
	NotAllowed int
	// Answered, when set, is told of every reply as Stats counts it (the status, or the
	// reply's CountAs), injected faults included: a marketplace that blocks clients for
	// their share of failed requests (ikas) keeps its tally here.
	Answered func(c *Call, status int)
	// Stamp, when set, adds the headers a marketplace puts on every answer, the kit's own
	// included (Hepsiburada's x-correlation-id).
	Stamp func(http.Header)
}

// Sim is what every simulator shares. A marketplace's Server embeds *Sim and so has URL,
// Close, SetFaults, Faults, Stats, ResetStats and Now without writing them.
type Sim struct {
	URL string // base URL, http://127.0.0.1:port

	cfg    Config
	faults *injector
	stats  *recorder
	srv    *http.Server
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

// Start listens and serves cfg.Routes through the request path described in server.go.
// Its only error is the listen error; a simulator's New panics on it through Must.
func Start(cfg Config) (*Sim, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock()
	}
	if cfg.ErrorBody == nil {
		cfg.ErrorBody = func(_ int, msg string) any { return map[string]string{"message": msg} }
	}
	if cfg.ErrorBodyFor == nil {
		body := cfg.ErrorBody
		cfg.ErrorBodyFor = func(_ *Call, status int, msg string) any { return body(status, msg) }
	}
	if cfg.NotAllowed == 0 {
		cfg.NotAllowed = http.StatusMethodNotAllowed
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("simulator listen on %s: %w", cfg.Addr, err)
	}
	s := &Sim{
		URL:    "http://" + ln.Addr().String(),
		cfg:    cfg,
		faults: newInjector(cfg.Clock),
		stats:  newRecorder(cfg.StatsWindow),
		done:   make(chan struct{}),
	}
	s.srv = &http.Server{Handler: s.mux(), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Must is a simulator's New: Start's result, or a panic when no loopback port can be
// had, which in a test is a broken machine rather than a case to handle.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Close stops the simulator, cuts hanging connections and waits for the serving
// goroutine. Calling it again does nothing, so a test may both defer it and call it.
func (s *Sim) Close() {
	s.once.Do(func() {
		close(s.done)
		_ = s.srv.Close()
		s.wg.Wait()
	})
}

// SetFaults replaces the fault knobs; the random sequence restarts from the new seed.
func (s *Sim) SetFaults(f Faults) { s.faults.Set(f) }

// Faults returns the knobs in force; DropNext is what is left of it.
func (s *Sim) Faults() Faults { return s.faults.Get() }

// Stats returns the per-endpoint counters; MaxInWindow is over Config.StatsWindow.
func (s *Sim) Stats() Stats { return s.stats.Snapshot() }

// ResetStats clears the counters, between the phases of a benchmark.
func (s *Sim) ResetStats() { s.stats.Reset() }

// Now is the simulator's clock: test hooks stamp what they change with it, as
// handlers do with Call.Now.
func (s *Sim) Now() time.Time { return s.cfg.Clock.Now() }

// Default sets *v to def when it holds the zero value: the one way a simulator's
// Options take their documented defaults.
func Default[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
