package hepsiburadasim

import (
	"net/http"
	"strconv"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// Error shapes differ by host ([SDK README "Errors"; error-factory.ts]):
//   - listing-external: 401 is text/plain "Missing Credentials!"; a 400 has an errors
//     array (here {"errors":["…"]}, an array of plain messages: the element shape is
//     UNCONFIRMED);
//   - oms-external: 401 is an empty body under a JSON content type; 400/404/500 are a
//     bare JSON string such as "WrongDateFormat";
//   - mpop: failures are 200 {success:false, code≠0, message}; 401/403 carry ErrorDTO.
//
// Errors the kit itself produces (unknown path, 5xx and 429 faults) have no host to go
// by; they are bare JSON strings, the order host's shape.

// ListingCredentialsText is the body of the listing host's 401.
const ListingCredentialsText = "Missing Credentials!"

// TooManyUploadsText is the listing host's answer, inside a 200, to an upload above the
// limit of pending uploads ([SDK rate-limit-middleware.ts]).
const TooManyUploadsText = "There are too many ongoing/waiting inventory uploads at the moment. Please try again later."

func kitErrorBody(_ int, msg string) any { return msg }

func listingError(status int, msgs ...string) simkit.Reply {
	return simkit.JSON(status, map[string]any{"errors": msgs})
}

func omsError(status int, code string) simkit.Reply { return simkit.JSON(status, code) }

func mpopFailure(code int, msg string) simkit.Reply {
	return simkit.JSON(http.StatusOK, map[string]any{"success": false, "code": code, "version": 1, "message": msg})
}

func (s *Server) unauthorized(host string) *simkit.Reply {
	var r simkit.Reply
	switch host {
	case hostListing:
		r = simkit.Reply{Status: http.StatusUnauthorized, Raw: []byte(ListingCredentialsText),
			Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}
	case hostOMS:
		r = simkit.Reply{Status: http.StatusUnauthorized, Raw: []byte{},
			Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}}
	default:
		r = simkit.JSON(http.StatusUnauthorized, map[string]any{"message": "Unauthorized", "description": "Full authentication is required"})
	}
	return &r
}

func (s *Server) tooMany(host string) any {
	switch host {
	case hostListing:
		return map[string]any{"errors": []string{"Too many requests"}}
	case hostCatalog:
		return map[string]any{"success": false, "code": 429, "message": "Too many requests"}
	}
	return "TooManyRequests"
}

func wrongCase(*simkit.Call) simkit.Reply {
	return listingError(http.StatusBadRequest, "The merchantid path segment must be lower case: /listings/merchantid/{merchantId}")
}

// Dates. OMS dates are Turkey local wall time without a zone (the reference's sample
// "2026-09-01T09:12:00"; assumed for every OMS date). The /orders date filter is
// "yyyy-MM-dd HH:mm", Turkey local. Upload results carry UTC with Z.
var turkey = time.FixedZone("TRT", 3*60*60)

const (
	omsLayout    = "2006-01-02T15:04:05"
	filterLayout = "2006-01-02 15:04"
)

func omsDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(turkey).Format(omsLayout)
}

func moneyJSON(k money.Kurus) map[string]any { return map[string]any{"amount": k, "currency": "TRY"} }

