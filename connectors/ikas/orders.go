package ikas

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/ikas/api"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
)

// Orders come from listOrder filtered on updatedAt (epoch ms, gte) and sorted by it, 200
// a page. Like the SKU map, each page after the first starts again at the newest change
// of the page before, so orders changed while the pages are read cannot slide past; a
// fetch pass ends with a cursor a little before the newest change seen (Tuning.Overlap)
// and the next pass re-reads from there; the queue stores each order once per id.
const ordersDoc = `query listOrder($updatedAt: DateFilterInput, $pagination: PaginationInput) {
  listOrder(updatedAt: $updatedAt, sort: "updatedAt", pagination: $pagination) {
    count hasNext page limit
    data {
      id orderNumber status orderPaymentStatus orderPackageStatus orderedAt updatedAt currencyCode totalFinalPrice
      customer { firstName lastName email phone identityNumber }
      shippingAddress { firstName lastName company taxNumber taxOffice identityNumber addressLine1 addressLine2 city { name } district { name } country { name } postalCode phone }
      billingAddress { firstName lastName company taxNumber taxOffice identityNumber addressLine1 addressLine2 city { name } district { name } country { name } postalCode phone }
      orderLineItems { id status quantity price unitPrice finalPrice finalUnitPrice taxValue variant { id productId sku barcodeList name } }
      orderPackages { id orderPackageNumber orderLineItemIds orderPackageFulfillStatus updatedAt trackingInfo { trackingNumber cargoCompany } }
      shippingLines { price }
    }
  }
}`

type orderCursor struct {
	From int64 `json:"from"` // epoch ms, inclusive
	Page int   `json:"page,omitempty"`
	Max  int64 `json:"max,omitempty"` // newest change seen in this pass
}

// FetchOrders implements connectors.OrderFetcher.
func (c *Client) FetchOrders(ctx context.Context, q connectors.OrderQuery) (connectors.OrderPage, error) {
	c.ordMu.Lock()
	defer c.ordMu.Unlock()
	keep := connectors.OrderPage{Cursor: q.Cursor}
	var cur orderCursor
	if q.Cursor == "" || json.Unmarshal([]byte(q.Cursor), &cur) != nil || cur.From <= 0 {
		cur = orderCursor{From: q.Since.UnixMilli()}
	}
	cur.Page = max(cur.Page, 1)
	var r struct {
		List api.Page[api.Order] `json:"listOrder"`
	}
	from := cur.From
	vars := map[string]any{"updatedAt": api.DateFilter{Gte: &from}, "pagination": api.PaginationInput{Page: cur.Page, Limit: pageLimit}}
	if _, err := c.call(ctx, "listOrder", ordersDoc, vars, false, &r); err != nil {
		return keep, err
	}
	known := map[string]string{}
	if q.Known != nil && len(r.List.Data) > 0 {
		ids := make([]string, len(r.List.Data))
		for i, o := range r.List.Data {
			ids[i] = o.ID
		}
		var err error
		if known, err = q.Known(ctx, ids); err != nil {
			return keep, err
		}
	}
	var page connectors.OrderPage
	last := cur.From
	for i := range r.List.Data {
		o := &r.List.Data[i]
		if o.UpdatedAt != nil {
			last = max(last, *o.UpdatedAt)
		}
		if v, ok := known[o.ID]; ok && o.UpdatedAt != nil && v == strconv.FormatInt(*o.UpdatedAt, 10) {
			continue // unchanged since the queue stored it
		}
		no, err := c.normalize(ctx, o)
		if err != nil {
			return keep, &connectors.Error{Kind: connectors.Permanent, Err: err,
				Message: fmt.Sprintf("ikas sent order %s in a form the agent cannot read", o.ID)}
		}
		page.Orders = append(page.Orders, no)
	}
	cur.Max = max(cur.Max, last)
	if r.List.HasNext && len(r.List.Data) > 0 {
		if last > cur.From {
			cur.From, cur.Page = last, 1
		} else {
			cur.Page++
		}
		page.More = true
	} else {
		cur = orderCursor{From: max(cur.Max-c.tune.Overlap.Milliseconds(), 1)}
	}
	b, _ := json.Marshal(cur)
	page.Cursor = string(b)
	return page, nil
}

