package ikas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/contract"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/ikassim"
	"syncagent/connectors/sim/simkit"
)

func contractStore(base string) *connectors.Store {
	s := &connectors.Store{Name: "ikas-contract", Marketplace: Marketplace, BaseURL: base, Scope: connectors.ScopeStock | connectors.ScopePrice,
		Credentials: connectors.Credentials{"shop": "apidocs", "client_id": "contract-client-id", "client_secret": "contract-client-secret"}}
	if errs := connectors.Check(s); len(errs) > 0 {
		panic(errs)
	}
	return s
}

// The documented listOrder sample, through the connector's real HTTP path: every value
// it carries lands where the ERP reads it, exactly.
func TestContractListOrderSample(t *testing.T) {
	srv := contract.Replay(t,
		contract.Answer{Method: "POST", Path: tokenPath, File: "token_response.json"},
		contract.Answer{Method: "POST", Path: graphqlPath, File: "listOrder_response.json"})
	c, err := New(contractStore(srv.URL), connectors.Deps{Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.FetchOrders(context.Background(), connectors.OrderQuery{Since: time.UnixMilli(1637759203143).Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 1 {
		t.Fatalf("%d orders", len(page.Orders))
	}
	o := page.Orders[0]
	if o.ID != "84ffbfd2-c92c-4f22-9675-8d3edb7a9084" || o.Number != "1028" || o.Currency != "TRY" || o.RawStatus != "CREATED/PAID" ||
		!o.OrderedAt.Equal(time.UnixMilli(1637759203143)) || o.Version != "1638189270536" {
		t.Fatalf("order keys %+v", o)
	}
	if o.Status != order.Shipped || o.CargoProvider != "UPS" || o.Customer.Name != "ikas docs" || o.Customer.Email != "ikas@ikas.com" ||
		o.ShipTo.City != "Ankara" || o.ShipTo.District != "Çankaya" || o.ShipTo.Phone != "+905555555555" {
		t.Fatalf("order %+v", o)
	}
	var pkg order.Package
	for _, p := range o.Packages {
		if p.ID == "a103735c-ece8-4a8f-9576-489f45c4487b" {
			pkg = p
		}
	}
	if len(pkg.Lines) != 1 || pkg.CargoTracking != "123456" || pkg.Status != order.Shipped {
		t.Fatalf("packages %+v", o.Packages)
	}
	l := pkg.Lines[0]
	if l.ID != "0a6f539f-8338-400c-a3fc-2bc15c01da58" || l.Quantity != 1 || l.UnitPrice != 29900 || l.Total != 14950 || l.Discount != 14950 ||
		l.ProductID != "62bca022-12be-4e2b-a9dd-90c67cb89dcb" || l.SKU != "" {
		t.Fatalf("line %+v", l)
	}
	tot := o.Totals()
	if o.ShippingFee != 2100 || o.StatedTotal != 17050 || tot.Total != o.StatedTotal {
		t.Fatalf("shipping %v, stated %v, computed %v: the campaign is inside the line's finalPrice", o.ShippingFee, o.StatedTotal, tot.Total)
	}
	body := string(srv.Requests()[1].Body)
	if !strings.Contains(body, `listOrder(updatedAt: $updatedAt, sort: \"updatedAt\"`) || !strings.Contains(body, `"limit":200`) {
		t.Fatalf("order request %s", body)
	}
}

// A token refused again right after it was issued ends as Auth after exactly one
// renewal: the documented LOGIN_REQUIRED in a 200, twice.
func TestContractLoginRequiredTwiceIsAuth(t *testing.T) {
	srv := contract.Replay(t,
		contract.Answer{Method: "POST", Path: tokenPath, File: "token_response.json"},
		contract.Answer{Method: "POST", Path: graphqlPath, File: "login_required.json"})
	c, _ := New(contractStore(srv.URL), connectors.Deps{Log: zerolog.Nop()})
	err := c.Test(context.Background())
	var ce *connectors.Error
	if !errors.As(err, &ce) || ce.Kind != connectors.Auth || !strings.Contains(ce.Message, "LOGIN_REQUIRED") || !strings.Contains(ce.Message, "credentials.client_id") {
		t.Fatalf("%v", err)
	}
	var tokens, calls int
	for _, r := range srv.Requests() {
		if r.Path == tokenPath {
			tokens++
			if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || !strings.Contains(string(r.Body), "grant_type=client_credentials") {
				t.Fatalf("token request %s %s", r.Header.Get("Content-Type"), r.Body)
			}
		} else {
			calls++
		}
	}
	if tokens != 2 || calls != 2 {
		t.Fatalf("%d token requests, %d calls; want one renewal", tokens, calls)
	}
}

// recorder stands between the connector and the simulator and keeps every GraphQL
// request's variables by operation.
type recorder struct {
	mu   sync.Mutex
	vars map[string][]byte
}

func (r *recorder) wrap(target string) *httptest.Server {
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(b))
		var body struct {
			Query     string          `json:"query"`
			Variables json.RawMessage `json:"variables"`
		}
		if json.Unmarshal(b, &body) == nil && body.Query != "" {
			name := strings.Fields(strings.TrimPrefix(strings.TrimSpace(body.Query), "mutation"))[0]
			name, _, _ = strings.Cut(name, "(")
			r.mu.Lock()
			r.vars[name] = body.Variables
			r.mu.Unlock()
		}
		proxy.ServeHTTP(w, req)
	}))
}