func listingJSON(l *Listing) map[string]any {
	lock := l.LockReasons
	if lock == nil {
		lock = []string{}
	}
	deact := []string{}
	if l.Stock == 0 {
		deact = append(deact, "OutOfStock")
	}
	return map[string]any{
		"listingId":                  l.HBSku + "-listing",
		"uniqueIdentifier":           l.HBSku + "-" + l.MerchantSku,
		"hepsiburadaSku":             l.HBSku,
		"merchantSku":                l.MerchantSku,
		"price":                      l.Price,
		"availableStock":             l.Stock,
		"dispatchTime":               l.DispatchTime,
		"cargoCompany1":              "Yurtiçi Kargo",
		"cargoCompany2":              nil,
		"cargoCompany3":              nil,
		"shippingAddressLabel":       "Merkez Depo",
		"shippingProfileName":        nil,
		"claimAddressLabel":          "Merkez Depo",
		"maximumPurchasableQuantity": l.MaxPurchasable,
		"minimumPurchasableQuantity": 1,
		"pricings":                   []any{},
		"isSalable":                  l.Salable(),
		"customizableProperties":     []any{},
		"deactivationReasons":        deact,
		"isSuspended":                false,
		"isLocked":                   l.Locked,
		"lockReasons":                lock,
		"isFrozen":                   false,
		"freezeReasons":              []string{},
		"availableWarehouses":        []string{},
		"isFulfilledByHB":            l.FulfilledByHB,
		"priceIncreaseDisabled":      false,
		"priceDecreaseDisabled":      false,
		"stockDecreaseDisabled":      false,
		"skuAfterSuspension":         nil,
		"productId":                  l.ProductID,
		"hasVariant":                 false,
	}
}

