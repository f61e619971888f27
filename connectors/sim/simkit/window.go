package simkit

import (
	"sync"
	"time"
)

// slidingLog keeps the times of events inside the last per; a log rather than a counter
// so the limit holds over every window, not only over aligned buckets: a client that
// bursts at the end of one bucket and the start of the next must be caught, as the
// marketplaces' gateways do.
type slidingLog struct {
	times []time.Time
	head  int
}

func (s *slidingLog) prune(now time.Time, per time.Duration) {
	cut := now.Add(-per)
	for s.head < len(s.times) && !s.times[s.head].After(cut) {
		s.head++
	}
	if s.head > 1024 && s.head*2 > len(s.times) {
		s.times = append(s.times[:0], s.times[s.head:]...)
		s.head = 0
	}
}

func (s *slidingLog) add(t time.Time)   { s.times = append(s.times, t) }
func (s *slidingLog) count() int        { return len(s.times) - s.head }
func (s *slidingLog) oldest() time.Time { return s.times[s.head] }
func (s *slidingLog) empty() bool       { return s.count() == 0 }

// Decision is the limiter's answer for one request.
type Decision struct {
	Allowed    bool
	Limit      int           // requests allowed per window (0: unlimited)
	Remaining  int           // requests left in the current window after this one
	Reset      time.Time     // when the oldest counted request leaves the window
	RetryAfter time.Duration // for a refused request: how long until one is allowed
}

// Limiter allows Limit requests per key in any sliding window of length Per.
// A Limit of zero or less means unlimited. Safe for concurrent use.
type Limiter struct {
	mu    sync.Mutex
	limit int
	per   time.Duration
	keys  map[string]*slidingLog
}

// NewLimiter returns a limiter of limit requests per sliding window per.
func NewLimiter(limit int, per time.Duration) *Limiter {
	return &Limiter{limit: limit, per: per, keys: map[string]*slidingLog{}}
}

// Take counts one request for key at now, unless the window is full.
// Refused requests are not counted: a client that keeps knocking while refused is not
// punished with a longer wait (the documented APIs say nothing of penalties).
func (l *Limiter) Take(key string, now time.Time) Decision {
	if l == nil || l.limit <= 0 {
		return Decision{Allowed: true}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	log := l.keys[key]
	if log == nil {
		log = &slidingLog{}
		l.keys[key] = log
	}
	log.prune(now, l.per)
	d := Decision{Limit: l.limit}
	if log.count() >= l.limit {
		d.Reset = log.oldest().Add(l.per)
		d.RetryAfter = d.Reset.Sub(now)
		return d
	}
	log.add(now)
	d.Allowed = true
	d.Remaining = l.limit - log.count()
	d.Reset = log.oldest().Add(l.per)
	return d
}

// peakTracker remembers the largest number of events seen inside any window of length
// per, so a benchmark can prove a client stayed under a documented limit.
type peakTracker struct {
	per  time.Duration
	log  slidingLog
	peak int
}

func (p *peakTracker) add(now time.Time) {
	if p.per <= 0 {
		return
	}
	p.log.prune(now, p.per)
	p.log.add(now)
	if n := p.log.count(); n > p.peak {
		p.peak = n
	}
}
