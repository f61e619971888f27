package api

import "encoding/json"

// Money is an OMS amount; the amount is read exactly from its JSON text.
type Money struct {
	Amount   json.RawMessage `json:"amount"`
	Currency string          `json:"currency"`
}

// Discount is hbDiscount / merchantDiscount of a line.
type Discount struct {
	UnitPrice  *Money `json:"unitPrice"`
	TotalPrice *Money `json:"totalPrice"`
}

// Address is an OMS AddressRepresentation.
type Address struct {
	Address     string `json:"address"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phoneNumber"`
	City        string `json:"city"`
	Town        string `json:"town"`
	District    string `json:"district"`
	PostalCode  string `json:"postalCode"`
	CountryCode string `json:"countryCode"`
}

// Invoice is an OMS InvoiceRepresentation.
type Invoice struct {
	Address               *Address `json:"address"`
	TaxNumber             string   `json:"taxNumber"`
	TaxOffice             string   `json:"taxOffice"`
	TurkishIdentityNumber string   `json:"turkishIdentityNumber"`
}

// Line is a model.LineRepresentation: a row of /orders and an item of an order's detail.
type Line struct {
	ID                   string          `json:"id"`
	OrderID              string          `json:"orderId"`
	OrderNumber          string          `json:"orderNumber"`
	OrderDate            string          `json:"orderDate"`
	Status               string          `json:"status"`
	SKU                  string          `json:"sku"`
	MerchantSKU          string          `json:"merchantSKU"`
	ProductBarcode       string          `json:"productBarcode"`
	Name                 string          `json:"name"`
	Quantity             int64           `json:"quantity"`
	UnitPrice            *Money          `json:"unitPrice"`
	TotalPrice           *Money          `json:"totalPrice"`
	HBDiscount           *Discount       `json:"hbDiscount"`
	MerchantDiscount     *Discount       `json:"merchantDiscount"`
	VAT                  json.RawMessage `json:"vat"`
	VATRate              json.RawMessage `json:"vatRate"`
	CustomerID           string          `json:"customerId"`
	CustomerName         string          `json:"customerName"`
	ShippingAddress      *Address        `json:"shippingAddress"`
	Invoice              *Invoice        `json:"invoice"`
	CargoCompany         string          `json:"cargoCompany"`
	CanCreatePackage     bool            `json:"canCreatePackage"`
	PackageNumber        string          `json:"packageNumber"`
	LastStatusUpdateDate string          `json:"lastStatusUpdateDate"`
}

// LinesPage is the page of /orders: {items, limit, offset, pageCount, totalCount}.
type LinesPage struct {
	Items      []Line `json:"items"`
	Limit      int    `json:"limit"`
	Offset     int    `json:"offset"`
	PageCount  int    `json:"pageCount"`
	TotalCount int    `json:"totalCount"`
}

// AwaitingLine is a PaymentAwaitingOrderLineRepresentation: PascalCase, no amounts.
type AwaitingLine struct {
	ID          string `json:"Id"`
	MerchantSku string `json:"MerchantSku"`
	OrderDate   string `json:"OrderDate"`
	OrderNumber string `json:"OrderNumber"`
	Quantity    int64  `json:"Quantity"`
	Sku         string `json:"Sku"`
}

// AwaitingPage is the page of /paymentawaiting.
type AwaitingPage struct {
	Items      []AwaitingLine `json:"items"`
	TotalCount int            `json:"totalCount"`
}

// CancelledLine is a CancelledOrderLineRepresentation.
type CancelledLine struct {
	CancelDate       string `json:"cancelDate"`
	CancelReasonCode string `json:"cancelReasonCode"`
	CancelledBy      string `json:"cancelledBy"`
	LineItemID       string `json:"lineItemId"`
	MerchantSku      string `json:"merchantSku"`
	OrderNumber      string `json:"orderNumber"`
	Quantity         int64  `json:"quantity"`
	Sku              string `json:"sku"`
}

