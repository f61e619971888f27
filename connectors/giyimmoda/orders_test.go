package giyimmoda_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/giyimmoda"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/simkit"
)

// orderClient is a simulator with options and a connector on one fake clock.
func orderClient(t *testing.T, opt giyimmodasim.Options) (*giyimmodasim.Server, *simkit.FakeClock, *giyimmoda.Client) {
	t.Helper()
	clock := simkit.NewFakeClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	opt.APIKey, opt.APISecret, opt.Clock = apiKey, apiSecret, clock
	s := giyimmodasim.New(opt)
	t.Cleanup(s.Close)
	st := storeAt(s.URL)
	c, err := giyimmoda.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, c
}

// stated checks that the lines as read add up to the grand total Giyim Moda states:
// Σ (line total + line tax) + shipping − coupon.
func stated(t *testing.T, o order.Order) {
	t.Helper()
	var sum money.Kurus
	for _, p := range o.Packages {
		for _, l := range p.Lines {
			sum += l.Total + l.Tax
		}
	}
	if got := sum + o.ShippingFee - o.OrderDiscount; got != o.StatedTotal {
		t.Fatalf("the lines add up to %s, grand_total is %s: %+v", got, o.StatedTotal, o.Packages[0].Lines)
	}
}

// TestOrderDetailReadings: shipping_address as an object or as a string holding JSON,
// line amounts per line (the platform's behaviour) or per unit, lines under another key
// and a coupon all come out as the same order, whose lines add up to grand_total.
func TestOrderDetailReadings(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  giyimmodasim.Options
	}{
		{"documented platform: address a JSON string, prices per line", giyimmodasim.Options{}},
		{"address an object", giyimmodasim.Options{AddressObject: true}},
		{"prices per unit", giyimmodasim.Options{UnitLinePrice: true}},
		{"lines under items, prices per unit, address an object", giyimmodasim.Options{LinesKey: "items", UnitLinePrice: true, AddressObject: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _, conn := orderClient(t, c.opt)
			// Unit prices that divide by the quantity, so a guess by divisibility cannot
			// tell the readings apart: only the grand total can.
			shirt := add(t, s, giyimmodasim.Product{Name: "Gömlek", SKU: "G-1", UnitPrice: 30000, Stock: 10})
			belt := add(t, s, giyimmodasim.Product{Name: "Kemer", SKU: "K-1", UnitPrice: 12000, Stock: 10})
			v, err := s.AddOrder(giyimmodasim.Order{CouponDiscount: 5000,
				Customer: giyimmodasim.Customer{ID: 7, Name: "Ayşe Kaya", Email: "ayse@example.com", Phone: "05550000000",
					Address: "Moda Cad. 12", City: "İstanbul", Country: "Türkiye", PostalCode: "34710", TCIdentityNo: "12345678901"},
				Items: []giyimmodasim.OrderItem{{ProductID: shirt.ID, Quantity: 3, Tax: 6000, ShippingCost: 2500}, {ProductID: belt.ID, Quantity: 2, Tax: 2400}}})
			if err != nil {
				t.Fatal(err)
			}
			page, err := conn.FetchOrders(context.Background(), connectors.OrderQuery{Since: s.Now().Add(-24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Orders) != 1 {
				t.Fatalf("%d orders", len(page.Orders))
			}
			o := page.Orders[0]
			if a := o.ShipTo; a.Name != "Ayşe Kaya" || a.Line1 != "Moda Cad. 12" || a.City != "İstanbul" || a.PostalCode != "34710" || a.Country != "Türkiye" ||
				o.Customer.IdentityNumber != "12345678901" {
				t.Fatalf("address %+v customer %+v", a, o.Customer)
			}
			ls := o.Packages[0].Lines
			if len(ls) != 2 || ls[0].SKU != "G-1" || ls[0].Quantity != 3 || ls[0].UnitPrice != 30000 || ls[0].Total != 90000 || ls[0].Tax != 18000 ||
				ls[1].SKU != "K-1" || ls[1].UnitPrice != 12000 || ls[1].Total != 24000 || ls[1].Tax != 4800 {
				t.Fatalf("lines %+v", ls)
			}
			if o.StatedTotal != v.GrandTotal || o.OrderDiscount != 5000 || o.ShippingFee != 2500 {
				t.Fatalf("order amounts %+v", o)
			}
			stated(t, o)
		})
	}
}

// TestOrderWithoutLinesIsAnError: an order whose detail holds no lines is not imported
// as an empty order; the fetch fails naming the order, which the agent shows in
// `syncagent orders` and `status` (the fetch's last error), and the next fetch reads it
// again.
func TestOrderWithoutLinesIsAnError(t *testing.T) {
	s, _, conn := orderClient(t, giyimmodasim.Options{LinesKey: "-"})
	p := add(t, s, giyimmodasim.Product{Name: "Gömlek", SKU: "G-1", UnitPrice: 30000, Stock: 10})
	v, err := s.AddOrder(giyimmodasim.Order{Items: []giyimmodasim.OrderItem{{ProductID: p.ID, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := conn.FetchOrders(context.Background(), connectors.OrderQuery{Since: s.Now().Add(-24 * time.Hour)})
	if err == nil || len(page.Orders) != 0 {
		t.Fatalf("imported %+v", page.Orders)
	}
	if connectors.KindOf(err) != connectors.Permanent || !strings.Contains(err.Error(), "order "+v.Code) || !strings.Contains(err.Error(), "came without lines") {
		t.Fatalf("error %v", err)
	}
	if page.Cursor != "" {
		t.Fatalf("the cursor moved: %q", page.Cursor)
	}
}
