package giyimmoda

import (
	"testing"

	"syncagent/connectors/order"
)

func TestOrderStatus(t *testing.T) {
	for _, c := range []struct {
		delivery, payment, typ string
		want                   order.Status
	}{
		{"pending", "paid", "bank_payment", order.New},
		{"pending", "unpaid", "bank_payment", order.Awaiting},
		{"pending", "unpaid", "cash_on_delivery", order.New}, // paid at the door: ship it
		{"confirmed", "paid", "iyzico", order.Processing},
		{"on_the_way", "unpaid", "cash_on_delivery", order.Shipped},
		{"cancelled", "unpaid", "bank_payment", order.Cancelled},
		{"delivered", "paid", "wallet_payment", order.Delivered},
		{"somethingnew", "paid", "iyzico", order.New},
	} {
		if got := statusOf(c.delivery, c.payment, c.typ); got != c.want {
			t.Errorf("%s/%s/%s = %s, want %s", c.delivery, c.payment, c.typ, got, c.want)
		}
	}
}
