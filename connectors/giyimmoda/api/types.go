// Package api holds the Giyim Moda seller API's wire types for the product list and the
// bulk update (shared/marketplaces/giyimmoda.md §3–5). The backend is Laravel: replies
// come in a success/message/data envelope, amounts are strings, and numbers may arrive
// quoted, so numeric fields are read through Number.
package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"syncagent/connectors/money"
)

// Envelope is every reply: {"success","message","data"} plus "errors" on failures and
// "pagination" on paged lists.
type Envelope struct {
	Success    *bool           `json:"success"`
	Message    string          `json:"message"`
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"`
	Pagination *Pagination     `json:"pagination"`
}

// Pagination is the block of a paged list; the last page is current_page == last_page.
type Pagination struct {
	CurrentPage Number `json:"current_page"`
	LastPage    Number `json:"last_page"`
	PerPage     Number `json:"per_page"`
	Total       Number `json:"total"`
}

// Product is one entry of GET /api/seller/products.
type Product struct {
	ID           Number     `json:"id"`
	Name         string     `json:"name"`
	SKU          *string    `json:"sku"`
	Barcode      *string    `json:"barcode"`
	UnitPrice    Number     `json:"unit_price"` // a string such as "199.99"
	CurrentStock *Number    `json:"current_stock"`
	Stocks       []StockRow `json:"stocks"`
	Published    Number     `json:"published"`
	Status       string     `json:"status"`
}

// StockRow is one product_stocks row; products with variants have several.
type StockRow struct {
	ID      Number `json:"id"`
	Variant string `json:"variant"`
	Qty     Number `json:"qty"`
	Price   Number `json:"price"`
}

// BulkItem is one element of the bulk update: id required, only changed fields sent.
type BulkItem struct {
	ID           int64        `json:"id"`
	UnitPrice    *money.Kurus `json:"unit_price,omitempty"`
	CurrentStock *int64       `json:"current_stock,omitempty"`
}

// BulkRequest is the body of POST /api/seller/products/bulk-update.
type BulkRequest struct {
	Products []BulkItem `json:"products"`
}

// BulkResult is the data of its reply. The errors[] element shape is not documented;
// elements are kept raw and read tolerantly.
type BulkResult struct {
	UpdatedCount Number            `json:"updated_count"`
	FailedCount  Number            `json:"failed_count"`
	Errors       []json.RawMessage `json:"errors"`
}

// Number is a JSON number or a string holding one, as Laravel sends either.
type Number string

// UnmarshalJSON takes 12, 12.5, "12.50" and null.
func (n *Number) UnmarshalJSON(b []byte) error {
	t := bytes.TrimSpace(b)
	if string(t) == "null" {
		*n = ""
		return nil
	}
	if len(t) > 0 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return err
		}
		*n = Number(strings.TrimSpace(s))
		return nil
	}
	*n = Number(t)
	return nil
}

// Int reads a whole number.
func (n Number) Int() (int64, error) {
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", string(n))
	}
	return v, nil
}

// Kurus reads an amount exactly.
func (n Number) Kurus() (money.Kurus, error) { return money.Parse(string(n)) }
