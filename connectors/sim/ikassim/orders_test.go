package ikassim

import (
	"errors"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

const ordersQ = `query($u: DateFilterInput) { listOrder(updatedAt: $u, sort: "updatedAt") { count data { id orderNumber status orderPaymentStatus orderPackageStatus updatedAt customer { firstName } orderLineItems { id status quantity price finalPrice variant { id sku } } orderPackages { id orderLineItemIds orderPackageFulfillStatus } } } }`

func TestOrdersMoveAndAreListedByUpdatedAt(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 2)
	c.login()
	o, err := s.AddOrder(Order{Lines: []OrderLine{{SKU: "SKU-000", Quantity: 2}, {SKU: "SKU-001", Quantity: 1, NullSKU: true}}, NoCustomer: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddOrder(Order{Lines: []OrderLine{{SKU: "SKU-000", Quantity: 9}}}); !errors.Is(err, simkit.ErrOutOfStock) {
		t.Fatalf("overselling: %v", err)
	}
	a := c.gql(ordersQ, nil)
	if a.at("data", "listOrder", "data", 0, "customer") != nil || a.at("data", "listOrder", "data", 0, "orderLineItems", 1, "variant", "sku") != nil ||
		a.at("data", "listOrder", "data", 0, "orderNumber") != "1001" || a.at("data", "listOrder", "data", 0, "orderPackageStatus") != "UNFULFILLED" {
		t.Fatalf("%s", a.raw)
	}
	clock.Advance(time.Minute)
	since := clock.Now().UnixMilli()
	q := `mutation($i: FulfillOrderInput!) { fulfillOrder(input: $i) { orderPackageStatus orderPackages { orderPackageFulfillStatus } } }`
	in := map[string]any{"orderId": o.ID, "lines": []any{map[string]any{"orderLineItemId": o.LineIDs[0], "quantity": 2}}}
	if a := c.gql(q, map[string]any{"i": in}); a.at("data", "fulfillOrder", "orderPackageStatus") != "PARTIALLY_FULFILLED" {
		t.Fatalf("%s", a.raw)
	}
	if a := c.gql(q, map[string]any{"i": in}); a.code() != "ORDER_LINE_IS_ALREADY_PACKAGED" {
		t.Fatalf("packed twice: %s", a.raw)
	}
	if a := c.gql(ordersQ, map[string]any{"u": map[string]any{"gte": since}}); a.at("data", "listOrder", "count") != 1.0 {
		t.Fatalf("updatedAt filter: %s", a.raw)
	}
	if err := s.CancelLine(o.ID, o.LineIDs[1]); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Order(o.ID); v.Status != "PARTIALLY_CANCELLED" || v.LineStatus[o.LineIDs[1]] != "CANCELLED" {
		t.Fatalf("%+v", v)
	}
	p, _, _ := s.VariantBySKU("SKU-001")
	if p.Variants[0].Stock[s.Locations()[0].ID] != 10 {
		t.Fatal("the cancelled line's unit did not come back")
	}
	if err := s.CancelOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelOrder(o.ID); !errors.Is(err, simkit.ErrState) {
		t.Fatalf("cancelled twice: %v", err)
	}
}
