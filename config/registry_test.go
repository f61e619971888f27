package config

import (
	"context"
	"strings"
	"testing"

	"syncagent/connectors"
	_ "syncagent/connectors/all" // the build's marketplaces, as the agent sees them
)

// testmarket is a marketplace that asks for nothing, so tests about other parts of the
// config need no credentials; its one option, api_key, is a secret for the tests that
// check masking and ${ENV} expansion.
type testConn struct{}

func (testConn) Features() connectors.Features { return connectors.Features{} }
func (testConn) FetchOrders(_ context.Context, _ connectors.OrderQuery) (connectors.OrderPage, error) {
	return connectors.OrderPage{}, nil
}
func (testConn) Push(context.Context, []connectors.Item) (connectors.Outcomes, error) {
	return nil, nil
}

func init() {
	connectors.Register(&connectors.RegInfo{
		Name: "testmarket", Description: "Test Market",
		Options:  []connectors.Option{{Name: "api_key", Secret: true, Help: "any key"}, {Name: "shop", Help: "a shop name"}},
		Features: connectors.Features{Updates: connectors.ScopeAll.Kinds(), TestMode: connectors.Sandbox, MaxBatch: 10},
		New:      func(*connectors.Store, connectors.Deps) (connectors.Connector, error) { return testConn{}, nil },
	})
}

// TestMarketplacePartCheckedAtLoad: what a marketplace asks of a store is checked while
// the file loads, through the registry, with the file, line and column of the key, so
// run, install, the service and check-config give the same verdict.
func TestMarketplacePartCheckedAtLoad(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"pazarsync with prices",
			"stores:\n  - name: ps\n    marketplace: pazarsync\n    credentials: {client_id: i, client_secret: s}\n    rules:\n      scope: stock+price\n",
			`config.yaml:6:14: stores[0].rules.scope: "stock+price" asks for prices, but PazarSync's API has no way to update prices, so they would never reach the store; set rules.scope: stock`},
		{"pazarsync on the default scope",
			"stores:\n  - name: ps\n    marketplace: pazarsync\n    credentials: {client_id: i, client_secret: s}\n",
			`config.yaml:2:5: stores[0].rules.scope: "stock+price" asks for prices`},
		{"missing credential points at the section",
			"stores:\n  - name: ty\n    marketplace: trendyol\n    credentials:\n      seller_id: '1'\n      api_key: k\n",
			`config.yaml:5:7: stores[0].credentials.api_secret: is required (the Trendyol API SECRET)`},
		{"unknown credential with a suggestion",
			"stores:\n  - name: ty\n    marketplace: trendyol\n    credentials: {seller_id: '1', api_key: k, api_secret: s, api_secert: x}\n",
			`config.yaml:4:74: stores[0].credentials.api_secert: Trendyol takes no credential "api_secert" (it takes seller_id, api_key, api_secret, integrator); did you mean "api_secret"?`},
		{"invalid value",
			"stores:\n  - name: ty\n    marketplace: trendyol\n    credentials: {seller_id: acme, api_key: k, api_secret: s}\n",
			`config.yaml:4:30: stores[0].credentials.seller_id: "acme" must be the numeric Trendyol seller id`},
		{"test mode without a sandbox",
			"stores:\n  - name: gm\n    marketplace: giyimmoda\n    test_mode: true\n    credentials: {api_key: k, api_secret: s}\n",
			`config.yaml:4:16: stores[0].test_mode: test_mode is on, but Giyim Moda has no test environment`},
		{"a bad scope word",
			"stores:\n  - name: a\n    marketplace: testmarket\n    rules: {scope: stok}\n",
			`config.yaml:4:20: stores[0].rules.scope: "stok" is not one of all, stock, price, stock+price; did you mean "stock"?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, c.yaml)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, c.want)
			}
		})
	}
	if _, err := parse(t, "stores:\n  - name: ps\n    marketplace: pazarsync\n    credentials: {client_id: i, client_secret: s}\n    rules: {scope: stock}\n"); err != nil {
		t.Fatalf("a valid PazarSync store refused: %v", err)
	}
}

func TestSummaryShowsPlainOptionsAndMasksSecrets(t *testing.T) {
	c, err := parse(t, "stores:\n  - name: ty\n    marketplace: trendyol\n    credentials: {seller_id: '4711', api_key: k-canary, api_secret: s-canary}\n")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	c.WriteSummary(&b)
	if !strings.Contains(b.String(), "credentials: seller_id=4711 api_key=*** api_secret=***") || strings.Contains(b.String(), "canary") ||
		!strings.Contains(b.String(), "marketplace: Trendyol: items by barcode, 1000 a request, 50 requests / 10s, confirmed asynchronously, updates stock+price") {
		t.Fatalf("summary:\n%s", b.String())
	}
	cs := c.Stores[0].Connector()
	if cs.Credentials.Get("api_key") != "k-canary" || cs.Scope != connectors.ScopeStock|connectors.ScopePrice || !cs.Orders {
		t.Fatalf("connector settings: %+v", cs)
	}
}
