package trendyol_test

import (
	"testing"
	"time"

	"syncagent/connectors/conformance"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/trendyolsim"
	"syncagent/connectors/trendyol"
)

// orderHarness runs the Trendyol simulator for the order cases. An order is keyed by
// its orderNumber; the hooks find the order's live package the way Trendyol would.
func orderHarness(t *testing.T, clock *simkit.FakeClock) *conformance.OrderSim {
	s := trendyolsim.New(trendyolsim.Options{SellerID: seller, APIKey: apiKey, APISecret: apiSecret, Clock: clock})
	t.Cleanup(s.Close)
	live := func(t testing.TB, number string) trendyolsim.Package {
		t.Helper()
		for _, p := range s.Packages() {
			if p.OrderNumber == number && p.Status != trendyolsim.StatusCancelled && p.Status != trendyolsim.StatusUnPacked {
				return p
			}
		}
		t.Fatalf("order %s has no live package", number)
		return trendyolsim.Package{}
	}
	move := func(t testing.TB, number string, to ...string) {
		t.Helper()
		for _, st := range to {
			if err := s.SetOrderStatus(live(t, number).ID, st); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &conformance.OrderSim{
		Store: storeAt(s.URL),
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				if err := s.AddProduct(trendyolsim.Product{Barcode: p.Barcode, StockCode: p.SKU, Quantity: p.Qty,
					SalePrice: p.Price, ListPrice: p.ListPrice}); err != nil {
					t.Fatal(err)
				}
			}
		},
		AddOrder: func(t testing.TB, lines []conformance.OrderLine, unpaid bool) string {
			o := trendyolsim.Order{}
			if unpaid {
				o.Status = trendyolsim.StatusAwaiting
			}
			for _, l := range lines {
				o.Lines = append(o.Lines, trendyolsim.OrderLine{Barcode: l.P.Barcode, Quantity: l.Qty})
			}
			p, err := s.AddOrder(o)
			if err != nil {
				t.Fatal(err)
			}
			return p.OrderNumber
		},
		Pay: func(t testing.TB, id string) { move(t, id, trendyolsim.StatusCreated) },
		Advance: func(t testing.TB, id string) {
			move(t, id, trendyolsim.StatusPicking, trendyolsim.StatusInvoiced, trendyolsim.StatusShipped)
		},
		Cancel: func(t testing.TB, id string) {
			if err := s.CancelOrder(id); err != nil {
				t.Fatal(err)
			}
		},
		CancelLine: func(t testing.TB, id string, l conformance.OrderLine) {
			p := live(t, id)
			for _, pl := range p.Lines {
				if pl.Barcode == l.P.Barcode {
					if _, err := s.CancelLine(p.ID, pl.LineID, l.Qty); err != nil {
						t.Fatal(err)
					}
					return
				}
			}
			t.Fatalf("order %s has no line of %s", id, l.P.Barcode)
		},
		SetFaults:    s.SetFaults,
		Stats:        s.Stats,
		ListEndpoint: "orders-stream",
		PageSize:     200,
		MinSpacing:   5 * time.Second,
	}
}

func TestOrderConformance(t *testing.T) { conformance.RunOrders(t, trendyol.Marketplace, orderHarness) }
