package ikassim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/money"
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

// code is errors[0].extensions.code ("" when the reply has no errors).
func (a answer) code() string {
	errs, _ := a.body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	s, _ := ext["code"].(string)
	return s
}

// at walks the reply: at("data", "listProduct", "data", 0, "id").
func (a answer) at(path ...any) any {
	var v any = a.body
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

type client struct {
	t       *testing.T
	base    string
	token   string
	version string
}

func newSim(t *testing.T, opt Options) (*Server, *simkit.FakeClock, *client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	opt.ClientID, opt.ClientSecret, opt.Clock = "cid", "csecret", clock
	s := New(opt)
	t.Cleanup(s.Close)
	return s, clock, &client{t: t, base: s.URL, version: "v2"}
}

func (c *client) post(path, contentType string, body []byte) answer {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
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

func (c *client) login() {
	c.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"csecret"}}
	a := c.post("/api/admin/oauth/token", "application/x-www-form-urlencoded", []byte(form.Encode())).want(c.t, 200)
	c.token = a.body["access_token"].(string)
}

// gql sends a document with variables to the client's version.
func (c *client) gql(query string, vars map[string]any) answer {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return c.post("/api/"+c.version+"/admin/graphql", "application/json", b)
}

func kurus(s string) *money.Kurus {
	k, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return &k
}

// seed adds n one-variant products SKU-000… with stock 10 at the first location and a
// price object 149.90 / discount 129.90 / buy 80.00.
func seed(t *testing.T, s *Server, n int) []Product {
	t.Helper()
	var out []Product
	loc := s.Locations()[0].ID
	for i := 0; i < n; i++ {
		p, err := s.AddProduct(Product{Name: "Ürün", Brand: "Marka", Description: "<p>açıklama</p>", Variants: []Variant{{
			SKU: skuN(i), Barcodes: []string{"869000000" + skuN(i)[4:]}, Active: true,
			Prices: []Price{{Sell: *kurus("149.90"), Discount: kurus("129.90"), Buy: kurus("80.00")}},
			Stock:  map[string]float64{loc: 10}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func skuN(i int) string { return "SKU-" + strings.Repeat("0", 3-len(itoa(i))) + itoa(i) }

func itoa(i int) string { return strconv.Itoa(i) }
