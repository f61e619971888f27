package queue

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAgentRunHeartbeatAndStop(t *testing.T) {
	s, clk := open(t, Options{})
	ctx := context.Background()
	if _, ok, err := s.LastRun(ctx); ok || err != nil {
		t.Fatalf("a new database has a run: %v %v", ok, err)
	}
	started := clk.Now()
	if err := s.BeginRun(ctx, AgentRun{PID: 42, Mode: "service", Host: "depo-pc", Started: started}); err != nil {
		t.Fatal(err)
	}
	clk.Add(5 * time.Second)
	if err := s.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	r, ok, err := s.LastRun(ctx)
	if err != nil || !ok || r.PID != 42 || r.Mode != "service" || r.Host != "depo-pc" || !r.Started.Equal(started) ||
		!r.Beat.Equal(started.Add(5*time.Second)) || !r.Stopped.IsZero() {
		t.Fatalf("running: %+v %v %v", r, ok, err)
	}
	clk.Add(time.Second)
	if err := s.EndRun(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _, _ = s.LastRun(ctx); !r.Stopped.Equal(started.Add(6 * time.Second)) {
		t.Fatalf("stopped: %+v", r)
	}
	// The next run replaces the row and clears the stop.
	if err := s.BeginRun(ctx, AgentRun{PID: 43, Mode: "foreground", Started: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	if r, _, _ = s.LastRun(ctx); r.PID != 43 || !r.Stopped.IsZero() || r.Host != "" {
		t.Fatalf("second run: %+v", r)
	}
}

func TestRequestsAreTakenOnceAndAnswered(t *testing.T) {
	s, clk := open(t, Options{})
	ctx := context.Background()
	old, _ := s.AddRequest(ctx, RequestPushNow, "ty")
	clk.Add(time.Minute)
	start := clk.Now()
	id, err := s.AddRequest(ctx, RequestResync, "ps")
	if err != nil {
		t.Fatal(err)
	}
	// A request made before the agent started is expired, not run late.
	if n, err := s.ExpireRequests(ctx, start, "no agent was running"); n != 1 || err != nil {
		t.Fatalf("expired %d %v", n, err)
	}
	if r, _ := s.RequestByID(ctx, old); !r.Failed || r.Result != "no agent was running" || r.DoneAt.IsZero() {
		t.Fatalf("expired request: %+v", r)
	}
	open, err := s.OpenRequests(ctx)
	if err != nil || len(open) != 1 || open[0].ID != id || open[0].Kind != RequestResync || open[0].Store != "ps" {
		t.Fatalf("open: %+v %v", open, err)
	}
	if ok, _ := s.TakeRequest(ctx, id); !ok {
		t.Fatal("not taken")
	}
	if ok, _ := s.TakeRequest(ctx, id); ok {
		t.Fatal("taken twice")
	}
	if open, _ := s.OpenRequests(ctx); len(open) != 0 {
		t.Fatalf("still open after being taken: %+v", open)
	}
	r, _ := s.RequestByID(ctx, id)
	if r.TakenAt.IsZero() || !r.DoneAt.IsZero() {
		t.Fatalf("taken, not done: %+v", r)
	}
	clk.Add(time.Second)
	if err := s.FinishRequest(ctx, id, "1 item differs", false); err != nil {
		t.Fatal(err)
	}
	if r, _ = s.RequestByID(ctx, id); r.Result != "1 item differs" || r.Failed || r.DoneAt.IsZero() {
		t.Fatalf("done: %+v", r)
	}
	if _, err := s.RequestByID(ctx, 999); !errors.Is(err, ErrNoSuchRequest) {
		t.Fatalf("unknown id: %v", err)
	}
	clk.Add(48 * time.Hour)
	if n, err := s.PurgeRequests(ctx, 24*time.Hour); n != 2 || err != nil {
		t.Fatalf("purged %d %v", n, err)
	}
}
