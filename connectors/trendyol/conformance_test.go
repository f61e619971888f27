package trendyol_test

import (
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/conformance"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/connectors/trendyol"
)

const (
	seller = "123456"
	// Canary credentials: the suite greps every log line and error for them.
	apiKey    = "tyKEY-canary-0b6d2f"
	apiSecret = "tySECRET-canary-94ae1c"
)

// harness runs the Trendyol simulator for the conformance suite.
func harness(t *testing.T, clock *simkit.FakeClock) *conformance.Sim {
	s := trendyolsim.New(trendyolsim.Options{SellerID: seller, APIKey: apiKey, APISecret: apiSecret, Clock: clock,
		ResultDelay: time.Second})
	t.Cleanup(s.Close)
	return &conformance.Sim{
		Store: storeAt(s.URL),
		BreakCredentials: func(st *connectors.Store) {
			st.Credentials["api_secret"] = apiSecret + "-wrong"
		},
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				if err := s.AddProduct(trendyolsim.Product{Barcode: p.Barcode, StockCode: p.SKU, Quantity: p.Qty,
					SalePrice: p.Price, ListPrice: p.ListPrice}); err != nil {
					t.Fatal(err)
				}
			}
		},
		Key:       func(p conformance.Product) string { return p.Barcode },
		SetFaults: s.SetFaults,
		State: func(p conformance.Product) connectors.Observed {
			sp, ok := s.Product(p.Barcode)
			if !ok {
				return connectors.Observed{}
			}
			return connectors.Observed{Found: true, Qty: &sp.Quantity, Price: &sp.SalePrice, ListPrice: &sp.ListPrice}
		},
		Stats:        s.Stats,
		PushEndpoint: "price-and-inventory",
		ReadEndpoint: "approved-inventory",
		ReadPage:     50,
		AsyncDelay:   time.Second,
	}
}

func storeAt(url string) connectors.Store {
	return connectors.Store{
		Name: "trendyol-main", Marketplace: trendyol.Marketplace, BaseURL: url + "/integration",
		Credentials: connectors.Credentials{"seller_id": seller, "api_key": apiKey,
			"api_secret": apiSecret},
		Scope: connectors.ScopeStock | connectors.ScopePrice,
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, trendyol.Marketplace, harness) }
