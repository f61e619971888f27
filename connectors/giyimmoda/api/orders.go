package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// OrderSummary is one entry of GET /api/seller/orders, and the head of the detail. The
// list has no updated_at and the endpoint no updated-since filter
// (shared/marketplaces/giyimmoda.md §6).
type OrderSummary struct {
	ID             Number        `json:"id"`
	Code           string        `json:"code"`
	Date           string        `json:"date"` // "Y-m-d H:i:s", Turkey time
	Customer       OrderCustomer `json:"customer"`
	PaymentType    string        `json:"payment_type"`
	PaymentStatus  string        `json:"payment_status"`  // paid | unpaid
	DeliveryStatus string        `json:"delivery_status"` // pending | confirmed | picked_up | on_the_way | delivered | cancelled
	GrandTotal     Number        `json:"grand_total"`
}

// OrderCustomer is the buyer of an order.
type OrderCustomer struct {
	ID    Number `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// OrderDetail is GET /api/seller/orders/{id}: the summary plus the shipping address and
// the order_details lines. Its shape is not documented; it is read from the data model
// (shared/marketplaces/giyimmoda.md §6), so the lines are looked for under the table's
// name and two other usual keys (Lines picks the first that has any).
type OrderDetail struct {
	OrderSummary
	ShippingAddress OrderAddress `json:"shipping_address"`
	TrackingCode    *string      `json:"tracking_code"`
	CouponDiscount  Number       `json:"coupon_discount"`
	Details         []OrderLine  `json:"order_details"`
	DetailsAlt      []OrderLine  `json:"details"`
	Items           []OrderLine  `json:"items"`
}

// Lines are the order's lines and the key they came under ("" when none was found).
func (d *OrderDetail) Lines() ([]OrderLine, string) {
	for _, c := range []struct {
		key   string
		lines []OrderLine
	}{{"order_details", d.Details}, {"details", d.DetailsAlt}, {"items", d.Items}} {
		if len(c.lines) > 0 {
			return c.lines, c.key
		}
	}
	return nil, ""
}

// OrderAddress is the one shipping_address field. The platform the seed's data model
// matches stores it as json_encode([...]) in one column, so it may arrive as an object
// or as a string holding that JSON; both are read (UnmarshalJSON). A string that is no
// JSON object is kept whole as the address line.
type OrderAddress struct {
	Name       string `json:"name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	City       string `json:"city"`
	State      string `json:"state"`
	Country    string `json:"country"`
	PostalCode string `json:"postal_code"`
	TCIdentity string `json:"tc_identity_number"`
}

// UnmarshalJSON takes an object, a string holding a JSON object, a plain string or null.
func (a *OrderAddress) UnmarshalJSON(b []byte) error {
	type plain OrderAddress
	t := bytes.TrimSpace(b)
	switch {
	case len(t) == 0 || string(t) == "null":
		*a = OrderAddress{}
		return nil
	case t[0] == '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "{") {
			var p plain
			if err := json.Unmarshal([]byte(s), &p); err != nil {
				return fmt.Errorf("shipping_address holds a string that is not the JSON it looks like: %w", err)
			}
			*a = OrderAddress(p)
			return nil
		}
		*a = OrderAddress{Address: s}
		return nil
	}
	var p plain
	if err := json.Unmarshal(t, &p); err != nil {
		return err
	}
	*a = OrderAddress(p)
	return nil
}

// OrderLine is one order_details row, amounts as strings. On the platform the data
// model matches, price and tax are for the whole line (unit × quantity); the connector
// checks that reading against the order's grand_total.
type OrderLine struct {
	ID             Number        `json:"id"`
	ProductID      Number        `json:"product_id"`
	Variation      string        `json:"variation"`
	Quantity       Number        `json:"quantity"`
	Price          Number        `json:"price"`
	Tax            Number        `json:"tax"`
	ShippingCost   Number        `json:"shipping_cost"`
	DeliveryStatus string        `json:"delivery_status"`
	Product        *OrderProduct `json:"product"`
}

// OrderProduct is the product a line names, when the detail carries it.
type OrderProduct struct {
	ID   Number  `json:"id"`
	Name string  `json:"name"`
	SKU  *string `json:"sku"`
}
