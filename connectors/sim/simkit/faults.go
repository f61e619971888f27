package simkit

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Faults are the knobs a test turns to make a simulator misbehave. They can be changed
// while the simulator runs (SetFaults). Every random decision comes from Seed, so a test
// that sends the same requests in the same order sees the same faults.
type Faults struct {
	Seed int64
	Only []string // endpoint names the request-level faults apply to; empty: every endpoint

	ErrorRate   float64       // fraction of requests answered ErrorStatus before anything is applied
	ErrorStatus int           // 5xx status for ErrorRate (default 503)
	Latency     time.Duration // wall time added before each answer: client timeouts are wall time too

	// Storm429 starts, when SetFaults is called, a period (on the simulator's clock)
	// during which every request gets 429 with a Retry-After header, even on
	// marketplaces that send none normally.
	Storm429        time.Duration
	StormRetryAfter time.Duration // Retry-After during the storm; zero: the time left in it

	RejectKeys   map[string]string // item key (barcode, SKU, product id) → reason: rejected per item
	RejectRate   float64           // fraction of all other keys rejected, chosen by a seeded hash of the key
	RejectReason string            // reason for RejectRate rejections

	TokenExpiry time.Duration // issued tokens die this long after issue, whatever expires_in said

	// DropRate and DropNext make a request take effect and then lose its answer: the
	// connection is closed (or, with DropHang, held until the client gives up), so the
	// client sees an error or a timeout after the change was applied.
	DropRate float64
	DropNext int // the next N requests (of Only) are dropped; counts down
	DropHang bool
}

// injector applies Faults. Safe for concurrent use.
type injector struct {
	mu         sync.Mutex
	clock      Clock
	f          Faults
	rng        *rand.Rand
	stormUntil time.Time
}

func newInjector(clock Clock) *injector {
	in := &injector{clock: clock}
	in.Set(Faults{})
	return in
}

// Set replaces the faults; the random sequence restarts from the new seed.
func (in *injector) Set(f Faults) {
	in.mu.Lock()
	defer in.mu.Unlock()
	f.Only = slices.Clone(f.Only)
	if f.RejectKeys != nil {
		m := make(map[string]string, len(f.RejectKeys))
		for k, v := range f.RejectKeys {
			m[k] = v
		}
		f.RejectKeys = m
	}
	in.f = f
	in.rng = rand.New(rand.NewPCG(uint64(f.Seed), uint64(f.Seed)^0x5bd1e995))
	in.stormUntil = time.Time{}
	if f.Storm429 > 0 {
		in.stormUntil = in.clock.Now().Add(f.Storm429)
	}
}

// Get returns the faults in force; DropNext is what is left of it.
func (in *injector) Get() Faults {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := in.f
	f.Only = slices.Clone(f.Only)
	return f
}

func (in *injector) appliesLocked(endpoint string) bool {
	return len(in.f.Only) == 0 || slices.Contains(in.f.Only, endpoint)
}

// Latency is the delay to add before answering a request to endpoint.
func (in *injector) Latency(endpoint string) time.Duration {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.appliesLocked(endpoint) {
		return 0
	}
	return in.f.Latency
}

// Storm reports whether a 429 storm is on at now, and the Retry-After to send.
func (in *injector) Storm(endpoint string, now time.Time) (time.Duration, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stormUntil.IsZero() || !now.Before(in.stormUntil) || !in.appliesLocked(endpoint) {
		return 0, false
	}
	if in.f.StormRetryAfter > 0 {
		return in.f.StormRetryAfter, true
	}
	return in.stormUntil.Sub(now), true
}

// ServerError decides whether this request fails with a 5xx before it is applied.
func (in *injector) ServerError(endpoint string) (int, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.f.ErrorRate <= 0 || !in.appliesLocked(endpoint) {
		return 0, false
	}
	if in.rng.Float64() >= in.f.ErrorRate {
		return 0, false
	}
	if in.f.ErrorStatus >= 500 && in.f.ErrorStatus <= 599 {
		return in.f.ErrorStatus, true
	}
	return 503, true
}

// Drop decides whether the answer to this (already applied) request is lost, and
// whether the connection should hang rather than close.
func (in *injector) Drop(endpoint string) (drop, hang bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.appliesLocked(endpoint) {
		return false, false
	}
	if in.f.DropNext > 0 {
		in.f.DropNext--
		return true, in.f.DropHang
	}
	if in.f.DropRate > 0 && in.rng.Float64() < in.f.DropRate {
		return true, in.f.DropHang
	}
	return false, false
}

// Reject decides whether the item with key is rejected, and why. The choice for
// RejectRate depends only on the seed and the key, never on the order of requests, so a
// retried item meets the same fate.
func (in *injector) Reject(key string) (string, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if r, ok := in.f.RejectKeys[key]; ok {
		if r == "" {
			r = "rejected by the marketplace"
		}
		return r, true
	}
	if in.f.RejectRate <= 0 {
		return "", false
	}
	h := fnv.New64a()
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(in.f.Seed))
	h.Write(seed[:])
	h.Write([]byte(key))
	if float64(h.Sum64()>>11)/float64(1<<53) >= in.f.RejectRate {
		return "", false
	}
	if in.f.RejectReason != "" {
		return in.f.RejectReason, true
	}
	return "rejected by the marketplace", true
}

// tokenLifetime shortens a promised token lifetime (0: until revoked) when
// TokenExpiry asks for it.
func (in *injector) tokenLifetime(promised time.Duration) time.Duration {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.f.TokenExpiry > 0 && (promised == 0 || in.f.TokenExpiry < promised) {
		return in.f.TokenExpiry
	}
	return promised
}
