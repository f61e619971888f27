package n11_test

import (
	"testing"

	"syncagent/connectors/conformance"
	"syncagent/connectors/n11"
	"syncagent/connectors/sim/n11sim"
	"syncagent/connectors/sim/simkit"
)

// orderHarness runs the n11 simulator for the order cases. An order is keyed by its
// orderNumber; the hooks act on the order's live package, as the seller's panel would.
// n11 lists no unpaid orders (Created is paid), so Pay is nil.
func orderHarness(t *testing.T, clock *simkit.FakeClock) *conformance.OrderSim {
	s := n11sim.New(n11sim.Options{AppKey: appKey, AppSecret: appSecret, Clock: clock})
	t.Cleanup(s.Close)
	live := func(t testing.TB, number string) n11sim.Package {
		t.Helper()
		p, ok := s.LivePackage(number)
		if !ok {
			t.Fatalf("order %s has no live package", number)
		}
		return p
	}
	return &conformance.OrderSim{
		Store: storeAt(s.URL),
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				if err := s.AddProduct(n11sim.Product{StockCode: p.SKU, Barcode: p.Barcode, Quantity: p.Qty,
					SalePrice: p.Price, ListPrice: p.ListPrice}); err != nil {
					t.Fatal(err)
				}
			}
		},
		AddOrder: func(t testing.TB, lines []conformance.OrderLine, _ bool) string {
			var o n11sim.Order
			for _, l := range lines {
				o.Lines = append(o.Lines, n11sim.OrderLine{StockCode: l.P.SKU, Quantity: l.Qty})
			}
			p, err := s.AddOrder(o)
			if err != nil {
				t.Fatal(err)
			}
			return p.OrderNumber
		},
		Advance: func(t testing.TB, number string) {
			for _, st := range []string{n11sim.StatusPicking, n11sim.StatusShipped} {
				if err := s.SetPackageStatus(live(t, number).ID, st); err != nil {
					t.Fatal(err)
				}
			}
		},
		Cancel: func(t testing.TB, number string) {
			if err := s.CancelOrder(number); err != nil {
				t.Fatal(err)
			}
		},
		CancelLine: func(t testing.TB, number string, l conformance.OrderLine) {
			p := live(t, number)
			for _, pl := range p.Lines {
				if pl.StockCode == l.P.SKU {
					if _, err := s.CancelLine(p.ID, pl.LineID, l.Qty); err != nil {
						t.Fatal(err)
					}
					return
				}
			}
			t.Fatalf("order %s has no line of %s", number, l.P.SKU)
		},
		SetFaults:    s.SetFaults,
		Stats:        s.Stats,
		ListEndpoint: "shipment-packages",
		PageSize:     100,
	}
}

func TestOrderConformance(t *testing.T) { conformance.RunOrders(t, n11.Marketplace, orderHarness) }
