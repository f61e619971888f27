package tsoftsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

const (
	testUser = "entegrasyon"
	testPass = "ws-pass-3c9d"
)

type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (a answer) want(t *testing.T, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	return a
}

// ok insists on HTTP 200 with success:true.
func (a answer) ok(t *testing.T) answer {
	t.Helper()
	a.want(t, 200)
	if a.body["success"] != true {
		t.Fatalf("success is not true: %s", a.raw)
	}
	return a
}

// refused insists on HTTP 200 with success:false and a message containing text.
func (a answer) refused(t *testing.T, text string) answer {
	t.Helper()
	a.want(t, 200)
	if a.body["success"] != false || !strings.Contains(a.texts(), text) {
		t.Fatalf("want success:false with %q: %s", text, a.raw)
	}
	return a
}

func (a answer) texts() string {
	var out []string
	msgs, _ := a.body["message"].([]any)
	for _, m := range msgs {
		for _, t := range m.(map[string]any)["text"].([]any) {
			out = append(out, t.(string))
		}
	}
	return strings.Join(out, " | ")
}

func (a answer) rows() []map[string]any {
	raw, _ := a.body["data"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

func (a answer) total() any { return a.body["summary"].(map[string]any)["totalRecordCount"] }

type client struct {
	t     *testing.T
	base  string
	token string
}

// newSim starts a simulator on a fake clock, unlimited unless opt says otherwise.
func newSim(t *testing.T, opt Options) (*Server, *simkit.FakeClock, *client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	opt.User, opt.Password, opt.Clock = testUser, testPass, clock
	if opt.RateLimit == 0 {
		opt.RateLimit = -1
	}
	s := New(opt)
	t.Cleanup(s.Close)
	return s, clock, &client{t: t, base: s.URL}
}

// raw sends a request as given.
func (c *client) raw(method, path, contentType, body string) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	if len(a.raw) > 0 && a.raw[0] == '{' {
		if err := json.Unmarshal(a.raw, &a.body); err != nil {
			c.t.Fatalf("reply is not JSON: %s", a.raw)
		}
	}
	return a
}

// call posts a REST1 method as a form with the client's token and, when data is not
// nil, data as JSON (a string is sent as it is).
func (c *client) call(method string, data any, kv ...string) answer {
	c.t.Helper()
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	if c.token != "" {
		f.Set("token", c.token)
	}
	switch d := data.(type) {
	case nil:
	case string:
		f.Set("data", d)
	default:
		b, _ := json.Marshal(d)
		f.Set("data", string(b))
	}
	return c.raw("POST", "/rest1/"+method, "application/x-www-form-urlencoded", f.Encode())
}

func (c *client) login() {
	c.t.Helper()
	c.token = ""
	a := c.raw("POST", "/rest1/auth/login/"+testUser, "application/x-www-form-urlencoded", "pass="+testPass).ok(c.t)
	c.token = a.rows()[0]["token"].(string)
}

func seed(t *testing.T, s *Server, n int) []Product {
	t.Helper()
	var out []Product
	for i := 0; i < n; i++ {
		p, err := s.AddProduct(Product{Code: fmt.Sprintf("TS-%03d", i), Barcode: fmt.Sprintf("869%010d", i), Stock: 10, SellingPrice: 14990})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}
