package push

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/pazarsync"
)

// TestUnmatchedErrorIsRetriedBoundedThenDeadLettered: PazarSync answers every stock
// batch with a failure its errors[] ties to no item. The items are retried (which item
// failed cannot be told, and PazarSync's stock is absolute, so a resend is harmless), each
// retry counts an attempt, and after queue.max_attempts they are dead-lettered with
// PazarSync's own words: never a batch that retries forever.
func TestUnmatchedErrorIsRetriedBoundedThenDeadLettered(t *testing.T) {
	var batches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/auth/token":
			_, _ = io.WriteString(w, `{"access_token":"t","token_type":"bearer","expires_in":3600}`)
		case "/api/v1/stocks/batch":
			batches.Add(1)
			_, _ = io.WriteString(w, `{"updated":1,"failed":1,"errors":["Kayıt işlenemedi (E-1042)"]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	h := newHarness(t, testCaps(), nil)
	st := connectors.Store{Name: testStore, Marketplace: pazarsync.Marketplace, BaseURL: srv.URL,
		Credentials: connectors.Credentials{"client_id": "id", "client_secret": "secret"}, Scope: connectors.ScopeStock}
	conn, err := pazarsync.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: h.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { h.clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	h.m = nil
	h.p = New(testStore, conn, h.q, h.conf, zerolog.Nop())
	h.seed(2, 5, "")
	for attempt := 1; attempt <= 8; attempt++ {
		h.cycle()
		if got := batches.Load(); got != int32(attempt) {
			t.Fatalf("attempt %d: %d requests", attempt, got)
		}
		h.clock.Advance(2 * time.Hour) // past the longest backoff
	}
	h.expect(0, 0, 2, 0)
	h.cycle()
	if got := batches.Load(); got != 8 {
		t.Fatalf("%d requests: dead letters were sent again", got)
	}
	dl, err := h.q.DeadLetters(h.ctx, testStore, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dl) != 2 {
		t.Fatalf("dead letters %+v", dl)
	}
	for _, d := range dl {
		if !strings.Contains(d.Reason, "gave up after 8 attempts") || !strings.Contains(d.Reason, `PazarSync said: "Kayıt işlenemedi (E-1042)"`) {
			t.Fatalf("dead letter reason %q", d.Reason)
		}
	}
}
