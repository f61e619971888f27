// Package api holds the Trendyol Marketplace API's wire types for stock, price and batch
// results (shared/marketplaces/trendyol.md §2).
package api

import (
	"encoding/json"

	"syncagent/connectors/money"
)

// PriceInventoryItem is one item of POST .../products/price-and-inventory. Omitted
// fields are left as they are at Trendyol.
type PriceInventoryItem struct {
	Barcode   string       `json:"barcode"`
	Quantity  *int64       `json:"quantity,omitempty"`
	SalePrice *money.Kurus `json:"salePrice,omitempty"`
	ListPrice *money.Kurus `json:"listPrice,omitempty"`
}

// PriceInventoryRequest is the body of the stock and price update (at most 1000 items).
type PriceInventoryRequest struct {
	Items []PriceInventoryItem `json:"items"`
}

// PriceInventoryReply is its 200 answer: the id of the asynchronous batch.
type PriceInventoryReply struct {
	BatchRequestID string `json:"batchRequestId"`
}

// BatchResult is GET .../products/batch-requests/{batchRequestId}. Stock and price
// batches carry no batch-level status: every item is read.
type BatchResult struct {
	BatchRequestID   string            `json:"batchRequestId"`
	Items            []BatchResultItem `json:"items"`
	CreationDate     int64             `json:"creationDate"`
	LastModification int64             `json:"lastModification"`
	ItemCount        int               `json:"itemCount"`
	FailedItemCount  int               `json:"failedItemCount"`
	BatchRequestType string            `json:"batchRequestType"`
	Status           string            `json:"status"` // other batch types only
}

// BatchResultItem is one item's fate. Status is SUCCESS or FAILED once final; before
// that it is missing or IN_PROGRESS.
type BatchResultItem struct {
	RequestItem    BatchRequestItem `json:"requestItem"`
	Status         string           `json:"status"`
	FailureReasons []string         `json:"failureReasons"`
}

// BatchRequestItem echoes what was asked for.
type BatchRequestItem struct {
	Barcode   string          `json:"barcode"`
	Quantity  json.RawMessage `json:"quantity"`
	SalePrice json.RawMessage `json:"salePrice"`
	ListPrice json.RawMessage `json:"listPrice"`
}

// Item statuses of a batch result.
const (
	StatusSuccess = "SUCCESS"
	StatusFailed  = "FAILED"
)

// ApprovedPage is GET .../products/approved/inventory-and-price: content items (one per
// product content), each with its variants. Paging counts content items; page×size may
// not pass 10 000, beyond which NextPageToken continues (it may be present on every
// page, the last one included).
type ApprovedPage struct {
	Page          int               `json:"page"`
	Size          int               `json:"size"`
	TotalElements int               `json:"totalElements"`
	TotalPages    int               `json:"totalPages"`
	NextPageToken string            `json:"nextPageToken"`
	Content       []ApprovedContent `json:"content"`
}

// ApprovedContent is one product content with its variants.
type ApprovedContent struct {
	ContentID     json.Number       `json:"contentId"`
	ProductMainID string            `json:"productMainId"`
	Variants      []ApprovedVariant `json:"variants"`
}

// ApprovedVariant is one listing's barcode, stock and prices: the variant, not the
// content item, carries them (the official sample).
type ApprovedVariant struct {
	VariantID             json.Number  `json:"variantId"`
	Barcode               string       `json:"barcode"`
	StockCode             string       `json:"stockCode"`
	Quantity              *int64       `json:"quantity"`
	SalePrice             *money.Kurus `json:"salePrice"`
	ListPrice             *money.Kurus `json:"listPrice"`
	StockLastModifiedDate *int64       `json:"stockLastModifiedDate"` // epoch ms; null when the stock was never updated
}

// ErrorReply covers both error shapes Trendyol documents, one per group of endpoints:
// the product and inventory endpoints answer {"errors":[{"key","message","errorCode"}]}
// (product.json ErrorResponse), the order endpoints {"error","message"}
// (marketplace.json Error). A 401 adds "exception": "ClientApiAuthenticationException".
type ErrorReply struct {
	Error     string       `json:"error"`
	Message   string       `json:"message"`
	Exception string       `json:"exception"`
	Errors    []ErrorEntry `json:"errors"`
}

// ErrorEntry is one entry of errors[]; Key is a field or, for item rules, a barcode.
type ErrorEntry struct {
	Key       string `json:"key"`
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}