// CancelledPage is the page of /cancelled.
type CancelledPage struct {
	Items      []CancelledLine `json:"items"`
	TotalCount int             `json:"totalCount"`
}

// Package is an ExternalRawPackageRepresentation (an element of /packages' bare array).
type Package struct {
	ID                    string        `json:"id"`
	PackageNumber         string        `json:"packageNumber"`
	Barcode               string        `json:"barcode"`
	Status                string        `json:"status"`
	OrderDate             string        `json:"orderDate"`
	CargoCompany          string        `json:"cargoCompany"`
	CustomerID            string        `json:"customerId"`
	CustomerName          string        `json:"customerName"`
	Email                 string        `json:"email"`
	PhoneNumber           string        `json:"phoneNumber"`
	IdentityNo            string        `json:"identityNo"`
	RecipientName         string        `json:"recipientName"`
	ShippingAddressDetail string        `json:"shippingAddressDetail"`
	ShippingCity          string        `json:"shippingCity"`
	ShippingTown          string        `json:"shippingTown"`
	ShippingDistrict      string        `json:"shippingDistrict"`
	ShippingCountryCode   string        `json:"shippingCountryCode"`
	BillingAddress        string        `json:"billingAddress"`
	BillingCity           string        `json:"billingCity"`
	BillingTown           string        `json:"billingTown"`
	BillingDistrict       string        `json:"billingDistrict"`
	BillingPostalCode     string        `json:"billingPostalCode"`
	CompanyName           string        `json:"companyName"`
	TaxNumber             string        `json:"taxNumber"`
	TaxOffice             string        `json:"taxOffice"`
	Items                 []PackageLine `json:"items"`
}

// PackageLine is one line of a package.
type PackageLine struct {
	LineItemID            string          `json:"lineItemId"`
	HBSku                 string          `json:"hbSku"`
	MerchantSku           string          `json:"merchantSku"`
	ProductBarcode        string          `json:"productBarcode"`
	ProductName           string          `json:"productName"`
	OrderNumber           string          `json:"orderNumber"`
	OrderDate             string          `json:"orderDate"`
	Quantity              int64           `json:"quantity"`
	Price                 *Money          `json:"price"`
	TotalPrice            *Money          `json:"totalPrice"`
	TotalHBDiscount       *Money          `json:"totalHBDiscount"`
	TotalMerchantDiscount *Money          `json:"totalMerchantDiscount"`
	UnitHBDiscount        *Money          `json:"unitHBDiscount"`
	UnitMerchantDiscount  *Money          `json:"unitMerchantDiscount"`
	VAT                   json.RawMessage `json:"vat"`
	VATRate               json.RawMessage `json:"vatRate"`
}

// TrackingRow is a thin PascalCase row of the shipped, delivered and undelivered feeds.
type TrackingRow struct {
	ID              string   `json:"Id"`
	OrderNumber     string   `json:"OrderNumber"`
	OrderNumbers    []string `json:"OrderNumbers"`
	PackageNumber   string   `json:"PackageNumber"`
	Barcode         string   `json:"Barcode"`
	ShippedDate     string   `json:"ShippedDate"`
	DeliveredDate   string   `json:"DeliveredDate"`
	UndeliveredDate string   `json:"UndeliveredDate"`
}

// TrackingPage is the page of a tracking feed.
type TrackingPage struct {
	Items      []TrackingRow `json:"items"`
	TotalCount int           `json:"totalCount"`
}

// OrderDetail is GET /orders/merchantid/{id}/ordernumber/{n}: the whole order.
type OrderDetail struct {
	OrderID     string `json:"orderId"`
	OrderNumber string `json:"orderNumber"`
	OrderDate   string `json:"orderDate"`
	CreatedDate string `json:"createdDate"`
	Customer    *struct {
		CustomerID string `json:"customerId"`
		Name       string `json:"name"`
	} `json:"customer"`
	DeliveryAddress *Address `json:"deliveryAddress"`
	Invoice         *Invoice `json:"invoice"`
	PaymentStatus   string   `json:"paymentStatus"`
	Items           []Line   `json:"items"`
}
