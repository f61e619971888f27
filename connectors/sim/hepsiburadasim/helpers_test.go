package hepsiburadasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

const (
	merchant = "4b1c0a9e-7d2f-4c1a-9e3b-0f5d8a6b21e2"
	key      = "service-key-1"
	integ    = "acme_dev"
)

type client struct {
	t    *testing.T
	base string
	ua   string
	user string
	pass string
}

type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
	list   []any
}

// newSim starts a simulator on a fake clock with a short processing delay unless opt
// says otherwise.
func newSim(t *testing.T, opt Options) (*Server, *simkit.FakeClock, *client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	opt.MerchantID, opt.ServiceKey, opt.Integrator = merchant, key, integ
	if opt.Clock == nil {
		opt.Clock = clock
	}
	if opt.ProcessingDelay == 0 {
		opt.ProcessingDelay = 2 * time.Second
	}
	s := New(opt)
	t.Cleanup(s.Close)
	return s, clock, &client{t: t, base: s.URL, ua: integ, user: merchant, pass: key}
}

func (c *client) do(method, path string, body any) answer {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header["User-Agent"] = []string{c.ua}
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	switch t := bytes.TrimSpace(a.raw); {
	case len(t) > 0 && t[0] == '{':
		if err := json.Unmarshal(t, &a.body); err != nil {
			c.t.Fatalf("reply is not JSON: %v: %s", err, a.raw)
		}
	case len(t) > 0 && t[0] == '[':
		if err := json.Unmarshal(t, &a.list); err != nil {
			c.t.Fatalf("reply is not JSON: %v: %s", err, a.raw)
		}
	}
	return a
}

func (a answer) want(t *testing.T, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	return a
}

func (a answer) items(key string) []map[string]any {
	raw, _ := a.body[key].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

func seed(t *testing.T, s *Server, n int, qty int64, price money.Kurus) []Listing {
	t.Helper()
	out := make([]Listing, n)
	for i := range out {
		l, err := s.AddListing(Listing{MerchantSku: sku(i), Stock: qty, Price: price})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = l
	}
	return out
}

func sku(i int) string { return fmt.Sprintf("SKU-%04d", i) }

const lst = "/listings/merchantid/" + merchant
const ord = "/orders/merchantid/" + merchant
const pkgs = "/packages/merchantid/" + merchant

type row map[string]any

func simkitFaults(key, reason string) simkit.Faults {
	return simkit.Faults{RejectKeys: map[string]string{key: reason}}
}
