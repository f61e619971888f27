package tsoft_test

import (
	"strconv"
	"testing"

	"syncagent/connectors/conformance"
	"syncagent/connectors/sim/simkit"
	"syncagent/connectors/sim/tsoftsim"
	"syncagent/connectors/tsoft"
)

// orderHarness runs the order cases against a shop with the default status texts: a
// new order is "Onay Bekliyor" (new), an unpaid one "Ödeme Bekliyor" (awaiting), paid
// it is "Onaylandı", moved on "Kargoya Verildi", cancelled 9. T-Soft documents no
// cancellation of a single line, so CancelLine is nil.
func orderHarness(opt tsoftsim.Options, list string, settings ...string) conformance.OrderHarness {
	return func(t *testing.T, clock *simkit.FakeClock) *conformance.OrderSim {
		opt.User, opt.Password, opt.Clock = wsUser, wsPassword, clock
		s := tsoftsim.New(opt)
		t.Cleanup(s.Close)
		id := func(t testing.TB, v string) int64 {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		set := func(t testing.TB, v string, status int) {
			if err := s.SetOrderStatus(id(t, v), status); err != nil {
				t.Fatal(err)
			}
		}
		return &conformance.OrderSim{
			Store: storeAt(s.URL, settings...),
			Seed: func(t testing.TB, ps []conformance.Product) {
				for _, p := range ps {
					if _, err := s.AddProduct(tsoftsim.Product{Code: p.SKU, Barcode: p.Barcode, Stock: p.Qty, SellingPrice: p.Price}); err != nil {
						t.Fatal(err)
					}
				}
			},
			AddOrder: func(t testing.TB, lines []conformance.OrderLine, unpaid bool) string {
				o := tsoftsim.Order{StatusID: tsoftsim.StatusApproval}
				if unpaid {
					o.StatusID = tsoftsim.StatusPayment
				}
				for _, l := range lines {
					o.Lines = append(o.Lines, tsoftsim.OrderLine{Code: l.P.SKU, Quantity: l.Qty})
				}
				v, err := s.AddOrder(o)
				if err != nil {
					t.Fatal(err)
				}
				return strconv.FormatInt(v.ID, 10)
			},
			Pay:          func(t testing.TB, v string) { set(t, v, tsoftsim.StatusApproved) },
			Advance:      func(t testing.TB, v string) { set(t, v, tsoftsim.StatusShipped) },
			Cancel:       func(t testing.TB, v string) { set(t, v, tsoftsim.StatusCancelled) },
			SetFaults:    s.SetFaults,
			Stats:        s.Stats,
			ListEndpoint: list,
			PageSize:     100,
		}
	}
}

func TestOrderConformance(t *testing.T) {
	conformance.RunOrders(t, tsoft.Marketplace, orderHarness(tsoftsim.Options{}, "order-get"))
}

// TestOrderConformanceDetailsAsString reads lines sent as a JSON string inside the row,
// with numbers as strings with a decimal point.
func TestOrderConformanceDetailsAsString(t *testing.T) {
	conformance.RunOrders(t, tsoft.Marketplace, orderHarness(tsoftsim.Options{Numbers: "dot", Details: "string"}, "order-get"))
}

// TestOrderConformanceOrder2 reads the older order2/getOrders of a shop that writes
// numbers as JSON numbers and wraps the lines in {"OrderDetail": …}.
func TestOrderConformanceOrder2(t *testing.T) {
	conformance.RunOrders(t, tsoft.Marketplace, orderHarness(tsoftsim.Options{Numbers: "json", Details: "wrapped"}, "order2-get", "orders_method", "order2/getOrders"))
}
