// Package api holds the wire types of T-Soft's REST1 web service as third-party clients
// use it (shared/marketplaces/tsoft.md): every call is a form POST to
// /rest1/{controller}/{method} with the token in a form field, read parameters as plain
// form fields and structured input as a JSON string in the field "data"; every reply is
// the envelope {success, message[], data[], summary}.
//
// T-Soft is a PHP application and the clients show its values as JSON numbers, numeric
// strings or strings with a decimal comma ("299,80"), so amounts and ids are kept raw
// (Value) and read by the connector's number rules.
package api

import (
	"bytes"
	"encoding/json"
	"strings"

	"syncagent/connectors/money"
)

// Envelope is every REST1 reply.
type Envelope struct {
	Success json.RawMessage `json:"success"`
	Message json.RawMessage `json:"message"` // []Message, or a bare string in older replies
	Data    json.RawMessage `json:"data"`
	Summary *Summary        `json:"summary,omitempty"`
}

// OK reports whether success is true (also written 1, "1" or "true").
func (e *Envelope) OK() bool {
	switch strings.Trim(string(bytes.TrimSpace(e.Success)), `"`) {
	case "true", "1":
		return true
	}
	return false
}

// Message is one entry of message[]: type 1 is information, 2 an error. text is a list
// of strings in the samples, a single string in some replies.
type Message struct {
	Type  json.RawMessage `json:"type"`
	Code  Value           `json:"code"`
	Index json.RawMessage `json:"index"`
	ID    Value           `json:"id"`
	Text  json.RawMessage `json:"text"`
}

// Summary is the paging block of list replies.
type Summary struct {
	TotalRecordCount Value `json:"totalRecordCount"`
}

// Login is data[0] of POST /rest1/auth/login/{user}. The form of expirationTime is not
// documented; the one verified client reads "d-m-Y H:i:s" in Turkey time.
type Login struct {
	Token          string `json:"token"`
	ExpirationTime Value  `json:"expirationTime"`
}

// Value is a scalar as T-Soft sends it: a JSON string or number (or null), kept as its
// text ("5512", "299,80", 1788300000).
type Value string

// UnmarshalJSON keeps strings unquoted and numbers as written; null and absent are "".
func (v *Value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*v = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = Value(strings.TrimSpace(s))
	default:
		*v = Value(b)
	}
	return nil
}

// String is the value's text.
func (v Value) String() string { return string(v) }

// Product is one row of product/get.
type Product struct {
	ProductID       Value `json:"ProductId"`
	ProductCode     Value `json:"ProductCode"`
	ProductName     Value `json:"ProductName"`
	Barcode         Value `json:"Barcode"`
	Stock           Value `json:"Stock"`
	SellingPrice    Value `json:"SellingPrice"`
	DiscountedPrice Value `json:"DiscountedPrice"`
	Currency        Value `json:"Currency"`
	Vat             Value `json:"Vat"`
	IsActive        Value `json:"IsActive"`
}

// SubProduct is one row of subProduct/getSubProducts (a variant, "alt ürün").
type SubProduct struct {
	SubProductID    Value `json:"SubProductId"`
	SubProductCode  Value `json:"SubProductCode"`
	MainProductID   Value `json:"MainProductId"`
	MainProductCode Value `json:"MainProductCode"`
	Barcode         Value `json:"Barcode"`
	Stock           Value `json:"Stock"`
	SellingPrice    Value `json:"SellingPrice"`
}

// ProductUpdate is one object of product/updateProducts' data: the product by its
// ProductCode (the "Web Servis Kodu") and only the fields that change. Prices are JSON
// numbers with two decimals (149.90), as in the samples.
type ProductUpdate struct {
	ProductCode     string       `json:"ProductCode"`
	Stock           *int64       `json:"Stock,omitempty"`
	SellingPrice    *money.Kurus `json:"SellingPrice,omitempty"`
	DiscountedPrice *money.Kurus `json:"DiscountedPrice,omitempty"`
}

// SubProductUpdate is the assumed object of subProduct/updateSubProducts: T-Soft's
// method for a variant's stock and price is not documented (settings.variants).
type SubProductUpdate struct {
	SubProductCode string       `json:"SubProductCode"`
	Stock          *int64       `json:"Stock,omitempty"`
	SellingPrice   *money.Kurus `json:"SellingPrice,omitempty"`
}

// Order is one row of order/get (and of the older order2/getOrders).
type Order struct {
	OrderID             Value `json:"OrderId"`
	OrderCode           Value `json:"OrderCode"`
	OrderStatusID       Value `json:"OrderStatusId"`
	OrderStatus         Value `json:"OrderStatus"`
	OrderDate           Value `json:"OrderDate"`
	OrderDateTimeStamp  Value `json:"OrderDateTimeStamp"`
	UpdateDate          Value `json:"UpdateDate"`
	UpdateDateTimeStamp Value `json:"UpdateDateTimeStamp"`
	Currency            Value `json:"Currency"`
	OrderTotalPrice     Value `json:"OrderTotalPrice"`
	PaymentType         Value `json:"PaymentType"`
	Cargo               Value `json:"Cargo"`
	CargoTrackingCode   Value `json:"CargoTrackingCode"`

	CustomerName     Value `json:"CustomerName"`
	CustomerUsername Value `json:"CustomerUsername"`
	Email            Value `json:"Email"`
	CustomerPhone    Value `json:"CustomerPhone"`

	DeliveryName       Value `json:"DeliveryName"`
	DeliveryAddress    Value `json:"DeliveryAddress"`
	DeliveryTown       Value `json:"DeliveryTown"`
	DeliveryDistrict   Value `json:"DeliveryDistrict"`
	DeliveryCity       Value `json:"DeliveryCity"`
	DeliveryCountry    Value `json:"DeliveryCountry"`
	DeliveryPostalCode Value `json:"DeliveryPostalCode"`
	DeliveryMobile     Value `json:"DeliveryMobile"`

	InvoiceName        Value `json:"InvoiceName"`
	InvoiceCompanyName Value `json:"InvoiceCompanyName"`
	InvoiceAddress     Value `json:"InvoiceAddress"`
	InvoiceTown        Value `json:"InvoiceTown"`
	InvoiceCity        Value `json:"InvoiceCity"`
	InvoiceCountry     Value `json:"InvoiceCountry"`
	InvoicePostalCode  Value `json:"InvoicePostalCode"`
	InvoiceTaxNumber   Value `json:"InvoiceTaxNumber"`
	InvoiceTaxOffice   Value `json:"InvoiceTaxOffice"`
	InvoiceIdentityNo  Value `json:"InvoicePersonIdentityNumber"`
	InvoicePhone       Value `json:"InvoicePhone"`

	// OrderDetails is an array, a JSON string holding one, or {"OrderDetail": …}.
	OrderDetails json.RawMessage `json:"OrderDetails"`
}

// OrderDetail is one line of an order.
type OrderDetail struct {
	OrderProductID Value `json:"OrderProductId"`
	ProductID      Value `json:"ProductId"`
	ProductCode    Value `json:"ProductCode"`
	SubProductID   Value `json:"SubProductId"`
	SubProductCode Value `json:"SubProductCode"`
	ProductName    Value `json:"ProductName"`
	Barcode        Value `json:"Barcode"`
	Quantity       Value `json:"Quantity"`
	SellingPrice   Value `json:"SellingPrice"`
	Vat            Value `json:"Vat"`
	Discount       Value `json:"Discount"`
}
