package pazarsync_test

import (
	"testing"

	"syncagent/connectors/conformance"
	"syncagent/connectors/pazarsync"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/simkit"
)

// orderHarness runs the PazarSync simulator for the order cases. PazarSync documents no
// unpaid orders, so Pay is nil.
func orderHarness(t *testing.T, clock *simkit.FakeClock) *conformance.OrderSim {
	s := pazarsyncsim.New(pazarsyncsim.Options{ClientID: clientID, ClientSecret: clientSecret, Clock: clock})
	t.Cleanup(s.Close)
	return &conformance.OrderSim{
		Store: storeAt(s.URL),
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				if _, err := s.AddProduct(pazarsyncsim.Product{SKU: p.SKU, Name: "Ürün " + p.SKU, Stock: p.Qty, Price: p.Price}); err != nil {
					t.Fatal(err)
				}
			}
		},
		AddOrder: func(t testing.TB, lines []conformance.OrderLine, _ bool) string {
			var o pazarsyncsim.Order
			for _, l := range lines {
				o.Items = append(o.Items, pazarsyncsim.OrderItem{SKU: l.P.SKU, Quantity: l.Qty})
			}
			v, err := s.AddOrder(o)
			if err != nil {
				t.Fatal(err)
			}
			return v.ID
		},
		Advance: func(t testing.TB, id string) {
			if err := s.SetOrderStatus(id, "shipped"); err != nil {
				t.Fatal(err)
			}
		},
		Cancel: func(t testing.TB, id string) {
			if err := s.CancelOrder(id); err != nil {
				t.Fatal(err)
			}
		},
		CancelLine: func(t testing.TB, id string, l conformance.OrderLine) {
			v, _ := s.Order(id)
			for item, sku := range v.ItemSKUs {
				if sku == l.P.SKU {
					if err := s.CancelLine(id, item, l.Qty); err != nil {
						t.Fatal(err)
					}
					return
				}
			}
			t.Fatalf("order %s has no item of %s", id, l.P.SKU)
		},
		SetFaults:    s.SetFaults,
		Stats:        s.Stats,
		ListEndpoint: "orders",
		PageSize:     100,
	}
}

func TestOrderConformance(t *testing.T) {
	conformance.RunOrders(t, pazarsync.Marketplace, orderHarness)
}
