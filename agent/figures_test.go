package agent

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/queue"
)

type countingConn struct{ market }

func (c *countingConn) Quota() (connectors.Quota, bool) {
	return connectors.Quota{What: "PazarSync Temel plan: 10000 requests a day", Limit: 10000, Per: 24 * time.Hour, Used: 9990, Remaining: 10}, true
}
func (c *countingConn) ErrorRatio() connectors.ErrorRatio {
	return connectors.ErrorRatio{Window: time.Hour, Requests: 40, Failed: 2, Limit: 0.25, Target: 0.15}
}
func (c *countingConn) Report() map[string]string {
	return map[string]string{"listings fulfilled by the marketplace (no stock sent)": "12"}
}

// TestConnectorFiguresReachTheStatusRecords: what a connector counts of its
// marketplace's budgets is written with the heartbeat, once per change, where `status`
// reads it.
func TestConnectorFiguresReachTheStatusRecords(t *testing.T) {
	q, err := queue.Open(context.Background(), filepath.Join(t.TempDir(), "agent.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	c := &countingConn{market: *newMarket()}
	cfg := &config.Config{Location: time.UTC}
	env := &Env{Config: cfg, Store: q, Log: zerolog.Nop(), Connectors: map[string]connectors.Connector{"ps": c, "plain": newMarket()}}
	r := newRequestServer(env, time.Hour, time.Hour)
	r.recordFigures(context.Background())
	h, err := q.HealthOf(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := h[FiguresPrefix+"ps"].Detail
	for _, want := range []string{"PazarSync Temel plan: 10000 requests a day: 9990 used in the last 24h0m0s, 10 left",
		"failed requests in the last 1h0m0s: 2 of 40 (5.0 %; the marketplace blocks at 25 %, the agent holds back at 15 %)",
		"listings fulfilled by the marketplace (no stock sent): 12"} {
		if !strings.Contains(got, want) {
			t.Errorf("figures %q lack %q", got, want)
		}
	}
	if _, ok := h[FiguresPrefix+"plain"]; ok {
		t.Error("a connector that counts nothing got a figures record")
	}
	at := h[FiguresPrefix+"ps"].OKAt
	r.recordFigures(context.Background())
	if h2, _ := q.HealthOf(context.Background()); !h2[FiguresPrefix+"ps"].OKAt.Equal(at) {
		t.Error("unchanged figures were written again")
	}
}