// packageStatuses maps orderPackageFulfillStatus.
var packageStatuses = map[string]order.Status{
	"UNFULFILLED": order.New, "READY_FOR_SHIPMENT": order.Processing, "PARTIALLY_READY_FOR_SHIPMENT": order.Processing,
	"PLANNED": order.Processing, "FULFILLED": order.Shipped, "PARTIALLY_FULFILLED": order.Shipped, "READY_FOR_PICK_UP": order.Shipped,
	"DELIVERED": order.Delivered, "PARTIALLY_DELIVERED": order.Delivered, "CANCELLED": order.Cancelled,
	"CANCEL_REQUESTED": order.Processing, "CANCEL_REJECTED": order.Processing, "PARTIALLY_CANCELLED": order.Shipped,
	"UNABLE_TO_DELIVER": order.Returned, "REFUNDED": order.Returned, "PARTIALLY_REFUNDED": order.Delivered,
	"REFUND_REQUESTED": order.Delivered, "REFUND_REQUEST_ACCEPTED": order.Returned, "REFUND_REJECTED": order.Delivered,
	"RETURN_IN_TRANSIT": order.Returned, "RETURN_PARCEL_WAITING": order.Returned, "RETURN_DELIVERED": order.Returned, "RETURN_REJECTED": order.Delivered,
}

// normalize turns a listOrder row into an order: each ikas package is a package; the
// lines no package holds yet form the package with the order's own id (its status from
// the order's payment; when every line is packed it stays, empty, as Split, so an older
// copy of it never keeps lines alive). A cancelled order cancels every package; a
// refunded one returns them; DRAFT and unpaid (WAITING, FAILED) orders are Awaiting.
// A line's variant.sku may be null: the SKU then comes from the SKU map by variant id.
func (c *Client) normalize(ctx context.Context, o *api.Order) (order.Order, error) {
	if o.OrderedAt == nil || o.UpdatedAt == nil {
		return order.Order{}, fmt.Errorf("no orderedAt or updatedAt")
	}
	raw := o.Status
	pay := deref(o.OrderPaymentStatus)
	if pay != "" {
		raw += "/" + pay
	}
	out := order.Order{
		Marketplace: Marketplace, ID: o.ID, Number: firstOf(deref(o.OrderNumber), o.ID), RawStatus: raw,
		OrderedAt: time.UnixMilli(*o.OrderedAt).UTC(), UpdatedAt: time.UnixMilli(*o.UpdatedAt).UTC(),
		Version: strconv.FormatInt(*o.UpdatedAt, 10), Currency: firstOf(o.CurrencyCode, "TRY"),
	}
	total, err := order.Amount(string(o.TotalFinalPrice))
	if err != nil {
		return order.Order{}, fmt.Errorf("totalFinalPrice: %w", err)
	}
	out.StatedTotal = total
	for _, s := range o.ShippingLines {
		k, err := order.Amount(string(s.Price))
		if err != nil {
			return order.Order{}, fmt.Errorf("shipping price: %w", err)
		}
		out.ShippingFee += k
	}
	out.ShipTo = address(o.ShippingAddress)
	out.BillTo = address(o.BillingAddress)
	if cu := o.Customer; cu != nil {
		out.Customer = order.Customer{Name: strings.TrimSpace(deref(cu.FirstName) + " " + deref(cu.LastName)), Email: deref(cu.Email),
			Phone: deref(cu.Phone), IdentityNumber: deref(cu.IdentityNumber)}
	} else {
		out.Customer = order.Customer{Name: firstOf(out.BillTo.Name, out.ShipTo.Name)}
	}
	if b := o.BillingAddress; b != nil {
		out.Customer.Company, out.Customer.TaxNumber, out.Customer.TaxOffice = deref(b.Company), deref(b.TaxNumber), deref(b.TaxOffice)
		out.Customer.IdentityNumber = firstOf(out.Customer.IdentityNumber, deref(b.IdentityNumber))
	}
	lines := map[string]order.Line{}
	for _, l := range o.OrderLineItems {
		line, err := c.line(ctx, &l)
		if err != nil {
			return order.Order{}, fmt.Errorf("line %s: %w", l.ID, err)
		}
		lines[l.ID] = line
	}
	awaiting := o.Status == "DRAFT" || pay == "WAITING" || pay == "FAILED"
	packed := map[string]bool{}
	for _, p := range o.OrderPackages {
		st, ok := packageStatuses[p.OrderPackageFulfillStatus]
		if !ok {
			st = order.Processing
		}
		pk := order.Package{ID: p.ID, Status: st, RawStatus: p.OrderPackageFulfillStatus}
		if p.UpdatedAt != nil {
			pk.UpdatedAt = time.UnixMilli(*p.UpdatedAt).UTC()
		}
		if t := p.TrackingInfo; t != nil {
			pk.CargoTracking = deref(t.TrackingNumber)
			out.CargoProvider = firstOf(out.CargoProvider, deref(t.CargoCompany))
		}
		for _, id := range p.OrderLineItemIDs {
			if l, ok := lines[id]; ok && !packed[id] {
				packed[id] = true
				pk.Lines = append(pk.Lines, l)
			}
		}
		out.Packages = append(out.Packages, pk)
	}
	rest := order.Package{ID: o.ID, Status: order.New, RawStatus: raw, UpdatedAt: out.UpdatedAt}
	if awaiting {
		rest.Status = order.Awaiting
	}
	for _, l := range o.OrderLineItems {
		if !packed[l.ID] {
			rest.Lines = append(rest.Lines, lines[l.ID])
		}
	}
	if len(rest.Lines) == 0 {
		rest.Status = order.Split
	}
	out.Packages = append([]order.Package{rest}, out.Packages...)
	for i := range out.Packages {
		p := &out.Packages[i]
		switch {
		case o.Status == "CANCELLED":
			p.Status = order.Cancelled
		case o.Status == "REFUNDED" && p.Status != order.Split:
			p.Status = order.Returned
		case awaiting && p.Status.Live() && !p.Status.HasShipped():
			p.Status = order.Awaiting
		}
	}
	out.Derive()
	return out, nil
}

