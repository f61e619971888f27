package tsoft_test

import (
	"testing"

	"syncagent/connectors"
	"syncagent/connectors/conformance"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/tsoftsim"
	"syncagent/connectors/tsoft"
)

const (
	wsUser = "syncagent"
	// A canary secret: the suite greps every log line and error for it.
	wsPassword = "tsPASSWORD-canary-77e1a9"
)

// storeAt is a store of the simulated shop with the given settings on top of the host.
func storeAt(url string, settings ...string) connectors.Store {
	set := map[string]string{"host": "www.ornekmagaza.com.tr"}
	for i := 0; i+1 < len(settings); i += 2 {
		set[settings[i]] = settings[i+1]
	}
	return connectors.Store{
		Name: "tsoft-main", Marketplace: tsoft.Marketplace, BaseURL: url,
		Credentials: connectors.Credentials{"user": wsUser, "password": wsPassword},
		Settings:    set,
		Scope:       connectors.ScopeStock | connectors.ScopePrice,
	}
}

// harness runs the simulator with opt; settings go to the store.
func harness(opt tsoftsim.Options, settings ...string) conformance.Harness {
	return func(t *testing.T, clock *simkit.FakeClock) *conformance.Sim {
		opt.User, opt.Password, opt.Clock = wsUser, wsPassword, clock
		s := tsoftsim.New(opt)
		t.Cleanup(s.Close)
		st := storeAt(s.URL, settings...)
		return &conformance.Sim{
			Store: st,
			BreakCredentials: func(st *connectors.Store) {
				st.Credentials["password"] = wsPassword + "-wrong"
			},
			Seed: func(t testing.TB, ps []conformance.Product) {
				for _, p := range ps {
					if _, err := s.AddProduct(tsoftsim.Product{Code: p.SKU, Barcode: p.Barcode, Stock: p.Qty, SellingPrice: p.Price}); err != nil {
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
				return connectors.Observed{Found: true, Qty: &sp.Stock, Price: &sp.SellingPrice}
			},
			Stats:         s.Stats,
			PushEndpoint:  "update-products",
			ReadEndpoint:  "product-get",
			TokenEndpoint: "login",
			ReadPage:      50,
			RevokeTokens:  s.RevokeTokens,
			Features:      declared(st),
		}
	}
}

// declared is what the connector declares for st: the registration's features, but one
// request per push in update_mode: array.
func declared(st connectors.Store) *connectors.Features {
	info, _ := connectors.Find(tsoft.Marketplace)
	f := info.Features
	if st.Settings["update_mode"] == "array" {
		f.PerItem = false
	}
	return &f
}

// TestConformance runs the suite in the default settings: one product per update call,
// the sale price in SellingPrice, numbers with a decimal comma.
func TestConformance(t *testing.T) {
	conformance.Run(t, tsoft.Marketplace, harness(tsoftsim.Options{}))
}

// TestConformanceArrayUpdates runs it with update_mode: array against a shop that takes
// arrays, and every number as JSON numbers. (prices: discounted changes the connector's
// ListPrice feature, which the suite's Capabilities case holds to the registration;
// tsoft_test.go covers it.)
func TestConformanceArrayUpdates(t *testing.T) {
	conformance.Run(t, tsoft.Marketplace, harness(tsoftsim.Options{ArrayUpdates: true, Numbers: "json"}, "update_mode", "array"))
}
