package tsoftsim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// ok is a successful envelope: data, a summary with totalRecordCount when total >= 0,
// and one informational message shaped as in the login sample.
func ok(data any, total int, text string) simkit.Reply {
	b := map[string]any{"success": true, "data": data,
		"message": []any{map[string]any{"type": 1, "code": "", "index": 0, "id": "", "text": []string{text}}}}
	if total >= 0 {
		b["summary"] = map[string]any{"totalRecordCount": total}
	}
	return simkit.JSON(http.StatusOK, b)
}

// failBody is an error envelope exactly as the error sample shows it.
func failBody(texts ...string) map[string]any {
	msgs := make([]any, len(texts))
	for i, t := range texts {
		msgs[i] = map[string]any{"type": 2, "text": []string{t}}
	}
	return map[string]any{"success": false, "message": msgs}
}

// refuse answers HTTP 200 with success:false, as T-Soft answers most errors, and counts
// the answer as a client error for Stats.
func (s *Server) refuse(c *simkit.Call, texts ...string) simkit.Reply {
	s.mu.Lock()
	s.refused[c.Endpoint]++
	s.mu.Unlock()
	return simkit.JSON(http.StatusOK, failBody(texts...))
}

// Stats are the kit's counters with every success:false answer moved from OK to
// ClientErrors: T-Soft refuses with HTTP 200, and the figures must read like every
// other simulator's.
func (s *Server) Stats() simkit.Stats {
	st := s.Sim.Stats()
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Total.OK, st.Total.ClientErrors = 0, 0
	for name, e := range st.Endpoints {
		n := min(s.refused[name], e.OK)
		e.OK -= n
		e.ClientErrors += n
		st.Endpoints[name] = e
		st.Total.OK += e.OK
		st.Total.ClientErrors += e.ClientErrors
	}
	return st
}

// ResetStats clears the counters.
func (s *Server) ResetStats() {
	s.Sim.ResetStats()
	s.mu.Lock()
	s.refused = map[string]int{}
	s.mu.Unlock()
}

// htmlPage is the shop's own error page: T-Soft is a PHP site, and a fatal error or a
// missing page is HTML.
func htmlPage(status int, title, body string) simkit.Reply {
	page := fmt.Sprintf("<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n", title, title, body)
	return simkit.Reply{Status: status, Raw: []byte(page), Header: http.Header{"Content-Type": {"text/html; charset=UTF-8"}}}
}

// HTMLFaults make the shop answer now and then with its PHP error page instead of JSON.
type HTMLFaults struct {
	Seed    int64
	Only    []string // endpoint names; empty: all
	Rate    float64  // fraction of requests
	Next    int      // the next N requests (of Only); counts down
	Status  int      // HTTP status of the page (default 200, as PHP sends a fatal error)
	Applied bool     // the request takes effect before the page is sent
}

// htmlInjector applies HTMLFaults. Safe for concurrent use.
type htmlInjector struct {
	mu     sync.Mutex
	f      HTMLFaults
	rng    *rand.Rand
	served int
}

func (h *htmlInjector) set(f HTMLFaults) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f.Only = slices.Clone(f.Only)
	h.f = f
	h.rng = rand.New(rand.NewPCG(uint64(f.Seed), uint64(f.Seed)^0x9e3779b9))
}

func (h *htmlInjector) hit(endpoint string) (bool, HTMLFaults) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.f
	if len(f.Only) > 0 && !slices.Contains(f.Only, endpoint) {
		return false, f
	}
	switch {
	case h.f.Next > 0:
		h.f.Next--
	case f.Rate > 0 && h.rng != nil && h.rng.Float64() < f.Rate:
	default:
		return false, f
	}
	h.served++
	return true, f
}

// wrap puts the HTML fault around a handler.
func (h *htmlInjector) wrap(endpoint string, handle func(*simkit.Call) simkit.Reply) func(*simkit.Call) simkit.Reply {
	return func(c *simkit.Call) simkit.Reply {
		hit, f := h.hit(endpoint)
		if !hit {
			return handle(c)
		}
		if f.Applied {
			handle(c)
		}
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		return htmlPage(status, "Fatal error", "<b>Fatal error</b>: Uncaught PDOException: SQLSTATE[HY000]: General error in /var/www/tsoft/system/core/Model.php:214")
	}
}

// params are the request's fields: the form body and the query string, as PHP's
// $_REQUEST merges them (one client sends the login that way). A body that is no form
// gives no fields, so a JSON body has no token.
func params(c *simkit.Call) url.Values {
	v := c.R.URL.Query()
	if strings.HasPrefix(strings.ToLower(c.R.Header.Get("Content-Type")), "application/x-www-form-urlencoded") {
		if f, err := url.ParseQuery(string(c.Body)); err == nil {
			for k, vs := range f {
				v[k] = vs
			}
		}
	}
	return v
}

// flag reads a Fetch* switch as PHP would: "1", "true", "on", "yes".
func flag(v url.Values, name string) bool {
	switch strings.ToLower(strings.TrimSpace(v.Get(name))) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

// paging reads start and limit; a limit above MaxLimit is refused (or clamped).
func (s *Server) paging(c *simkit.Call, form url.Values) (start, limit int, rep *simkit.Reply) {
	start, err := simkit.QueryInt(form, "start", 0)
	if err != nil || start < 0 {
		r := s.refuse(c, "start değeri geçersiz.")
		return 0, 0, &r
	}
	limit, err = simkit.QueryInt(form, "limit", 20)
	if err != nil || limit < 1 {
		r := s.refuse(c, "limit değeri geçersiz.")
		return 0, 0, &r
	}
	if limit > s.opt.MaxLimit {
		if !s.opt.ClampLimit {
			r := s.refuse(c, fmt.Sprintf("limit en fazla %d olabilir.", s.opt.MaxLimit))
			return 0, 0, &r
		}
		limit = s.opt.MaxLimit
	}
	return start, limit, nil
}

// Number rendering by Options.Numbers.

func (s *Server) amount(k money.Kurus) any {
	switch s.opt.Numbers {
	case "json":
		return k
	case "dot":
		return k.String()
	}
	return strings.Replace(k.String(), ".", ",", 1)
}

func (s *Server) count(n int64) any {
	if s.opt.Numbers == "json" {
		return n
	}
	return strconv.FormatInt(n, 10)
}

// turkey is the shop's time: dates without a zone are read and written in it.
var turkey = time.FixedZone("TRT", 3*60*60)

const dateTime = "2006-01-02 15:04:05"

func (s *Server) date(t time.Time) string { return t.In(turkey).Format(dateTime) }

func (s *Server) expiration(t time.Time) any {
	switch s.opt.Expiration {
	case "none":
		return nil
	case "epoch":
		return t.Unix()
	}
	return t.In(turkey).Format("02-01-2006 15:04:05")
}

// parseDate reads a date filter: "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD" in Turkey time.
func parseDate(v string) (time.Time, bool) {
	for _, l := range []string{dateTime, "2006-01-02"} {
		if t, err := time.ParseInLocation(l, strings.TrimSpace(v), turkey); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseISO reads order2's dates: "…T00:00:00Z" or with an offset.
func parseISO(v string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(l, strings.TrimSpace(v)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// number reads a value of data as PHP would: a JSON number, or a string holding one
// with a decimal point or comma.
func number(raw json.RawMessage) (money.Kurus, error) {
	if k, err := simkit.LooseDecimal(raw); err == nil {
		return k, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		return money.Parse(strings.Replace(strings.TrimSpace(s), ",", ".", 1))
	}
	return 0, fmt.Errorf("%s is not a number", strings.TrimSpace(string(raw)))
}
