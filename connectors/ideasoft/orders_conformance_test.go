package ideasoft_test

import (
	"strconv"
	"testing"

	"syncagent/connectors/conformance"
	"syncagent/connectors/ideasoft"
	"syncagent/connectors/sim/ideasoftsim"
	"syncagent/connectors/sim/simkit"
)

// orderHarness runs the IdeaSoft simulator for the order cases. IdeaSoft cancels whole
// orders only, so CancelLine is nil; an unpaid order is a bank transfer waiting for its
// payment.
func orderHarness(t *testing.T, clock *simkit.FakeClock) *conformance.OrderSim {
	s := ideasoftsim.New(ideasoftsim.Options{ClientID: clientID, ClientSecret: clientSecret, Clock: clock, PerMinute: -1})
	t.Cleanup(s.Close)
	st := storeAt(s.URL, t.TempDir())
	st.Orders = true
	consent(t, s, st, clock)
	id := func(t testing.TB, v string) int64 {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return &conformance.OrderSim{
		Store: st,
		Seed:  func(t testing.TB, ps []conformance.Product) { seed(t, s, ps) },
		AddOrder: func(t testing.TB, lines []conformance.OrderLine, unpaid bool) string {
			o := ideasoftsim.Order{}
			if unpaid {
				o.PaymentStatus, o.PaymentType = "in_transaction", "Havale/EFT"
			}
			for _, l := range lines {
				o.Items = append(o.Items, ideasoftsim.OrderItem{SKU: l.P.SKU, Quantity: ideasoftsim.Units(int64(l.Qty))})
			}
			v, err := s.AddOrder(o)
			if err != nil {
				t.Fatal(err)
			}
			return strconv.FormatInt(v.ID, 10)
		},
		Pay: func(t testing.TB, v string) {
			if err := s.SetPaymentStatus(id(t, v), "success"); err != nil {
				t.Fatal(err)
			}
		},
		Advance: func(t testing.TB, v string) {
			if err := s.SetOrderStatus(id(t, v), "fulfilled"); err != nil {
				t.Fatal(err)
			}
		},
		Cancel: func(t testing.TB, v string) {
			if err := s.CancelOrder(id(t, v)); err != nil {
				t.Fatal(err)
			}
		},
		SetFaults:    s.SetFaults,
		Stats:        s.Stats,
		ListEndpoint: "orders",
		PageSize:     100,
	}
}

func TestOrderConformance(t *testing.T) {
	conformance.RunOrders(t, ideasoft.Marketplace, orderHarness)
}
