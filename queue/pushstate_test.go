package queue

import (
	"context"
	"testing"
	"time"
)

func TestNextDue(t *testing.T) {
	s, c := open(t, Options{RetryBase: 30 * time.Second, Lease: 5 * time.Minute})
	ctx := context.Background()
	if _, ok, err := s.NextDue(ctx, "ty", c.Now()); err != nil || ok {
		t.Fatalf("empty outbox: ok %t, err %v", ok, err)
	}
	mustApply(t, s, qty("A", "w", 1), qty("B", "w", 2), qty("C", "w", 3))
	if _, ok, _ := s.NextDue(ctx, "ty", c.Now()); ok {
		t.Fatal("rows claimable now are not 'later'")
	}
	claimed, err := s.Claim(ctx, "ty", 3)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claim: %v %d", err, len(claimed))
	}
	byID := map[string]Claimed{}
	for _, cl := range claimed {
		byID[cl.SKU] = cl
	}
	if _, err := s.Retry(ctx, []Claimed{byID["A"]}, "503", NotApplied); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryAfter(ctx, []Claimed{byID["B"]}, "429", 7*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Confirm(ctx, []Claimed{byID["C"]}); err != nil {
		t.Fatal(err)
	}
	at, ok, err := s.NextDue(ctx, "ty", c.Now())
	if err != nil || !ok || !at.Equal(c.Now().Add(7*time.Second)) {
		t.Fatalf("next due %v %t %v, want the Retry-After in 7s", at, ok, err)
	}
	at, ok, _ = s.NextDue(ctx, "ty", c.Now().Add(7*time.Second))
	if !ok || !at.Equal(c.Now().Add(30*time.Second)) {
		t.Fatalf("after 7s: %v %t, want the backoff at 30s", at, ok)
	}
	if _, ok, _ := s.NextDue(ctx, "ps", c.Now()); ok {
		t.Fatal("another store's rows counted")
	}
	// A leased row is due when its lease ends.
	mustApply(t, s, qty("D", "w", 4))
	if _, err := s.Claim(ctx, "ty", 1); err != nil {
		t.Fatal(err)
	}
	at, _, _ = s.NextDue(ctx, "ty", c.Now())
	if !at.Equal(c.Now().Add(7 * time.Second)) {
		t.Fatalf("next due %v", at)
	}
	at, _, _ = s.NextDue(ctx, "ty", c.Now().Add(time.Minute))
	if !at.Equal(c.Now().Add(5 * time.Minute)) {
		t.Fatalf("lease expiry: next due %v, want %v", at, c.Now().Add(5*time.Minute))
	}
}
