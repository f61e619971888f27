package trendyolsim

import (
	"crypto/sha256"
	"time"

	"syncagent/connectors/sim/simkit"
)

// state is everything the simulator remembers; guarded by Server.mu.
type state struct {
	products  map[string]*Product
	catalogue []*Product // insertion order, the order of listings

	batches    map[string]*batch
	batchOrder []*batch               // creation order: batches finish in this order
	bodies     map[[32]byte]time.Time // accepted price-and-inventory bodies, for the 15-minute rule
	prices     *simkit.Limiter        // price updates per barcode per minute

	packages   map[int64]*pkg
	pkgOrder   []*pkg
	nextPkgID  int64
	nextLineID int64
	nextOrder  int64
}

func (st *state) init(now time.Time) {
	st.products = map[string]*Product{}
	st.batches = map[string]*batch{}
	st.bodies = map[[32]byte]time.Time{}
	st.packages = map[int64]*pkg{}
	// Ids that look like Trendyol's (10-11 digits) so connectors use int64, not int32.
	st.nextPkgID = 3_200_000_000
	st.nextLineID = 4_700_000_000
	st.nextOrder = now.UnixMilli() % 1_000_000_000
}

// advance brings the simulated backend up to now: batches whose delay has passed get
// their final state (in the order they were sent), expired ones are forgotten, and the
// duplicate-body memory drops what is older than the window. Called with s.mu held by
// every handler and read-back, so a fake clock needs no background goroutine.
func (s *Server) advance(now time.Time) {
	keep := s.st.batchOrder[:0]
	for _, b := range s.st.batchOrder {
		if !b.done && !now.Before(b.readyAt) {
			s.finishBatch(b, now)
		}
		if !now.Before(b.created.Add(s.opt.ResultTTL)) {
			delete(s.st.batches, b.id)
			continue
		}
		keep = append(keep, b)
	}
	for i := len(keep); i < len(s.st.batchOrder); i++ {
		s.st.batchOrder[i] = nil
	}
	s.st.batchOrder = keep
	for h, t := range s.st.bodies {
		if !now.Before(t.Add(s.opt.DuplicateWindow)) {
			delete(s.st.bodies, h)
		}
	}
}

func bodyHash(b []byte) [32]byte { return sha256.Sum256(b) }
