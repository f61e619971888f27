// Package api holds the Hepsiburada Marketplace API's wire types: listings and the
// inventory/stock/price uploads of listing-external ([LST]), the order feeds of
// oms-external ([ORD]) and the product-information tickets of mpop
// (shared/marketplaces/hepsiburada.md §2–§4).
package api

import (
	"encoding/json"

	"syncagent/connectors/money"
)

// UploadRow is one row of an inventory, stock or price upload (InventoryUploadRequestModel,
// StockUploadRequestModel, PriceUploadRequestModel): both SKUs when known, and only the
// fields that change; an omitted field is left as it is.
type UploadRow struct {
	HepsiburadaSku string       `json:"hepsiburadaSku,omitempty"`
	MerchantSku    string       `json:"merchantSku"`
	AvailableStock *int64       `json:"availableStock,omitempty"`
	Price          *money.Kurus `json:"price,omitempty"`
}

// UploadReply is the answer to an upload: its id, or (HTTP 200 as well) a message and
// no id when too many uploads are pending.
type UploadReply struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// UploadResult is GET …/{inventory,stock,price}-uploads/id/{id}.
type UploadResult struct {
	ID               string            `json:"id"`
	Status           string            `json:"status"` // Processing → Done | Failed (Completed also seen)
	CreatedAt        string            `json:"createdAt"`
	Total            *int              `json:"total"`
	Errors           []RowError        `json:"errors"`
	PriceValidations []PriceValidation `json:"priceValidations"`
}

// RowError is one rejected row: elementNo is its 1-based position in the upload.
type RowError struct {
	ElementNo      *int     `json:"elementNo"`
	HepsiburadaSku *string  `json:"hepsiburadaSku"`
	MerchantSku    *string  `json:"merchantSku"`
	Errors         []string `json:"errors"`
}

// PriceValidation is a row whose price fell outside its category's band: applied, and
// the listing locked.
type PriceValidation struct {
	ElementNo      *int                   `json:"elementNo"`
	HepsiburadaSku *string                `json:"hepsiburadaSku"`
	MerchantSku    *string                `json:"merchantSku"`
	Type           string                 `json:"type"`
	MinPrice       json.RawMessage        `json:"minPrice"`
	MaxPrice       json.RawMessage        `json:"maxPrice"`
	Regulative     *RegulativePriceDetail `json:"regulativePriceDetail"`
	Description    string                 `json:"description"`
}

// RegulativePriceDetail names the band and its category.
type RegulativePriceDetail struct {
	MinAmount    json.RawMessage `json:"minAmount"`
	MaxAmount    json.RawMessage `json:"maxAmount"`
	CategoryName string          `json:"categoryName"`
}

// ListingsPage is GET /listings/merchantid/{id}.
type ListingsPage struct {
	Listings   []Listing `json:"listings"`
	TotalCount int       `json:"totalCount"`
	Limit      int       `json:"limit"`
	Offset     int       `json:"offset"`
}

// Listing is one listing as far as the connector reads it.
type Listing struct {
	HepsiburadaSku  string          `json:"hepsiburadaSku"`
	MerchantSku     string          `json:"merchantSku"`
	Price           json.RawMessage `json:"price"`
	AvailableStock  *int64          `json:"availableStock"`
	IsSalable       bool            `json:"isSalable"`
	IsLocked        bool            `json:"isLocked"`
	LockReasons     []string        `json:"lockReasons"`
	IsFulfilledByHB bool            `json:"isFulfilledByHB"`
}

// UnlockRequest is the body of POST …/bulk-unlock.
type UnlockRequest struct {
	HBSkuList []string `json:"hbSkuList"`
}
