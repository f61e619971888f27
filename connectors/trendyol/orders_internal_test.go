package trendyol

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors/order"
	"syncagent/connectors/trendyol/api"
)

// A package as the stream sends it: per-unit amounts, orderDate on the GMT+3 wall
// clock, a commercial buyer; and one with the pre-rename field names.
func TestNormalizePackage(t *testing.T) {
	const body = `{"shipmentPackageId":3330111,"orderNumber":"10654411111","status":"Picking",
	"orderDate":1759330800000,"lastModifiedDate":1759320000500,"currencyCode":"TRY",
	"customerFirstName":"Ayşe","customerLastName":"Yılmaz","customerEmail":"pf+x@trendyolmail.com","commercial":true,
	"cargoTrackingNumber":7330123,"cargoProviderName":"Trendyol Express","originPackageIds":[3330100],
	"shipmentAddress":{"firstName":"Ayşe","lastName":"Yılmaz","address1":"Moda Cad. 12","district":"Kadıköy","city":"İstanbul","postalCode":"34710","countryCode":"TR","phone":"5XXXXXXXXX"},
	"invoiceAddress":{"company":"Yılmaz Ltd","taxOffice":"Kadıköy","taxNumber":"1234567890","fullName":"Ayşe Yılmaz"},
	"lines":[{"lineId":4765111111,"barcode":"8680000000011","stockCode":"A1","productName":"Gömlek","quantity":2,
	  "lineGrossAmount":100.00,"lineSellerDiscount":10.00,"lineTyDiscount":2.5,"lineTotalDiscount":12.5,"lineUnitPrice":87.50,"vatRate":20,
	  "orderLineItemStatusName":"Picking"},
	 {"id":4765111112,"barcode":"8680000000028","merchantSku":"A2","quantity":1,"price":49.99,"vatRate":10}]}`
	var p api.Package
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	o, err := normalizePackage(&p, &unknownStatuses{log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "10654411111" || o.Number != o.ID || o.Status != order.Processing || o.RawStatus != "Picking" {
		t.Fatalf("keys/status: %+v", o)
	}
	// 1759330800000 is 2025-10-01 15:00 on the GMT+3 wall clock, i.e. 12:00 UTC.
	if want := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC); !o.OrderedAt.Equal(want) {
		t.Fatalf("ordered at %v, want %v", o.OrderedAt.UTC(), want)
	}
	if o.Customer.Company != "Yılmaz Ltd" || o.Customer.TaxNumber != "1234567890" || o.ShipTo.District != "Kadıköy" {
		t.Fatalf("customer %+v ship %+v", o.Customer, o.ShipTo)
	}
	pk := o.Packages[0]
	if pk.ID != "3330111" || pk.Origin[0] != "3330100" || pk.CargoTracking != "7330123" {
		t.Fatalf("package %+v", pk)
	}
	l := pk.Lines[0]
	if l.SKU != "A1" || l.UnitPrice != 10000 || l.Discount != 2500 || l.Total != 17500 || l.VATRate != 2000 {
		t.Fatalf("line %+v", l)
	}
	l2 := pk.Lines[1]
	if l2.ID != "4765111112" || l2.SKU != "A2" || l2.Total != 4999 || l2.UnitPrice != 4999 || l2.VATRate != 1000 {
		t.Fatalf("old field names: %+v", l2)
	}
	if tot := o.Totals(); tot.Total != 22499 || tot.Units != 3 {
		t.Fatalf("totals %+v", tot)
	}
}

// TestEveryDocumentedStatusIsMapped: every status word Trendyol's documents list has an
// explicit mapping; an unknown one counts as New and is logged once, with the order
// number it came with.
func TestEveryDocumentedStatusIsMapped(t *testing.T) {
	want := map[string]order.Status{
		"Awaiting": order.Awaiting, "Created": order.New, "Picking": order.Processing, "Invoiced": order.Processing,
		"Verified": order.Processing, "Repack": order.Processing, "Shipped": order.Shipped, "AtCollectionPoint": order.Shipped,
		"Delivered": order.Delivered, "UnDelivered": order.Returned, "Returned": order.Returned,
		"Cancelled": order.Cancelled, "UnSupplied": order.Cancelled, "UnPacked": order.Split,
	}
	for raw, st := range want {
		got, known := statusOf(raw)
		if !known || got != st {
			t.Errorf("%s: %v (known %v), want %v", raw, got, known, st)
		}
	}
	if len(statuses) != len(want) {
		t.Errorf("%d statuses mapped, %d expected", len(statuses), len(want))
	}

	var logged bytes.Buffer
	unknown := &unknownStatuses{log: zerolog.New(&logged)}
	pkg := func(id, number, status string) *api.Package {
		return &api.Package{ShipmentPackageID: json.Number(id), OrderNumber: number, Status: status,
			Lines: []api.Line{{LineID: "1", Barcode: "869", StockCode: "A", Quantity: 1, LineUnitPrice: json.RawMessage("10"), StatusName: status}}}
	}
	for _, p := range []*api.Package{pkg("11", "1001", "Verified"), pkg("12", "1002", "YeniStatu"), pkg("13", "1003", "YeniStatu")} {
		o, err := normalizePackage(p, unknown)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status == "YeniStatu" && (o.Status != order.New || o.RawStatus != "YeniStatu") {
			t.Fatalf("unknown status became %v/%q", o.Status, o.RawStatus)
		}
	}
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"order":"1002"`) || !strings.Contains(lines[0], `unknown status \"YeniStatu\"`) || strings.Contains(logged.String(), "Verified") {
		t.Fatalf("logged %q; want one line naming order 1002", logged.String())
	}
}