// The connector's mutation variables have the documented shape, and the simulator's
// listOrder reply has the documented sample's shape for every field the connector reads.
func TestContractShapes(t *testing.T) {
	clock := simkit.NewFakeClock(time.Time{})
	sim := ikassim.New(ikassim.Options{ClientID: "contract-client-id", ClientSecret: "contract-client-secret", Clock: clock})
	t.Cleanup(sim.Close)
	buy := money.Kurus(8000)
	disc := money.Kurus(12990)
	if _, err := sim.AddProduct(ikassim.Product{Variants: []ikassim.Variant{{SKU: "C1", Prices: []ikassim.Price{{Sell: 14990, Discount: &disc, Buy: &buy}},
		Stock: map[string]float64{sim.Locations()[0].ID: 3}}}}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{vars: map[string][]byte{}}
	front := rec.wrap(sim.URL)
	t.Cleanup(front.Close)
	c, _ := New(contractStore(front.URL), connectors.Deps{Log: zerolog.Nop(), Now: clock.Now})
	q, p, l := int64(12), money.Kurus(12990), money.Kurus(14990)
	out, err := c.Push(context.Background(), []connectors.Item{{SKU: "C1", Qty: &q, Price: &p, ListPrice: &l}})
	if err != nil || out["C1"].Status != connectors.Confirmed {
		t.Fatalf("%+v %v", out, err)
	}
	contract.SameShape(t, contract.Load(t, "updateVariantPrices_variables.json"), rec.vars["updateVariantPrices"])
	contract.SameShape(t, contract.Load(t, "saveVariantStocks_variables.json"), rec.vars["saveVariantStocks"])

	v, err := sim.AddOrder(ikassim.Order{Lines: []ikassim.OrderLine{{SKU: "C1", Quantity: 1}}, Shipping: 2100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Fulfill(v.ID, "FULFILLED", v.LineIDs...); err != nil {
		t.Fatal(err)
	}
	got := postGraphQL(t, sim, ordersDoc, map[string]any{"pagination": map[string]any{"page": 1, "limit": 200}})
	doc := contract.Load(t, "listOrder_response.json")
	contract.SameShape(t, prune(t, doc, got), got,
		"data.listOrder.count", "data.listOrder.hasNext", "data.listOrder.page", "data.listOrder.limit",
		"data.listOrder.data[].orderLineItems[].unitPrice", "data.listOrder.data[].orderLineItems[].finalUnitPrice")
}

// prune keeps of the documented sample only the keys the reply has, so SameShape
// compares kinds and nesting of what the connector asks for (the sample shows far more).
func prune(t *testing.T, documented, got []byte) []byte {
	var d, g any
	if json.Unmarshal(documented, &d) != nil || json.Unmarshal(got, &g) != nil {
		t.Fatal("not JSON")
	}
	var walk func(d, g any) any
	walk = func(d, g any) any {
		switch dv := d.(type) {
		case map[string]any:
			gv, ok := g.(map[string]any)
			if !ok {
				return d
			}
			out := map[string]any{}
			for k, v := range dv {
				if sub, ok := gv[k]; ok {
					out[k] = walk(v, sub)
				}
			}
			return out
		case []any:
			gv, ok := g.([]any)
			if !ok || len(gv) == 0 {
				return d
			}
			out := make([]any, len(dv))
			for i := range dv {
				out[i] = walk(dv[i], gv[0])
			}
			return out
		}
		return d
	}
	b, _ := json.Marshal(walk(d, g))
	return b
}

func postGraphQL(t *testing.T, sim *ikassim.Server, doc string, vars map[string]any) []byte {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"contract-client-id"}, "client_secret": {"contract-client-secret"}}
	resp, err := http.Post(sim.URL+tokenPath, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	b, _ := json.Marshal(map[string]any{"query": doc, "variables": vars})
	req, _ := http.NewRequest("POST", sim.URL+graphqlPath, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return out
}
