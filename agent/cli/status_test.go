package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"syncagent/agent"
	"syncagent/agent/instance"
	"syncagent/config"
	"syncagent/queue"
)

type statusClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *statusClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *statusClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func statusConfig(t *testing.T, dir string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(`stores:
  - name: ty
    marketplace: trendyol
    credentials: {seller_id: "42", api_key: k, api_secret: s}
sources:
  drop_folders:
    - name: stok
      path: drop
`), filepath.Join(dir, "config.yaml"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestStatusShowsTheTruth: a status report is read by someone deciding what to do, so
// it must not call a dead agent's parts "watching", must not call an accepted-but-not-
// confirmed batch a successful push, and must not cut off the advice in an error.
func TestStatusShowsTheTruth(t *testing.T) {
	dir := t.TempDir()
	cfg := statusConfig(t, dir)
	// 23:27 UTC is 02:27 the next day in Istanbul, the config's default zone.
	clk := &statusClock{t: time.Date(2026, 11, 22, 23, 27, 5, 0, time.UTC)}
	st, err := queue.Open(context.Background(), cfg.DBPath(), queue.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	st.SetStores(map[string]queue.Rules{"ty": queue.RulesFunc(func(it *queue.Item) queue.Desired {
		q := it.Stock["MERKEZ"]
		return queue.Desired{Qty: &q}
	})})
	five := int64(5)
	if _, err := st.Apply(ctx, []queue.ItemChange{{SKU: "A1", Warehouse: "MERKEZ", Qty: &five, Source: queue.Source{Kind: "manual"}}}); err != nil {
		t.Fatal(err)
	}
	// A cycle sent a batch that Trendyol accepted for later processing: the push loop
	// records the cycle, but nothing is confirmed.
	if err := st.ReportOK(ctx, "store:ty", "ok", "last cycle: 1 item in 1 request: 0 confirmed, 1 awaiting"); err != nil {
		t.Fatal(err)
	}
	if err := st.ReportOK(ctx, "source:stok", "watching", "stok.xlsx at 02:27, 1 applied"); err != nil {
		t.Fatal(err)
	}
	if err := st.ReportOK(ctx, agent.FiguresPrefix+"ty", "ok", "failed requests in the last 1h0m0s: 2 of 40"); err != nil {
		t.Fatal(err)
	}
	clk.set(clk.now().Add(time.Minute))
	long := "push of 1000 items to ty failed: 503: Trendyol could not handle POST https://apigw.trendyol.com/integration/inventory/sellers/42/products/price-and-inventory right now (upstream connect error or disconnect/reset before headers. reset reason: connection termination); retrying in about 1m0s (attempt 2/8)"
	if err := st.ReportError(ctx, "store:ty", "retrying", long); err != nil {
		t.Fatal(err)
	}
	now := clk.now().Add(time.Minute)
	running := AgentStatus{Running: true, HasRun: true, Info: instance.Info{PID: 4242, Mode: instance.ModeService, Started: now.Add(-time.Hour)}, Beat: now.Add(-2 * time.Second)}
	var b bytes.Buffer
	if err := WriteStatus(ctx, &b, cfg, st, running, now); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !containsRow(out, "ty", "trendyol", "active, retrying", "1", "0", "0", "0", "never", "(02:28 +03) push of 1000 items to ty failed: 503: Trendyol could not handle POST", "…; retrying in about 1m0s (attempt 2/8)") {
		t.Errorf("store row while running (never confirmed; the advice kept):\n%s", out)
	}
	if !containsRow(out, "stok", "drop folder (watch)", "watching", "2026-11-23 02:27:05 +03 (2m ago)") {
		t.Errorf("source row while running:\n%s", out)
	}
	if !strings.Contains(out, "\nty: failed requests in the last 1h0m0s: 2 of 40 (02:27 +03)\n") {
		t.Errorf("the connector's figures are not under the stores:\n%s", out)
	}
	if got := running.Describe(cfg.Location, now); got != "running since 2026-11-23 01:29:05 +03 (1h ago) as the service, PID 4242; last heartbeat 2s ago" {
		t.Errorf("agent line: %q", got)
	}

	// The marketplace confirms: now there is a successful push, at that time.
	c, err := st.Claim(ctx, "ty", 10)
	if err != nil || len(c) != 1 {
		t.Fatal(c, err)
	}
	if err := st.Confirm(ctx, c); err != nil {
		t.Fatal(err)
	}
	stopped := AgentStatus{HasRun: true, Info: running.Info, Beat: now.Add(30 * time.Second), Stopped: now.Add(30 * time.Second)}
	later := now.Add(5 * time.Minute)
	b.Reset()
	if err := WriteStatus(ctx, &b, cfg, st, stopped, later); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	if !containsRow(out, "ty", "trendyol", "stopped at 02:29 +03", "0", "0", "0", "0", "2026-11-23 02:28:05 +03 (6m ago)") {
		t.Errorf("store row after the agent stopped:\n%s", out)
	}
	if !containsRow(out, "stok", "drop folder (watch)", "stopped at 02:29 +03") || strings.Contains(out, "watching") {
		t.Errorf("source row after the agent stopped:\n%s", out)
	}
	if got := stopped.Describe(cfg.Location, later); got != "not running; it stopped at 2026-11-23 02:29:35 +03 (4m ago)" {
		t.Errorf("agent line: %q", got)
	}
	crashed := AgentStatus{HasRun: true, Info: running.Info, Beat: now}
	if got := crashed.Describe(cfg.Location, later); got != "not running; it ended without stopping cleanly (a crash, a kill or a power cut); last seen at 2026-11-23 02:29:05 +03 (5m ago)" {
		t.Errorf("crashed: %q", got)
	}
	stuck := running
	stuck.Beat = now.Add(-10 * time.Minute)
	if got := stuck.Describe(cfg.Location, now); !strings.Contains(got, "but its last heartbeat was 10m ago: it is stuck or very busy; if this lasts, restart it") {
		t.Errorf("stuck: %q", got)
	}
	if got := (AgentStatus{}).Describe(cfg.Location, now); got != "not running; no agent has run with this data folder yet" {
		t.Errorf("never ran: %q", got)
	}
}

func TestShortenKeepsWhatToDo(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"short; fine", "short; fine"},
		{"a  b\n c", "a b c"},
		{"", "-"},
		{strings.Repeat("x", 60) + "; check credentials.api_key and run syncagent test-store ty",
			strings.Repeat("x", 40) + "…; check credentials.api_key and run syncagent test-store ty"},
		// Advice longer than the room: it is still kept whole.
		{strings.Repeat("y", 50) + "; " + strings.Repeat("z", 70), strings.Repeat("y", 40) + "…; " + strings.Repeat("z", 70)},
		// Nothing marked as advice: start and end stay.
		{strings.Repeat("a", 40) + strings.Repeat("b", 40) + strings.Repeat("c", 20), strings.Repeat("a", 40) + strings.Repeat("b", 6) + "…" + strings.Repeat("b", 3) + strings.Repeat("c", 20)},
	} {
		if got := shorten(c.in, 70); got != c.want {
			t.Errorf("shorten(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