func uploadResultJSON(u *upload) map[string]any {
	errs := make([]map[string]any, 0, len(u.errors))
	for _, e := range u.errors {
		errs = append(errs, map[string]any{"elementNo": e.elementNo, "hepsiburadaSku": nullable(e.hbSku),
			"merchantSku": nullable(e.merchantSku), "errors": e.errs})
	}
	out := map[string]any{
		"id": u.id, "status": u.status, "createdAt": u.created.UTC().Format(time.RFC3339),
		"total": len(u.rows), "errors": errs,
	}
	if u.kind != kindStock {
		// Documented for price uploads; assumed for inventory uploads, which carry prices.
		checks := make([]map[string]any, 0, len(u.checks))
		for _, v := range u.checks {
			checks = append(checks, map[string]any{
				"elementNo": v.elementNo, "hepsiburadaSku": nullable(v.hbSku), "merchantSku": nullable(v.merchantSku),
				"type": v.typ, "minPrice": v.min, "maxPrice": v.max,
				"regulativePriceDetail": map[string]any{"minAmount": v.min, "maxAmount": v.max, "categoryName": v.category},
				"description":           v.desc,
			})
		}
		out["priceValidations"] = checks
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func addressJSON(c Customer) map[string]any {
	return map[string]any{
		"addressId": "adr-" + c.ID, "address": c.Address, "name": c.Name, "email": c.Email,
		"phoneNumber": c.Phone, "alternatePhoneNumber": "", "city": c.City, "town": c.Town,
		"district": c.District, "postalCode": c.PostalCode, "countryCode": "TR", "directions": "",
	}
}

func invoiceJSON(c Customer) map[string]any {
	return map[string]any{"address": addressJSON(c), "taxNumber": c.TaxNumber, "taxOffice": c.TaxOffice,
		"turkishIdentityNumber": c.IdentityNo}
}

// lineJSON is a model.LineRepresentation: the rows of /orders and of an order's detail.
func lineJSON(l *line) map[string]any {
	q := money.Kurus(l.qty)
	vat := l.vatOf()
	pn, barcode := "", ""
	if l.pkg != nil {
		pn, barcode = l.pkg.number, l.pkg.barcode
	}
	return map[string]any{
		"id":                   l.id,
		"orderId":              l.order.id,
		"orderNumber":          l.order.number,
		"orderDate":            omsDate(l.order.date),
		"status":               l.state,
		"sku":                  l.listing.HBSku,
		"merchantSKU":          l.listing.MerchantSku,
		"productBarcode":       l.listing.Barcode,
		"name":                 l.listing.Title,
		"quantity":             l.qty,
		"unitPrice":            moneyJSON(l.unit),
		"totalPrice":           moneyJSON(l.unit*q - (l.hbDisc+l.mDisc)*q),
		"hbDiscount":           map[string]any{"unitPrice": moneyJSON(l.hbDisc), "totalPrice": moneyJSON(l.hbDisc * q)},
		"merchantDiscount":     map[string]any{"unitPrice": moneyJSON(l.mDisc), "totalPrice": moneyJSON(l.mDisc * q)},
		"vat":                  vat,
		"vatRate":              l.listing.VATRate,
		"commission":           moneyJSON(money.Kurus(int64(l.unit) * int64(l.qty) * 12 / 100)),
		"commissionRate":       12,
		"customerId":           l.order.customer.ID,
		"customerName":         l.order.customer.Name,
		"shippingAddress":      addressJSON(l.order.customer),
		"invoice":              invoiceJSON(l.order.customer),
		"cargoCompany":         "Yurtiçi Kargo",
		"dueDate":              omsDate(l.order.date.Add(48 * time.Hour)),
		"dispatchTime":         2,
		"canCreatePackage":     l.state == lineOpen,
		"isCancellable":        l.state == lineOpen,
		"packageNumber":        pn,
		"barcode":              barcode,
		"lastStatusUpdateDate": omsDate(l.changed),
		"warehouse":            map[string]any{"shippingAddressLabel": "Merkez Depo", "shippingModel": "Standard"},
		"deliveryType":         "Standard",
		"isMicroExport":        false,
	}
}

// vatOf is the VAT included in the line's total, rounded to the kuruş.
func (l *line) vatOf() money.Kurus {
	q := money.Kurus(l.qty)
	total := int64(l.unit*q - (l.hbDisc+l.mDisc)*q)
	r := int64(l.listing.VATRate)
	return money.Kurus((total*r*2 + (100 + r)) / (2 * (100 + r)))
}

// awaitingJSON is a PaymentAwaitingOrderLineRepresentation: PascalCase, no amounts.
func awaitingJSON(l *line, merchant string) map[string]any {
	return map[string]any{
		"Id": l.id, "MerchantId": merchant, "MerchantSku": l.listing.MerchantSku, "Name": l.listing.Title,
		"OrderDate": omsDate(l.order.date), "OrderNumber": l.order.number,
		"Properties": []map[string]string{}, "Quantity": l.qty, "Sku": l.listing.HBSku,
	}
}

// cancelledJSON is a CancelledOrderLineRepresentation.
func cancelledJSON(l *line, merchant string) map[string]any {
	return map[string]any{
		"cancelDate": omsDate(l.cancelledAt), "cancelReasonCode": l.cancelReason, "cancelledBy": l.cancelledBy,
		"lineItemId": l.id, "merchantId": merchant, "merchantSku": l.listing.MerchantSku,
		"orderNumber": l.order.number, "quantity": l.qty, "sku": l.listing.HBSku,
	}
}

// packageJSON is an ExternalRawPackageRepresentation with PackageLine items: the keys
// of the package skeleton in the payload corpus, plus totalDeci and the lines' deci,
// which the SDK's live responses add.
func packageJSON(p *pkg, merchant string) map[string]any {
	o := p.lines[0].order
	c := o.customer
	items := make([]map[string]any, 0, len(p.lines))
	var total money.Kurus
	for _, l := range p.lines {
		q := money.Kurus(l.qty)
		lineTotal := l.unit*q - (l.hbDisc+l.mDisc)*q
		total += lineTotal
		items = append(items, map[string]any{
			"lineItemId": l.id, "listingId": l.listing.HBSku + "-listing", "merchantId": merchant,
			"hbSku": l.listing.HBSku, "merchantSku": l.listing.MerchantSku, "productBarcode": l.listing.Barcode,
			"productName": l.listing.Title, "orderNumber": o.number, "orderDate": omsDate(o.date),
			"quantity": l.qty, "price": moneyJSON(l.unit), "totalPrice": moneyJSON(lineTotal),
			"unitHBDiscount": moneyJSON(l.hbDisc), "totalHBDiscount": moneyJSON(l.hbDisc * q),
			"unitMerchantDiscount": moneyJSON(l.mDisc), "totalMerchantDiscount": moneyJSON(l.mDisc * q),
			"merchantUnitPrice": moneyJSON(l.unit - l.mDisc), "merchantTotalPrice": moneyJSON((l.unit - l.mDisc) * q),
			"purchasePrice": moneyJSON(0), "bnplCommissionAmount": moneyJSON(0),
			"commission": moneyJSON(money.Kurus(int64(lineTotal) * 12 / 100)), "commissionRate": 12,
			"vat": l.vatOf(), "vatRate": l.listing.VATRate,
			"warehouse":    map[string]any{"shippingAddressLabel": "Merkez Depo", "shippingModel": "Standard"},
			"deliveryType": "Standard", "customerDelivery": "", "cargoPaymentInfo": "Merchant", "creationReason": "Order",
			"customizedText01": "", "customizedText02": "", "customizedText03": "", "customizedText04": "",
			"deptorDifferenceAmount": 0, "discountToBeBilledToHB": l.hbDisc * q, "gtip": "", "pickupTime": "",
			"properties": []map[string]string{}, "weight": 1, "deci": 1,
		})
	}
	return map[string]any{
		"id": "pkg-" + p.number, "packageNumber": p.number, "barcode": p.barcode, "status": p.status,
		"orderDate": omsDate(o.date), "dueDate": omsDate(o.date.Add(48 * time.Hour)),
		"cargoCompany": p.cargo, "customerId": c.ID, "customerName": c.Name, "email": c.Email,
		"phoneNumber": c.Phone, "identityNo": c.IdentityNo, "recipientName": c.Name,
		"shippingAddressDetail": c.Address, "shippingCity": c.City, "shippingTown": c.Town,
		"shippingDistrict": c.District, "shippingCountryCode": "TR",
		"billingAddress": c.Address, "billingCity": c.City, "billingTown": c.Town, "billingDistrict": c.District,
		"billingPostalCode": c.PostalCode, "companyName": "",
		"taxNumber": c.TaxNumber, "taxOffice": c.TaxOffice, "isCargoChangable": true,
		"totalPrice": moneyJSON(total), "shippingTotalPrice": moneyJSON(0), "customsTotalPrice": moneyJSON(0),
		"unpackedDate": nil, "totalDeci": len(p.lines), "items": items,
	}
}

// trackingJSON is a thin PascalCase shipped/delivered/undelivered row.
func trackingJSON(p *pkg, merchant string) map[string]any {
	o := p.lines[0].order
	row := map[string]any{"Id": "pkg-" + p.number, "MerchantId": merchant, "OrderNumber": o.number,
		"OrderNumbers": []string{o.number}, "PackageNumber": p.number, "Barcode": p.barcode, "EtgbNo": ""}
	switch p.status {
	case lineShipped:
		row["ShippedDate"], row["Deci"] = omsDate(p.moved), len(p.lines)
	case lineDelivered:
		row["DeliveredDate"] = omsDate(p.moved)
	case lineUndelivered:
		row["UndeliveredDate"], row["UndeliveredReason"] = omsDate(p.moved), p.reason
	}
	return row
}

// orderDetailJSON is an OrderRepresentation: the whole order in every state.
func orderDetailJSON(o *order) map[string]any {
	items := make([]map[string]any, 0, len(o.lines))
	paid := "Paid"
	for _, l := range o.lines {
		items = append(items, lineJSON(l))
		if l.state == lineAwaiting {
			paid = "WaitingPayment"
		}
	}
	return map[string]any{
		"orderId": o.id, "orderNumber": o.number, "orderDate": omsDate(o.date), "createdDate": omsDate(o.date),
		"customer":        map[string]any{"customerId": o.customer.ID, "name": o.customer.Name},
		"deliveryAddress": addressJSON(o.customer), "invoice": invoiceJSON(o.customer),
		"orderNote": map[string]any{"value": "", "tags": []string{}}, "paymentStatus": paid, "items": items,
	}
}

func pageJSON(items any, limit, offset, total int) map[string]any {
	pages := 0
	if limit > 0 {
		pages = (total + limit - 1) / limit
	}
	return map[string]any{"items": items, "limit": limit, "offset": offset, "pageCount": pages, "totalCount": total}
}

func itoa(n int) string { return strconv.Itoa(n) }
