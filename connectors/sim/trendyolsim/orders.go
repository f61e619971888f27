package trendyolsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

// handleOrdersV1 serves the retiring GET .../orders: 426 while the retired switch is on,
// otherwise the same page-based query as v2.
func (s *Server) handleOrdersV1(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	retired := s.retired
	s.mu.Unlock()
	if retired {
		return simkit.JSON(http.StatusUpgradeRequired, orderError("endpoint.retired",
			"this service is retired; use /order/sellers/{sellerId}/orders/stream or /v2/orders"))
	}
	return s.handleOrdersV2(c)
}

// handleOrdersV2 serves the page-based GET .../v2/orders: 0-based pages of at most 200,
// only the first 10 000 packages of a query reachable, one month of data.
func (s *Server) handleOrdersV2(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	size, err := simkit.QueryInt(q, "size", 50)
	if err != nil || size < 1 {
		return badOrder("size.invalid", "size must be a whole number of at least 1")
	}
	if size > 200 {
		if !s.opt.ClampOversize {
			return badOrder("size.invalid", "size must be at most 200")
		}
		size = 200
	}
	page, err := simkit.QueryInt(q, "page", 0)
	if err != nil || page < 0 {
		return badOrder("page.invalid", "page must be a whole number of at least 0")
	}
	if (page+1)*size > 10000 {
		return badOrder("maxQueryWindowResult", "Result window is too large, page×size must be less than or equal to 10000 (maxQueryWindowResult)")
	}
	start, hasStart, err1 := simkit.QueryInt64(q, "startDate")
	end, hasEnd, err2 := simkit.QueryInt64(q, "endDate")
	if err1 != nil || err2 != nil {
		return badOrder("date.invalid", "startDate and endDate are epoch milliseconds")
	}
	status := q.Get("status")
	if status != "" && !slices.Contains(allStatuses, status) {
		return badOrder("status.invalid", "unknown status "+strconv.Quote(status))
	}
	field := q.Get("orderByField")
	if field == "" {
		field = "PackageLastModifiedDate"
	}
	if field != "PackageLastModifiedDate" && field != "CreatedDate" {
		return badOrder("orderByField.invalid", "orderByField is PackageLastModifiedDate or CreatedDate")
	}
	dir := strings.ToUpper(q.Get("orderByDirection"))
	if dir == "" {
		dir = "ASC"
	}
	if dir != "ASC" && dir != "DESC" {
		return badOrder("orderByDirection.invalid", "orderByDirection is ASC or DESC")
	}
	var ids map[int64]bool
	if v := q.Get("shipmentPackageIds"); v != "" {
		ids = map[int64]bool{}
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
			if err != nil {
				return badOrder("shipmentPackageIds.invalid", "shipmentPackageIds are whole numbers")
			}
			ids[n] = true
		}
		if len(ids) > 50 {
			return badOrder("shipmentPackageIds.size", "at most 50 shipmentPackageIds")
		}
	}
	orderNumber := q.Get("orderNumber")

	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	// The date filter applies to the field the list is sorted by (assumed).
	key := func(p *pkg) time.Time {
		if field == "CreatedDate" {
			return p.created
		}
		return p.lastModified
	}
	oldest := c.Now.Add(-s.opt.OrderLookback)
	var match []*pkg
	for _, p := range s.st.packages.All() {
		k := key(p)
		switch {
		case p.lastModified.Before(oldest),
			hasStart && k.UnixMilli() < start,
			hasEnd && k.UnixMilli() > end,
			status != "" && p.status != status,
			orderNumber != "" && p.orderNumber != orderNumber,
			ids != nil && !ids[p.id]:
			continue
		}
		match = append(match, p)
	}
	sort.SliceStable(match, func(i, j int) bool {
		a, b := key(match[i]), key(match[j])
		if !a.Equal(b) {
			return a.Before(b) == (dir == "ASC")
		}
		return (match[i].id < match[j].id) == (dir == "ASC")
	})
	content := []map[string]any{}
	for _, p := range simkit.Page(match, page*size, size) {
		content = append(content, s.packageJSON(p))
	}
	return simkit.JSON(http.StatusOK, map[string]any{
		"page": page, "size": size, "totalElements": len(match),
		"totalPages": (len(match) + size - 1) / size, "content": content,
	})
}

// streamCursor is what an orders/stream cursor carries: the query it belongs to, the
// date range fixed on the first call, and the last package returned.
type streamCursor struct {
	Filter string `json:"f"`
	Start  int64  `json:"s"`
	End    int64  `json:"e"`
	LastMS int64  `json:"t"`
	LastID int64  `json:"i"`
}

