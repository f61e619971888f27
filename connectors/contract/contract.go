// Package contract holds a connector and its simulator to a marketplace's own documented
// samples, not only to each other: a simulator written from our reading of an API repeats
// our mistakes, a documented sample does not.
//
// Each connector keeps the samples in testdata/contract/ as exact bytes, one file per
// documented request or response, each with a sidecar NAME.source naming where it comes
// from (the reference section, the seed, the public document and its address). Its tests
// then:
//   - drive the connector's real HTTP path against Replay, a plain server that answers the
//     documented responses, and assert the decoded values field by field;
//   - hold the simulator to the same samples with SameShape: for each documented
//     request, the simulator's reply has the same keys and nesting as the documented
//     reply (values may differ), so the simulator cannot drift from the documents again.
package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Load reads testdata/contract/NAME and checks that NAME.source says where it comes from.
func Load(t testing.TB, name string) []byte {
	t.Helper()
	path := filepath.Join("testdata", "contract", name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("documented sample: %v", err)
	}
	src, err := os.ReadFile(path + ".source")
	if err != nil || len(bytes.TrimSpace(src)) == 0 {
		t.Fatalf("documented sample %s has no %s.source naming where it comes from", name, name)
	}
	return b
}

// Answer is one documented exchange Replay serves: a request matched by method and path
// (Query, when set, must be contained in the request's query), answered with Status and
// Body (a file under testdata/contract/ or literal bytes).
type Answer struct {
	Method, Path string
	Query        map[string]string
	Status       int
	Header       http.Header
	File         string // testdata/contract/File
	Body         []byte // when File is empty
}

// Server replays documented answers and records what it was asked.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
}

// Request is one request Replay received.
type Request struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// Replay starts a server answering each request with the first Answer that matches it;
// a request nothing matches fails the test (a connector calling an endpoint the documents
// do not show is a finding).
func Replay(t testing.TB, answers ...Answer) *Server {
	t.Helper()
	bodies := make([][]byte, len(answers))
	for i, a := range answers {
		bodies[i] = a.Body
		if a.File != "" {
			bodies[i] = Load(t, a.File)
		}
	}
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		for i, a := range answers {
			if a.Method != r.Method || a.Path != r.URL.Path || !queryHas(r, a.Query) {
				continue
			}
			for k, vs := range a.Header {
				w.Header()[k] = vs
			}
			if w.Header().Get("Content-Type") == "" {
				w.Header().Set("Content-Type", "application/json")
			}
			st := a.Status
			if st == 0 {
				st = http.StatusOK
			}
			w.WriteHeader(st)
			_, _ = w.Write(bodies[i])
			return
		}
		t.Errorf("contract: no documented answer for %s %s?%s", r.Method, r.URL.Path, r.URL.RawQuery)
		http.Error(w, "not in the documented samples", http.StatusNotImplemented)
	}))
	t.Cleanup(s.Close)
	return s
}

func queryHas(r *http.Request, want map[string]string) bool {
	q := r.URL.Query()
	for k, v := range want {
		if q.Get(k) != v {
			return false
		}
	}
	return true
}

// Requests are the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// SameShape fails the test when got (a JSON document) does not have the keys and nesting
// of documented: every object key of the documented sample is present with a value of
// the same JSON kind (object, array, string, number, bool; null matches anything), array
// elements are compared with the documented first element, and got has no key the
// documented sample lacks unless it is listed in extra (as "path.to.key", with [] for
// array elements). An object whose keys are data rather than names (Laravel's
// {"errors":{"field":[…]}}) is listed in extra as "path.to.object.*": its keys are not
// compared, every value of it is compared with the documented sample's first value.
// Values are not compared.
func SameShape(t testing.TB, documented, got []byte, extra ...string) {
	t.Helper()
	var d, g any
	if err := json.Unmarshal(documented, &d); err != nil {
		t.Fatalf("contract: the documented sample is not JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("contract: the reply is not JSON: %v\n%s", err, got)
	}
	allowed := map[string]bool{}
	for _, e := range extra {
		allowed[e] = true
	}
	var diffs []string
	shape(d, g, "$", allowed, &diffs)
	if len(diffs) > 0 {
		t.Errorf("the reply's shape differs from the documented sample:\n  %s\nreply: %s", strings.Join(diffs, "\n  "), trim(got))
	}
}

// ShapeDiff is SameShape's comparison as a list of differences (empty: same shape), for
// tests that expect a difference.
func ShapeDiff(documented, got []byte, extra ...string) ([]string, error) {
	var d, g any
	if err := json.Unmarshal(documented, &d); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return nil, err
	}
	allowed := map[string]bool{}
	for _, e := range extra {
		allowed[e] = true
	}
	var diffs []string
	shape(d, g, "$", allowed, &diffs)
	return diffs, nil
}

func shape(d, g any, path string, extra map[string]bool, diffs *[]string) {
	if d == nil || g == nil {
		return
	}
	if kind(d) != kind(g) {
		*diffs = append(*diffs, fmt.Sprintf("%s: documented %s, got %s", path, kind(d), kind(g)))
		return
	}
	switch dv := d.(type) {
	case map[string]any:
		gv := g.(map[string]any)
		if extra[strings.TrimPrefix(path, "$.")+".*"] {
			dkeys := make([]string, 0, len(dv))
			for k := range dv {
				dkeys = append(dkeys, k)
			}
			sort.Strings(dkeys)
			if len(dkeys) == 0 {
				return
			}
			gkeys := make([]string, 0, len(gv))
			for k := range gv {
				gkeys = append(gkeys, k)
			}
			sort.Strings(gkeys)
			for _, k := range gkeys {
				shape(dv[dkeys[0]], gv[k], path+".*", extra, diffs)
			}
			return
		}
		keys := make([]string, 0, len(dv))
		for k := range dv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := gv[k]
			if !ok {
				*diffs = append(*diffs, fmt.Sprintf("%s.%s: documented, missing", path, k))
				continue
			}
			shape(dv[k], sub, path+"."+k, extra, diffs)
		}
		var more []string
		for k := range gv {
			if _, ok := dv[k]; !ok && !extra[strings.TrimPrefix(path+"."+k, "$.")] {
				more = append(more, k)
			}
		}
		sort.Strings(more)
		for _, k := range more {
			*diffs = append(*diffs, fmt.Sprintf("%s.%s: not in the documented sample", path, k))
		}
	case []any:
		gv := g.([]any)
		if len(dv) == 0 || len(gv) == 0 {
			return
		}
		for i := range gv {
			shape(dv[0], gv[i], path+"[]", extra, diffs)
		}
	}
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

func trim(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}
