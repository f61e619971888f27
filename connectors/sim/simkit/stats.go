package simkit

import (
	"sort"
	"sync"
	"time"
)

// EndpointStats counts what one endpoint saw. Endpoint names are the simulator's own
// short names ("price-and-inventory", "stocks-batch", ...), listed in each README.
type EndpointStats struct {
	Requests     int // every request that reached the simulator
	OK           int // 2xx answers
	ClientErrors int // 4xx answers other than 429 (auth, validation, duplicates)
	RateLimited  int // 429 answers, from limits and from storms
	ServerErrors int // 5xx answers, injected
	Dropped      int // requests applied whose connection was then cut
	Duplicates   int // bodies refused as duplicates (Trendyol's 15-minute rule)
	MaxInWindow  int // most requests that arrived inside any one stats window
}

func (e *EndpointStats) add(o EndpointStats) {
	e.Requests += o.Requests
	e.OK += o.OK
	e.ClientErrors += o.ClientErrors
	e.RateLimited += o.RateLimited
	e.ServerErrors += o.ServerErrors
	e.Dropped += o.Dropped
	e.Duplicates += o.Duplicates
}

// Stats is a copy of the counters at one moment.
type Stats struct {
	Window    time.Duration            // length of the window behind MaxInWindow
	Endpoints map[string]EndpointStats // by endpoint name
	Total     EndpointStats            // sums; MaxInWindow is the largest of any endpoint
}

// Names returns the endpoint names in order, for stable test output.
func (s Stats) Names() []string {
	names := make([]string, 0, len(s.Endpoints))
	for n := range s.Endpoints {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

type endpointCounters struct {
	EndpointStats
	peak peakTracker
}

// recorder collects Stats. Safe for concurrent use.
type recorder struct {
	mu  sync.Mutex
	per time.Duration
	eps map[string]*endpointCounters
}

// newRecorder tracks MaxInWindow over windows of length per (the marketplace's own
// rate window, so the figure compares directly with the documented limit).
func newRecorder(per time.Duration) *recorder {
	return &recorder{per: per, eps: map[string]*endpointCounters{}}
}

func (r *recorder) ep(name string) *endpointCounters {
	e := r.eps[name]
	if e == nil {
		e = &endpointCounters{peak: peakTracker{per: r.per}}
		r.eps[name] = e
	}
	return e
}

// Arrived counts a request as it comes in.
func (r *recorder) Arrived(name string, now time.Time) {
	r.mu.Lock()
	e := r.ep(name)
	e.Requests++
	e.peak.add(now)
	e.MaxInWindow = e.peak.peak
	r.mu.Unlock()
}

// Answered counts the status a request was answered with.
func (r *recorder) Answered(name string, status int) {
	r.mu.Lock()
	e := r.ep(name)
	switch {
	case status >= 200 && status < 300:
		e.OK++
	case status == 429:
		e.RateLimited++
	case status >= 500:
		e.ServerErrors++
	case status >= 400:
		e.ClientErrors++
	}
	r.mu.Unlock()
}

// Dropped counts a request whose effect was applied but whose answer was never sent.
func (r *recorder) Dropped(name string) {
	r.mu.Lock()
	r.ep(name).Dropped++
	r.mu.Unlock()
}

// Duplicate counts a body refused as a repeat.
func (r *recorder) Duplicate(name string) {
	r.mu.Lock()
	r.ep(name).Duplicates++
	r.mu.Unlock()
}

// Snapshot copies the counters.
func (r *recorder) Snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Stats{Window: r.per, Endpoints: make(map[string]EndpointStats, len(r.eps))}
	for n, e := range r.eps {
		s.Endpoints[n] = e.EndpointStats
		s.Total.add(e.EndpointStats)
		if e.MaxInWindow > s.Total.MaxInWindow {
			s.Total.MaxInWindow = e.MaxInWindow
		}
	}
	return s
}

// Reset clears every counter (between the phases of a benchmark).
func (r *recorder) Reset() {
	r.mu.Lock()
	r.eps = map[string]*endpointCounters{}
	r.mu.Unlock()
}
