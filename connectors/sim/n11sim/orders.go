package n11sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

// ordersSince: shipmentPackages lists nothing from before November 2024.
var ordersSince = time.Date(2024, 11, 1, 0, 0, 0, 0, time.FixedZone("TRT", 3*3600))

// handleShipmentPackages serves GET /rest/delivery/v1/shipmentPackages: one status per
// call (an unknown one answers an empty page; none: every status), dates as epoch ms of
// the GMT+3 wall clock, the range clamped to OrderWindow (none: the last window; only a
// start: the window from it; only an end, or a wider range: the window before the end),
// sorted by the last change (orderByDirection ASC or DESC, DESC by default), size clamped
// to OrdersMax. startDate/endDate filter lastModifiedDate when orderByField is "true"
// ("true: lastModifiedDate'e göre sorgula", as a summary of n11's docs puts it), else the
// creation date; FilterCreated makes them filter the creation date always.
func (s *Server) handleShipmentPackages(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	page, err := simkit.QueryInt(q, "page", 0)
	if err != nil {
		return simkit.JSON(http.StatusBadRequest, restError(400, "SELLER_API.invalidParameter", err.Error()))
	}
	size, err := simkit.QueryInt(q, "size", 20)
	if err != nil {
		return simkit.JSON(http.StatusBadRequest, restError(400, "SELLER_API.invalidParameter", err.Error()))
	}
	size = min(max(size, 1), s.opt.OrdersMax)
	start, hasStart, err1 := simkit.QueryInt64(q, "startDate")
	end, hasEnd, err2 := simkit.QueryInt64(q, "endDate")
	if err1 != nil || err2 != nil {
		return simkit.JSON(http.StatusBadRequest, restError(400, "SELLER_API.invalidParameter", "startDate and endDate are epoch milliseconds"))
	}
	w := s.opt.OrderWindow
	from, to := c.Now.Add(-w), c.Now
	switch {
	case hasStart && hasEnd:
		from, to = s.instant(start), s.instant(end)
		if to.Sub(from) > w {
			from = to.Add(-w)
		}
	case hasStart:
		from = s.instant(start)
		to = from.Add(w)
	case hasEnd:
		to = s.instant(end)
		from = to.Add(-w)
	}
	if from.Before(ordersSince) {
		from = ordersSince
	}
	status := strings.TrimSpace(q.Get("status"))
	if status != "" {
		known := false
		for _, st := range allStatuses {
			if strings.EqualFold(st, status) {
				status, known = st, true
			}
		}
		if !known {
			return simkit.JSON(http.StatusOK, packagePage([]map[string]any{}, page, size, 0))
		}
	}
	var ids map[int64]bool
	if v := q.Get("packageIds"); v != "" {
		ids = map[int64]bool{}
		for _, f := range strings.Split(v, ",") {
			if n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
				ids[n] = true
			}
		}
	}
	desc := !strings.EqualFold(q.Get("orderByDirection"), "ASC")
	byChange := strings.EqualFold(q.Get("orderByField"), "true") && !s.opt.FilterCreated
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*pkg
	for _, p := range s.st.packages.All() {
		at := p.created
		if byChange {
			at = p.lastModified
		}
		if at.Before(from) || at.After(to) || (status != "" && p.status != status) {
			continue
		}
		if v := q.Get("orderNumber"); v != "" && p.orderNumber != v {
			continue
		}
		if ids != nil && !ids[p.id] {
			continue
		}
		match = append(match, p)
	}
	sort.SliceStable(match, func(i, j int) bool {
		if desc {
			return match[i].lastModified.After(match[j].lastModified)
		}
		return match[i].lastModified.Before(match[j].lastModified)
	})
	rows := make([]map[string]any, 0, size)
	for _, p := range simkit.Page(match, page*size, size) {
		rows = append(rows, s.packageJSON(p))
	}
	return simkit.JSON(http.StatusOK, packagePage(rows, page, size, (len(match)+size-1)/size))
}

// handleOrderUpdate serves PUT /rest/order/v1/update: {"lines":[{"lineId"}],"status":
// "Picking"} accepts lines of Created packages; the package moves to Picking when its
// lines are accepted. The answer is per line (its shape is not documented: the
// simulator's is {"content":[{"lineId","status":"SUCCESS"|"FAIL","reasons":[…]}]}).
func (s *Server) handleOrderUpdate(c *simkit.Call) simkit.Reply {
	var req struct {
		Lines []struct {
			LineID json.RawMessage `json:"lineId"`
		} `json:"lines"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil || len(req.Lines) == 0 {
		return simkit.JSON(http.StatusBadRequest, restError(400, "SELLER_API.invalidRequest", "lines are required"))
	}
	if req.Status != StatusPicking {
		return simkit.JSON(http.StatusBadRequest, restError(400, "SELLER_API.invalidStatus", "only the Picking status can be set"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	var moved []*pkg
	for _, l := range req.Lines {
		id, err := simkit.Integer(l.LineID)
		res := map[string]any{"lineId": id, "status": "SUCCESS", "reasons": []string{}}
		p, _ := s.findLine(id)
		switch {
		case err != nil || p == nil:
			res["status"], res["reasons"] = "FAIL", []string{"Sipariş kalemi bulunamadı."}
		case p.status != StatusCreated && !(p.status == StatusPicking && slices.Contains(moved, p)):
			res["status"], res["reasons"] = "FAIL", []string{"Sadece Created statüsündeki kalemler onaylanabilir."}
		default:
			if !slices.Contains(moved, p) {
				p.setStatus(StatusPicking, c.Now)
				moved = append(moved, p)
			}
		}
		out = append(out, res)
	}
	return simkit.JSON(http.StatusOK, map[string]any{"content": out})
}
