package tsoftsim

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"time"

	"syncagent/connectors/sim/simkit"
)

// window reads an order list's date window; zero times are open ends.
type window struct{ from, to time.Time }

func (w window) holds(t time.Time) bool {
	return (w.from.IsZero() || !t.Before(w.from)) && (w.to.IsZero() || !t.After(w.to))
}

// handleOrderGet serves order/get: orders whose OrderDate lies in
// OrderDateTimeStart..End ("YYYY-MM-DD HH:MM:SS", read in Turkey time), filtered by
// OrderCode, OrderStatusId and IsTransferred, ordered by OrderId (DESC unless asked),
// paged by start/limit, with the parts the Fetch* switches ask for.
func (s *Server) handleOrderGet(c *simkit.Call) simkit.Reply {
	form := params(c)
	var w window
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"OrderDateTimeStart", &w.from}, {"OrderDateTimeEnd", &w.to}} {
		if v := form.Get(f.name); v != "" {
			t, good := parseDate(v)
			if !good {
				return s.refuse(c, f.name+" tarih formatı hatalı (YYYY-AA-GG SS:DD:ss olmalı): "+v)
			}
			*f.dst = t
		}
	}
	_, desc, good := orderBy(form.Get("orderby"), "OrderId DESC", "OrderId")
	if !good {
		return s.refuse(c, "orderby değeri geçersiz: "+strconv.Quote(form.Get("orderby")))
	}
	return s.listOrders(c, form, w, desc, fetch{
		lines: flag(form, "FetchProductData"), customer: flag(form, "FetchCustomerData"),
		delivery: flag(form, "FetchDeliveryAddress"), invoice: flag(form, "FetchInvoiceAddress"),
	})
}

// handleOrder2 serves the older order2/getOrders: ISO dates with a zone
// ("2026-10-01T00:00:00Z"), newest first, every part of the order in each row.
func (s *Server) handleOrder2(c *simkit.Call) simkit.Reply {
	form := params(c)
	var w window
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"OrderDateTimeStart", &w.from}, {"OrderDateTimeEnd", &w.to}} {
		if v := form.Get(f.name); v != "" {
			t, good := parseISO(v)
			if !good {
				return s.refuse(c, f.name+" tarih formatı hatalı: "+v)
			}
			*f.dst = t
		}
	}
	return s.listOrders(c, form, w, true, fetch{lines: true, customer: true, delivery: true, invoice: true})
}

// fetch are the parts of an order a list call asked for.
type fetch struct{ lines, customer, delivery, invoice bool }

func (s *Server) listOrders(c *simkit.Call, form url.Values, w window, desc bool, f fetch) simkit.Reply {
	start, limit, rep := s.paging(c, form)
	if rep != nil {
		return *rep
	}
	code, status, transferred := form.Get("OrderCode"), form.Get("OrderStatusId"), form.Get("IsTransferred")
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*order
	for _, o := range s.st.orders.All() {
		if !w.holds(o.created) || code != "" && o.code != code || status != "" && strconv.Itoa(o.statusID) != status ||
			transferred != "" && transferred != "0" {
			continue // nothing is ever marked transferred here: the method for it is not documented
		}
		match = append(match, o)
	}
	sort.SliceStable(match, func(i, j int) bool { return (match[i].id < match[j].id) != desc })
	rows := []any{}
	for _, o := range simkit.Page(match, start, limit) {
		rows = append(rows, s.orderRow(o, f))
	}
	return ok(rows, len(match), "")
}

func (s *Server) orderRow(o *order, f fetch) map[string]any {
	r := map[string]any{
		"OrderId": s.count(o.id), "OrderCode": o.code, "OrderStatusId": s.count(int64(o.statusID)), "OrderStatus": s.opt.Statuses[o.statusID],
		"OrderDate": s.date(o.created), "OrderDateTimeStamp": o.created.Unix(),
		"UpdateDate": s.date(o.updated), "UpdateDateTimeStamp": o.updated.Unix(),
		"OrderTotalPrice": s.amount(o.total()), "Currency": "TL", "ExchangeRate": s.count(1),
		"PaymentType": o.payment, "Bank": "", "Installment": s.count(1),
		"Cargo": o.cargo, "CargoCode": "", "CargoTrackingCode": o.tracking,
		"IsTransferred": s.count(0), "IsInvoiced": s.count(0), "GeneralOrderNote": "",
	}
	if f.customer {
		r["CustomerName"], r["CustomerUsername"], r["CustomerPhone"] = o.customer, o.email, o.phone
	}
	if f.delivery {
		r["DeliveryName"], r["DeliveryAddress"], r["DeliveryTown"], r["DeliveryCity"], r["DeliveryCountry"], r["DeliveryMobile"] =
			o.customer, o.address, o.town, o.city, "Türkiye", o.phone
	}
	if f.invoice {
		r["InvoiceName"], r["InvoiceAddress"], r["InvoiceTown"], r["InvoiceCity"], r["InvoiceCountry"] =
			o.customer, o.address, o.town, o.city, "Türkiye"
	}
	if f.lines {
		lines := make([]any, 0, len(o.lines))
		for _, l := range o.lines {
			d := map[string]any{
				"OrderProductId": s.count(l.id), "ProductId": s.count(l.productID), "ProductCode": l.code,
				"ProductName": l.name, "Barcode": l.barcode, "Quantity": s.count(int64(l.qty)),
				"SellingPrice": s.amount(l.price), "Vat": s.count(int64(l.vat)), "Discount": s.amount(l.disc),
			}
			if l.subCode != "" {
				d["SubProductId"], d["SubProductCode"] = s.count(l.subID), l.subCode
			}
			lines = append(lines, d)
		}
		switch s.opt.Details {
		case "string":
			b, _ := json.Marshal(lines)
			r["OrderDetails"] = string(b)
		case "wrapped":
			r["OrderDetails"] = map[string]any{"OrderDetail": lines}
		default:
			r["OrderDetails"] = lines
		}
	}
	return r
}
