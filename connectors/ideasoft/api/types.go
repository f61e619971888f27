// Package api holds the IdeaSoft Admin API's wire types for the token endpoint,
// products and orders (shared/marketplaces/ideasoft.md §1, §2, §4). Numbers that may
// carry decimals (stockAmount, price1, productQuantity, amounts) are kept raw and read
// exactly by the connector.
package api

import "encoding/json"

// TokenReply is POST /oauth/v2/token's answer to both grants.
type TokenReply struct {
	AccessToken  string          `json:"access_token"`
	TokenType    string          `json:"token_type"`
	ExpiresIn    json.RawMessage `json:"expires_in"`
	RefreshToken string          `json:"refresh_token"`
	Scope        string          `json:"scope"`
}

// OAuthError is the token endpoint's refusal (RFC 6749 §5.2): invalid_grant for a dead
// code or refresh token, invalid_client for a wrong client id or secret.
type OAuthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// ErrorReply is an Admin API error. Its shape is UNCONFIRMED; these are the fields
// third-party clients read, and errors holds a 422's messages by field.
type ErrorReply struct {
	Code        json.RawMessage `json:"code"`
	Error       string          `json:"error"`
	Description string          `json:"error_description"`
	Message     string          `json:"message"`
	Detail      string          `json:"detail"`
	Errors      json.RawMessage `json:"errors"`
}

// Ref is a reference to another record ({"id": 4711}).
type Ref struct {
	ID int64 `json:"id"`
}

// Currency is a product's currency.
type Currency struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
	Abbr  string `json:"abbr"`
}

// Product is one entry of GET /admin-api/products and the reply of a PUT. A variant is
// a product of its own with Parent set.
type Product struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	FullName    string          `json:"fullName"`
	SKU         string          `json:"sku"`
	Barcode     string          `json:"barcode"`
	StockAmount json.RawMessage `json:"stockAmount"`
	Price1      json.RawMessage `json:"price1"`
	Currency    *Currency       `json:"currency"`
	TaxIncluded *int            `json:"taxIncluded"`
	Tax         *int            `json:"tax"`
	Status      *int            `json:"status"`
	HasOption   *int            `json:"hasOption"`
	Parent      *Ref            `json:"parent"`
	Children    []Ref           `json:"children"`
	UpdatedAt   string          `json:"updatedAt"`
}

// Order is one entry of GET /admin-api/orders, with its lines.
type Order struct {
	ID                json.Number     `json:"id"`
	TransactionID     json.RawMessage `json:"transactionId"`
	Status            string          `json:"status"`
	PaymentStatus     string          `json:"paymentStatus"`
	PaymentTypeName   string          `json:"paymentTypeName"`
	Currency          string          `json:"currency"`
	CustomerFirstname string          `json:"customerFirstname"`
	CustomerSurname   string          `json:"customerSurname"`
	CustomerEmail     string          `json:"customerEmail"`
	CustomerPhone     string          `json:"customerPhone"`
	TaxAmount         json.RawMessage `json:"taxAmount"`
	CouponDiscount    json.RawMessage `json:"couponDiscount"`
	PromotionDiscount json.RawMessage `json:"promotionDiscount"`
	ShippingAmount    json.RawMessage `json:"shippingAmount"`
	FinalAmount       json.RawMessage `json:"finalAmount"`
	ShippingCompany   string          `json:"shippingCompanyName"`
	ShippingTracking  string          `json:"shippingTrackingCode"`
	ShippingAddress   *Address        `json:"shippingAddress"`
	BillingAddress    *Address        `json:"billingAddress"`
	OrderItems        []OrderItem     `json:"orderItems"`
	CreatedAt         string          `json:"createdAt"`
	UpdatedAt         string          `json:"updatedAt"`
}

// Address is an order's shipping or billing address. Its fields are not in the
// reference; these are the usual Ideashop names, read when present.
type Address struct {
	Firstname   string `json:"firstname"`
	Surname     string `json:"surname"`
	Address     string `json:"address"`
	SubLocation string `json:"subLocation"`
	Location    string `json:"location"`
	Country     string `json:"country"`
	PostalCode  string `json:"postalCode"`
	PhoneNumber string `json:"phoneNumber"`
}

// OrderItem is one line: productPrice per unit, productQuantity a number that may have
// decimals, productTax the VAT percent.
type OrderItem struct {
	ID              json.Number     `json:"id"`
	ProductName     string          `json:"productName"`
	ProductSKU      string          `json:"productSku"`
	ProductBarcode  string          `json:"productBarcode"`
	ProductPrice    json.RawMessage `json:"productPrice"`
	ProductQuantity json.RawMessage `json:"productQuantity"`
	ProductTax      json.RawMessage `json:"productTax"`
	ProductDiscount json.RawMessage `json:"productDiscount"`
	Discount        json.RawMessage `json:"discount"`
	Product         *Ref            `json:"product"`
}
