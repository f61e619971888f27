package hepsiburadasim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"syncagent/connectors/sim/simkit"
)

// OMS codes in the bare-string 400s. Only WrongDateFormat is documented; the rest are
// the simulator's.
const (
	CodeWrongDate     = "WrongDateFormat"
	CodeLimitRequired = "LimitIsRequired"
	CodeLimitExceeded = "LimitExceeded"
	CodeBadPaging     = "InvalidPagingParameters"
	CodeNotFound      = "NotFound"
	CodeBadRequest    = "BadRequest"
	CodeConflict      = "InvoiceAlreadyExists"
)

// paging reads offset (under the name given: "offset", or "Offset" on /packages) and
// limit; required says a missing limit is an error (/orders).
func (s *Server) paging(q url.Values, offsetName string, maxLimit int, required bool) (offset, limit int, bad *simkit.Reply) {
	fail := func(code string) (int, int, *simkit.Reply) {
		r := omsError(http.StatusBadRequest, code)
		return 0, 0, &r
	}
	if !q.Has("limit") && required {
		return fail(CodeLimitRequired)
	}
	limit, err := simkit.QueryInt(q, "limit", maxLimit)
	if err != nil || limit < 1 {
		return fail(CodeBadPaging)
	}
	if limit > maxLimit {
		if !s.opt.ClampLimits {
			return fail(CodeLimitExceeded)
		}
		limit = maxLimit
	}
	offset, err = simkit.QueryInt(q, offsetName, 0)
	if err != nil || offset < 0 {
		return fail(CodeBadPaging)
	}
	return offset, limit, nil
}

// dateFilter reads /orders' begindate/enddate: "yyyy-MM-dd HH:mm" in Turkey local time.
// An ISO-8601 value is accepted and silently matches nothing (observed 2026-06-05); any
// other text is WrongDateFormat.
func dateFilter(q url.Values) (from, to time.Time, none bool, bad *simkit.Reply) {
	read := func(name string) (time.Time, bool, *simkit.Reply) {
		v := q.Get(name)
		if v == "" {
			return time.Time{}, false, nil
		}
		if t, err := time.ParseInLocation(filterLayout, v, turkey); err == nil {
			return t, false, nil
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
			if _, err := time.Parse(layout, v); err == nil {
				return time.Time{}, true, nil
			}
		}
		r := omsError(http.StatusBadRequest, CodeWrongDate)
		return time.Time{}, false, &r
	}
	from, n1, bad := read("begindate")
	if bad != nil {
		return
	}
	to, n2, bad := read("enddate")
	return from, to, n1 || n2, bad
}

// noDates refuses a date filter, as cancelled and the tracking feeds do for every format.
func noDates(q url.Values) *simkit.Reply {
	if q.Has("begindate") || q.Has("enddate") {
		r := omsError(http.StatusBadRequest, CodeWrongDate)
		return &r
	}
	return nil
}

// handleOrders serves GET /orders/merchantid/{id}: paid lines not packed yet, oldest
// order first. limit is required, at most 100.
func (s *Server) handleOrders(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	offset, limit, bad := s.paging(q, "offset", 100, true)
	if bad != nil {
		return *bad
	}
	from, to, none, bad := dateFilter(q)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*line
	if !none {
		match = s.linesIn(lineOpen, func(l *line) bool {
			d := l.order.date
			return (from.IsZero() || !d.Before(from)) && (to.IsZero() || d.Before(to))
		})
	}
	items := make([]map[string]any, 0, limit)
	for _, l := range simkit.Page(match, offset, limit) {
		items = append(items, lineJSON(l))
	}
	return simkit.JSON(http.StatusOK, pageJSON(items, limit, offset, len(match)))
}

// linesIn lists the lines in state that keep, oldest order first.
func (s *Server) linesIn(state string, keep func(*line) bool) []*line {
	var out []*line
	for _, o := range s.st.orders.All() {
		for _, l := range o.lines {
			if l.state == state && (keep == nil || keep(l)) {
				out = append(out, l)
			}
		}
	}
	return out
}

