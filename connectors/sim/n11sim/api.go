package n11sim

import (
	"net/http"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// MessageAuthFailed is n11's text for refused credentials (measured on prod).
const MessageAuthFailed = "Apide doğrulama işlemi başarısız oldu."

// springError is the error body of the /ms paths: the Spring envelope n11 answers with.
func springError(typ, msg, desc string) map[string]any {
	return map[string]any{
		"@type": typ, "name": typ, "message": msg, "description": desc,
		"urlStack": []string{}, "errors": []map[string]any{{"reason": msg}},
	}
}

func springName(status int) string {
	switch status {
	case 400:
		return "BadRequestException"
	case 401:
		return "SellerApiUserUnauthorizedException"
	case 404:
		return "NotFoundException"
	case 405:
		return "MethodNotAllowedException"
	case 413:
		return "PayloadTooLargeException"
	case 429:
		return "TooManyRequestsException"
	}
	return "InternalServerException"
}

// restError is the error body of the /rest paths.
func restError(code int, errorCode, msg string) map[string]any {
	return map[string]any{"code": code, "status": "failure", "errorCode": errorCode, "errorMessage": msg,
		"errorCategory": "SELLER_API"}
}

// badParam is the 500 n11 answers a bad parameter on /ms with (Spring's
// ConstraintViolationException / IllegalArgumentException).
func badParam(msg string) simkit.Reply {
	return simkit.JSON(http.StatusInternalServerError, springError("InternalServerException", msg, "ConstraintViolationException"))
}

func htmlPage(status int, title string) simkit.Reply {
	return simkit.Reply{Status: status, Raw: []byte("<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1></body></html>"),
		Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}}
}

func plainText(status int, text string) simkit.Reply {
	return simkit.Reply{Status: status, Raw: []byte(text), Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}
}

// unknownPath answers any path n11 does not have: 503 with an HTML page.
func unknownPath(*simkit.Call) simkit.Reply {
	return htmlPage(http.StatusServiceUnavailable, "503 Service Temporarily Unavailable")
}

// emptyPage is the over-limit answer of OverEmptyPage: the endpoint's own envelope with
// nothing in it. Writes have none and get a 429 instead.
func (s *Server) emptyPage(c *simkit.Call) (simkit.Reply, bool) {
	q := c.R.URL.Query()
	switch c.Endpoint {
	case "product-query":
		page, _ := simkit.QueryInt(q, "page", 0)
		size, _ := simkit.QueryInt(q, "size", 20)
		return simkit.JSON(http.StatusOK, springPage([]map[string]any{}, page, size, 0)), true
	case "shipment-packages":
		page, _ := simkit.QueryInt(q, "page", 0)
		size, _ := simkit.QueryInt(q, "size", 20)
		return simkit.JSON(http.StatusOK, packagePage([]map[string]any{}, page, min(size, s.opt.OrdersMax), 0)), true
	case "task-details":
		req, _ := parseDetailsRequest(c.Body)
		return simkit.JSON(http.StatusOK, map[string]any{"taskId": req.TaskID, "status": nil,
			"skus": taskPage([]map[string]any{}, req.Page, req.Size, 0)}), true
	}
	return simkit.Reply{}, false
}

// springPage is the Spring page envelope of product-query.
func springPage(content []map[string]any, page, size, total int) map[string]any {
	pages := 0
	if size > 0 {
		pages = (total + size - 1) / size
	}
	return map[string]any{
		"content": content, "totalElements": total, "totalPages": pages, "number": page, "size": size,
		"first": page == 0, "last": page >= pages-1, "empty": len(content) == 0,
	}
}

// taskPage is the page of a task's items: the keys the documented sample has, no more.
func taskPage(content []map[string]any, page, size, total int) map[string]any {
	p := springPage(content, page, size, total)
	delete(p, "first")
	delete(p, "last")
	delete(p, "empty")
	return p
}

// packagePage is shipmentPackages' envelope: pageCount is the rows on this page.
func packagePage(content []map[string]any, page, size, totalPages int) map[string]any {
	return map[string]any{"content": content, "page": page, "size": size, "totalPages": totalPages, "pageCount": len(content)}
}

// epoch renders an instant as n11's epoch milliseconds (of the GMT+3 wall clock).
func (s *Server) epoch(t time.Time) int64 { return t.Add(s.opt.DateOffset).UnixMilli() }

// instant reads n11's epoch milliseconds.
func (s *Server) instant(ms int64) time.Time { return time.UnixMilli(ms).Add(-s.opt.DateOffset) }

