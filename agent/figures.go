package agent

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"syncagent/config/localtime"
	"syncagent/connectors"
)

// FiguresPrefix names the health records that hold what a store's connector counts
// beyond the queue's own figures; `status` shows them under the stores.
const FiguresPrefix = "figures:"

// storeFigures renders what a connector counts of its marketplace's budgets, in one line
// an operator reads: a plan's daily request budget (PazarSync), the share of failed
// requests a marketplace blocks an account on (ikas), and what a connector reports of
// its own (Reporter). "" when it counts none of these.
func storeFigures(c connectors.Connector, loc *time.Location, now time.Time) string {
	var parts []string
	if q, ok := c.(connectors.QuotaReporter); ok {
		if quota, ok := q.Quota(); ok {
			p := fmt.Sprintf("%s: %d used in the last %s, %d left", quota.What, quota.Used, quota.Per, quota.Remaining)
			if quota.Remaining <= 0 && quota.NextAt.After(now) {
				p += ", next request at " + localtime.Format(quota.NextAt, loc)
			}
			parts = append(parts, p)
		}
	}
	if e, ok := c.(connectors.ErrorRatioReporter); ok {
		r := e.ErrorRatio()
		p := fmt.Sprintf("failed requests in the last %s: %d of %d (%.1f %%; the marketplace blocks at %.0f %%, the agent holds back at %.0f %%)",
			r.Window, r.Failed, r.Requests, 100*r.Ratio(), 100*r.Limit, 100*r.Target)
		if r.HeldUntil.After(now) {
			p += ", holding back until " + localtime.Format(r.HeldUntil, loc)
		}
		parts = append(parts, p)
	}
	if rep, ok := c.(connectors.Reporter); ok {
		m := rep.Report()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, k+": "+m[k])
		}
	}
	return strings.Join(parts, "; ")
}

// recordFigures writes each store's figures when they changed since the last write.
func (r *requestServer) recordFigures(ctx context.Context) {
	now := time.Now()
	for name, c := range r.conns {
		text := storeFigures(c, r.cfg.Location, now)
		if text == "" || text == r.figures[name] {
			continue
		}
		if err := r.q.ReportOK(ctx, FiguresPrefix+name, "ok", text); err == nil {
			r.figures[name] = text
		}
	}
}
