package hepsiburada

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"syncagent/connectors/hepsiburada/api"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
)

// Hepsiburada is line based: a line moves between feeds (unpaid, paid, packed, shipped,
// delivered, undelivered, cancelled) and no feed is a snapshot. So each line is a
// package of its own in the normalized order (package id = line id, status from the
// feed it was found in, never from its status word, which the reference does not
// enumerate), and the queue merges the packages of an order by id: a line read in a
// newer feed replaces what was known of it, and lines not read now keep what was known.

// turkey is Hepsiburada's wall clock: OMS dates carry no zone, and /orders' date filter
// is Turkey local time. Turkey has kept UTC+3 all year since 2016.
var turkey = time.FixedZone("TRT", 3*60*60)

// filterLayout is the /orders date filter, "yyyy-MM-dd HH:mm"; any other form (ISO
// 8601 included) matches nothing or is refused.
const filterLayout = "2006-01-02 15:04"

// omsTime reads an OMS date: with a zone when it has one, else Turkey local time
// (assumed from the reference's sample "2026-09-01T09:12:00").
func omsTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, turkey); err == nil {
			return t
		}
	}
	return time.Time{}
}

func moneyOf(m *api.Money) (money.Kurus, error) {
	if m == nil {
		return 0, nil
	}
	return amount(m.Amount)
}

// discountOf is a line's total discount of one kind: its total, else its unit × qty.
func discountOf(d *api.Discount, qty int64) (money.Kurus, error) {
	if d == nil {
		return 0, nil
	}
	if d.TotalPrice != nil && len(d.TotalPrice.Amount) > 0 {
		return moneyOf(d.TotalPrice)
	}
	u, err := moneyOf(d.UnitPrice)
	return u * money.Kurus(qty), err
}

func rate(raw json.RawMessage) (money.BasisPoints, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	k, err := amount(raw)
	return money.BasisPoints(k), err
}

// lineOf normalizes a model.LineRepresentation. unitPrice is taken as the price of one
// unit before discounts (UNCONFIRMED); the discounts are Hepsiburada's and the
// merchant's totals; the total is what is left.
func lineOf(l *api.Line) (order.Line, error) {
	unit, err := moneyOf(l.UnitPrice)
	if err != nil {
		return order.Line{}, err
	}
	hb, err1 := discountOf(l.HBDiscount, l.Quantity)
	md, err2 := discountOf(l.MerchantDiscount, l.Quantity)
	tax, err3 := amountOrZero(l.VAT)
	vat, err4 := rate(l.VATRate)
	if err := firstErr(err1, err2, err3, err4); err != nil {
		return order.Line{}, err
	}
	q := money.Kurus(l.Quantity)
	sku := strings.TrimSpace(l.MerchantSKU)
	if sku == "" {
		sku = strings.TrimSpace(l.SKU)
	}
	return order.Line{ID: l.ID, SKU: sku, ProductID: l.SKU, Barcode: l.ProductBarcode, Name: l.Name, Quantity: l.Quantity,
		UnitPrice: unit, Discount: hb + md, Total: unit*q - hb - md, Tax: tax, VATRate: vat}, nil
}

// packageLineOf normalizes a line of /packages.
func packageLineOf(l *api.PackageLine) (order.Line, error) {
	unit, err := moneyOf(l.Price)
	if err != nil {
		return order.Line{}, err
	}
	q := money.Kurus(l.Quantity)
	hb, err1 := moneyOf(l.TotalHBDiscount)
	if l.TotalHBDiscount == nil && l.UnitHBDiscount != nil {
		u, err := moneyOf(l.UnitHBDiscount)
		hb, err1 = u*q, err
	}
	md, err2 := moneyOf(l.TotalMerchantDiscount)
	if l.TotalMerchantDiscount == nil && l.UnitMerchantDiscount != nil {
		u, err := moneyOf(l.UnitMerchantDiscount)
		md, err2 = u*q, err
	}
	tax, err3 := amountOrZero(l.VAT)
	vat, err4 := rate(l.VATRate)
	if err := firstErr(err1, err2, err3, err4); err != nil {
		return order.Line{}, err
	}
	sku := strings.TrimSpace(l.MerchantSku)
	if sku == "" {
		sku = strings.TrimSpace(l.HBSku)
	}
	return order.Line{ID: l.LineItemID, SKU: sku, ProductID: l.HBSku, Barcode: l.ProductBarcode, Name: l.ProductName,
		Quantity: l.Quantity, UnitPrice: unit, Discount: hb + md, Total: unit*q - hb - md, Tax: tax, VATRate: vat}, nil
}