// handleAwaiting serves GET …/paymentawaiting: unpaid lines, PascalCase rows without
// amounts; limit at most 50. Its date parameters are ignored (only /orders honours one).
func (s *Server) handleAwaiting(c *simkit.Call) simkit.Reply {
	offset, limit, bad := s.paging(c.R.URL.Query(), "offset", 50, false)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	match := s.linesIn(lineAwaiting, nil)
	items := make([]map[string]any, 0, limit)
	for _, l := range simkit.Page(match, offset, limit) {
		items = append(items, awaitingJSON(l, s.opt.MerchantID))
	}
	return simkit.JSON(http.StatusOK, pageJSON(items, limit, offset, len(match)))
}

// handleCancelled serves GET …/cancelled: lines cancelled within FeedRetention, oldest
// cancellation first; any date filter is 400 WrongDateFormat.
func (s *Server) handleCancelled(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	if bad := noDates(q); bad != nil {
		return *bad
	}
	offset, limit, bad := s.paging(q, "offset", 50, false)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cut := c.Now.Add(-s.opt.FeedRetention)
	match := s.linesIn(lineCancelled, func(l *line) bool { return l.cancelledAt.After(cut) })
	sort.SliceStable(match, func(i, j int) bool { return match[i].cancelledAt.Before(match[j].cancelledAt) })
	items := make([]map[string]any, 0, limit)
	for _, l := range simkit.Page(match, offset, limit) {
		items = append(items, cancelledJSON(l, s.opt.MerchantID))
	}
	return simkit.JSON(http.StatusOK, pageJSON(items, limit, offset, len(match)))
}

// handleOrderDetail serves GET …/ordernumber/{orderNumber}: every line in every state.
func (s *Server) handleOrderDetail(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.st.orders.Get(c.R.PathValue("orderNumber"))
	if o == nil {
		return omsError(http.StatusNotFound, CodeNotFound)
	}
	return simkit.JSON(http.StatusOK, orderDetailJSON(o))
}

// timespan reads /packages' timespan (hours per [ORD], minutes per [SDK]; TimespanHours
// chooses) as the oldest creation time it lets through (zero: none given).
func (s *Server) timespan(q url.Values, now time.Time) (time.Time, *simkit.Reply) {
	v := q.Get("timespan")
	if v == "" {
		return time.Time{}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		r := omsError(http.StatusBadRequest, CodeBadRequest)
		return time.Time{}, &r
	}
	unit := time.Minute
	if s.opt.TimespanHours {
		unit = time.Hour
	}
	return now.Add(-time.Duration(n) * unit), nil
}

// handlePackages serves GET /packages/merchantid/{id}: packed packages awaiting
// shipment as a bare array, paged by a capital `Offset` (a lower-case offset is ignored,
// so it is always the first page) and limit at most 10.
func (s *Server) handlePackages(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	offset, limit, bad := s.paging(q, "Offset", 10, false)
	if bad != nil {
		return *bad
	}
	since, bad := s.timespan(q, c.Now)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*pkg
	for _, p := range s.st.packages.All() {
		if p.status == linePacked && !p.created.Before(since) {
			match = append(match, p)
		}
	}
	out := make([]map[string]any, 0, limit)
	for _, p := range simkit.Page(match, offset, limit) {
		out = append(out, packageJSON(p, s.opt.MerchantID))
	}
	return simkit.JSON(http.StatusOK, out)
}

// handleUnpacked serves GET …/status/unpacked: packages that were unpacked (their lines
// are open again), with the capital Offset.
func (s *Server) handleUnpacked(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	offset, limit, bad := s.paging(q, "Offset", 10, false)
	if bad != nil {
		return *bad
	}
	since, bad := s.timespan(q, c.Now)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []unpackedPkg
	for _, u := range s.st.unpacked {
		if !u.at.Before(since) {
			match = append(match, u)
		}
	}
	items := make([]map[string]any, 0, limit)
	for _, u := range simkit.Page(match, offset, limit) {
		items = append(items, map[string]any{"packageNumber": u.number, "barcode": u.barcode, "unpackedDate": omsDate(u.at)})
	}
	return simkit.JSON(http.StatusOK, pageJSON(items, limit, offset, len(match)))
}

