package httpx

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces every secret in what the client logs or puts into an error message.
const Redacted = "***"

// sensitiveName matches header, query and JSON field names whose values are secrets.
var sensitiveName = regexp.MustCompile(`(?i)(authorization|api[-_]?key|api[-_]?secret|secret|token|password|passwd|cookie|signature|appkey|appsecret)`)

// sensitiveJSON finds "name": "value" pairs with a sensitive name, so a token in a
// reply body (access_token) is hidden even before the cache knows its value.
var sensitiveJSON = regexp.MustCompile(`(?i)("[^"]*(?:authorization|api[-_]?key|api[-_]?secret|secret|token|password|passwd|signature|appkey|appsecret)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// Redactor hides secrets: by the names they travel under and, belt and braces, by
// their values wherever else they turn up (an error message that echoes a key, a Basic
// header in base64). Safe for concurrent use.
type Redactor struct {
	mu     sync.RWMutex
	values []string // longest first, so a secret containing another is replaced whole
}

// NewRedactor knows the given secret values (empty ones are ignored) and their base64
// forms, and the base64 of "a:b" for every pair, which is what Basic auth sends.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add learns more secret values, such as a freshly issued token.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, v := range r.values {
		seen[v] = true
	}
	add := func(v string) {
		if len(v) >= 4 && !seen[v] { // shorter strings would mangle ordinary text
			seen[v] = true
			r.values = append(r.values, v)
		}
	}
	for _, s := range secrets {
		add(s)
		add(base64.StdEncoding.EncodeToString([]byte(s)))
		add(strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(s)), "="))
		add(url.QueryEscape(s))
	}
	for _, a := range secrets {
		for _, b := range secrets {
			if a != "" && b != "" {
				add(base64.StdEncoding.EncodeToString([]byte(a + ":" + b)))
			}
		}
	}
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
}

// String hides every known secret value in s.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// Body hides sensitive JSON fields and known values in a request or reply body.
func (r *Redactor) Body(b []byte) string {
	s := sensitiveJSON.ReplaceAllString(string(b), `$1"`+Redacted+`"`)
	s = sensitiveForm(s)
	return r.String(s)
}

// sensitiveForm hides values in a form-encoded body (client_secret=...).
func sensitiveForm(s string) string {
	if strings.ContainsAny(s, "{[\n ") || !strings.Contains(s, "=") {
		return s
	}
	vals, err := url.ParseQuery(s)
	if err != nil {
		return s
	}
	changed := false
	for k := range vals {
		if sensitiveName.MatchString(k) {
			vals[k] = []string{Redacted}
			changed = true
		}
	}
	if !changed {
		return s
	}
	return vals.Encode()
}

// Header returns h as one line per field with sensitive fields hidden.
func (r *Redactor) Header(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if sensitiveName.MatchString(k) {
			out[k] = Redacted
			continue
		}
		out[k] = r.String(strings.Join(v, ", "))
	}
	return out
}

// URL returns u with sensitive query values hidden.
func (r *Redactor) URL(u *url.URL) string {
	c := *u
	c.User = nil
	if q := c.Query(); len(q) > 0 {
		changed := false
		for k := range q {
			if sensitiveName.MatchString(k) {
				q[k] = []string{Redacted}
				changed = true
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	return r.String(c.String())
}
