package simkit

import (
	"errors"
	"strings"
	"sync"
	"time"
)

// Why Tokens.Bearer refuses a request; a simulator puts the text in its 401.
var (
	ErrNoToken      = errors.New("missing bearer token")
	ErrTokenUnknown = errors.New("invalid token")
	ErrTokenExpired = errors.New("token expired")
)

// Tokens is a marketplace's store of issued bearer tokens: an OAuth client-credentials
// grant (PazarSync), a login (Giyim Moda). A token lives for the store's lifetime, or
// less when Faults.TokenExpiry says so, measured on the simulator's clock; RevokeAll
// kills them all at once, as a credential rotation in a seller panel would. Safe for
// concurrent use.
type Tokens struct {
	mu       sync.Mutex
	lifetime time.Duration
	format   func(seq int) string
	seq      int
	live     map[string]issued
}

type issued struct {
	principal string
	expires   time.Time // zero: never
}

// NewTokens returns a store whose tokens live for lifetime (0: until revoked) and look
// like format(n) for the n-th token issued (nil: 40 random hex digits).
func NewTokens(lifetime time.Duration, format func(seq int) string) *Tokens {
	if format == nil {
		format = func(int) string { return RandomHex(20) }
	}
	return &Tokens{lifetime: lifetime, format: format, live: map[string]issued{}}
}

// Issue makes a token for principal during call c. What the marketplace announces
// (expires_in) is its own business: Faults.TokenExpiry shortens the real lifetime
// without changing the announcement, which is the point of that fault.
func (t *Tokens) Issue(c *Call, principal string) string {
	life := c.sim.faults.tokenLifetime(t.lifetime)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	tok := t.format(t.seq)
	var exp time.Time
	if life > 0 {
		exp = c.Now.Add(life)
	}
	t.live[tok] = issued{principal: principal, expires: exp}
	return tok
}

// Bearer returns the principal of the request's "Authorization: Bearer" token, or why
// it is refused. A token dies at the instant it expires.
func (t *Tokens) Bearer(c *Call) (string, error) {
	tok, ok := strings.CutPrefix(c.R.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return "", ErrNoToken
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	it, ok := t.live[tok]
	if !ok {
		return "", ErrTokenUnknown
	}
	if !it.expires.IsZero() && !c.Now.Before(it.expires) {
		delete(t.live, tok)
		return "", ErrTokenExpired
	}
	return it.principal, nil
}

// RevokeAll invalidates every issued token: the next call with one gets 401.
func (t *Tokens) RevokeAll() {
	t.mu.Lock()
	t.live = map[string]issued{}
	t.mu.Unlock()
}
