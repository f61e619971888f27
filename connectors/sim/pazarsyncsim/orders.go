package pazarsyncsim

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// parseISO accepts the ISO 8601 forms a client is likely to send: a full timestamp
// with zone, or a date (midnight UTC).
func parseISO(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// handleListOrders serves GET /api/v1/orders: newest first (assumed), filtered on
// created_at (assumed) by from_date/to_date, and on status.
func (s *Server) handleListOrders(c *simkit.Call) simkit.Reply {
	page, limit, rep := s.paging(c)
	if rep != nil {
		return *rep
	}
	q := c.R.URL.Query()
	var from, to time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from_date", &from}, {"to_date", &to}} {
		if v := q.Get(f.name); v != "" {
			t, ok := parseISO(v)
			if !ok {
				return invalid(map[string][]string{f.name: {"must be an ISO 8601 date"}})
			}
			*f.dst = t
		}
	}
	status := q.Get("status")
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*order
	for _, o := range s.st.orders.All() {
		if status != "" && !strings.EqualFold(o.status, status) ||
			!from.IsZero() && o.created.Before(from) || !to.IsZero() && o.created.After(to) {
			continue
		}
		match = append(match, o)
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].created.After(match[j].created) })
	data := []map[string]any{}
	for _, o := range simkit.Page(match, (page-1)*limit, limit) {
		data = append(data, map[string]any{
			"id": o.id, "order_number": o.number, "marketplace": o.marketplace, "status": o.status,
			"total_amount": o.total(), "items_count": o.count(),
			"created_at": o.created.UTC().Format(isoUTC), "updated_at": o.updated.UTC().Format(isoUTC),
		})
	}
	return simkit.JSON(http.StatusOK, map[string]any{"data": data, "meta": meta(page, limit, len(match))})
}

// handleGetOrder serves GET /api/v1/orders/{id} with customer, address and items.
func (s *Server) handleGetOrder(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(c.R.PathValue("id"))
	if o == nil {
		return fail(404, "order not found")
	}
	items := make([]map[string]any, 0, len(o.items))
	for _, it := range o.items {
		items = append(items, map[string]any{
			"id": it.id, "product_id": it.product.ID, "sku": it.product.SKU, "name": it.product.Name,
			"quantity": it.quantity, "unit_price": it.unitPrice, "total_price": it.unitPrice * money.Kurus(it.quantity),
		})
	}
	return simkit.JSON(http.StatusOK, map[string]any{
		"id": o.id, "order_number": o.number, "marketplace": o.marketplace, "status": o.status,
		"customer": map[string]any{"name": o.customer.Name, "email": o.customer.Email, "phone": o.customer.Phone},
		"shipping_address": map[string]any{
			"address_line1": o.address.Line1, "address_line2": o.address.Line2, "city": o.address.City,
			"state": o.address.State, "postal_code": o.address.PostalCode, "country": o.address.Country,
		},
		"items":        items,
		"total_amount": o.total(), "shipping_fee": o.shipping, "tax_amount": o.tax, "discount_amount": o.discount,
		"created_at": o.created.UTC().Format(isoUTC), "updated_at": o.updated.UTC().Format(isoUTC),
	})
}
