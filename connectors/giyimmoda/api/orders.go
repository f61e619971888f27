package api

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
// the order_details lines. Its shape is not documented; it is read from the data model.
type OrderDetail struct {
	OrderSummary
	ShippingAddress OrderAddress `json:"shipping_address"`
	TrackingCode    *string      `json:"tracking_code"`
	Details         []OrderLine  `json:"order_details"`
}

// OrderAddress is the one shipping_address field.
type OrderAddress struct {
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	City       string `json:"city"`
	Country    string `json:"country"`
	PostalCode string `json:"postal_code"`
	TCIdentity string `json:"tc_identity_number"`
}

// OrderLine is one order_details row. Price and tax are for the whole line (unit ×
// quantity), as strings.
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
