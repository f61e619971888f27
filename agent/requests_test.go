package agent

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/agent/instance"
	"syncagent/agent/push"
	"syncagent/queue"
)

// fakeLoop is a store's push loop as the request server sees it.
type fakeLoop struct {
	pushes, resyncs atomic.Int32
}

func (f *fakeLoop) Name() string                    { return "store:shop" }
func (f *fakeLoop) Start(ctx context.Context) error { return nil }
func (f *fakeLoop) Stop(ctx context.Context) error  { return nil }
func (f *fakeLoop) Trigger()                        {}
func (f *fakeLoop) PushNow(ctx context.Context) (push.Report, error) {
	f.pushes.Add(1)
	return push.Report{Text: "pushed 3 items to shop"}, nil
}
func (f *fakeLoop) Resync(ctx context.Context) (push.Report, error) {
	f.resyncs.Add(1)
	return push.Report{Text: "reading shop back failed", Failed: true}, nil
}

const requestsConfig = `stores:
  - name: shop
    marketplace: trendyol
    credentials: {seller_id: "1", api_key: k, api_secret: s}
  - name: off
    marketplace: trendyol
    active: false
    credentials: {seller_id: "2", api_key: k, api_secret: s}
`

func TestTheRunningAgentBeatsAndAnswersRequests(t *testing.T) {
	cfg := testConfig(t, requestsConfig)
	ctx := context.Background()
	// A request left while no agent ran is answered as expired, not carried out late.
	q, err := queue.Open(ctx, cfg.DBPath(), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stale, _ := q.AddRequest(ctx, queue.RequestResync, "shop")
	q.Close()

	loop := &fakeLoop{}
	var changed atomic.Int32
	a := New(cfg, zerolog.Nop(), Options{HeartbeatEvery: 5 * time.Millisecond, PollEvery: 5 * time.Millisecond,
		Factories: []Factory{{KindStore, func(env *Env) ([]Component, error) {
			env.Stores["shop"] = loop
			env.Changed = func() { changed.Add(1) }
			return []Component{loop}, nil
		}}}})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	select {
	case <-a.Ready():
	case err := <-done:
		t.Fatal(err)
	}
	st := a.Store()

	// A second agent on the same data folder is refused, naming this one.
	err = New(cfg, zerolog.Nop(), Options{Factories: []Factory{}}).Run(ctx)
	var held *instance.HeldError
	if !errors.As(err, &held) || held.Holder.Mode != instance.ModeForeground {
		t.Fatalf("second agent: %v", err)
	}

	first, ok, err := st.LastRun(ctx)
	if err != nil || !ok || first.Mode != instance.ModeForeground || !first.Stopped.IsZero() {
		t.Fatalf("run: %+v %v %v", first, ok, err)
	}
	waitFor(t, "a heartbeat", func() bool { r, _, _ := st.LastRun(ctx); return r.Beat.After(first.Beat) })

	answer := func(kind, store string) queue.Request {
		t.Helper()
		id, err := st.AddRequest(ctx, kind, store)
		if err != nil {
			t.Fatal(err)
		}
		var r queue.Request
		waitFor(t, kind+" answered", func() bool { r, _ = st.RequestByID(ctx, id); return !r.DoneAt.IsZero() })
		return r
	}
	if r := answer(queue.RequestPushNow, "shop"); r.Failed || r.Result != "pushed 3 items to shop" || loop.pushes.Load() != 1 {
		t.Errorf("push-now: %+v", r)
	}
	if r := answer(queue.RequestResync, "shop"); !r.Failed || r.Result != "reading shop back failed" || loop.resyncs.Load() != 1 {
		t.Errorf("resync: %+v", r)
	}
	if r := answer(queue.RequestPushNow, "off"); !r.Failed || !strings.Contains(r.Result, "store off is passive (active: false)") {
		t.Errorf("passive store: %+v", r)
	}
	if r := answer(queue.RequestPushNow, "ghost"); !r.Failed || !strings.Contains(r.Result, `the running agent has no store "ghost"`) {
		t.Errorf("unknown store: %+v", r)
	}
	if r := answer("defrost", ""); !r.Failed || !strings.Contains(r.Result, `does not know the request "defrost"`) {
		t.Errorf("unknown kind: %+v", r)
	}
	if r := answer(queue.RequestChanged, ""); r.Failed || changed.Load() != 1 {
		t.Errorf("changed: %+v, %d calls", r, changed.Load())
	}
	if r, _ := st.RequestByID(ctx, stale); !r.Failed || !strings.Contains(r.Result, "no agent was running when this was asked") || loop.resyncs.Load() != 1 {
		t.Errorf("stale request: %+v", r)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	q, err = queue.Open(ctx, cfg.DBPath(), queue.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if r, _, _ := q.LastRun(ctx); r.Stopped.IsZero() || r.PID != first.PID {
		t.Fatalf("no clean stop recorded: %+v", r)
	}
	if lk, err := instance.Probe(string(cfg.DataDir)); err != nil || lk.Held {
		t.Fatalf("the data folder is still held after the agent stopped: %+v %v", lk, err)
	}
}
