// Package api holds the ikas Admin API (v2) wire types: GraphQL request and reply
// envelopes and the objects the connector reads and writes.
package api

import "encoding/json"

// Request is a GraphQL POST body.
type Request struct {
	Query     string `json:"query"`
	Variables any    `json:"variables,omitempty"`
}

// Reply is a GraphQL reply: data (possibly partial) and errors.
type Reply struct {
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Error is one element of errors[].
type Error struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// Token is the reply of the token endpoint.
type Token struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
}

// Identity is the reply of { me { id scope } getMerchant { id storeName } }.
type Identity struct {
	Me struct {
		ID    string `json:"id"`
		Scope string `json:"scope"`
	} `json:"me"`
	Merchant struct {
		ID        string  `json:"id"`
		StoreName *string `json:"storeName"`
	} `json:"getMerchant"`
}

// PaginationInput is { page (1-based), limit (at most 200) }.
type PaginationInput struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
}

// StringFilter is StringFilterInput.
type StringFilter struct {
	Eq *string  `json:"eq,omitempty"`
	In []string `json:"in,omitempty"`
}

// DateFilter is DateFilterInput on epoch milliseconds.
type DateFilter struct {
	Gte *int64 `json:"gte,omitempty"`
}

// Page is the common paginated reply: count is the rows on this page.
type Page[T any] struct {
	Count   int  `json:"count"`
	Data    []T  `json:"data"`
	HasNext bool `json:"hasNext"`
	Limit   int  `json:"limit"`
	Page    int  `json:"page"`
}

// Product is a listProduct row.
type Product struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	Brand       *Brand    `json:"brand"`
	UpdatedAt   *int64    `json:"updatedAt"`
	Deleted     bool      `json:"deleted"`
	Variants    []Variant `json:"variants"`
}

// Brand is a product's brand.
type Brand struct {
	Name string `json:"name"`
}

// Variant is one variant of a product; sku may be null.
type Variant struct {
	ID          string   `json:"id"`
	SKU         *string  `json:"sku"`
	BarcodeList []string `json:"barcodeList"`
	Deleted     bool     `json:"deleted"`
	Prices      []Price  `json:"prices"`
	Stocks      []Stock  `json:"stocks"`
}

// Price is a variant's price object (priceListId null: the default list).
type Price struct {
	SellPrice     json.Number  `json:"sellPrice"`
	DiscountPrice *json.Number `json:"discountPrice"`
	BuyPrice      *json.Number `json:"buyPrice"`
	PriceListID   *string      `json:"priceListId"`
}

// Stock is a variant's count at one stock location.
type Stock struct {
	StockLocationID string      `json:"stockLocationId"`
	StockCount      json.Number `json:"stockCount"`
}

// StockLocation is a listStockLocation row.
type StockLocation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PriceValue is UpdateProductVariantPricesInputPrice: exactly sellPrice, discountPrice
// and buyPrice. The object replaces the stored one, so every field that must survive is
// sent; a nil pointer is sent as null (cleared).
type PriceValue struct {
	SellPrice     json.Number  `json:"sellPrice"`
	DiscountPrice *json.Number `json:"discountPrice"`
	BuyPrice      *json.Number `json:"buyPrice"`
}

// VariantPriceInput is one entry of updateVariantPrices.
type VariantPriceInput struct {
	ProductID string     `json:"productId"`
	VariantID string     `json:"variantId"`
	Deleted   bool       `json:"deleted"`
	Price     PriceValue `json:"price"`
}

// UpdateVariantPricesInput is the input of updateVariantPrices.
type UpdateVariantPricesInput struct {
	PriceListID        *string             `json:"priceListId"`
	VariantPriceInputs []VariantPriceInput `json:"variantPriceInputs"`
}

// StockInput is one entry of saveVariantStocks: an absolute count at a location.
type StockInput struct {
	ProductID       string      `json:"productId"`
	VariantID       string      `json:"variantId"`
	StockLocationID string      `json:"stockLocationId"`
	StockCount      json.Number `json:"stockCount"`
}

// SaveVariantStocksInput is the input of saveVariantStocks.
type SaveVariantStocksInput struct {
	StockInputs []StockInput `json:"stockInputs"`
}

// InputError is one per-input failure of a price or stock call.
type InputError struct {
	ErrorCode       string `json:"errorCode"`
	InputArrayIndex *int   `json:"inputArrayIndex"`
}

// MutationResult is the reply of updateVariantPrices and saveVariantStocks.
type MutationResult struct {
	Errors []InputError `json:"errors"`
}

