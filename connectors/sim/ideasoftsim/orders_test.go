package ideasoftsim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

type orderJSON struct {
	ID            int64  `json:"id"`
	TransactionID string `json:"transactionId"`
	Status        string `json:"status"`
	PaymentStatus string `json:"paymentStatus"`
	Currency      string `json:"currency"`
	FinalAmount   float64
	OrderItems    []struct {
		ProductSKU      string  `json:"productSku"`
		ProductQuantity float64 `json:"productQuantity"`
		ProductPrice    float64 `json:"productPrice"`
	} `json:"orderItems"`
}

func TestOrders(t *testing.T) {
	s := newSim(t, Options{})
	tk := s.login()
	s.seed(Product{SKU: "KG", Stock: Units(10), Price1: 20000}, Product{SKU: "A", Stock: Units(2), Price1: 1000})
	if _, err := s.AddOrder(Order{Items: []OrderItem{{SKU: "A", Quantity: Units(3)}}}); !errors.Is(err, simkit.ErrOutOfStock) {
		t.Fatalf("overselling: %v", err)
	}
	first, err := s.AddOrder(Order{Items: []OrderItem{{SKU: "KG", Quantity: 150}}})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(48 * time.Hour)
	tk = s.login() // a day's access token has run out
	unpaid, _ := s.AddOrder(Order{PaymentStatus: "in_transaction", Items: []OrderItem{{SKU: "A", Quantity: Units(2)}}})
	if unpaid.Status != "waiting_for_payment" {
		t.Fatalf("an unpaid order starts %s", unpaid.Status)
	}
	if p, _ := s.Product("KG"); p.Stock != 850 {
		t.Fatalf("stock after 1.5 kg: %s", p.Stock)
	}
	list := func(q string) []orderJSON {
		t.Helper()
		r := s.call("GET", "/admin-api/orders?"+q, "", "", tk.AccessToken)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
		var out []orderJSON
		r.json(t, &out)
		return out
	}
	all := list("")
	if len(all) != 2 || all[0].Currency != "TL" || all[0].OrderItems[0].ProductQuantity != 1.5 || all[0].TransactionID == "" {
		t.Fatalf("orders %+v", all)
	}
	if got := list("sinceId=" + itoa64(first.ID)); len(got) != 1 || got[0].ID != unpaid.ID {
		t.Fatalf("sinceId: %+v", got)
	}
	today := s.clock.Now().In(istanbul).Format("2006-01-02")
	if got := list("startCreatedAt=" + today); len(got) != 1 || got[0].ID != unpaid.ID {
		t.Fatalf("startCreatedAt: %+v", got)
	}
	if got := list("status=waiting_for_payment"); len(got) != 1 {
		t.Fatalf("status: %+v", got)
	}
	if got := list("paymentStatus=success"); len(got) != 1 || got[0].ID != first.ID {
		t.Fatalf("paymentStatus: %+v", got)
	}
	if r := s.call("GET", "/admin-api/orders?status=shipped", "", "", tk.AccessToken); r.status != 400 {
		t.Fatalf("an unknown status: %d", r.status)
	}
	if r := s.call("GET", "/admin-api/orders?startCreatedAt=01.09.2026", "", "", tk.AccessToken); r.status != 400 {
		t.Fatalf("a date in another layout: %d", r.status)
	}
	// There is no updatedAt filter: the parameter changes nothing.
	if got := list("startUpdatedAt=2099-01-01"); len(got) != 2 {
		t.Fatalf("an updatedAt filter took effect: %d", len(got))
	}
	// Payment, then a cancellation that gives the stock back once.
	if err := s.SetPaymentStatus(unpaid.ID, "success"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Order(unpaid.ID); v.Status != "waiting_for_approval" || !v.UpdatedAt.After(unpaid.UpdatedAt) {
		t.Fatalf("after the payment: %+v", v)
	}
	for i := 0; i < 2; i++ {
		if err := s.CancelOrder(unpaid.ID); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := s.Product("A"); p.Stock != Units(2) {
		t.Fatalf("stock after a cancellation (twice): %s", p.Stock)
	}
	if err := s.SetOrderStatus(unpaid.ID, "approved"); !errors.Is(err, simkit.ErrState) {
		t.Fatalf("moving a cancelled order on: %v", err)
	}
	r := s.call("GET", "/admin-api/orders/"+itoa64(first.ID), "", "", tk.AccessToken)
	if r.status != 200 || !strings.Contains(string(r.body), `"productQuantity":1.50`) {
		t.Fatalf("one order: %d %s", r.status, r.body)
	}
}
