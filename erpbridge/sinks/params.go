package sinks

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/order"
)

// The named parameters of SQL statements, which are also the columns of order files
// (docs/orders.md lists them with their meaning). Amounts are exact decimal text with a
// dot ("1249.90"), which every database converts to its DECIMAL/NUMERIC without passing
// through a float; times are instants (time.Time) unless the name says local.

// HeaderParams are available to every statement.
var HeaderParams = []string{
	"store", "marketplace", "channel", "order_id", "order_number", "package_ids", "status", "marketplace_status",
	"ordered_at", "ordered_at_local", "ordered_date", "currency",
	"gross", "discount", "shipping", "tax", "total", "line_count", "unit_count",
	"customer_name", "customer_email", "customer_phone", "customer_company", "customer_tax_number", "customer_tax_office",
	"customer_identity_number",
	"ship_name", "ship_address", "ship_line1", "ship_line2", "ship_district", "ship_city", "ship_postal_code", "ship_country", "ship_phone",
	"bill_name", "bill_address", "bill_line1", "bill_line2", "bill_district", "bill_city", "bill_postal_code", "bill_country", "bill_phone",
	"warehouse", "cargo_firm", "cargo_provider", "cargo_tracking", "payment_type",
}

// CancelParams are added for cancellations (cancel and cancel_line statements, cancel files).
var CancelParams = []string{"cancel_seq", "cancelled_at", "cancelled_units"}

// LineParams are available to line and cancel_line statements. For a cancellation,
// quantity is the number of units cancelled.
var LineParams = []string{
	"line_no", "line_id", "package_id", "sku", "barcode", "product_id", "product_name", "quantity",
	"unit_price", "line_discount", "line_total", "line_tax", "vat_rate",
}

// param is one named value.
type param struct {
	name  string
	value any
}

// params is an ordered set of named values.
type params []param

func (p params) lookup(name string) (any, bool) {
	for _, x := range p {
		if x.name == name {
			return x.value, true
		}
	}
	return nil, false
}

// text renders a value for a file cell: amounts as given, times in the order's zone.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.Format(time.RFC3339)
	}
	return ""
}

func amount(k money.Kurus) string { return k.String() }

func rate(b money.BasisPoints) string { return money.Kurus(b).String() }

func joinAddr(a, b string) string {
	return strings.TrimSpace(strings.TrimSpace(a) + " " + strings.TrimSpace(b))
}

// headerParams are the order's values for j.
func headerParams(j *Job) params {
	o := &j.Order
	t := o.Totals()
	local := o.OrderedAt
	p := params{
		{"store", j.Store}, {"marketplace", j.Marketplace}, {"channel", o.Channel}, {"order_id", o.ID},
		{"order_number", o.Number}, {"package_ids", strings.Join(o.PackageIDs(), ",")}, {"status", string(o.Status)},
		{"marketplace_status", o.RawStatus}, {"ordered_at", o.OrderedAt}, {"ordered_at_local", local.Format("2006-01-02 15:04:05")},
		{"ordered_date", local.Format("2006-01-02")}, {"currency", o.Currency},
		{"gross", amount(t.Gross)}, {"discount", amount(t.Discount)}, {"shipping", amount(t.Shipping)}, {"tax", amount(t.Tax)},
		{"total", amount(t.Total)}, {"line_count", int64(t.Lines)}, {"unit_count", t.Units},
		{"customer_name", o.Customer.Name}, {"customer_email", o.Customer.Email}, {"customer_phone", o.Customer.Phone},
		{"customer_company", o.Customer.Company}, {"customer_tax_number", o.Customer.TaxNumber},
		{"customer_tax_office", o.Customer.TaxOffice}, {"customer_identity_number", o.Customer.IdentityNumber},
	}
	for _, a := range []struct {
		pre string
		a   order.Address
	}{{"ship_", o.ShipTo}, {"bill_", o.BillTo}} {
		p = append(p, param{a.pre + "name", a.a.Name}, param{a.pre + "address", joinAddr(a.a.Line1, a.a.Line2)},
			param{a.pre + "line1", a.a.Line1}, param{a.pre + "line2", a.a.Line2}, param{a.pre + "district", a.a.District},
			param{a.pre + "city", a.a.City}, param{a.pre + "postal_code", a.a.PostalCode}, param{a.pre + "country", a.a.Country},
			param{a.pre + "phone", a.a.Phone})
	}
	var tracking []string
	for _, pk := range o.Packages {
		if pk.Status.Live() && pk.CargoTracking != "" {
			tracking = append(tracking, pk.CargoTracking)
		}
	}
	p = append(p, param{"warehouse", j.Warehouse}, param{"cargo_firm", j.CargoFirm}, param{"cargo_provider", o.CargoProvider},
		param{"cargo_tracking", strings.Join(tracking, ",")}, param{"payment_type", o.PaymentType})
	if c := j.Cancel; c != nil {
		var units int64
		for _, q := range c.Units {
			units += q
		}
		at := c.At
		if loc := o.OrderedAt.Location(); loc != nil {
			at = at.In(loc)
		}
		p = append(p, param{"cancel_seq", int64(c.Seq)}, param{"cancelled_at", at}, param{"cancelled_units", units})
	}
	return p
}

