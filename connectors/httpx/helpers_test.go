package httpx

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// fakeClock stands still until something sleeps on it; a Sleep moves it, so pacer waits
// take no wall time and their lengths can be read back exactly.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	blocks bool // Sleep blocks until the context ends, to test cancellation
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	if f.blocks {
		f.mu.Unlock()
		<-ctx.Done()
		return ctx.Err()
	}
	f.slept = append(f.slept, d)
	f.now = f.now.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fakeClock) clock() Clock { return Clock{Now: f.Now, Sleep: f.Sleep} }

// syncBuffer is a log sink safe for the client's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLog(t *testing.T) (zerolog.Logger, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	return zerolog.New(buf).Level(zerolog.DebugLevel), buf
}