// handleTracking serves the thin shipped/delivered/undelivered feeds: PascalCase rows
// of packages in that state within FeedRetention; a date filter is 400.
func (s *Server) handleTracking(state string) func(*simkit.Call) simkit.Reply {
	return func(c *simkit.Call) simkit.Reply {
		q := c.R.URL.Query()
		if bad := noDates(q); bad != nil {
			return *bad
		}
		offset, limit, bad := s.paging(q, "offset", 50, false)
		if bad != nil {
			return *bad
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		cut := c.Now.Add(-s.opt.FeedRetention)
		var match []*pkg
		for _, p := range s.st.packages.All() {
			if p.status == state && p.moved.After(cut) {
				match = append(match, p)
			}
		}
		sort.SliceStable(match, func(i, j int) bool { return match[i].moved.Before(match[j].moved) })
		items := make([]map[string]any, 0, limit)
		for _, p := range simkit.Page(match, offset, limit) {
			items = append(items, trackingJSON(p, s.opt.MerchantID))
		}
		return simkit.JSON(http.StatusOK, pageJSON(items, limit, offset, len(match)))
	}
}

// PackRequest is POST /packages' body as far as the simulator reads it.
type packRequest struct {
	LineItemRequests []struct {
		ID       string `json:"id"`
		Quantity int    `json:"quantity"`
	} `json:"lineItemRequests"`
	CargoCompany string `json:"cargoCompany"`
}

// handlePack serves POST /packages/merchantid/{id}: open lines of one order into a new
// package, answered 201. Packing part of a line splits it: the packed units get a new
// line id, the rest keeps the old one and stays open (assumed).
func (s *Server) handlePack(c *simkit.Call) simkit.Reply {
	var req packRequest
	if err := json.Unmarshal(c.Body, &req); err != nil || len(req.LineItemRequests) == 0 {
		return omsError(http.StatusBadRequest, CodeBadRequest)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]int{}
	var ord *order
	for _, r := range req.LineItemRequests {
		l := s.st.lines[r.ID]
		if l == nil || l.state != lineOpen || r.Quantity < 1 || r.Quantity > l.qty || want[r.ID] > 0 {
			return omsError(http.StatusBadRequest, CodeBadRequest)
		}
		if ord != nil && l.order != ord {
			return omsError(http.StatusBadRequest, CodeBadRequest)
		}
		ord = l.order
		want[r.ID] = r.Quantity
	}
	p := s.pack(ord, want, req.CargoCompany, c.Now)
	return simkit.JSON(http.StatusCreated, map[string]any{"packageNumber": p.number, "barcode": p.barcode})
}

// pack moves want (line id → units) of open lines of o into a new package.
func (s *Server) pack(o *order, want map[string]int, cargo string, now time.Time) *pkg {
	if cargo == "" {
		cargo = "Yurtiçi Kargo"
	}
	p := &pkg{number: s.newPackageNumber(), created: now, status: linePacked, moved: now, cargo: cargo}
	p.barcode = "HB" + p.number
	for _, l := range o.lines {
		n := want[l.id]
		if n == 0 {
			continue
		}
		packed := l
		if n < l.qty {
			cp := *l
			cp.id, cp.qty = newUUID(), n
			packed = &cp
			l.qty -= n
			s.st.lines[cp.id] = packed
			o.lines = append(o.lines, packed)
		}
		packed.pkg = p
		setLine(packed, linePacked, now)
		p.lines = append(p.lines, packed)
	}
	s.st.packages.Add(p.number, p)
	return p
}

func (s *Server) packageFor(c *simkit.Call) (*pkg, *simkit.Reply) {
	p := s.st.packages.Get(c.R.PathValue("packageNumber"))
	if p == nil {
		r := omsError(http.StatusNotFound, CodeNotFound)
		return nil, &r
	}
	return p, nil
}

// handleUnpack serves POST …/packagenumber/{pn}/unpack: a packed package's lines are open
// again and the package moves to the unpacked feed.
func (s *Server) handleUnpack(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, bad := s.packageFor(c)
	if bad != nil {
		return *bad
	}
	if p.status != linePacked {
		return omsError(http.StatusBadRequest, CodeBadRequest)
	}
	s.unpack(p, c.Now)
	return simkit.JSON(http.StatusOK, "Success")
}

func (s *Server) unpack(p *pkg, now time.Time) {
	for _, l := range p.lines {
		l.pkg = nil
		setLine(l, lineOpen, now)
	}
	s.st.unpacked = append(s.st.unpacked, unpackedPkg{number: p.number, barcode: p.barcode, at: now})
	s.st.packages.Keep(func(x *pkg) bool { return x != p })
}

// moves are the package transitions of the self-ship flows.
var moves = map[string]string{lineShipped: linePacked, lineDelivered: lineShipped, lineUndelivered: lineShipped}

// handleMove serves …/intransit, …/deliver and …/undeliver.
func (s *Server) handleMove(to string) func(*simkit.Call) simkit.Reply {
	return func(c *simkit.Call) simkit.Reply {
		var body struct {
			UndeliveredReason string `json:"undeliveredReason"`
		}
		_ = json.Unmarshal(c.Body, &body)
		s.mu.Lock()
		defer s.mu.Unlock()
		p, bad := s.packageFor(c)
		if bad != nil {
			return *bad
		}
		if err := s.move(p, to, body.UndeliveredReason, c.Now); err != nil {
			return omsError(http.StatusBadRequest, CodeBadRequest)
		}
		return simkit.JSON(http.StatusOK, "Success")
	}
}

func (s *Server) move(p *pkg, to, reason string, now time.Time) error {
	if moves[to] != p.status {
		return simkit.ErrState
	}
	p.status, p.moved, p.reason = to, now, reason
	for _, l := range p.lines {
		setLine(l, to, now)
	}
	return nil
}

// handleInvoice serves PUT …/packagenumber/{pn}/invoice: a link once; 409 when the package
// already has one.
func (s *Server) handleInvoice(c *simkit.Call) simkit.Reply {
	var body struct {
		InvoiceLink string `json:"invoiceLink"`
	}
	if err := json.Unmarshal(c.Body, &body); err != nil || body.InvoiceLink == "" {
		return omsError(http.StatusBadRequest, CodeBadRequest)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, bad := s.packageFor(c)
	if bad != nil {
		return *bad
	}
	if p.invoice != "" {
		return omsError(http.StatusConflict, CodeConflict)
	}
	p.invoice = body.InvoiceLink
	return simkit.JSON(http.StatusOK, "Success")
}

// handleCancelByMerchant serves POST /lineitems/merchantid/{id}/id/{lineId}/cancelbymerchant:
// an open (unpacked) line is cancelled whole and its units go back to stock.
func (s *Server) handleCancelByMerchant(c *simkit.Call) simkit.Reply {
	var body struct {
		ReasonID *int `json:"reasonId"`
	}
	if err := json.Unmarshal(c.Body, &body); err != nil || body.ReasonID == nil {
		return omsError(http.StatusBadRequest, CodeBadRequest)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.st.lines[c.R.PathValue("lineId")]
	if l == nil {
		return omsError(http.StatusNotFound, CodeNotFound)
	}
	if l.state != lineOpen {
		return omsError(http.StatusBadRequest, CodeBadRequest)
	}
	_ = s.cancelLine(l, "Merchant", strconv.Itoa(*body.ReasonID), c.Now)
	return simkit.JSON(http.StatusOK, "Success")
}
