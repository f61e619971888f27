package api

import "encoding/json"

// OrderListItem is one entry of GET /api/v1/orders: no lines, so every new or changed
// order needs a detail call (shared/marketplaces/pazarsync.md §7).
type OrderListItem struct {
	ID          string          `json:"id"`
	OrderNumber string          `json:"order_number"`
	Marketplace string          `json:"marketplace"`
	Status      string          `json:"status"`
	TotalAmount json.RawMessage `json:"total_amount"`
	ItemsCount  int             `json:"items_count"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
}

// OrderPage is one page of the order list (pages start at 1, at most 100 a page).
type OrderPage struct {
	Data []OrderListItem `json:"data"`
	Meta Meta            `json:"meta"`
}

// Order is GET /api/v1/orders/{id}.
type Order struct {
	ID              string          `json:"id"`
	OrderNumber     string          `json:"order_number"`
	Marketplace     string          `json:"marketplace"`
	Status          string          `json:"status"`
	Customer        OrderCustomer   `json:"customer"`
	ShippingAddress OrderAddress    `json:"shipping_address"`
	Items           []OrderItem     `json:"items"`
	TotalAmount     json.RawMessage `json:"total_amount"`
	ShippingFee     json.RawMessage `json:"shipping_fee"`
	TaxAmount       json.RawMessage `json:"tax_amount"`
	DiscountAmount  json.RawMessage `json:"discount_amount"`
	CreatedAt       string          `json:"created_at"`
	UpdatedAt       string          `json:"updated_at"`
}

// OrderCustomer is the buyer.
type OrderCustomer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// OrderAddress is the shipping address; State holds the district (e.g. Kadıköy).
type OrderAddress struct {
	Line1      string `json:"address_line1"`
	Line2      string `json:"address_line2"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// OrderItem is one line; unit_price and total_price are numbers in TRY.
type OrderItem struct {
	ID         string          `json:"id"`
	ProductID  string          `json:"product_id"`
	SKU        string          `json:"sku"`
	Name       string          `json:"name"`
	Quantity   int64           `json:"quantity"`
	UnitPrice  json.RawMessage `json:"unit_price"`
	TotalPrice json.RawMessage `json:"total_price"`
}
