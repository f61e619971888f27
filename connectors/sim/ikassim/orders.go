package ikassim

import (
	"syncagent/connectors/money"
)

var orderSorts = map[string]func(*order) string{
	"updatedAt": func(o *order) string { return sortableMs(o.updated) },
	"orderedAt": func(o *order) string { return sortableMs(o.ordered) },
	"createdAt": func(o *order) string { return sortableMs(o.created) },
}

// listOrder: filters on id, orderNumber, status and the dates (epoch ms), sort with "-"
// for descending (default -orderedAt: newest first), paging as every list.
func (x *exec) listOrder(args map[string]any) (any, *gqlError) {
	page, limit, e := x.page(args)
	if e != nil {
		return nil, e
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	var list []*order
	for _, o := range x.s.st.orders.All() {
		if !matchString(args["id"], o.id) || !matchString(args["orderNumber"], o.number) || !matchString(args["status"], o.status) {
			continue
		}
		ok1, e1 := matchDate(args["orderedAt"], o.ordered)
		ok2, e2 := matchDate(args["updatedAt"], o.updated)
		if e1 != nil {
			return nil, e1
		}
		if e2 != nil {
			return nil, e2
		}
		if ok1 && ok2 {
			list = append(list, o)
		}
	}
	spec := str(args["sort"])
	if spec == "" {
		spec = "-orderedAt"
	}
	if e := sortBy(list, spec, orderSorts); e != nil {
		return nil, e
	}
	return pageOf(list, page, limit, renderOrder), nil
}

func address(c *Customer) map[string]any {
	if c == nil {
		return nil
	}
	part := func(name string) map[string]any {
		return map[string]any{"__typename": "OrderAddressPart", "id": nil, "code": nil, "name": name}
	}
	return map[string]any{"__typename": "OrderAddress", "firstName": c.FirstName, "lastName": c.LastName, "company": nil,
		"taxNumber": nil, "taxOffice": nil, "identityNumber": nil, "addressLine1": "Koru Mah. Ahmet Taner Kışlalı Cad. No:4",
		"addressLine2": nil, "city": part("Ankara"), "district": part("Çankaya"), "state": part("Default"), "country": part("Turkey"),
		"postalCode": nil, "phone": c.Phone, "isDefault": false}
}

func renderOrder(o *order) map[string]any {
	var total, final money.Kurus
	lines := make([]map[string]any, len(o.lines))
	for i, l := range o.lines {
		if l.status != "CANCELLED" {
			total += l.price * money.Kurus(l.qty)
			final += l.final
		}
		var sku any = l.sku
		if l.nullSKU {
			sku = nil
		}
		barcodes := l.barcodes
		if barcodes == nil {
			barcodes = []string{}
		}
		lines[i] = map[string]any{"__typename": "OrderLineItem", "id": l.id, "status": l.status, "quantity": l.qty,
			"price": l.price, "unitPrice": nil, "finalPrice": l.final, "finalUnitPrice": nil, "discountPrice": nil, "taxValue": nil,
			"currencyCode": o.currency, "stockLocationId": l.location, "originalOrderLineItemId": l.id,
			"createdAt": ms(l.created), "updatedAt": ms(l.updated), "deleted": false,
			"variant": map[string]any{"__typename": "OrderLineVariant", "id": l.variantID, "productId": l.productID, "sku": sku,
				"barcodeList": barcodes, "name": l.name, "slug": nil, "mainImageId": nil, "taxValue": nil}}
	}
	packages := make([]map[string]any, len(o.packages))
	for i, p := range o.packages {
		var tracking any
		if p.tracking != "" {
			tracking = map[string]any{"__typename": "TrackingInfo", "trackingNumber": p.tracking, "cargoCompany": "Yurtiçi Kargo",
				"barcode": p.tracking, "trackingLink": nil, "isSendNotification": nil}
		}
		packages[i] = map[string]any{"__typename": "OrderPackage", "id": p.id, "orderPackageNumber": p.number,
			"orderLineItemIds": p.lines, "orderPackageFulfillStatus": p.status, "stockLocationId": nilIfEmpty(p.location),
			"trackingInfo": tracking, "note": nil, "errorMessage": nil, "createdAt": ms(p.created), "updatedAt": ms(p.updated), "deleted": false}
	}
	var customer any
	if o.customer != nil {
		c := o.customer
		customer = map[string]any{"__typename": "OrderCustomer", "id": "c-" + c.Email, "firstName": c.FirstName, "lastName": c.LastName,
			"email": c.Email, "phone": c.Phone, "identityNumber": nil}
	}
	shipping := []map[string]any{}
	if o.shipping > 0 {
		shipping = append(shipping, map[string]any{"__typename": "OrderShippingLine", "price": o.shipping, "title": "Kargo",
			"taxValue": nil, "shippingSettingsId": nil, "shippingZoneRateId": nil, "isRefunded": nil})
	}
	var cancelled any
	if !o.cancelled.IsZero() {
		cancelled = o.cancelled.UnixMilli()
	}
	return map[string]any{"__typename": "Order", "id": o.id, "orderNumber": o.number, "status": o.status,
		"orderPaymentStatus": o.payment, "orderPackageStatus": o.packageStatus(), "orderedAt": ms(o.ordered),
		"createdAt": ms(o.created), "updatedAt": ms(o.updated), "cancelledAt": cancelled, "cancelReason": nil,
		"currencyCode": o.currency, "totalPrice": total, "totalFinalPrice": final + o.shipping, "note": nil, "deleted": false,
		"customer": customer, "shippingAddress": address(o.customer), "billingAddress": address(o.customer),
		"orderLineItems": lines, "orderPackages": packages, "shippingLines": shipping, "orderAdjustments": []map[string]any{},
		"shippingMethod": "SHIPMENT"}
}

// fulfillOrder packs whole lines into a package (READY_FOR_SHIPMENT with
// markAsReadyForShipment, else FULFILLED); a line already packed or cancelled is
// ORDER_LINE_IS_ALREADY_PACKAGED.
func (x *exec) fulfillOrder(args map[string]any) (any, *gqlError) {
	in, _ := args["input"].(map[string]any)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	o := x.s.st.orders.Get(str(in["orderId"]))
	if o == nil {
		return nil, argError("no order %s", str(in["orderId"]))
	}
	var ids []string
	lines, _ := in["lines"].([]any)
	for _, raw := range lines {
		m, _ := raw.(map[string]any)
		l := o.line(str(m["orderLineItemId"]))
		if l == nil {
			return nil, argError("no order line %s", str(m["orderLineItemId"]))
		}
		q, ok := count(m["quantity"])
		if !ok || q > l.qty-o.packaged(l.id) {
			return nil, gqlErr("ORDER_LINE_IS_ALREADY_PACKAGED", "order line "+l.id+" has fewer units left to package")
		}
		if q != l.qty {
			return nil, argError("packaging part of a line is not emulated")
		}
		ids = append(ids, l.id)
	}
	status := "FULFILLED"
	if ready, _ := in["markAsReadyForShipment"].(bool); ready {
		status = "READY_FOR_SHIPMENT"
	}
	tracking := ""
	if t, ok := in["trackingInfoDetail"].(map[string]any); ok {
		tracking = str(t["trackingNumber"])
	}
	now := x.c.Now
	if _, e := x.s.st.fulfil(o, ids, status, tracking, now); e != nil {
		return nil, e
	}
	o.touch(now)
	return renderOrder(o), nil
}
