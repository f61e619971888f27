package giyimmoda_test

import (
	"testing"

	"syncagent/connectors"
	"syncagent/connectors/conformance"
	"syncagent/connectors/giyimmoda"
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/simkit"
)

const (
	// Canary credentials: the suite greps every log line and error for them.
	apiKey    = "sk_gmKEY-canary-3e71aa"
	apiSecret = "gmSECRET-canary-c4d205"
)

func harness(t *testing.T, clock *simkit.FakeClock) *conformance.Sim {
	s := giyimmodasim.New(giyimmodasim.Options{APIKey: apiKey, APISecret: apiSecret, Clock: clock})
	t.Cleanup(s.Close)
	ids := map[string]int64{}
	return &conformance.Sim{
		Store: storeAt(s.URL),
		BreakCredentials: func(st *connectors.Store) {
			st.Credentials["api_secret"] = apiSecret + "-wrong"
		},
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				gp, err := s.AddProduct(giyimmodasim.Product{SKU: p.SKU, Barcode: p.Barcode, Stock: p.Qty, UnitPrice: p.Price})
				if err != nil {
					t.Fatal(err)
				}
				ids[p.SKU] = gp.ID
			}
		},
		Key:       func(p conformance.Product) string { return p.SKU },
		SetFaults: s.SetFaults,
		State: func(p conformance.Product) connectors.Observed {
			id, ok := ids[p.SKU]
			if !ok {
				return connectors.Observed{}
			}
			gp, ok := s.Product(id)
			if !ok {
				return connectors.Observed{}
			}
			return connectors.Observed{Found: true, Qty: &gp.Stock, Price: &gp.UnitPrice}
		},
		Stats:        s.Stats,
		PushEndpoint: "bulk-update",
		ReadEndpoint: "products",
		ReadPage:     100,
	}
}

func storeAt(url string) connectors.Store {
	return connectors.Store{
		Name: "giyimmoda-main", Marketplace: giyimmoda.Marketplace, BaseURL: url,
		Credentials: connectors.Credentials{"api_key": apiKey, "api_secret": apiSecret},
		Scope:       connectors.ScopeStock | connectors.ScopePrice,
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, giyimmoda.Marketplace, harness) }
