package n11sim

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
	testKey    = "key-1"
	testSecret = "secret-1"
)

// client speaks to a simulator the way a connector does, with headers it can change.
type client struct {
	t    *testing.T
	base string
	hdr  map[string]string
}

type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func newSim(t *testing.T, opt Options) (*Server, *simkit.FakeClock, *client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	opt.AppKey, opt.AppSecret = testKey, testSecret
	if opt.Clock == nil {
		opt.Clock = clock
	}
	s := New(opt)
	t.Cleanup(s.Close)
	return s, clock, &client{t: t, base: s.URL, hdr: map[string]string{"appkey": testKey, "appsecret": testSecret}}
}

func (c *client) do(method, path string, body any) answer {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
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
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.hdr {
		req.Header[k] = []string{v} // as given: header names in any case
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

func list(v any) []map[string]any {
	raw, _ := v.([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

func (a answer) content() []map[string]any { return list(a.body["content"]) }

// skus is the task-details page's items.
func (a answer) skus() []map[string]any {
	sk, _ := a.body["skus"].(map[string]any)
	return list(sk["content"])
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

type item map[string]any

func taskBodyOf(items ...item) map[string]any {
	return map[string]any{"payload": map[string]any{"integrator": "SimTest", "skus": items}}
}

func details(id any, page, size int) map[string]any {
	return map[string]any{"taskId": id, "pageable": map[string]any{"page": page, "size": size}}
}

func seed(t *testing.T, s *Server, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := s.AddProduct(Product{StockCode: sku(i), Barcode: fmt.Sprintf("869%010d", i),
			Quantity: 10, SalePrice: 10000, ListPrice: 12000}); err != nil {
			t.Fatal(err)
		}
	}
}

func sku(i int) string { return fmt.Sprintf("SKU-%d", i) }

func kurus(v any) money.Kurus {
	b, _ := json.Marshal(v)
	var k money.Kurus
	_ = k.UnmarshalJSON(b)
	return k
}

const (
	pathQuery    = "/ms/product-query"
	pathPrice    = "/ms/product/tasks/price-stock-update"
	pathUpdate   = "/ms/product/tasks/product-update"
	pathDetails  = "/ms/product/task-details/page-query"
	pathPackages = "/rest/delivery/v1/shipmentPackages"
	pathOrderUpd = "/rest/order/v1/update"
)
