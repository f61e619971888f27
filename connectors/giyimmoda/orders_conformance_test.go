package giyimmoda_test

import (
	"strconv"
	"testing"

	"syncagent/connectors/conformance"
	"syncagent/connectors/giyimmoda"
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/simkit"
)

// orderHarness runs the Giyim Moda simulator for the order cases. Order lines name
// product ids, which the connector maps back to SKUs through its product map.
func orderHarness(t *testing.T, clock *simkit.FakeClock) *conformance.OrderSim {
	s := giyimmodasim.New(giyimmodasim.Options{APIKey: apiKey, APISecret: apiSecret, Clock: clock})
	t.Cleanup(s.Close)
	ids := map[string]int64{}
	orderID := func(t testing.TB, id string) int64 {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	lines := map[string][]conformance.OrderLine{} // order id → lines in detail order
	return &conformance.OrderSim{
		Store: storeAt(s.URL),
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				gp, err := s.AddProduct(giyimmodasim.Product{Name: "Ürün " + p.SKU, SKU: p.SKU, Barcode: p.Barcode, Stock: p.Qty, UnitPrice: p.Price})
				if err != nil {
					t.Fatal(err)
				}
				ids[p.SKU] = gp.ID
			}
		},
		AddOrder: func(t testing.TB, ls []conformance.OrderLine, unpaid bool) string {
			o := giyimmodasim.Order{}
			if unpaid {
				o.PaymentStatus = "unpaid"
			}
			for _, l := range ls {
				o.Items = append(o.Items, giyimmodasim.OrderItem{ProductID: ids[l.P.SKU], Quantity: l.Qty, Tax: 100})
			}
			v, err := s.AddOrder(o)
			if err != nil {
				t.Fatal(err)
			}
			id := strconv.FormatInt(v.ID, 10)
			lines[id] = ls
			return id
		},
		Pay: func(t testing.TB, id string) {
			if err := s.SetPaymentStatus(orderID(t, id), "paid"); err != nil {
				t.Fatal(err)
			}
		},
		Advance: func(t testing.TB, id string) {
			if err := s.SetDeliveryStatus(orderID(t, id), "on_the_way"); err != nil {
				t.Fatal(err)
			}
		},
		Cancel: func(t testing.TB, id string) {
			if err := s.CancelOrder(orderID(t, id)); err != nil {
				t.Fatal(err)
			}
		},
		CancelLine: func(t testing.TB, id string, l conformance.OrderLine) {
			v, _ := s.Order(orderID(t, id))
			for i, ol := range lines[id] {
				if ol.P.SKU == l.P.SKU {
					if err := s.CancelLine(v.ID, v.DetailIDs[i]); err != nil {
						t.Fatal(err)
					}
					return
				}
			}
			t.Fatalf("order %s has no line of %s", id, l.P.SKU)
		},
		SetFaults:    s.SetFaults,
		Stats:        s.Stats,
		ListEndpoint: "orders",
		PageSize:     100,
	}
}

func TestOrderConformance(t *testing.T) {
	conformance.RunOrders(t, giyimmoda.Marketplace, orderHarness)
}