func amountOrZero(raw json.RawMessage) (money.Kurus, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	return amount(raw)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func addressOf(a *api.Address) order.Address {
	if a == nil {
		return order.Address{}
	}
	return order.Address{Name: a.Name, Line1: a.Address, District: a.Town, Line2: a.District, City: a.City,
		PostalCode: a.PostalCode, Country: a.CountryCode, Phone: a.PhoneNumber}
}

// newOrder starts the normalized order of an order number.
func newOrder(number, date string) order.Order {
	return order.Order{Marketplace: Marketplace, ID: number, Number: number, OrderedAt: omsTime(date), Currency: "TRY"}
}

// fromLine fills the order-level fields a /orders row or a detail item carries.
func fromLine(o *order.Order, l *api.Line) {
	o.Customer.Name = l.CustomerName
	o.ShipTo = addressOf(l.ShippingAddress)
	if l.ShippingAddress != nil {
		o.Customer.Email, o.Customer.Phone = l.ShippingAddress.Email, l.ShippingAddress.PhoneNumber
	}
	if inv := l.Invoice; inv != nil {
		o.BillTo = addressOf(inv.Address)
		o.Customer.TaxNumber, o.Customer.TaxOffice, o.Customer.IdentityNumber = inv.TaxNumber, inv.TaxOffice, inv.TurkishIdentityNumber
	}
	if l.UnitPrice != nil && l.UnitPrice.Currency != "" {
		o.Currency = l.UnitPrice.Currency
	}
	o.CargoProvider = l.CargoCompany
}

// fromDetail fills the order-level fields of an order's detail.
func fromDetail(o *order.Order, d *api.OrderDetail) {
	if d.Customer != nil {
		o.Customer.Name = d.Customer.Name
	}
	o.ShipTo = addressOf(d.DeliveryAddress)
	if d.DeliveryAddress != nil {
		o.Customer.Email, o.Customer.Phone = d.DeliveryAddress.Email, d.DeliveryAddress.PhoneNumber
	}
	if inv := d.Invoice; inv != nil {
		o.BillTo = addressOf(inv.Address)
		o.Customer.TaxNumber, o.Customer.TaxOffice, o.Customer.IdentityNumber = inv.TaxNumber, inv.TaxOffice, inv.TurkishIdentityNumber
	}
	for i := range d.Items {
		if d.Items[i].UnitPrice != nil && d.Items[i].UnitPrice.Currency != "" {
			o.Currency = d.Items[i].UnitPrice.Currency
		}
		if d.Items[i].CargoCompany != "" {
			o.CargoProvider = d.Items[i].CargoCompany
		}
	}
}

// fromPackage fills the order-level fields of a /packages element.
func fromPackage(o *order.Order, p *api.Package) {
	o.Customer = order.Customer{Name: p.CustomerName, Email: p.Email, Phone: p.PhoneNumber, Company: p.CompanyName,
		TaxNumber: p.TaxNumber, TaxOffice: p.TaxOffice, IdentityNumber: p.IdentityNo}
	o.ShipTo = order.Address{Name: p.RecipientName, Line1: p.ShippingAddressDetail, District: p.ShippingTown,
		Line2: p.ShippingDistrict, City: p.ShippingCity, Country: p.ShippingCountryCode, Phone: p.PhoneNumber}
	o.BillTo = order.Address{Name: p.CustomerName, Line1: p.BillingAddress, District: p.BillingTown, Line2: p.BillingDistrict,
		City: p.BillingCity, PostalCode: p.BillingPostalCode}
	o.CargoProvider = p.CargoCompany
}

// addLine puts l into o as a package of its own in status st.
func addLine(o *order.Order, l order.Line, st order.Status, raw string, updated time.Time) {
	for i := range o.Packages {
		if o.Packages[i].ID == l.ID {
			o.Packages[i] = order.Package{ID: l.ID, Status: st, RawStatus: raw, UpdatedAt: updated, Lines: []order.Line{l}}
			return
		}
	}
	o.Packages = append(o.Packages, order.Package{ID: l.ID, Status: st, RawStatus: raw, UpdatedAt: updated, Lines: []order.Line{l}})
	if o.RawStatus == "" {
		o.RawStatus = raw
	}
}

func lineErr(number, id string, err error) error {
	return fmt.Errorf("order %s line %s: %w", number, id, err)
}
