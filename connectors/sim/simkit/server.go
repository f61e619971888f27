package simkit

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// MaxBody is the largest request body a simulator reads; larger ones get 413, as a
// gateway would answer long before the application saw them.
const MaxBody = 32 << 20

// Call is one request as a simulator's handler sees it.
type Call struct {
	R         *http.Request
	Endpoint  string      // the route's Endpoint: its name in Stats and Faults.Only
	Group     string      // the route's Group
	Now       time.Time   // the simulator's clock when the request arrived
	Body      []byte      // the whole request body
	Header    http.Header // headers to add to the reply (RateHeaders.Answer sets them here)
	Principal string      // who the Gate authenticated: the rate-limit and ownership key

	sim *Sim
}

// Reject decides whether the item known by keys (barcode, SKU, id: the first that
// Faults.RejectKeys or RejectRate picks) is rejected, and why. Empty keys are skipped.
func (c *Call) Reject(keys ...string) (reason string, rejected bool) {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if r, ok := c.sim.faults.Reject(k); ok {
			return r, true
		}
	}
	return "", false
}

// Duplicate counts the request in Stats as a body refused for repeating an earlier one.
func (c *Call) Duplicate() { c.sim.stats.Duplicate(c.Endpoint) }

// Reply is what a handler answers. Body is marshalled as JSON unless Raw is set.
type Reply struct {
	Status int
	Body   any
	Raw    []byte
	Header http.Header
	// CountAs is the status Stats counts the reply under (0: Status): a GraphQL API
	// answers a refused token or an invalid document with 200 and errors[], which is
	// a client error all the same.
	CountAs int
}

// JSON builds a JSON reply.
func JSON(status int, body any) Reply { return Reply{Status: status, Body: body} }

// Route binds a method and a net/http ServeMux path pattern to a handler.
type Route struct {
	Method   string
	Pattern  string
	Endpoint string // the name used in Stats and in Faults.Only
	Group    string // optional: the budget the route spends from, where limits are per group of endpoints
	Handle   func(*Call) Reply
	// Operation, when set, names the endpoint from the request body instead: one GraphQL
	// path carries many operations, and Stats and Faults.Only speak of each by its name.
	// The body is then read before anything else ("" keeps Endpoint).
	Operation func(body []byte) string
}

// mux routes every request through serve; a known path with another method gets
// Config.NotAllowed, an unknown path 404, both in the marketplace's error shape.
func (s *Sim) mux() *http.ServeMux {
	mux := http.NewServeMux()
	byPattern := map[string]map[string]Route{}
	var order []string
	for _, rt := range s.cfg.Routes {
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
				s.plain(w, r, "unrouted", s.cfg.NotAllowed, "method "+r.Method+" is not allowed here")
				return
			}
			s.serve(w, r, rt)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.plain(w, r, "unrouted", http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return mux
}

func (s *Sim) plain(w http.ResponseWriter, r *http.Request, endpoint string, status int, msg string) {
	s.stats.Arrived(endpoint, s.cfg.Clock.Now())
	c := &Call{R: r, Endpoint: endpoint, Header: http.Header{}, sim: s}
	s.write(w, c, Reply{Status: status, Body: s.cfg.ErrorBodyFor(c, status, msg)})
}

// serve takes every request through the same steps, in the same order for every
// marketplace: statistics, latency, 429 storm, body read (413 over MaxBody), Gate,
// injected 5xx, the handler, then either the answer or a dropped connection.
func (s *Sim) serve(w http.ResponseWriter, r *http.Request, rt Route) {
	c := &Call{R: r, Endpoint: rt.Endpoint, Group: rt.Group, sim: s, Now: s.cfg.Clock.Now(), Header: http.Header{}}
	var body []byte
	var bodyErr error
	read := false
	if rt.Operation != nil {
		body, bodyErr = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		read = true
		if bodyErr == nil {
			if name := rt.Operation(body); name != "" {
				c.Endpoint = name
			}
		}
	}
	s.stats.Arrived(c.Endpoint, c.Now)
	if d := s.faults.Latency(c.Endpoint); d > 0 {
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
		c.Now = s.cfg.Clock.Now()
	}
	if ra, on := s.faults.Storm(c.Endpoint, c.Now); on {
		rep := Reply{Status: http.StatusTooManyRequests, Body: s.cfg.ErrorBodyFor(c, 429, "too many requests"),
			Header: http.Header{"Retry-After": {RetryAfterSeconds(ra)}}}
		s.write(w, c, rep)
		return
	}
	if !read {
		body, bodyErr = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	}
	if bodyErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(bodyErr, &tooBig) {
			s.write(w, c, Reply{Status: http.StatusRequestEntityTooLarge, Body: s.cfg.ErrorBodyFor(c, 413, "request body too large")})
			return
		}
		s.write(w, c, Reply{Status: http.StatusBadRequest, Body: s.cfg.ErrorBodyFor(c, 400, "request body could not be read")})
		return
	}
	c.Body = body
	if s.cfg.Gate != nil {
		if rep := s.cfg.Gate(c); rep != nil {
			s.write(w, c, *rep)
			return
		}
	}
	if status, fail := s.faults.ServerError(c.Endpoint); fail {
		s.write(w, c, Reply{Status: status, Body: s.cfg.ErrorBodyFor(c, status, "service temporarily unavailable")})
		return
	}
	rep := rt.Handle(c)
	if drop, hang := s.faults.Drop(c.Endpoint); drop {
		s.stats.Dropped(c.Endpoint)
		s.cut(w, hang)
		return
	}
	s.write(w, c, rep)
}

func (s *Sim) write(w http.ResponseWriter, c *Call, rep Reply) {
	counted := rep.Status
	if rep.CountAs != 0 {
		counted = rep.CountAs
	}
	s.stats.Answered(c.Endpoint, counted)
	if s.cfg.Answered != nil {
		s.cfg.Answered(c, counted)
	}
	h := w.Header()
	for k, v := range c.Header {
		h[k] = v
	}
	for k, v := range rep.Header {
		h[k] = v
	}
	if s.cfg.Stamp != nil {
		s.cfg.Stamp(h)
	}
	// The Date of the simulator's clock: the resets and retry dates it sends are
	// reckoned on that clock, as a real server's are on its own.
	h.Set("Date", s.cfg.Clock.Now().UTC().Format(http.TimeFormat))
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
func (s *Sim) cut(w http.ResponseWriter, hang bool) {
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
