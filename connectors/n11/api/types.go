// Package api holds the n11 REST API's wire types for product tasks (stock, price and
// information updates), task results, the seller's product list and shipment packages
// (shared/marketplaces/n11.md §3–§7). Amounts and quantities are kept as the raw JSON
// text, so the connector reads them exactly (order.Amount) whatever form n11 writes.
package api

import (
	"encoding/json"

	"syncagent/connectors/money"
)

// TaskRequest is the body of every product task: {"payload":{"integrator","skus":[…]}}.
type TaskRequest[T any] struct {
	Payload TaskPayload[T] `json:"payload"`
}

// TaskPayload names the integrator (the same value in every request) and the items,
// at most 1000.
type TaskPayload[T any] struct {
	Integrator string `json:"integrator"`
	SKUs       []T    `json:"skus"`
}

// PriceStockItem is one item of POST /ms/product/tasks/price-stock-update. Omitted
// fields are left as they are; the two prices go together, with their currency.
type PriceStockItem struct {
	StockCode    string       `json:"stockCode"`
	Quantity     *int64       `json:"quantity,omitempty"`
	ListPrice    *money.Kurus `json:"listPrice,omitempty"`
	SalePrice    *money.Kurus `json:"salePrice,omitempty"`
	CurrencyType string       `json:"currencyType,omitempty"`
}

// ProductUpdateItem is one item of POST /ms/product/tasks/product-update: the fields a
// seller may change on an existing listing that this connector sends.
type ProductUpdateItem struct {
	StockCode   string  `json:"stockCode"`
	Status      string  `json:"status,omitempty"` // Active | Suspended
	Description *string `json:"description,omitempty"`
	VatRate     *int    `json:"vatRate,omitempty"`
}

// TaskReply is the answer to a task: HTTP 200 whether it was queued or refused.
type TaskReply struct {
	ID      json.Number `json:"id"`
	Type    string      `json:"type"`   // SKU_UPDATE, PRODUCT_UPDATE, …
	Status  string      `json:"status"` // IN_QUEUE or REJECT
	Reasons []string    `json:"reasons"`
}

// Task and item statuses.
const (
	TaskInQueue   = "IN_QUEUE"
	TaskProcessed = "PROCESSED"
	TaskReject    = "REJECT"
	SKUSuccess    = "SUCCESS"
	SKUFail       = "FAIL"
)

// TaskDetailsRequest is the body of POST /ms/product/task-details/page-query.
type TaskDetailsRequest struct {
	TaskID   json.Number `json:"taskId"`
	Pageable Pageable    `json:"pageable"`
}

// Pageable is a 0-based page request.
type Pageable struct {
	Page int `json:"page"`
	Size int `json:"size"`
}

// TaskDetails is a task's state and, once PROCESSED, one page of its items.
type TaskDetails struct {
	TaskID json.Number `json:"taskId"`
	Status string      `json:"status"`
	SKUs   TaskSKUPage `json:"skus"`
}

// TaskSKUPage is a Spring page of task items.
type TaskSKUPage struct {
	Content       []TaskSKU `json:"content"`
	TotalElements int       `json:"totalElements"`
	TotalPages    int       `json:"totalPages"`
	Number        int       `json:"number"`
	Size          int       `json:"size"`
}

// TaskSKU is one item's fate: SUCCESS or FAIL with n11's reasons (Turkish free text).
type TaskSKU struct {
	ItemCode string        `json:"itemCode"`
	Status   string        `json:"status"`
	SKU      TaskSKUValues `json:"sku"`
	Reasons  []string      `json:"reasons"`
}

// TaskSKUValues are the values n11 reports for the item.
type TaskSKUValues struct {
	SalePrice json.RawMessage `json:"salePrice"`
	ListPrice json.RawMessage `json:"listPrice"`
	Stock     json.RawMessage `json:"stock"`
}

// ProductPage is GET /ms/product-query: a Spring page.
type ProductPage struct {
	Content       []Product `json:"content"`
	TotalElements int       `json:"totalElements"`
	TotalPages    int       `json:"totalPages"`
	Number        int       `json:"number"`
	Size          int       `json:"size"`
	First         bool      `json:"first"`
	Last          bool      `json:"last"`
	Empty         bool      `json:"empty"`
}

// Product is one row of the product list.
type Product struct {
	N11ProductID        json.Number     `json:"n11ProductId"`
	StockCode           string          `json:"stockCode"`
	Title               string          `json:"title"`
	Description         string          `json:"description"`
	SalePrice           json.RawMessage `json:"salePrice"`
	ListPrice           json.RawMessage `json:"listPrice"`
	Quantity            json.RawMessage `json:"quantity"`
	CurrencyType        string          `json:"currencyType"`
	VatRate             json.RawMessage `json:"vatRate"`
	CommissionRate      json.RawMessage `json:"commissionRate"`
	Status              string          `json:"status"`     // Active, Suspended, InCatalogApproval, …
	SaleStatus          string          `json:"saleStatus"` // On_Sale, Out_Of_Stock
	Barcode             *string         `json:"barcode"`
	MaxPurchaseQuantity json.RawMessage `json:"maxPurchaseQuantity"`
	ProductMainID       string          `json:"productMainId"`
}

