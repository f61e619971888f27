package pazarsyncsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
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

func (a answer) list(key string) []map[string]any {
	raw, _ := a.body[key].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

type client struct {
	t     *testing.T
	base  string
	token string
}

func newSim(t *testing.T, opt Options) (*Server, *simkit.FakeClock, *client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	opt.ClientID, opt.ClientSecret, opt.Clock = "cid", "csecret", clock
	s := New(opt)
	t.Cleanup(s.Close)
	return s, clock, &client{t: t, base: s.URL}
}

func (c *client) raw(method, path, contentType string, body []byte) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
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

func (c *client) do(method, path string, body any) answer {
	c.t.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	default:
		b, _ = json.Marshal(v)
	}
	return c.raw(method, path, "application/json", b)
}

func (c *client) login() {
	c.t.Helper()
	c.token = ""
	a := c.do("POST", "/api/auth/token", map[string]string{"client_id": "cid", "client_secret": "csecret", "grant_type": "client_credentials"}).want(c.t, 200)
	c.token = a.body["access_token"].(string)
}

func seed(t *testing.T, s *Server, n int) []Product {
	t.Helper()
	var out []Product
	for i := 0; i < n; i++ {
		p, err := s.AddProduct(Product{SKU: fmt.Sprintf("SKU-%03d", i), Name: fmt.Sprintf("Ürün %d", i), Stock: 10, Price: 14999})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}
