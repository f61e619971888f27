package pazarsync

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
)

// PazarSync counts requests per client against the subscription plan (seed 003): a
// minute's budget, answered with X-RateLimit-* headers, and a day's budget, announced by
// no header at all. The connector paces itself under both: the minute as every
// connector does, the day as the pacer's long window (httpx.Pacer.SetQuota), a sliding
// 24 hours, which keeps it under the budget whether PazarSync counts a rolling day or a
// calendar day in any time zone.

// Settings keys.
const (
	setPlan  = "plan"
	setDaily = "daily_requests"
)

// Plan names as settings.plan takes them (işletme also without Turkish letters).
const (
	planTemel    = "temel"
	planIsletme  = "işletme"
	planKurumsal = "kurumsal"
)

// plan is one subscription plan's budgets; a zero day means no daily limit.
type plan struct {
	name   string
	minute connectors.Rate
	day    connectors.Rate
}

var plans = map[string]plan{
	planTemel:    {"Temel", connectors.Rate{Requests: 60, Per: time.Minute}, connectors.Rate{Requests: 10_000, Per: 24 * time.Hour}},
	planIsletme:  {"İşletme", connectors.Rate{Requests: 300, Per: time.Minute}, connectors.Rate{Requests: 50_000, Per: 24 * time.Hour}},
	planKurumsal: {"Kurumsal", connectors.Rate{Requests: 1_000, Per: time.Minute}, connectors.Rate{}},
}

// planKey folds a written plan name: case, and the Turkish letters of İşletme.
func planKey(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	v = strings.NewReplacer("\u0307", "", "ş", "s", "ı", "i").Replace(v)
	if v == "isletme" {
		return planIsletme
	}
	return v
}

func validPlan(v string) error {
	if _, ok := plans[planKey(v)]; !ok {
		return errors.New("is not a PazarSync plan (temel, işletme or kurumsal)")
	}
	return nil
}

func validDaily(v string) error {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 1 {
		return errors.New("must be a whole number of requests, at least 1")
	}
	return nil
}

// checkDaily refuses a daily_requests above the plan's own budget: PazarSync would
// refuse the requests past it anyway.
func checkDaily(s *connectors.Store) []error {
	pl, ok := plans[planKey(s.Settings[setPlan])]
	v := strings.TrimSpace(s.Settings[setDaily])
	if !ok || v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || pl.day.Requests == 0 || n <= pl.day.Requests {
		return nil
	}
	return []error{&connectors.FieldError{Key: "settings." + setDaily,
		Msg: fmt.Sprintf("%d is more than the %s plan's %d requests a day; PazarSync would refuse the rest (leave it out to use the plan's budget)", n, pl.name, pl.day.Requests)}}
}

// storePlan is the store's plan with its daily_requests applied. A store built without
// connectors.Check (tests) has no settings: Temel.
func storePlan(s *connectors.Store) (plan, error) {
	name := s.Settings[setPlan]
	if name == "" {
		name = planTemel
	}
	pl, ok := plans[planKey(name)]
	if !ok {
		return plan{}, fmt.Errorf("settings.plan %q is not a PazarSync plan", name)
	}
	if v := strings.TrimSpace(s.Settings[setDaily]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return plan{}, fmt.Errorf("settings.daily_requests %q is not a number of requests", v)
		}
		if pl.day.Requests == 0 || n < pl.day.Requests {
			pl.day = connectors.Rate{Requests: n, Per: 24 * time.Hour}
		}
	}
	return pl, nil
}

// Quota reports the daily budget as the connector counts it (connectors.QuotaReporter).
func (c *Client) Quota() (connectors.Quota, bool) {
	rate, used, next, ok := c.pacer.QuotaUsage()
	if !ok {
		return connectors.Quota{}, false
	}
	return connectors.Quota{
		What:  fmt.Sprintf("PazarSync %s plan: %d requests a day", c.plan.name, rate.Requests),
		Limit: rate.Requests, Per: rate.Per, Used: used, Remaining: max(rate.Requests-used, 0), NextAt: next,
	}, true
}