// PackagePage is GET /rest/delivery/v1/shipmentPackages. Not Spring's envelope:
// pageCount is the number of rows on this page, not the number of pages.
type PackagePage struct {
	Content    []Package `json:"content"`
	Page       int       `json:"page"`
	Size       int       `json:"size"`
	TotalPages int       `json:"totalPages"`
	PageCount  int       `json:"pageCount"`
}

// Package is one shipment package. Ids grow in width (keep them as text); dates are
// epoch milliseconds (of the GMT+3 wall clock, the docs say).
type Package struct {
	ID                  json.Number     `json:"id"`
	OrderNumber         string          `json:"orderNumber"`
	Status              string          `json:"shipmentPackageStatus"`
	CustomerID          json.Number     `json:"customerId"`
	CustomerFullName    string          `json:"customerfullName"` // lower-case f on the wire
	CustomerEmail       string          `json:"customerEmail"`
	TCIdentityNumber    string          `json:"tcIdentityNumber"`
	TaxID               string          `json:"taxId"`
	TaxOffice           string          `json:"taxOffice"`
	BillingAddress      *Address        `json:"billingAddress"`
	ShippingAddress     *Address        `json:"shippingAddress"`
	DeliveryAddressType string          `json:"deliveryAddressType"` // KTN, EASYPOINT, PUP: a pick-up point
	CargoProviderName   string          `json:"cargoProviderName"`
	CargoTrackingNumber json.RawMessage `json:"cargoTrackingNumber"`
	CargoTrackingLink   string          `json:"cargoTrackingLink"`
	TotalAmount         json.RawMessage `json:"totalAmount"`
	TotalDiscountAmount json.RawMessage `json:"totalDiscountAmount"`
	IsReturned          bool            `json:"isReturned"`
	LastModifiedDate    int64           `json:"lastModifiedDate"`
	AgreedDeliveryDate  int64           `json:"agreedDeliveryDate"`
	Lines               []Line          `json:"lines"`
	PackageHistories    []History       `json:"packageHistories"`
}

// Address is billingAddress / shippingAddress.
type Address struct {
	FullName     string `json:"fullName"`
	Address      string `json:"address"`
	City         string `json:"city"`
	District     string `json:"district"`
	Neighborhood string `json:"neighborhood"`
	PostalCode   string `json:"postalCode"`
	GSM          string `json:"gsm"`
	TCID         string `json:"tcId"`
	TaxID        string `json:"taxId"`
	TaxHouse     string `json:"taxHouse"`
	CountryCode  string `json:"countryCode"`
}

// Line is one package line. price is per unit; the discounts and sellerInvoiceAmount
// are for the whole line (sellerInvoiceAmount = price × quantity − sellerDiscount −
// sellerCouponDiscount); mallDiscount is funded by n11.
type Line struct {
	OrderLineID          json.Number     `json:"orderLineId"`
	ProductID            json.Number     `json:"productId"`
	ProductName          string          `json:"productName"`
	StockCode            string          `json:"stockCode"`
	Barcode              string          `json:"barcode"`
	Quantity             int64           `json:"quantity"`
	Price                json.RawMessage `json:"price"`
	DueAmount            json.RawMessage `json:"dueAmount"`
	SellerDiscount       json.RawMessage `json:"sellerDiscount"`
	SellerCouponDiscount json.RawMessage `json:"sellerCouponDiscount"`
	MallDiscount         json.RawMessage `json:"mallDiscount"`
	SellerInvoiceAmount  json.RawMessage `json:"sellerInvoiceAmount"`
	StatusName           string          `json:"orderItemLineItemStatusName"`
	VatRate              json.RawMessage `json:"vatRate"`
}

// History is one entry of packageHistories.
type History struct {
	Status      string `json:"status"`
	CreatedDate int64  `json:"createdDate"`
}

// SpringError is the error body of the /ms paths.
type SpringError struct {
	Type        string        `json:"@type"`
	Name        string        `json:"name"`
	Message     string        `json:"message"`
	Description string        `json:"description"`
	Errors      []SpringCause `json:"errors"`
}

// SpringCause is one entry of errors[].
type SpringCause struct {
	Reason string `json:"reason"`
}

// RestError is the error body of the /rest paths.
type RestError struct {
	Code          int    `json:"code"`
	Status        string `json:"status"`
	ErrorCode     string `json:"errorCode"`
	ErrorMessage  string `json:"errorMessage"`
	ErrorCategory string `json:"errorCategory"`
}