// lineParams are the values of the order's live line i (0-based).
func lineParams(n int, l order.LiveLine) params {
	return params{
		{"line_no", int64(n + 1)}, {"line_id", l.ID}, {"package_id", l.PackageID}, {"sku", l.SKU}, {"barcode", l.Barcode},
		{"product_id", l.ProductID}, {"product_name", l.Name}, {"quantity", l.Quantity},
		{"unit_price", amount(l.UnitPrice)}, {"line_discount", amount(l.Discount)}, {"line_total", amount(l.Total)},
		{"line_tax", amount(l.Tax)}, {"vat_rate", rate(l.VATRate)},
	}
}

// lines are the rows of a job: the live lines of an order, or the cancelled units per
// SKU of a cancellation (sorted by SKU, with the product's details from the order).
func lines(j *Job) []params {
	live := j.Order.LiveLines()
	if j.Cancel == nil {
		out := make([]params, len(live))
		for i, l := range live {
			out[i] = lineParams(i, l)
		}
		return out
	}
	skus := make([]string, 0, len(j.Cancel.Units))
	for sku, q := range j.Cancel.Units {
		if q > 0 {
			skus = append(skus, sku)
		}
	}
	sort.Strings(skus)
	// The cancelled lines are usually no longer live: look in every package.
	known := map[string]order.LiveLine{}
	for _, pk := range j.Order.Packages {
		for _, l := range pk.Lines {
			if _, ok := known[l.SKU]; !ok {
				known[l.SKU] = order.LiveLine{Line: l, PackageID: pk.ID}
			}
		}
	}
	out := make([]params, len(skus))
	for i, sku := range skus {
		l := known[sku]
		q := j.Cancel.Units[sku]
		// The cancelled share of the line's amounts, rounded to the kuruş.
		l.Total, l.Discount, l.Tax = share(l.Total, q, l.Quantity), share(l.Discount, q, l.Quantity), share(l.Tax, q, l.Quantity)
		if l.Quantity == 0 {
			l.Total = l.UnitPrice * money.Kurus(q)
		}
		l.SKU, l.Quantity = sku, q
		out[i] = lineParams(i, l)
	}
	return out
}

// share is k × part / whole, rounded half up (0 when whole is 0).
func share(k money.Kurus, part, whole int64) money.Kurus {
	if whole <= 0 {
		return 0
	}
	n := int64(k) * part
	q, r := n/whole, n%whole
	if 2*r >= whole {
		q++
	}
	return money.Kurus(q)
}
