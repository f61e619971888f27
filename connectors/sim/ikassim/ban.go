package ikassim

import (
	"sync"
	"time"

	"syncagent/connectors/sim/simkit"
)

// Ban is one block the simulator imposed.
type Ban struct {
	At, Until       time.Time
	Rule            string
	Requests, Fails int
}

// banTally keeps every GraphQL reply of the last five days (time, failed) and applies
// the documented blocks: more than 25 % failed in the last hour blocks for an hour; at
// least 60 % failed with more than 300 requests in an hour 30 minutes, with more than
// 3000 in a day 12 hours, with more than 9000 in five days for good.
type banTally struct {
	opt Options

	mu       sync.Mutex
	log      []reply
	until    time.Time
	bans     []Ban
	maxRatio float64
}

type reply struct {
	at     time.Time
	failed bool
}

func newBanTally(opt Options) *banTally { return &banTally{opt: opt} }

func (b *banTally) blocked(now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.until, now.Before(b.until)
}

// answered is simkit's Answered hook: every GraphQL reply as Stats counts it.
func (s *Server) answered(c *simkit.Call, status int) {
	if c.Endpoint == "token" || c.Endpoint == "unrouted" {
		return
	}
	s.ban.note(c.Now, status >= 400)
}

func (b *banTally) note(now time.Time, failed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Before(b.until) {
		return // the block's own refusals are not requests the store handled
	}
	b.log = append(b.log, reply{now, failed})
	cut := 0
	for cut < len(b.log) && !b.log[cut].at.After(now.Add(-5*24*time.Hour)) {
		cut++
	}
	b.log = b.log[cut:]
	count := func(per time.Duration) (n, f int) {
		from := now.Add(-per)
		for i := len(b.log) - 1; i >= 0 && b.log[i].at.After(from); i-- {
			n++
			if b.log[i].failed {
				f++
			}
		}
		return
	}
	n, f := count(b.opt.BanWindow)
	if n >= b.opt.BanMinRequests {
		b.maxRatio = max(b.maxRatio, float64(f)/float64(n))
	}
	if b.opt.NoBans {
		return
	}
	block := func(rule string, n, f int, d time.Duration) {
		until := now.Add(d)
		if d < 0 {
			until = now.Add(100 * 365 * 24 * time.Hour)
		}
		if until.After(b.until) {
			b.until = until
			b.bans = append(b.bans, Ban{At: now, Until: until, Rule: rule, Requests: n, Fails: f})
		}
	}
	if n >= b.opt.BanMinRequests && float64(f) > b.opt.BanRatio*float64(n) {
		block("more than 25 % failed in the last hour", n, f, b.opt.BanFor)
	}
	if n > 300 && f*10 >= n*6 {
		block("at least 60 % failed of more than 300 requests in an hour", n, f, 30*time.Minute)
	}
	if n, f := count(24 * time.Hour); n > 3000 && f*10 >= n*6 {
		block("at least 60 % failed of more than 3000 requests in a day", n, f, 12*time.Hour)
	}
	if n, f := count(5 * 24 * time.Hour); n > 9000 && f*10 >= n*6 {
		block("at least 60 % failed of more than 9000 requests in five days: permanent", n, f, -1)
	}
}

// Bans lists the blocks imposed so far.
func (s *Server) Bans() []Ban {
	s.ban.mu.Lock()
	defer s.ban.mu.Unlock()
	return append([]Ban(nil), s.ban.bans...)
}

// MaxErrorRatio is the highest share of failed replies the simulator saw over its ban
// window at any reply, among windows holding at least BanMinRequests replies: what a
// test compares with the 25 % that blocks a store.
func (s *Server) MaxErrorRatio() float64 {
	s.ban.mu.Lock()
	defer s.ban.mu.Unlock()
	return s.ban.maxRatio
}
