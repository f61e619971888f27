package ikas_test

import (
	"testing"

	"syncagent/connectors/conformance"
	"syncagent/connectors/ikas"
	"syncagent/connectors/sim/ikassim"
	"syncagent/connectors/sim/simkit"
)

// orderHarness runs the ikas simulator for the order cases: orders are created paid
// (or WAITING for payment), moved on by packing every line into a FULFILLED package.
func orderHarness(t *testing.T, clock *simkit.FakeClock) *conformance.OrderSim {
	s := newSim(t, clock, ikassim.Options{})
	st := storeAt(s.URL)
	st.Orders = true
	lines := map[string][]conformance.OrderLine{}
	must := func(t testing.TB, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	return &conformance.OrderSim{
		Store: st,
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				seedProduct(t, s, p)
			}
		},
		AddOrder: func(t testing.TB, ls []conformance.OrderLine, unpaid bool) string {
			o := ikassim.Order{}
			if unpaid {
				o.PaymentStatus = "WAITING"
			}
			for _, l := range ls {
				o.Lines = append(o.Lines, ikassim.OrderLine{SKU: l.P.SKU, Quantity: l.Qty})
			}
			v, err := s.AddOrder(o)
			must(t, err)
			lines[v.ID] = ls
			return v.ID
		},
		Pay: func(t testing.TB, id string) { must(t, s.SetPaymentStatus(id, "PAID")) },
		Advance: func(t testing.TB, id string) {
			v, _ := s.Order(id)
			_, err := s.Fulfill(id, "FULFILLED", v.LineIDs...)
			must(t, err)
		},
		Cancel: func(t testing.TB, id string) { must(t, s.CancelOrder(id)) },
		CancelLine: func(t testing.TB, id string, l conformance.OrderLine) {
			v, _ := s.Order(id)
			for i, ol := range lines[id] {
				if ol.P.SKU == l.P.SKU {
					must(t, s.CancelLine(id, v.LineIDs[i]))
					return
				}
			}
			t.Fatalf("order %s has no line of %s", id, l.P.SKU)
		},
		SetFaults:    s.SetFaults,
		Stats:        s.Stats,
		ListEndpoint: "listOrder",
		PageSize:     200,
	}
}

func TestOrderConformance(t *testing.T) { conformance.RunOrders(t, ikas.Marketplace, orderHarness) }
