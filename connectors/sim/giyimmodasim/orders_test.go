package giyimmodasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"strconv"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestOrders(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	ps := seed(t, s, 2)
	dress, _ := s.AddProduct(Product{Name: "Elbise", UnitPrice: 50000, Stock: 4, Variants: []Variant{{Name: "M", Qty: 7}}})
	if _, err := s.AddOrder(Order{Items: []OrderItem{{ProductID: ps[0].ID, Quantity: 11}}}); !errors.Is(err, simkit.ErrOutOfStock) {
		t.Fatalf("oversell: %v", err)
	}
	first, err := s.AddOrder(Order{Items: []OrderItem{
		{ProductID: ps[0].ID, Quantity: 2, Tax: 1000, ShippingCost: 2500},
		{ProductID: dress.ID, Quantity: 3, Variation: "M"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Product(dress.ID); p.Stock != 4 || p.Variants[0].Qty != 4 {
		t.Fatalf("variant stock %+v", p)
	}
	var ids []int64
	for i := 0; i < 20; i++ {
		clock.Advance(12 * time.Hour)
		o, err := s.AddOrder(Order{Items: []OrderItem{{ProductID: ps[1].ID, Quantity: 1}}, PaymentStatus: []string{"paid", "unpaid"}[i%2]})
		if err != nil && i < 10 {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if _, err := s.AddOrder(Order{OtherSeller: true, Items: []OrderItem{{ProductID: ps[0].ID, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	a := c.do("GET", "/api/seller/orders", nil).want(t, 200)
	pg := a.body["pagination"].(map[string]any)
	if pg["total"] != float64(11) || len(a.list()) != 11 {
		t.Fatalf("orders %v (another seller's order must not be listed)", pg)
	}
	newest := a.list()[0]
	if newest["id"] != float64(ids[9]) || newest["grand_total"] != "199.99" || newest["date"] != "2026-10-06 12:00:00" {
		t.Fatalf("newest first, local dates, string amounts: %v", newest)
	}
	if l := c.do("GET", "/api/seller/orders?payment_status=unpaid&per_page=all", nil).want(t, 200).list(); len(l) != 5 {
		t.Fatalf("payment filter %d", len(l))
	}
	if l := c.do("GET", "/api/seller/orders?date_from=2026-10-02&date_to=2026-10-03", nil).want(t, 200).list(); len(l) != 4 {
		t.Fatalf("date filter %d", len(l))
	}
	c.do("GET", "/api/seller/orders?date_from=02.10.2026", nil).want(t, 422)
	code := newest["code"].(string)
	if l := c.do("GET", "/api/seller/orders?search="+code, nil).want(t, 200).list(); len(l) != 1 {
		t.Fatalf("search by code %d", len(l))
	}

	path := "/api/seller/orders/" + strconv.FormatInt(first.ID, 10)
	d := c.do("GET", path, nil).want(t, 200).data()
	// 2×199.99 + 2×10.00 tax + 25.00 shipping, plus 3×500.00.
	// The platform keeps shipping_address as json_encode([...]) in one column.
	var addr map[string]any
	if raw, ok := d["shipping_address"].(string); !ok || json.Unmarshal([]byte(raw), &addr) != nil || addr["city"] != "İstanbul" {
		t.Fatalf("shipping_address %#v", d["shipping_address"])
	}
	if d["grand_total"] != "1944.98" || d["payment_status"] != "paid" || d["coupon_discount"] != "0.00" {
		t.Fatalf("detail %v", d)
	}
	line := d["order_details"].([]any)[0].(map[string]any)
	if line["price"] != "399.98" || line["tax"] != "20.00" || line["shipping_cost"] != "25.00" || line["product_id"] != float64(ps[0].ID) {
		t.Fatalf("line %v", line)
	}
	c.do("PUT", path+"/status", map[string]any{"delivery_status": "shipped"}).want(t, 422)
	c.do("PUT", path+"/status", map[string]any{}).want(t, 422)
	c.do("PUT", path+"/status", map[string]any{"delivery_status": "picked_up", "tracking_code": "YK123"}).want(t, 200)
	d = c.do("GET", path, nil).want(t, 200).data()
	if d["delivery_status"] != "picked_up" || d["tracking_code"] != "YK123" || d["order_details"].([]any)[1].(map[string]any)["delivery_status"] != "picked_up" {
		t.Fatalf("status on every line %v", d)
	}
	c.do("POST", path+"/cancel", nil).want(t, 200)
	c.do("POST", path+"/cancel", nil).want(t, 422)
	c.do("PUT", path+"/status", map[string]any{"delivery_status": "delivered"}).want(t, 422)
	if p, _ := s.Product(ps[0].ID); p.Stock != 9 { // 10, less the other seller's order of 1
		t.Fatalf("cancel restored %d", p.Stock)
	}
	if p, _ := s.Product(dress.ID); p.Variants[0].Qty != 7 {
		t.Fatalf("variant restock %+v", p)
	}
	c.do("GET", "/api/seller/orders/99999", nil).want(t, 404)
	foreignID := strconv.FormatInt(ids[9]+1, 10)
	c.do("GET", "/api/seller/orders/"+foreignID, nil).want(t, 404)

	if err := s.CancelLine(ids[0], 99); err == nil {
		t.Fatal("CancelLine accepted an unknown line")
	}
	o, _ := s.Order(ids[0])
	if err := s.CancelLine(ids[0], o.DetailIDs[0]); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.Order(ids[0]); o.DeliveryStatus != "cancelled" {
		t.Fatalf("an order with no live line left is cancelled: %+v", o)
	}
	if err := s.SetPaymentStatus(ids[1], "paid"); err != nil {
		t.Fatal(err)
	}
	if l := c.do("GET", "/api/seller/orders?payment_status=unpaid&per_page=all", nil).want(t, 200).list(); len(l) != 4 {
		t.Fatalf("payment change not visible %d", len(l))
	}
}

func TestForeignOrder403AndInvoice(t *testing.T) {
	s, _, c := newSim(t, Options{ForeignStatus: 403})
	ps := seed(t, s, 1)
	mine, _ := s.AddOrder(Order{Items: []OrderItem{{ProductID: ps[0].ID, Quantity: 1}}})
	theirs, _ := s.AddOrder(Order{OtherSeller: true, Items: []OrderItem{{ProductID: ps[0].ID, Quantity: 1}}})
	c.do("GET", "/api/seller/orders/"+strconv.FormatInt(theirs.ID, 10), nil).want(t, 403)
	path := "/api/seller/orders/" + strconv.FormatInt(mine.ID, 10) + "/upload-invoice"
	c.do("POST", path, map[string]any{"invoice_file": "x"}).want(t, 422)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("note", "no file")
	mw.Close()
	c.send("POST", path, mw.FormDataContentType(), buf.Bytes()).want(t, 422)
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("invoice_file", "invoice.pdf")
	fw.Write([]byte("%PDF-1.4 test"))
	mw.Close()
	a := c.send("POST", path, mw.FormDataContentType(), buf.Bytes()).want(t, 200)
	if a.data()["order_id"] != float64(mine.ID) || a.data()["invoice_url"] == "" {
		t.Fatalf("invoice reply %s", a.raw)
	}
	if o, _ := s.Order(mine.ID); o.InvoiceURL == "" {
		t.Fatal("invoice not recorded")
	}
}

// TestOrderDetailReadings: the switches for what the documents leave open: the address
// as an object, line amounts per unit, the lines under another key or none, a coupon.
func TestOrderDetailReadings(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  Options
		want func(t *testing.T, d map[string]any)
	}{
		{"address object, unit prices, coupon", Options{AddressObject: true, UnitLinePrice: true}, func(t *testing.T, d map[string]any) {
			line := d["order_details"].([]any)[0].(map[string]any)
			if d["shipping_address"].(map[string]any)["postal_code"] != "34000" || line["price"] != "199.99" || line["tax"] != "10.00" ||
				d["grand_total"] != "434.98" || d["coupon_discount"] != "10.00" {
				t.Fatalf("detail %v", d)
			}
		}},
		{"lines under items", Options{LinesKey: "items"}, func(t *testing.T, d map[string]any) {
			if d["order_details"] != nil || len(d["items"].([]any)) != 1 || d["items"].([]any)[0].(map[string]any)["price"] != "399.98" {
				t.Fatalf("detail %v", d)
			}
		}},
		{"no lines", Options{LinesKey: "-"}, func(t *testing.T, d map[string]any) {
			if d["order_details"] != nil || d["items"] != nil {
				t.Fatalf("detail %v", d)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _, cl := newSim(t, c.opt)
			p, err := s.AddProduct(Product{Name: "Gömlek", SKU: "G-1", UnitPrice: 19999, Stock: 10})
			if err != nil {
				t.Fatal(err)
			}
			o, err := s.AddOrder(Order{CouponDiscount: 1000, Items: []OrderItem{{ProductID: p.ID, Quantity: 2, Tax: 1000, ShippingCost: 2500}}})
			if err != nil {
				t.Fatal(err)
			}
			c.want(t, cl.do("GET", "/api/seller/orders/"+strconv.FormatInt(o.ID, 10), nil).want(t, 200).data())
		})
	}
}
