package api

import "encoding/json"

// StreamPage is GET /order/sellers/{id}/orders/stream: shipment packages, newest change
// first, and an opaque cursor bound to the query that made it
// (shared/marketplaces/trendyol.md §3).
type StreamPage struct {
	HasMore    bool      `json:"hasMore"`
	NextCursor string    `json:"nextCursor"`
	Size       int       `json:"size"`
	Content    []Package `json:"content"`
}

// Package is one shipment package with the field names in force since the 08.12.2025
// rename. The old names (id, merchantSku, price) are read too, as a fallback, while
// Trendyol's own reference still shows them.
type Package struct {
	ShipmentPackageID json.Number     `json:"shipmentPackageId"`
	OldID             json.Number     `json:"id"`
	OrderNumber       string          `json:"orderNumber"`
	Status            string          `json:"status"`
	PackageStatus     string          `json:"shipmentPackageStatus"`
	OrderDate         int64           `json:"orderDate"` // epoch ms of the GMT+3 wall clock
	LastModifiedDate  int64           `json:"lastModifiedDate"`
	CurrencyCode      string          `json:"currencyCode"`
	CustomerFirstName string          `json:"customerFirstName"`
	CustomerLastName  string          `json:"customerLastName"`
	CustomerEmail     string          `json:"customerEmail"`
	IdentityNumber    string          `json:"identityNumber"`
	TaxNumber         string          `json:"taxNumber"`
	Commercial        bool            `json:"commercial"`
	CargoTracking     json.RawMessage `json:"cargoTrackingNumber"`
	CargoProviderName string          `json:"cargoProviderName"`
	CreatedBy         string          `json:"createdBy"`
	OriginPackageIDs  []json.Number   `json:"originPackageIds"`
	ShipmentAddress   Address         `json:"shipmentAddress"`
	InvoiceAddress    Address         `json:"invoiceAddress"`
	Lines             []Line          `json:"lines"`
}

// Address is shipmentAddress / invoiceAddress.
type Address struct {
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	FullName     string `json:"fullName"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	Neighborhood string `json:"neighborhood"`
	District     string `json:"district"`
	City         string `json:"city"`
	PostalCode   string `json:"postalCode"`
	CountryCode  string `json:"countryCode"`
	Phone        string `json:"phone"`
	TaxOffice    string `json:"taxOffice"`
	TaxNumber    string `json:"taxNumber"`
}

// Line is one package line. Amounts are per unit: lineGrossAmount before discounts,
// lineTotalDiscount the seller's plus Trendyol's discount, lineUnitPrice what the buyer
// pays for one unit.
type Line struct {
	LineID             json.Number     `json:"lineId"`
	OldID              json.Number     `json:"id"`
	Barcode            string          `json:"barcode"`
	StockCode          string          `json:"stockCode"`
	MerchantSKU        string          `json:"merchantSku"`
	ProductName        string          `json:"productName"`
	Quantity           int64           `json:"quantity"`
	LineGrossAmount    json.RawMessage `json:"lineGrossAmount"`
	LineTotalDiscount  json.RawMessage `json:"lineTotalDiscount"`
	LineSellerDiscount json.RawMessage `json:"lineSellerDiscount"`
	LineTyDiscount     json.RawMessage `json:"lineTyDiscount"`
	LineUnitPrice      json.RawMessage `json:"lineUnitPrice"`
	OldPrice           json.RawMessage `json:"price"`
	VatRate            json.RawMessage `json:"vatRate"`
	CurrencyCode       string          `json:"currencyCode"`
	StatusName         string          `json:"orderLineItemStatusName"`
}