func productJSON(p *Product) map[string]any {
	var barcode any
	if p.Barcode != "" {
		barcode = p.Barcode
	}
	var maxPurchase any
	if p.MaxPurchaseQuantity > 0 {
		maxPurchase = p.MaxPurchaseQuantity
	}
	return map[string]any{
		"n11ProductId": p.N11ProductID, "stockCode": p.StockCode, "title": p.Title, "description": p.Description,
		"salePrice": p.SalePrice, "listPrice": p.ListPrice, "quantity": p.Quantity, "currencyType": p.Currency,
		"vatRate": p.VatRate, "commissionRate": p.CommissionRate, "status": p.Status, "saleStatus": p.saleStatus(),
		"barcode": barcode, "maxPurchaseQuantity": maxPurchase, "productMainId": p.ProductMainID,
	}
}

func (s *Server) packageJSON(p *pkg) map[string]any {
	var total, discount money.Kurus
	lines := make([]map[string]any, 0, len(p.lines))
	for _, l := range p.lines {
		q := money.Kurus(l.qty)
		total += l.price * q
		discount += l.sellerDiscount + l.couponDiscount + l.mallDiscount
		lines = append(lines, map[string]any{
			"orderLineId":                 l.id,
			"productId":                   l.product.N11ProductID,
			"productName":                 l.product.Title,
			"stockCode":                   l.product.StockCode,
			"barcode":                     l.product.Barcode,
			"quantity":                    l.qty,
			"price":                       l.price,
			"dueAmount":                   l.price*q - l.sellerDiscount - l.couponDiscount - l.mallDiscount,
			"sellerDiscount":              l.sellerDiscount,
			"sellerCouponDiscount":        l.couponDiscount,
			"mallDiscount":                l.mallDiscount,
			"sellerInvoiceAmount":         l.price*q - l.sellerDiscount - l.couponDiscount,
			"orderItemLineItemStatusName": l.status,
			"vatRate":                     l.product.VatRate,
			"commissionRate":              l.product.CommissionRate,
			"variantAttributes":           []map[string]any{},
		})
	}
	hist := make([]map[string]any, 0, len(p.history))
	for _, h := range p.history {
		hist = append(hist, map[string]any{"status": h.status, "createdDate": s.epoch(h.at)})
	}
	c := p.customer
	billing := map[string]any{
		"fullName": c.FullName, "address": c.Address, "city": c.City, "district": c.District,
		"neighborhood": c.Neighborhood, "postalCode": c.PostalCode, "gsm": c.GSM, "tcId": c.TCID,
		"taxId": c.TaxID, "taxHouse": c.TaxOffice, "invoiceType": 1, "countryCode": "TR",
	}
	shipping := map[string]any{
		"fullName": c.FullName, "address": c.Address, "city": c.City, "district": c.District,
		"neighborhood": c.Neighborhood, "postalCode": c.PostalCode, "gsm": c.GSM, "tcId": c.TCID,
	}
	var deliveryType any
	if p.pickup != nil {
		deliveryType = p.deliveryType
		shipping = map[string]any{"fullName": p.pickup.FullName, "address": p.pickup.Address, "city": p.pickup.City,
			"district": p.pickup.District, "neighborhood": p.pickup.Neighborhood, "postalCode": p.pickup.PostalCode,
			"gsm": p.pickup.GSM, "tcId": ""}
	}
	return map[string]any{
		"id":                    p.id,
		"orderNumber":           p.orderNumber,
		"shipmentPackageStatus": p.status,
		"customerId":            c.ID,
		"customerfullName":      c.FullName,
		"customerEmail":         c.Email,
		"tcIdentityNumber":      c.TCID,
		"taxId":                 c.TaxID,
		"taxOffice":             c.TaxOffice,
		"billingAddress":        billing,
		"shippingAddress":       shipping,
		"deliveryAddressType":   deliveryType,
		"shipmentCompanyId":     344,
		"cargoProviderName":     "Yurtiçi Kargo",
		"cargoTrackingNumber":   p.cargoTracking,
		"cargoTrackingLink":     "https://kargotakip.n11.com/" + p.cargoTracking,
		"cargoSenderNumber":     "N11" + p.cargoTracking,
		"shipmentMethod":        1,
		"totalAmount":           total,
		"totalDiscountAmount":   discount,
		"isReturned":            p.returned,
		"lastModifiedDate":      s.epoch(p.lastModified),
		"agreedDeliveryDate":    s.epoch(p.created.Add(72 * time.Hour)),
		"lines":                 lines,
		"packageHistories":      hist,
	}
}
