package simkit

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// tokenCall is a request at the clock's time with the given Authorization header.
func tokenCall(s *Sim, clock *FakeClock, auth string) *Call {
	r, _ := http.NewRequest("GET", "http://sim/x", nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return &Call{R: r, Now: clock.Now(), Header: http.Header{}, sim: s}
}

func bearerOf(s *Sim, clock *FakeClock, tokens *Tokens, tok string) (string, error) {
	return tokens.Bearer(tokenCall(s, clock, "Bearer "+tok))
}

func TestTokensExpireOnTheSimulatorClock(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	s := &Sim{faults: newInjector(clock)}
	tokens := NewTokens(time.Hour, nil)
	tok := tokens.Issue(tokenCall(s, clock, ""), "client-a")
	if len(tok) != 40 {
		t.Fatalf("default token %q is not 40 hex digits", tok)
	}
	clock.Advance(time.Hour - time.Nanosecond)
	if who, err := bearerOf(s, clock, tokens, tok); err != nil || who != "client-a" {
		t.Fatalf("just before expiry: %q %v", who, err)
	}
	clock.Advance(time.Nanosecond)
	if _, err := bearerOf(s, clock, tokens, tok); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("at expiry: %v, want ErrTokenExpired", err)
	}
	if _, err := bearerOf(s, clock, tokens, tok); !errors.Is(err, ErrTokenUnknown) {
		t.Fatalf("an expired token is forgotten: %v, want ErrTokenUnknown", err)
	}
}

func TestTokensFaultTokenExpiry(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	s := &Sim{faults: newInjector(clock)}
	for _, tc := range []struct {
		name     string
		lifetime time.Duration
		fault    time.Duration
		alive    time.Duration // still valid this long after issue
		dead     time.Duration // expired this long after issue (0: never checked)
	}{
		{"fault shortens", time.Hour, 5 * time.Minute, 5*time.Minute - time.Second, 5 * time.Minute},
		{"fault never lengthens", time.Minute, time.Hour, 59 * time.Second, time.Minute},
		{"endless token", 0, 0, 10 * 365 * 24 * time.Hour, 0},
		{"fault bounds an endless token", 0, time.Minute, 59 * time.Second, time.Minute},
	} {
		tokens := NewTokens(tc.lifetime, nil)
		s.SetFaults(Faults{TokenExpiry: tc.fault})
		start := clock.Now()
		tok := tokens.Issue(tokenCall(s, clock, ""), "p")
		s.SetFaults(Faults{}) // the lifetime is fixed when the token is issued
		clock.Set(start.Add(tc.alive))
		if _, err := bearerOf(s, clock, tokens, tok); err != nil {
			t.Errorf("%s: after %v: %v", tc.name, tc.alive, err)
		}
		if tc.dead > 0 {
			clock.Set(start.Add(tc.dead))
			if _, err := bearerOf(s, clock, tokens, tok); !errors.Is(err, ErrTokenExpired) {
				t.Errorf("%s: after %v: %v, want ErrTokenExpired", tc.name, tc.dead, err)
			}
		}
		clock.Set(start)
	}
}

func TestTokensRevokeAndFormat(t *testing.T) {
	clock := NewFakeClock(time.Time{})
	s := &Sim{faults: newInjector(clock)}
	tokens := NewTokens(0, func(n int) string { return strconv.Itoa(n) + "|tok" })
	a := tokens.Issue(tokenCall(s, clock, ""), "alice")
	b := tokens.Issue(tokenCall(s, clock, ""), "bob")
	if a != "1|tok" || b != "2|tok" {
		t.Fatalf("format gets the issue sequence: %q %q", a, b)
	}
	if who, _ := bearerOf(s, clock, tokens, b); who != "bob" {
		t.Fatalf("token b belongs to %q", who)
	}
	tokens.RevokeAll()
	for _, tok := range []string{a, b} {
		if _, err := bearerOf(s, clock, tokens, tok); !errors.Is(err, ErrTokenUnknown) {
			t.Fatalf("revoked %s: %v", tok, err)
		}
	}
	c := tokens.Issue(tokenCall(s, clock, ""), "alice")
	if c != "3|tok" {
		t.Fatalf("revocation must not restart the sequence (a reused token would come back to life): %q", c)
	}
	if who, err := bearerOf(s, clock, tokens, c); err != nil || who != "alice" {
		t.Fatalf("a token issued after revocation: %q %v", who, err)
	}
	for _, auth := range []string{"", "Basic YTpi", "Bearer ", "bearer 3|tok"} {
		if _, err := tokens.Bearer(tokenCall(s, clock, auth)); !errors.Is(err, ErrNoToken) {
			t.Errorf("Authorization %q: %v, want ErrNoToken", auth, err)
		}
	}
}
