package trendyolsim

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

const seller = "123456"

type client struct {
	t    *testing.T
	base string
	ua   string
	user string
	pass string
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
	opt.SellerID, opt.APIKey, opt.APISecret = seller, "key", "secret"
	if opt.Clock == nil {
		opt.Clock = clock
	}
	s := New(opt)
	t.Cleanup(s.Close)
	return s, clock, &client{t: t, base: s.URL + "/integration", ua: seller + " - SelfIntegration", user: "key", pass: "secret"}
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
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	} else {
		req.Header["User-Agent"] = []string{""} // net/http would add its own
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.hdr {
		req.Header.Set(k, v)
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

func (a answer) list(key string) []map[string]any {
	raw, _ := a.body[key].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

type item map[string]any

func priceBody(items ...item) map[string]any { return map[string]any{"items": items} }

func seed(t *testing.T, s *Server, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := s.AddProduct(Product{Barcode: fmt.Sprintf("869%010d", i), StockCode: fmt.Sprintf("SKU-%d", i),
			Quantity: 10, SalePrice: 10000, ListPrice: 12000}); err != nil {
			t.Fatal(err)
		}
	}
}

func bc(i int) string { return fmt.Sprintf("869%010d", i) }

func kurus(v any) money.Kurus {
	b, _ := json.Marshal(v)
	var k money.Kurus
	_ = k.UnmarshalJSON(b)
	return k
}

const invPath = "/inventory/sellers/" + seller + "/products/price-and-inventory"
const batchPath = "/product/sellers/" + seller + "/products/batch-requests/"
const approvedPath = "/product/sellers/" + seller + "/products/approved/inventory-and-price"
const ordPath = "/order/sellers/" + seller

// productErr is the message of a product endpoint's error body {"errors":[{"key",
// "message","errorCode"}]}; the test fails when the body has another shape.
func productErr(t *testing.T, a answer) string {
	t.Helper()
	errs := a.list("errors")
	if len(errs) != 1 || errs[0]["key"] == nil || errs[0]["errorCode"] == nil || len(a.body) > 2 {
		t.Fatalf("not a product error body: %s", a.raw)
	}
	msg, _ := errs[0]["message"].(string)
	return msg
}
