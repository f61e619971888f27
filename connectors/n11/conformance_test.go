package n11_test

import (
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/conformance"
	"syncagent/connectors/n11"
	"syncagent/connectors/sim/n11sim"
	"syncagent/connectors/sim/simkit"
)

const (
	// Canary credentials: the suite greps every log line and error for them.
	appKey    = "n11KEY-canary-7d1e09"
	appSecret = "n11SECRET-canary-3fa2b8"
)

// harness runs the n11 simulator for the conformance suite: tasks take a second, and a
// processed task's details are kept for the connector's assumed ResultTTL.
func harness(t *testing.T, clock *simkit.FakeClock) *conformance.Sim {
	s := n11sim.New(n11sim.Options{AppKey: appKey, AppSecret: appSecret, Clock: clock,
		TaskDelay: time.Second, TaskRetention: n11.ResultTTL})
	t.Cleanup(s.Close)
	return &conformance.Sim{
		Store: storeAt(s.URL),
		BreakCredentials: func(st *connectors.Store) {
			st.Credentials["appsecret"] = appSecret + "-wrong"
		},
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				if err := s.AddProduct(n11sim.Product{StockCode: p.SKU, Barcode: p.Barcode, Quantity: p.Qty,
					SalePrice: p.Price, ListPrice: p.ListPrice}); err != nil {
					t.Fatal(err)
				}
			}
		},
		Key:       func(p conformance.Product) string { return p.SKU },
		SetFaults: s.SetFaults,
		State: func(p conformance.Product) connectors.Observed {
			sp, ok := s.Product(p.SKU)
			if !ok {
				return connectors.Observed{}
			}
			return connectors.Observed{Found: true, Qty: &sp.Quantity, Price: &sp.SalePrice, ListPrice: &sp.ListPrice}
		},
		Stats:        s.Stats,
		PushEndpoint: "price-stock-update",
		ReadEndpoint: "product-query",
		ReadPage:     250,
		AsyncDelay:   time.Second,
	}
}

func storeAt(url string) connectors.Store {
	return connectors.Store{
		Name: "n11-main", Marketplace: n11.Marketplace, BaseURL: url,
		Credentials: connectors.Credentials{"appkey": appKey, "appsecret": appSecret},
		Scope:       connectors.ScopeStock | connectors.ScopePrice,
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, n11.Marketplace, harness) }