func (s *Server) cursorKey() []byte {
	return []byte(s.opt.APISecret + "|stream-cursor|" + s.opt.SellerID)
}

func (s *Server) encodeCursor(c streamCursor) string {
	b, _ := json.Marshal(c)
	m := hmac.New(sha256.New, s.cursorKey())
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(append(m.Sum(nil)[:8], b...))
}

func (s *Server) decodeCursor(tok string) (streamCursor, bool) {
	var c streamCursor
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < 9 {
		return c, false
	}
	m := hmac.New(sha256.New, s.cursorKey())
	m.Write(raw[8:])
	if !hmac.Equal(m.Sum(nil)[:8], raw[:8]) || json.Unmarshal(raw[8:], &c) != nil {
		return c, false
	}
	return c, true
}

var streamStatuses = append(slices.Clone(allStatuses), "Verified")

// handleStream serves the cursor-based GET .../orders/stream: newest change first, a
// range of at most 14 days, a cursor that only works with the query that made it.
func (s *Server) handleStream(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	size, err := simkit.QueryInt(q, "size", 50)
	if err != nil || size < 1 {
		return badOrder("size.invalid", "size must be a whole number of at least 1")
	}
	if size > 200 {
		if !s.opt.ClampOversize {
			return badOrder("size.invalid", "size must be at most 200")
		}
		size = 200
	}
	var statuses map[string]bool
	if v := q.Get("packageItemStatuses"); v != "" {
		statuses = map[string]bool{}
		for _, st := range strings.Split(v, ",") {
			st = strings.TrimSpace(st)
			if !slices.Contains(streamStatuses, st) {
				return badOrder("packageItemStatuses.invalid", "unknown status "+strconv.Quote(st))
			}
			statuses[st] = true
		}
	}
	filter := "s=" + q.Get("lastModifiedStartDate") + "&e=" + q.Get("lastModifiedEndDate") + "&st=" + q.Get("packageItemStatuses")
	var cur streamCursor
	resume := false
	if tok := q.Get("nextCursor"); tok != "" {
		var ok bool
		if cur, ok = s.decodeCursor(tok); !ok {
			return badOrder("nextCursor.invalid", "invalid nextCursor value")
		}
		if cur.Filter != filter {
			return badOrder("nextCursor.filter.mismatch", "nextCursor was issued for other filters; start again without nextCursor")
		}
		resume = true
	} else {
		start, hasStart, err1 := simkit.QueryInt64(q, "lastModifiedStartDate")
		end, hasEnd, err2 := simkit.QueryInt64(q, "lastModifiedEndDate")
		if err1 != nil || err2 != nil {
			return badOrder("date.invalid", "lastModifiedStartDate and lastModifiedEndDate are epoch milliseconds")
		}
		maxRange := s.opt.StreamMaxRange.Milliseconds()
		switch {
		case !hasStart && !hasEnd:
			end = c.Now.UnixMilli()
			start = end - maxRange
		case !hasEnd:
			end = min(start+maxRange, c.Now.UnixMilli())
		case !hasStart:
			start = end - maxRange
		}
		if end < start {
			return badOrder("date.invalid", "lastModifiedEndDate is before lastModifiedStartDate")
		}
		if end-start > maxRange {
			if !s.opt.ClampOversize {
				return badOrder("date.range", "the date range may be at most 14 days")
			}
			start = end - maxRange
		}
		cur = streamCursor{Filter: filter, Start: start, End: end}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	oldest := c.Now.Add(-s.opt.StreamRetention).UnixMilli()
	var match []*pkg
	for _, p := range s.st.packages.All() {
		lm := p.lastModified.UnixMilli()
		if lm < cur.Start || lm > cur.End || lm < oldest {
			continue
		}
		if statuses != nil && !statuses[p.status] && !lineStatusIn(p, statuses) {
			continue
		}
		if resume && (lm > cur.LastMS || lm == cur.LastMS && p.id >= cur.LastID) {
			continue
		}
		match = append(match, p)
	}
	sort.Slice(match, func(i, j int) bool {
		a, b := match[i].lastModified.UnixMilli(), match[j].lastModified.UnixMilli()
		if a != b {
			return a > b
		}
		return match[i].id > match[j].id
	})
	hasMore := len(match) > size
	if hasMore {
		match = match[:size]
	}
	content := make([]map[string]any, 0, len(match))
	for _, p := range match {
		content = append(content, s.packageJSON(p))
	}
	next := ""
	if hasMore {
		last := match[len(match)-1]
		cur.LastMS, cur.LastID = last.lastModified.UnixMilli(), last.id
		next = s.encodeCursor(cur)
	}
	return simkit.JSON(http.StatusOK, map[string]any{
		"hasMore": hasMore, "nextCursor": next, "size": len(content), "content": content,
	})
}

func lineStatusIn(p *pkg, set map[string]bool) bool {
	for _, l := range p.lines {
		if set[l.status] {
			return true
		}
	}
	return false
}

type lineQty struct {
	LineID   int64 `json:"lineId"`
	Quantity int   `json:"quantity"`
}

func (s *Server) packageFromPath(c *simkit.Call) (*pkg, *simkit.Reply) {
	id, err := strconv.ParseInt(c.R.PathValue("packageId"), 10, 64)
	if err != nil {
		r := badOrder("packageId.invalid", "packageId is a whole number")
		return nil, &r
	}
	p := s.st.packages.Get(id)
	if p == nil {
		r := simkit.JSON(http.StatusNotFound, orderError("shipment.package.not.found", "shipment package not found"))
		return nil, &r
	}
	return p, nil
}

// checkLines validates the {lineId, quantity} pairs of a request against a package.
func checkLines(p *pkg, lines []lineQty) string {
	if len(lines) == 0 {
		return "lines must name at least one lineId"
	}
	byID := map[int64]*line{}
	for _, l := range p.lines {
		byID[l.id] = l
	}
	for _, lq := range lines {
		l := byID[lq.LineID]
		if l == nil {
			return fmt.Sprintf("lineId %d is not in package %d", lq.LineID, p.id)
		}
		if lq.Quantity < 1 || lq.Quantity > l.qty {
			return fmt.Sprintf("lineId %d: quantity %d, the line has %d", lq.LineID, lq.Quantity, l.qty)
		}
	}
	return ""
}

// handleUpdatePackage serves PUT .../shipment-packages/{packageId}: the seller may only
// report Picking, then Invoiced (with params.invoiceNumber). Repeating the status the
// package already has is accepted (assumed), so a retry after a lost answer is harmless.
func (s *Server) handleUpdatePackage(c *simkit.Call) simkit.Reply {
	var req struct {
		Lines  []lineQty         `json:"lines"`
		Params map[string]string `json:"params"`
		Status string            `json:"status"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return badOrder("request.invalid", "request body is not valid JSON: "+err.Error())
	}
	if req.Status != StatusPicking && req.Status != StatusInvoiced {
		return badOrder("status.invalid", "status can only be Picking or Invoiced")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, rep := s.packageFromPath(c)
	if rep != nil {
		return *rep
	}
	if msg := checkLines(p, req.Lines); msg != "" {
		return badOrder("lines.invalid", msg)
	}
	switch {
	case req.Status == p.status:
		return simkit.Reply{Status: http.StatusOK}
	case req.Status == StatusPicking && p.status != StatusCreated:
		return badOrder("status.transition", "a package in "+p.status+" cannot go to Picking")
	case req.Status == StatusInvoiced && p.status != StatusPicking:
		return badOrder("status.transition", "a package in "+p.status+" cannot go to Invoiced; report Picking first")
	case req.Status == StatusInvoiced && req.Params["invoiceNumber"] == "":
		return badOrder("invoiceNumber.required", "params.invoiceNumber is required for Invoiced")
	}
	if req.Status == StatusInvoiced {
		p.invoiceNumber = req.Params["invoiceNumber"]
	}
	p.setStatus(req.Status, c.Now)
	return simkit.Reply{Status: http.StatusOK}
}

// handleUnsupplied serves PUT .../shipment-packages/{packageId}/items/unsupplied: the
// seller cannot supply some units; they go back to stock and the rest move to a new package.
func (s *Server) handleUnsupplied(c *simkit.Call) simkit.Reply {
	var req struct {
		Lines    []lineQty `json:"lines"`
		ReasonID *int      `json:"reasonId"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return badOrder("request.invalid", "request body is not valid JSON: "+err.Error())
	}
	if req.ReasonID == nil {
		return badOrder("reasonId.required", "reasonId is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, rep := s.packageFromPath(c)
	if rep != nil {
		return *rep
	}
	if msg := checkLines(p, req.Lines); msg != "" {
		return badOrder("lines.invalid", msg)
	}
	cancel := map[int64]int{}
	for _, lq := range req.Lines {
		cancel[lq.LineID] += lq.Quantity
	}
	if _, err := s.cancelQuantities(p, cancel, StatusUnSupplied, "seller", "Tedarik edilemedi", *req.ReasonID); err != nil {
		if errors.Is(err, simkit.ErrState) {
			return badOrder("status.transition", err.Error())
		}
		return badOrder("lines.invalid", err.Error())
	}
	return simkit.Reply{Status: http.StatusOK}
}
