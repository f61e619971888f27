package ikas_test

import (
	"testing"

	"syncagent/connectors"
	"syncagent/connectors/conformance"
	"syncagent/connectors/ikas"
	"syncagent/connectors/money"
	"syncagent/connectors/sim/ikassim"
	"syncagent/connectors/sim/simkit"
)

const (
	// Canary credentials: the suite greps every log line and error for them.
	clientID     = "ikas-client-canary-5d81f0"
	clientSecret = "ikas-secret-canary-0b77e2"
	shop         = "deneme-magaza"
)

// buy is the buy price every seeded variant carries: the connector never manages it, so
// it must survive every price update.
const buy money.Kurus = 4321

func newSim(t testing.TB, clock *simkit.FakeClock, opt ikassim.Options) *ikassim.Server {
	opt.ClientID, opt.ClientSecret, opt.StoreName, opt.Clock = clientID, clientSecret, shop, clock
	s := ikassim.New(opt)
	t.Cleanup(s.Close)
	return s
}

// seedProduct adds one single-variant product the way the suite describes it: the list
// price is sellPrice, the sale price discountPrice (when lower), a buy price the
// merchant keeps, the quantity at the first location.
func seedProduct(t testing.TB, s *ikassim.Server, p conformance.Product) ikassim.Product {
	t.Helper()
	b := buy
	pr := ikassim.Price{Sell: max(p.ListPrice, p.Price), Buy: &b}
	if p.Price < pr.Sell {
		d := p.Price
		pr.Discount = &d
	}
	got, err := s.AddProduct(ikassim.Product{Name: "Ürün " + p.SKU, Variants: []ikassim.Variant{{SKU: p.SKU, Barcodes: []string{p.Barcode},
		Active: true, Prices: []ikassim.Price{pr}, Stock: map[string]float64{s.Locations()[0].ID: float64(p.Qty)}}}})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// observed is what the simulator shows of a SKU, read as the connector maps it.
func observed(t testing.TB, s *ikassim.Server, sku string) connectors.Observed {
	_, v, ok := s.VariantBySKU(sku)
	if !ok {
		return connectors.Observed{}
	}
	ob := connectors.Observed{Found: true}
	q := int64(v.Stock[s.Locations()[0].ID])
	ob.Qty = &q
	if dp := v.DefaultPrice(); dp != nil {
		if dp.Buy == nil || *dp.Buy != buy {
			t.Errorf("SKU %s: the merchant's buy price became %v", sku, dp.Buy)
		}
		sell, price := dp.Sell, dp.Sell
		if dp.Discount != nil && *dp.Discount < sell {
			price = *dp.Discount
		}
		ob.Price, ob.ListPrice = &price, &sell
	}
	return ob
}

func harness(t *testing.T, clock *simkit.FakeClock) *conformance.Sim {
	s := newSim(t, clock, ikassim.Options{})
	return &conformance.Sim{
		Store: storeAt(s.URL),
		BreakCredentials: func(st *connectors.Store) {
			st.Credentials["client_secret"] = clientSecret + "-wrong"
		},
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				seedProduct(t, s, p)
			}
		},
		Key:           func(p conformance.Product) string { return p.SKU },
		SetFaults:     s.SetFaults,
		State:         func(p conformance.Product) connectors.Observed { return observed(t, s, p.SKU) },
		Stats:         s.Stats,
		PushEndpoint:  "updateVariantPrices",
		ReadEndpoint:  "listProduct",
		TokenEndpoint: "token",
		ReadPage:      200,
		RevokeTokens:  s.RevokeTokens,
	}
}

func storeAt(url string) connectors.Store {
	return connectors.Store{
		Name: "ikas-main", Marketplace: ikas.Marketplace, BaseURL: url,
		Credentials: connectors.Credentials{"shop": shop, "client_id": clientID, "client_secret": clientSecret},
		Scope:       connectors.ScopeStock | connectors.ScopePrice,
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, ikas.Marketplace, harness) }
