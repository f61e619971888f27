package pazarsync_test

import (
	"testing"

	"syncagent/connectors"
	"syncagent/connectors/conformance"
	"syncagent/connectors/pazarsync"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/simkit"
)

const (
	clientID = "ps-client-1"
	// A canary secret: the suite greps every log line and error for it.
	clientSecret = "psSECRET-canary-51c0de"
)

func harness(t *testing.T, clock *simkit.FakeClock) *conformance.Sim {
	s := pazarsyncsim.New(pazarsyncsim.Options{ClientID: clientID, ClientSecret: clientSecret, Clock: clock})
	t.Cleanup(s.Close)
	return &conformance.Sim{
		Store: storeAt(s.URL),
		BreakCredentials: func(st *connectors.Store) {
			st.Credentials["client_secret"] = clientSecret + "-wrong"
		},
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				if _, err := s.AddProduct(pazarsyncsim.Product{SKU: p.SKU, Stock: p.Qty, Price: p.Price}); err != nil {
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
			return connectors.Observed{Found: true, Qty: &sp.Stock}
		},
		Stats:         s.Stats,
		PushEndpoint:  "stocks-batch",
		ReadEndpoint:  "products",
		TokenEndpoint: "token",
		ReadPage:      100,
		RevokeTokens:  s.RevokeTokens,
	}
}

func storeAt(url string) connectors.Store {
	return connectors.Store{
		Name: "pazarsync-main", Marketplace: pazarsync.Marketplace, BaseURL: url,
		Credentials: connectors.Credentials{"client_id": clientID, "client_secret": clientSecret},
		Scope:       connectors.ScopeStock,
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, pazarsync.Marketplace, harness) }