// BrandInput is ProductProductBrandInput.
type BrandInput struct {
	Name string `json:"name"`
}

// UpdateProductInput sends only the fields set; ikas keeps the omitted ones.
type UpdateProductInput struct {
	ID          string      `json:"id"`
	Name        *string     `json:"name,omitempty"`
	Description *string     `json:"description,omitempty"`
	Brand       *BrandInput `json:"brand,omitempty"`
}

// Order is a listOrder row.
type Order struct {
	ID                 string           `json:"id"`
	OrderNumber        *string          `json:"orderNumber"`
	Status             string           `json:"status"`
	OrderPaymentStatus *string          `json:"orderPaymentStatus"`
	OrderPackageStatus *string          `json:"orderPackageStatus"`
	OrderedAt          *int64           `json:"orderedAt"`
	UpdatedAt          *int64           `json:"updatedAt"`
	CurrencyCode       string           `json:"currencyCode"`
	TotalFinalPrice    json.Number      `json:"totalFinalPrice"`
	Customer           *Customer        `json:"customer"`
	ShippingAddress    *Address         `json:"shippingAddress"`
	BillingAddress     *Address         `json:"billingAddress"`
	OrderLineItems     []LineItem       `json:"orderLineItems"`
	OrderPackages      []Package        `json:"orderPackages"`
	ShippingLines      []ShippingLine   `json:"shippingLines"`
	OrderAdjustments   []OrderAdjusment `json:"orderAdjustments"`
}

// Customer is an order's buyer; null for POS orders.
type Customer struct {
	FirstName      *string `json:"firstName"`
	LastName       *string `json:"lastName"`
	Email          *string `json:"email"`
	Phone          *string `json:"phone"`
	IdentityNumber *string `json:"identityNumber"`
}

// Address is an order address.
type Address struct {
	FirstName      *string      `json:"firstName"`
	LastName       *string      `json:"lastName"`
	Company        *string      `json:"company"`
	TaxNumber      *string      `json:"taxNumber"`
	TaxOffice      *string      `json:"taxOffice"`
	IdentityNumber *string      `json:"identityNumber"`
	AddressLine1   *string      `json:"addressLine1"`
	AddressLine2   *string      `json:"addressLine2"`
	City           *AddressPart `json:"city"`
	District       *AddressPart `json:"district"`
	Country        *AddressPart `json:"country"`
	PostalCode     *string      `json:"postalCode"`
	Phone          *string      `json:"phone"`
}

// AddressPart is a city, district or country.
type AddressPart struct {
	Name *string `json:"name"`
}

// LineItem is one order line.
type LineItem struct {
	ID             string       `json:"id"`
	Status         string       `json:"status"`
	Quantity       json.Number  `json:"quantity"`
	Price          json.Number  `json:"price"`
	UnitPrice      *json.Number `json:"unitPrice"`
	FinalPrice     *json.Number `json:"finalPrice"`
	FinalUnitPrice *json.Number `json:"finalUnitPrice"`
	TaxValue       *json.Number `json:"taxValue"`
	Variant        LineVariant  `json:"variant"`
}

// LineVariant is the variant of an order line; sku may be null.
type LineVariant struct {
	ID          *string  `json:"id"`
	ProductID   *string  `json:"productId"`
	SKU         *string  `json:"sku"`
	BarcodeList []string `json:"barcodeList"`
	Name        string   `json:"name"`
}

// Package is an order package.
type Package struct {
	ID                        string        `json:"id"`
	OrderPackageNumber        string        `json:"orderPackageNumber"`
	OrderLineItemIDs          []string      `json:"orderLineItemIds"`
	OrderPackageFulfillStatus string        `json:"orderPackageFulfillStatus"`
	UpdatedAt                 *int64        `json:"updatedAt"`
	TrackingInfo              *TrackingInfo `json:"trackingInfo"`
}

// TrackingInfo is a package's cargo tracking.
type TrackingInfo struct {
	TrackingNumber *string `json:"trackingNumber"`
	CargoCompany   *string `json:"cargoCompany"`
}

// ShippingLine is a shipping charge of an order.
type ShippingLine struct {
	Price json.Number `json:"price"`
}

// OrderAdjusment is an order-level adjustment (campaigns are already in the lines'
// finalPrice; read only for the record).
type OrderAdjusment struct {
	Amount json.Number `json:"amount"`
	Type   *string     `json:"type"`
	Name   *string     `json:"name"`
}
