package ideasoftsim

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"syncagent/connectors/sim/simkit"
)

// handleListOrders serves GET /admin-api/orders: limit (≤ 100), page, sort (id, -id),
// ids, sinceId, status, paymentStatus, startCreatedAt/endCreatedAt (yyyy-mm-dd, whole
// days in Turkey time). There is no filter on updatedAt, as in the reference. Every
// order carries its orderItems.
func (s *Server) handleListOrders(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	limit, page, rep := s.paging(q)
	if rep != nil {
		return *rep
	}
	desc := false
	switch q.Get("sort") {
	case "", "id":
	case "-id":
		desc = true
	default:
		return fail(400, "sort must be id or -id")
	}
	since, _, err := simkit.QueryInt64(q, "sinceId")
	if err != nil {
		return fail(400, err.Error())
	}
	var from, to time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
		end  bool
	}{{"startCreatedAt", &from, false}, {"endCreatedAt", &to, true}} {
		if v := q.Get(p.name); v != "" {
			d, err := time.ParseInLocation("2006-01-02", v, istanbul)
			if err != nil {
				return fail(400, p.name+" must be yyyy-mm-dd")
			}
			if p.end {
				d = d.AddDate(0, 0, 1)
			}
			*p.dst = d
		}
	}
	status, payment := q.Get("status"), q.Get("paymentStatus")
	if status != "" && !statuses[status] {
		return fail(400, "status is not one of the order statuses")
	}
	if payment != "" && !paymentStatuses[payment] {
		return fail(400, "paymentStatus must be in_transaction, failed or success")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*order
	for _, o := range s.st.orders.All() {
		switch {
		case o.id <= since, status != "" && o.status != status, payment != "" && o.payment != payment,
			!from.IsZero() && o.created.Before(from), !to.IsZero() && !o.created.Before(to):
			continue
		}
		match = append(match, o)
	}
	sort.SliceStable(match, func(i, j int) bool {
		if desc {
			return match[i].id > match[j].id
		}
		return match[i].id < match[j].id
	})
	out := []map[string]any{}
	for _, o := range simkit.Page(match, (page-1)*limit, limit) {
		out = append(out, s.orderJSON(o))
	}
	return listReply(out, len(match))
}

// handleGetOrder serves GET /admin-api/orders/{id}.
func (s *Server) handleGetOrder(c *simkit.Call) simkit.Reply {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	var o *order
	if err == nil {
		o = s.st.orders.Get(id)
	}
	if o == nil {
		return fail(404, "Order not found")
	}
	return simkit.JSON(http.StatusOK, s.orderJSON(o))
}