// line reads an order line. price is the unit sell price; finalPrice what the line
// costs after discounts (per line: finalUnitPrice is its per-unit twin), falling back to
// finalUnitPrice × quantity and then price × quantity. taxValue is read as the VAT rate
// in percent (the reference leaves rate or amount open).
func (c *Client) line(ctx context.Context, l *api.LineItem) (order.Line, error) {
	qf, err := strconv.ParseFloat(string(l.Quantity), 64)
	if err != nil || qf < 1 || qf != math.Trunc(qf) {
		return order.Line{}, fmt.Errorf("quantity %q is not a whole number of units", l.Quantity)
	}
	qty := int64(qf)
	unit, err := order.Amount(string(l.Price))
	if err != nil {
		return order.Line{}, fmt.Errorf("price: %w", err)
	}
	if l.UnitPrice != nil {
		if unit, err = order.Amount(string(*l.UnitPrice)); err != nil {
			return order.Line{}, fmt.Errorf("unitPrice: %w", err)
		}
	}
	total := unit * money.Kurus(qty)
	switch {
	case l.FinalPrice != nil:
		if total, err = order.Amount(string(*l.FinalPrice)); err != nil {
			return order.Line{}, fmt.Errorf("finalPrice: %w", err)
		}
	case l.FinalUnitPrice != nil:
		fu, err := order.Amount(string(*l.FinalUnitPrice))
		if err != nil {
			return order.Line{}, fmt.Errorf("finalUnitPrice: %w", err)
		}
		total = fu * money.Kurus(qty)
	}
	line := order.Line{ID: l.ID, ProductID: deref(l.Variant.ProductID), Name: l.Variant.Name, Quantity: qty,
		UnitPrice: unit, Total: total, Discount: max(unit*money.Kurus(qty)-total, 0), Cancelled: l.Status == "CANCELLED"}
	if l.TaxValue != nil {
		if r, err := order.Rate(string(*l.TaxValue)); err == nil && r > 0 && r <= 10000 {
			line.VATRate = r
		}
	}
	if len(l.Variant.BarcodeList) > 0 {
		line.Barcode = l.Variant.BarcodeList[0]
	}
	line.SKU = strings.TrimSpace(deref(l.Variant.SKU))
	if line.SKU == "" && l.Variant.ID != nil {
		line.SKU, err = c.skuOf(ctx, *l.Variant.ID)
		if err != nil {
			return order.Line{}, err
		}
	}
	return line, nil
}

// skuOf finds a variant's SKU in the SKU map, reading the products changed since its
// last read once when the variant is not in it. "" when the variant has no SKU at all.
func (c *Client) skuOf(ctx context.Context, variantID string) (string, error) {
	if err := c.ids.fresh(ctx, c.tune.MapMaxAge); err != nil {
		return "", err
	}
	v, ok := c.ids.variant(variantID)
	if !ok {
		if err := c.ids.findAll(ctx, []connectors.Item{{SKU: "variant:" + variantID}}); err != nil {
			return "", err
		}
		v, ok = c.ids.variant(variantID)
	}
	switch {
	case !ok:
		return "", nil
	case v.sku == "" && len(v.barcodes) > 0:
		return v.barcodes[0], nil
	}
	return v.sku, nil
}

func address(a *api.Address) order.Address {
	if a == nil {
		return order.Address{}
	}
	part := func(p *api.AddressPart) string {
		if p == nil {
			return ""
		}
		return deref(p.Name)
	}
	return order.Address{Name: strings.TrimSpace(deref(a.FirstName) + " " + deref(a.LastName)), Line1: deref(a.AddressLine1),
		Line2: deref(a.AddressLine2), District: part(a.District), City: part(a.City), PostalCode: deref(a.PostalCode),
		Country: part(a.Country), Phone: deref(a.Phone)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
