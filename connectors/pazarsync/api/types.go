// Package api holds the PazarSync REST API's wire types for stock updates and the
// product list (shared/marketplaces/pazarsync.md §4–5).
package api

import "encoding/json"

// StockItem is one item of POST /api/v1/stocks/batch, keyed by product_id or sku.
type StockItem struct {
	SKU       string `json:"sku,omitempty"`
	ProductID string `json:"product_id,omitempty"`
	Stock     int64  `json:"stock"`
}

// StockBatch is the body of the batch stock update (absolute quantities).
type StockBatch struct {
	Items []StockItem `json:"items"`
}

// StockBatchReply is its synchronous answer with per-item failures. The shape of an
// errors[] element is not documented: it is kept raw and read tolerantly.
type StockBatchReply struct {
	Updated int               `json:"updated"`
	Failed  int               `json:"failed"`
	Errors  []json.RawMessage `json:"errors"`
}

// Product is one entry of GET /api/v1/products.
type Product struct {
	ID     string          `json:"id"`
	SKU    string          `json:"sku"`
	Name   string          `json:"name"`
	Stock  *int64          `json:"stock"`
	Price  json.RawMessage `json:"price"`
	Status string          `json:"status"`
}

// ProductPage is one page of the product list (pages start at 1, at most 100 a page).
type ProductPage struct {
	Data []Product `json:"data"`
	Meta Meta      `json:"meta"`
}

// Meta is the paging block of every list.
type Meta struct {
	CurrentPage  int `json:"current_page"`
	TotalPages   int `json:"total_pages"`
	TotalItems   int `json:"total_items"`
	ItemsPerPage int `json:"items_per_page"`
}

// ErrorReply is the assumed error body: {"error": code, "message": text}, with
// "errors" holding field details on validation failures.
type ErrorReply struct {
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Errors  json.RawMessage `json:"errors"`
}
