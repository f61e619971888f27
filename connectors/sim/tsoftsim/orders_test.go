package tsoftsim

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestAddOrderTakesStock(t *testing.T) {
	s, _, _ := newSim(t, Options{})
	seed(t, s, 2)
	if _, err := s.AddSubProduct(SubProduct{Code: "TS-000-M", MainCode: "TS-000", Stock: 3, SellingPrice: 5000}); err != nil {
		t.Fatal(err)
	}
	v, err := s.AddOrder(Order{Lines: []OrderLine{{Code: "TS-001", Quantity: 2}, {Code: "TS-000-M", Quantity: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Total != 2*14990+3*5000 || v.Status != "Onay Bekliyor" || v.Lines["TS-000-M"] != 3 {
		t.Fatalf("order %+v", v)
	}
	p, _ := s.Product("TS-001")
	sp, _ := s.SubProduct("TS-000-M")
	if p.Stock != 8 || sp.Stock != 0 {
		t.Fatalf("stock %d %d", p.Stock, sp.Stock)
	}
	if _, err := s.AddOrder(Order{Lines: []OrderLine{{Code: "TS-000-M", Quantity: 1}}}); !errors.Is(err, simkit.ErrOutOfStock) {
		t.Fatalf("overselling: %v", err)
	}
	if err := s.CancelOrder(v.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOrderStatus(v.ID, StatusCancelled); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOrderStatus(v.ID, StatusShipped); !errors.Is(err, simkit.ErrState) {
		t.Fatalf("a cancelled order moved on: %v", err)
	}
	p, _ = s.Product("TS-001")
	sp, _ = s.SubProduct("TS-000-M")
	if p.Stock != 10 || sp.Stock != 3 {
		t.Fatalf("a cancellation restocks once: %d %d", p.Stock, sp.Stock)
	}
}

func TestOrderGet(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	seed(t, s, 1)
	var ids []int64
	for i := 0; i < 5; i++ {
		v, err := s.AddOrder(Order{Lines: []OrderLine{{Code: "TS-000", Quantity: 1, Discount: 500}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
		clock.Advance(time.Hour)
	}
	c.login()
	// 09:00 UTC is 12:00 in Turkey: the window is read in Turkey time.
	a := c.call("order/get", nil, "OrderDateTimeStart", "2026-10-01 13:00:00", "OrderDateTimeEnd", "2026-10-01 15:00:00",
		"orderby", "OrderId ASC", "limit", "2", "FetchProductData", "1").ok(t)
	rows := a.rows()
	if a.total() != float64(3) || len(rows) != 2 || rows[0]["OrderId"] != "5513" || rows[0]["OrderDate"] != "2026-10-01 13:00:00" {
		t.Fatalf("window: %s", a.raw)
	}
	r := rows[0]
	if r["OrderTotalPrice"] != "144,90" || r["OrderStatusId"] != "1" || r["OrderDateTimeStamp"] != float64(clock.Now().Add(-4*time.Hour).Unix()) || r["CustomerName"] != nil {
		t.Fatalf("row %v", r)
	}
	d := r["OrderDetails"].([]any)[0].(map[string]any)
	if d["Quantity"] != "1" || d["SellingPrice"] != "149,90" || d["Discount"] != "5,00" || d["ProductCode"] != "TS-000" || d["Vat"] != "20" {
		t.Fatalf("detail %v", d)
	}
	if rows := c.call("order/get", nil, "limit", "10").ok(t).rows(); len(rows) != 5 || rows[0]["OrderId"] != "5516" || rows[0]["OrderDetails"] != nil {
		t.Fatalf("newest first by default, lines only when asked: %v", rows[0])
	}
	full := c.call("order/get", nil, "limit", "1", "FetchCustomerData", "true", "FetchDeliveryAddress", "true", "FetchInvoiceAddress", "true").ok(t).rows()[0]
	if full["CustomerName"] != "Ayşe Yılmaz" || full["DeliveryCity"] != "İstanbul" || full["InvoiceTown"] != "Kadıköy" {
		t.Fatalf("fetched parts %v", full)
	}
	c.call("order/get", nil, "OrderDateTimeStart", "01.10.2026").refused(t, "tarih formatı hatalı")
	c.call("order/get", nil, "limit", "600").refused(t, "en fazla 500")

	if err := s.SetOrderStatus(ids[0], StatusShipped); err != nil {
		t.Fatal(err)
	}
	r = c.call("order/get", nil, "OrderCode", "TS-2026-5512").ok(t).rows()[0]
	if r["OrderStatus"] != "Kargoya Verildi" || r["CargoTrackingCode"] == "" || r["UpdateDateTimeStamp"] == r["OrderDateTimeStamp"] {
		t.Fatalf("status change %v", r)
	}
	if n := len(c.call("order/get", nil, "OrderStatusId", "5").ok(t).rows()); n != 1 {
		t.Fatalf("by status: %d", n)
	}

	a = c.call("order2/getOrders", nil, "OrderDateTimeStart", "2026-10-01T10:00:00Z", "OrderDateTimeEnd", "2026-10-01T11:00:00Z").ok(t)
	if len(a.rows()) != 2 || a.rows()[0]["OrderDetails"] == nil || a.rows()[0]["CustomerName"] == nil {
		t.Fatalf("order2: %s", a.raw)
	}
	c.call("order2/getOrders", nil, "OrderDateTimeStart", "2026-10-01 10:00:00").refused(t, "tarih formatı hatalı")
}

func TestOrderDetailForms(t *testing.T) {
	for _, form := range []string{"array", "string", "wrapped"} {
		s, _, c := newSim(t, Options{Details: form, Numbers: "json"})
		seed(t, s, 1)
		if _, err := s.AddOrder(Order{Lines: []OrderLine{{Code: "TS-000", Quantity: 2}}}); err != nil {
			t.Fatal(err)
		}
		c.login()
		r := c.call("order/get", nil, "FetchProductData", "1").ok(t).rows()[0]
		var lines []map[string]any
		switch v := r["OrderDetails"].(type) {
		case []any:
			if form != "array" {
				t.Fatalf("%s: array", form)
			}
			b, _ := json.Marshal(v)
			_ = json.Unmarshal(b, &lines)
		case string:
			if form != "string" {
				t.Fatalf("%s: string", form)
			}
			_ = json.Unmarshal([]byte(v), &lines)
		case map[string]any:
			if form != "wrapped" {
				t.Fatalf("%s: object", form)
			}
			b, _ := json.Marshal(v["OrderDetail"])
			_ = json.Unmarshal(b, &lines)
		}
		if len(lines) != 1 || lines[0]["Quantity"] != float64(2) || lines[0]["SellingPrice"] != 149.9 || r["OrderId"] != float64(5512) {
			t.Fatalf("%s: %v", form, r)
		}
	}
}
