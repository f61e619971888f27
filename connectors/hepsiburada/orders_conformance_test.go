package hepsiburada_test

import (
	"testing"

	"syncagent/connectors/conformance"
	"syncagent/connectors/hepsiburada"
	"syncagent/connectors/sim/hepsiburadasim"
	"syncagent/connectors/sim/simkit"
)

// orderHarness runs the simulator for the order cases: Advance packs every open line of
// the order, then ships the package; unpaid orders come from /paymentawaiting.
func orderHarness(t *testing.T, clock *simkit.FakeClock) *conformance.OrderSim {
	s := newSim(t, clock, hepsiburadasim.Options{})
	return &conformance.OrderSim{
		Store: storeAt(s.URL),
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				if _, err := s.AddListing(hepsiburadasim.Listing{MerchantSku: p.SKU, Barcode: p.Barcode, Stock: p.Qty, Price: p.Price}); err != nil {
					t.Fatal(err)
				}
			}
		},
		AddOrder: func(t testing.TB, lines []conformance.OrderLine, unpaid bool) string {
			o := hepsiburadasim.Order{Unpaid: unpaid}
			for _, l := range lines {
				o.Lines = append(o.Lines, hepsiburadasim.OrderLine{MerchantSku: l.P.SKU, Quantity: l.Qty})
			}
			v, err := s.AddOrder(o)
			if err != nil {
				t.Fatal(err)
			}
			return v.Number
		},
		Pay: func(t testing.TB, id string) {
			if err := s.Pay(id); err != nil {
				t.Fatal(err)
			}
		},
		Advance: func(t testing.TB, id string) {
			pn, err := s.PackOrder(id)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Ship(pn); err != nil {
				t.Fatal(err)
			}
		},
		Cancel: func(t testing.TB, id string) {
			if err := s.CancelOrder(id); err != nil {
				t.Fatal(err)
			}
		},
		CancelLine: func(t testing.TB, id string, l conformance.OrderLine) {
			if err := s.CancelLine(id, l.P.SKU); err != nil {
				t.Fatal(err)
			}
		},
		SetFaults:    s.SetFaults,
		Stats:        s.Stats,
		ListEndpoint: hepsiburadasim.EpOrders,
		PageSize:     100,
	}
}

func TestOrderConformance(t *testing.T) {
	conformance.RunOrders(t, hepsiburada.Marketplace, orderHarness)
}
