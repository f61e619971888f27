package httpx

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces every secret in what the client logs or puts into an error message.
const Redacted = "***"

// sensitiveWords mark a JSON field, header or form field whose value is a secret.
var sensitiveWords = []string{"authorization", "apikey", "api_key", "api-key", "secret", "token", "password", "passwd", "signature", "appkey", "cookie"}

func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range sensitiveWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

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

// Body hides known values and sensitive JSON fields in a request or reply body and cuts
// it to at most max bytes (0: whole). Known values are hidden before the cut, so a cut
// never leaves half a secret; a cut inside a sensitive field still hides its value.
func (r *Redactor) Body(b []byte, max int) string {
	s := string(b)
	if max > 0 && len(s) > max {
		// Hide values in a window a little longer than the cut, so a secret across the
		// cut is replaced whole, and spare the rest of a large body the work.
		s = r.String(s[:min(len(s), max+r.longest())])[:max] + fmt.Sprintf("… (%d bytes in all)", len(b))
	} else {
		s = r.String(s)
	}
	return sensitiveForm(redactJSONFields(s))
}

func (r *Redactor) longest() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.values) == 0 {
		return 0
	}
	return len(r.values[0])
}

// redactJSONFields replaces the string value of every field whose name is sensitive
// ("access_token": "…"). It scans the text once, tolerating a body cut anywhere.
func redactJSONFields(s string) string {
	var out strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if s[i] != '"' {
			i++
			continue
		}
		kEnd := stringEnd(s, i)
		if kEnd < 0 {
			break
		}
		j := skipSpace(s, kEnd+1)
		if j >= len(s) || s[j] != ':' || !sensitiveKey(s[i+1:kEnd]) {
			i = kEnd + 1
			continue
		}
		v := skipSpace(s, j+1)
		if v >= len(s) || s[v] != '"' {
			i = v
			continue
		}
		vEnd := stringEnd(s, v)
		if out.Len() == 0 {
			out.Grow(len(s))
		}
		out.WriteString(s[last : v+1])
		out.WriteString(Redacted)
		if vEnd < 0 { // cut inside the value: hide the rest
			out.WriteByte('"')
			return out.String()
		}
		out.WriteByte('"')
		last, i = vEnd+1, vEnd+1
	}
	if last == 0 {
		return s
	}
	out.WriteString(s[last:])
	return out.String()
}

// stringEnd returns the index of the quote closing the JSON string opening at i, or -1.
func stringEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
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
		if sensitiveKey(k) {
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
		if sensitiveKey(k) {
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
			if sensitiveKey(k) {
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
