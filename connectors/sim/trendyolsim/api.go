package trendyolsim

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Trendyol's error bodies differ by endpoint, as its OpenAPI documents them: the product
// and inventory endpoints (price-and-inventory, batch results, approved products) answer
// ErrorResponse {"errors":[{"key","message","errorCode"}]}; the order endpoints answer
// Error {"error","message"}. Each endpoint has its one shape, so a connector that reads
// only one of them fails against the other. A 401 also carries "exception":
// "ClientApiAuthenticationException" (the authorization page).

// productError is the body of a product or inventory endpoint's error.
func productError(key, msg string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"key": key, "message": msg, "errorCode": key}}}
}

// orderError is the body of an order endpoint's error.
func orderError(key, msg string) map[string]any {
	return map[string]any{"error": key, "message": msg}
}

// orderPath reports whether a path belongs to the order endpoints.
func orderPath(path string) bool { return strings.HasPrefix(path, "/integration/order/") }

// errorBody is the error of whatever endpoint path is, in its shape.
func errorBody(path, key, msg string) map[string]any {
	if orderPath(path) {
		return orderError(key, msg)
	}
	return productError(key, msg)
}

func errKey(status int) string {
	switch status {
	case 404:
		return "not.found"
	case 405:
		return "method.not.allowed"
	case 413:
		return "payload.too.large"
	case 429:
		return "too.many.requests"
	case 400:
		return "bad.request"
	}
	if status >= 500 {
		return "service.unavailable"
	}
	return "error"
}

// badRequest is a product or inventory endpoint's 400.
func badRequest(key, msg string) simkit.Reply {
	return simkit.JSON(http.StatusBadRequest, productError(key, msg))
}

// badOrder is an order endpoint's 400.
func badOrder(key, msg string) simkit.Reply {
	return simkit.JSON(http.StatusBadRequest, orderError(key, msg))
}

// badItems answers a request whose items break a rule with one error per item, keyed
// by barcode.
func badItems(errs []map[string]any) simkit.Reply {
	return simkit.JSON(http.StatusBadRequest, map[string]any{"errors": errs})
}

const trendyolDate = "2006-01-02T15:04:05.000+00:00"

// packageJSON renders a package with the field names in force since the 08.12.2025
// rename (shipmentPackageId, stockCode, contentId, lineUnitPrice, ...); the old names
// are gone from the real API, so a connector that still needs them must fail here.
func (s *Server) packageJSON(p *pkg) map[string]any {
	var gross, sellerDisc, tyDisc money.Kurus
	lines := make([]map[string]any, 0, len(p.lines))
	for _, l := range p.lines {
		q := money.Kurus(l.qty)
		gross += l.gross * q
		sellerDisc += l.sellerDiscount * q
		tyDisc += l.tyDiscount * q
		details := make([]map[string]any, 0, l.qty)
		for u := 0; u < l.qty; u++ {
			details = append(details, map[string]any{
				"lineItemId":             l.id*100 + int64(u),
				"lineItemPrice":          l.gross - l.sellerDiscount - l.tyDiscount,
				"lineItemSellerDiscount": l.sellerDiscount,
				"lineItemTyDiscount":     l.tyDiscount,
			})
		}
		var cancelCode any
		if l.cancelCode != 0 {
			cancelCode = l.cancelCode
		}
		lines = append(lines, map[string]any{
			"lineId":                  l.id,
			"barcode":                 l.product.Barcode,
			"stockCode":               l.product.StockCode,
			"contentId":               l.product.ContentID,
			"productName":             l.product.Title,
			"productSize":             l.product.Size,
			"productColor":            l.product.Color,
			"quantity":                l.qty,
			"lineGrossAmount":         l.gross,
			"lineSellerDiscount":      l.sellerDiscount,
			"lineTyDiscount":          l.tyDiscount,
			"lineTotalDiscount":       l.sellerDiscount + l.tyDiscount,
			"lineUnitPrice":           l.gross - l.sellerDiscount - l.tyDiscount,
			"discountDetails":         details,
			"vatRate":                 l.product.VatRate,
			"commission":              13,
			"currencyCode":            "TRY",
			"orderLineItemStatusName": l.status,
			"cancelledBy":             l.cancelledBy,
			"cancelReason":            l.cancelReason,
			"cancelReasonCode":        cancelCode,
			"sellerId":                s.sellerIDNumber(),
		})
	}
	hist := make([]map[string]any, 0, len(p.history))
	for _, h := range p.history {
		hist = append(hist, map[string]any{"createdDate": h.at.UnixMilli(), "status": h.status})
	}
	c := p.customer
	addr := map[string]any{
		"id": c.ID*10 + 1, "firstName": c.FirstName, "lastName": c.LastName, "company": c.Company,
		"address1": c.Address1, "address2": c.Address2, "city": c.City, "cityCode": c.CityCode,
		"district": c.District, "districtId": c.DistrictID, "neighborhood": c.Neighborhood,
		"neighborhoodId": c.DistrictID*10 + 1, "postalCode": c.PostalCode, "countryCode": "TR",
		"phone": c.Phone, "fullName": c.FirstName + " " + c.LastName,
		"fullAddress": c.Address1 + " " + c.Address2 + " " + c.Neighborhood + " " + c.District + "/" + c.City,
	}
	inv := map[string]any{}
	for k, v := range addr {
		inv[k] = v
	}
	inv["id"] = c.ID*10 + 2
	if p.commercial {
		inv["taxOffice"], inv["taxNumber"] = c.TaxOffice, c.TaxNumber
	}
	origin := p.origin
	if origin == nil {
		origin = []int64{}
	}
	var invoiceLink any
	if p.invoiceNumber != "" {
		invoiceLink = p.invoiceNumber
	}
	return map[string]any{
		"shipmentPackageId":     p.id,
		"orderNumber":           p.orderNumber,
		"status":                p.status,
		"shipmentPackageStatus": p.status,
		"orderDate":             p.orderDate.Add(s.opt.OrderDateOffset).UnixMilli(),
		"createdDate":           p.created.UnixMilli(),
		"lastModifiedDate":      p.lastModified.UnixMilli(),
		"agreedDeliveryDate":    p.orderDate.Add(72 * time.Hour).UnixMilli(),
		"currencyCode":          "TRY",
		"packageGrossAmount":    gross,
		"packageSellerDiscount": sellerDisc,
		"packageTyDiscount":     tyDisc,
		"packageTotalDiscount":  sellerDisc + tyDisc,
		"packageTotalPrice":     gross - sellerDisc - tyDisc,
		"customerFirstName":     c.FirstName,
		"customerLastName":      c.LastName,
		"customerEmail":         c.Email,
		"customerId":            c.ID,
		"identityNumber":        c.IdentityNumber,
		"taxNumber":             c.TaxNumber,
		"commercial":            p.commercial,
		"cargoTrackingNumber":   p.cargoTracking,
		"cargoProviderName":     "Trendyol Express Marketplace",
		"cargoSenderNumber":     "210090111111",
		"invoiceNumber":         invoiceLink,
		"createdBy":             p.createdBy,
		"originPackageIds":      origin,
		"packageHistories":      hist,
		"shipmentAddress":       addr,
		"invoiceAddress":        inv,
		"lines":                 lines,
	}
}

func (s *Server) sellerIDNumber() int64 {
	n, _ := strconv.ParseInt(s.opt.SellerID, 10, 64)
	return n
}
