package giyimmodasim

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
	if ok, has := a.body["success"]; !has || ok != (status < 300) {
		t.Fatalf("envelope success=%v for status %d: %s", ok, status, a.raw)
	}
	return a
}

func (a answer) data() map[string]any { m, _ := a.body["data"].(map[string]any); return m }

func (a answer) list() []map[string]any {
	raw, _ := a.body["data"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

type client struct {
	t       *testing.T
	base    string
	headers map[string]string
}

func newSim(t *testing.T, opt Options) (*Server, *simkit.FakeClock, *client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	opt.APIKey, opt.APISecret, opt.Clock = "sk_test", "sec", clock
	s := New(opt)
	t.Cleanup(s.Close)
	return s, clock, &client{t: t, base: s.URL, headers: map[string]string{"X-API-Key": "sk_test", "X-API-Secret": "sec"}}
}

func (c *client) send(method, path, contentType string, body []byte) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	if err := json.Unmarshal(a.raw, &a.body); err != nil {
		c.t.Fatalf("reply is not JSON: %s", a.raw)
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
	return c.send(method, path, "application/json", b)
}

func seed(t *testing.T, s *Server, n int) []Product {
	t.Helper()
	var out []Product
	for i := 0; i < n; i++ {
		p, err := s.AddProduct(Product{Name: fmt.Sprintf("Gömlek %d", i), SKU: fmt.Sprintf("SKU-%d", i), UnitPrice: 19999, Stock: 10})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}
