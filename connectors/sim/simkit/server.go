package simkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MaxBody is the largest request body a simulator reads; larger ones get 413, as a
// gateway would answer long before the application saw them.
const MaxBody = 32 << 20

// Call is one request as a simulator's handler sees it.
type Call struct {
	R         *http.Request
	Endpoint  string
	Now       time.Time   // the simulator's clock when the request arrived
	Body      []byte      // the whole request body
	Header    http.Header // headers to add to the reply (a Gate sets rate-limit headers here)
	Principal string      // who the Gate authenticated: the rate-limit and ownership key
}

// Reply is what a handler answers. Body is marshalled as JSON unless Raw is set.
type Reply struct {
	Status int
	Body   any
	Raw    []byte
	Header http.Header
}

// JSON builds a JSON reply.
func JSON(status int, body any) Reply { return Reply{Status: status, Body: body} }

// Route binds a method and a net/http ServeMux path pattern to a handler. Endpoint is
// the name used in Stats and in Faults.Only.
type Route struct {
	Method   string
	Pattern  string
	Endpoint string
	Handle   func(*Call) Reply
}

// Hooks are what differs between marketplaces in the common request path.
type Hooks struct {
	// Gate authenticates and rate-limits a call; a non-nil reply answers it at once.
	Gate func(*Call) *Reply
	// ErrorBody builds the body of errors the kit itself produces (storm 429, injected
	// 5xx, unknown path, wrong method, unreadable body) in the marketplace's own shape.
	ErrorBody func(status int, message string) any
	// Decorate is the last touch on every reply, e.g. rate-limit headers on all of them.
	Decorate func(*Call, *Reply)
	// NotAllowed is the status for a known path with another method: 405 where the
	// marketplace documents it, 404 where a missing endpoint must look missing.
	NotAllowed int
}

// Server is a simulator's HTTP side: a loopback listener that runs every request
// through the same steps: statistics, latency, 429 storm, Gate, injected 5xx, the
// handler, then either the answer or a dropped connection.
type Server struct {
	URL string

	clock  Clock
	faults *Injector
	stats  *Recorder
	hooks  Hooks
	srv    *http.Server
	ln     net.Listener
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

// Start listens on addr (default 127.0.0.1 with a free port) and serves routes.
func Start(addr string, clock Clock, faults *Injector, stats *Recorder, routes []Route, hooks Hooks) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if hooks.ErrorBody == nil {
		hooks.ErrorBody = func(_ int, msg string) any { return map[string]string{"message": msg} }
	}
	if hooks.NotAllowed == 0 {
		hooks.NotAllowed = http.StatusMethodNotAllowed
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulator listen on %s: %w", addr, err)
	}
	s := &Server{
		URL:   "http://" + ln.Addr().String(),
		clock: clock, faults: faults, stats: stats, hooks: hooks,
		ln: ln, done: make(chan struct{}),
	}
	mux := http.NewServeMux()
	byPattern := map[string]map[string]Route{}
	var order []string
	for _, rt := range routes {
		if byPattern[rt.Pattern] == nil {
			byPattern[rt.Pattern] = map[string]Route{}
			order = append(order, rt.Pattern)
		}
		byPattern[rt.Pattern][rt.Method] = rt
	}
	for _, p := range order {
		methods := byPattern[p]
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			rt, ok := methods[r.Method]
			if !ok {
				s.plain(w, r, "unrouted", hooks.NotAllowed, "method "+r.Method+" is not allowed here")
				return
			}
			s.serve(w, r, rt)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.plain(w, r, "unrouted", http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server, cuts hanging connections and waits for the serving goroutine.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.srv.Close()
		s.wg.Wait()
	})
	return err
}

func (s *Server) plain(w http.ResponseWriter, r *http.Request, endpoint string, status int, msg string) {
	s.stats.Arrived(endpoint, s.clock.Now())
	s.write(w, &Call{R: r, Endpoint: endpoint, Header: http.Header{}}, Reply{Status: status, Body: s.hooks.ErrorBody(status, msg)})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt Route) {
	c := &Call{R: r, Endpoint: rt.Endpoint, Now: s.clock.Now(), Header: http.Header{}}
	s.stats.Arrived(rt.Endpoint, c.Now)
	if d := s.faults.Latency(rt.Endpoint); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
		c.Now = s.clock.Now()
	}
	if ra, on := s.faults.Storm(rt.Endpoint, c.Now); on {
		rep := Reply{Status: http.StatusTooManyRequests, Body: s.hooks.ErrorBody(429, "too many requests"),
			Header: http.Header{"Retry-After": {RetryAfterSeconds(ra)}}}
		s.finish(w, c, rep)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.finish(w, c, Reply{Status: http.StatusRequestEntityTooLarge, Body: s.hooks.ErrorBody(413, "request body too large")})
			return
		}
		s.finish(w, c, Reply{Status: http.StatusBadRequest, Body: s.hooks.ErrorBody(400, "request body could not be read")})
		return
	}
	c.Body = body
	if s.hooks.Gate != nil {
		if rep := s.hooks.Gate(c); rep != nil {
			s.finish(w, c, *rep)
			return
		}
	}
	if status, fail := s.faults.ServerError(rt.Endpoint); fail {
		s.finish(w, c, Reply{Status: status, Body: s.hooks.ErrorBody(status, "service temporarily unavailable")})
		return
	}
	rep := rt.Handle(c)
	if drop, hang := s.faults.Drop(rt.Endpoint); drop {
		s.stats.Dropped(rt.Endpoint)
		s.cut(w, hang)
		return
	}
	s.finish(w, c, rep)
}

func (s *Server) finish(w http.ResponseWriter, c *Call, rep Reply) {
	if s.hooks.Decorate != nil {
		s.hooks.Decorate(c, &rep)
	}
	s.write(w, c, rep)
}

func (s *Server) write(w http.ResponseWriter, c *Call, rep Reply) {
	s.stats.Answered(c.Endpoint, rep.Status)
	h := w.Header()
	for k, v := range c.Header {
		h[k] = v
	}
	for k, v := range rep.Header {
		h[k] = v
	}
	raw := rep.Raw
	if raw == nil && rep.Body != nil {
		var err error
		raw, err = json.Marshal(rep.Body)
		if err != nil {
			rep.Status = http.StatusInternalServerError
			raw = []byte(`{"message":"simulator could not encode its reply"}`)
		}
	}
	if raw != nil && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(rep.Status)
	_, _ = w.Write(raw)
}

// cut loses the answer of an applied request: the connection is closed at once, or held
// open until the client gives up (or the simulator closes) so the client times out.
func (s *Server) cut(w http.ResponseWriter, hang bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked; aborting the handler resets the stream instead.
		panic(http.ErrAbortHandler)
	}
	if !hang {
		_ = conn.Close()
		return
	}
	stop := make(chan struct{})
	go func() {
		select {
		case <-s.done:
		case <-stop:
		}
		_ = conn.Close()
	}()
	_, _ = io.Copy(io.Discard, conn)
	close(stop)
}

// RetryAfterSeconds renders d as whole seconds, rounded up and at least 1: a client told
// "0" would retry at once into the same refusal.
func RetryAfterSeconds(d time.Duration) string {
	sec := int64((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return strconv.FormatInt(sec, 10)
}

// Sleep waits d of wall time or until ctx ends; simulators use it for configured
// processing times that a client's timeout must be able to observe.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
