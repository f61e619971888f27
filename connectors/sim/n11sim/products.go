package n11sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

var (
	saleStatuses    = []string{"On_Sale", "Out_Of_Stock"}
	productStatuses = []string{"Active", "InCatalogApproval", "Suspended", "CatalogRejected", "Prohibited", "Unlisted", "InApproval"}
	senders         = []string{"SELLER", "N11", "ALL"}
	currencies      = []string{"TL", "USD", "EUR"}
)

// handleProductQuery serves GET /ms/product-query: the seller's products, 0-based pages
// of at most QueryMax (more, a negative page or an unknown enum is a 500, as on prod; a
// page past the end is an empty 200).
func (s *Server) handleProductQuery(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	page, err := simkit.QueryInt(q, "page", 0)
	if err != nil || page < 0 {
		return badParam("page: must be greater than or equal to 0")
	}
	size, err := simkit.QueryInt(q, "size", 20)
	if err != nil || size < 1 || size > s.opt.QueryMax {
		return badParam(fmt.Sprintf("size: must be between 1 and %d", s.opt.QueryMax))
	}
	for name, allowed := range map[string][]string{"saleStatus": saleStatuses, "productStatus": productStatuses, "sender": senders} {
		if v := q.Get(name); v != "" && !slices.Contains(allowed, v) {
			return simkit.JSON(http.StatusInternalServerError, springError("InternalServerException",
				"No enum constant for "+name+" "+v, "IllegalArgumentException"))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	var match []*Product
	for _, p := range s.st.products.All() {
		if v := q.Get("stockCode"); v != "" && p.StockCode != v {
			continue
		}
		if v := q.Get("id"); v != "" && strconv.FormatInt(p.N11ProductID, 10) != v {
			continue
		}
		if v := q.Get("productMainId"); v != "" && p.ProductMainID != v {
			continue
		}
		if v := q.Get("saleStatus"); v != "" && p.saleStatus() != v {
			continue
		}
		if v := q.Get("productStatus"); v != "" && p.Status != v {
			continue
		}
		if v := q.Get("brandName"); v != "" && !strings.EqualFold(p.Brand, v) {
			continue
		}
		if v := q.Get("sender"); v == "N11" {
			continue // every simulated product is sent by the seller
		}
		match = append(match, p)
	}
	rows := make([]map[string]any, 0, size)
	for _, p := range simkit.Page(match, page*size, size) {
		rows = append(rows, productJSON(p))
	}
	return simkit.JSON(http.StatusOK, springPage(rows, page, size, len(match)))
}

// taskBody is a task request: {"payload":{"integrator","skus":[…]}}.
type taskBody struct {
	Payload struct {
		Integrator *string                      `json:"integrator"`
		SKUs       []map[string]json.RawMessage `json:"skus"`
	} `json:"payload"`
}

// parseTask reads a task body and applies the rules about the request as a whole. A
// reply means the task is refused (REJECT or 400 as WholeRules says).
func (s *Server) parseTask(c *simkit.Call, kind string) ([]map[string]json.RawMessage, *simkit.Reply) {
	var b taskBody
	if err := json.Unmarshal(c.Body, &b); err != nil {
		r := simkit.JSON(http.StatusBadRequest, springError("HttpMessageNotReadableException", "JSON parse error: "+err.Error(), ""))
		return nil, &r
	}
	var reasons []string
	if b.Payload.Integrator == nil || strings.TrimSpace(*b.Payload.Integrator) == "" {
		reasons = append(reasons, ReasonNoIntegr)
	}
	switch n := len(b.Payload.SKUs); {
	case n == 0:
		reasons = append(reasons, ReasonNoSKUs)
	case n > s.opt.MaxSKUs:
		reasons = append(reasons, fmt.Sprintf(ReasonTooMany, s.opt.MaxSKUs))
	}
	if len(reasons) == 0 {
		return b.Payload.SKUs, nil
	}
	if s.opt.WholeRules == RuleError {
		r := simkit.JSON(http.StatusBadRequest, springError("BadRequestException", strings.Join(reasons, " "), ""))
		return nil, &r
	}
	r := s.reject(c, kind, reasons)
	return nil, &r
}

// reject records a refused task and answers it: HTTP 200, status REJECT.
func (s *Server) reject(c *simkit.Call, kind string, reasons []string) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.nextTask++
	t := &task{id: s.st.nextTask, kind: kind, status: "REJECT", created: c.Now, finished: c.Now}
	s.st.tasks.Add(t.id, t)
	return simkit.JSON(http.StatusOK, map[string]any{"id": t.id, "type": kind, "status": "REJECT", "reasons": reasons})
}

// queue stores an accepted task and answers it IN_QUEUE.
func (s *Server) queue(c *simkit.Call, kind string, items []taskItem) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	s.st.nextTask++
	t := &task{id: s.st.nextTask, kind: kind, status: "IN_QUEUE", created: c.Now, readyAt: c.Now.Add(s.opt.TaskDelay), items: items}
	s.st.tasks.Add(t.id, t)
	return simkit.JSON(http.StatusOK, map[string]any{"id": t.id, "type": kind, "status": "IN_QUEUE",
		"reasons": []string{fmt.Sprintf("%d sku işlenmeye alındı.", len(items))}})
}

// handlePriceStock serves POST /ms/product/tasks/price-stock-update.
func (s *Server) handlePriceStock(c *simkit.Call) simkit.Reply {
	raw, rep := s.parseTask(c, typeSKU)
	if rep != nil {
		return *rep
	}
	items := make([]taskItem, 0, len(raw))
	var rejects []string
	for _, r := range raw {
		it := s.priceItem(c, r)
		if len(it.failures) > 0 && s.opt.ItemRules == RuleReject && !it.injected {
			for _, f := range it.failures {
				rejects = append(rejects, it.code+": "+f)
			}
		}
		items = append(items, it.taskItem)
	}
	if len(rejects) > 0 {
		return s.reject(c, typeSKU, rejects)
	}
	return s.queue(c, typeSKU, items)
}

type parsedItem struct {
	taskItem
	injected bool // the failure comes from Faults.RejectKeys: always a per-SKU FAIL
}

// priceItem reads one price-stock item and decides the rules it breaks (n11.md §4).
func (s *Server) priceItem(c *simkit.Call, r map[string]json.RawMessage) parsedItem {
	var it parsedItem
	_ = json.Unmarshal(r["stockCode"], &it.code)
	req := &priceReq{}
	it.price = req
	fail := func(reason string) { it.failures = append(it.failures, reason) }
	if strings.TrimSpace(it.code) == "" {
		fail(ReasonNoStockCode)
	}
	if !simkit.Absent(r["quantity"]) {
		n, err := simkit.Integer(r["quantity"])
		switch {
		case err != nil || n < 0 || (s.opt.MaxQuantity > 0 && n > s.opt.MaxQuantity):
			fail(ReasonQuantity)
		default:
			req.quantity = &n
		}
	}
	sale, hasSale := price(r["salePrice"])
	list, hasList := price(r["listPrice"])
	switch {
	case hasSale != hasList:
		fail(ReasonPricePair)
	case hasSale:
		var bad string
		for _, p := range []json.RawMessage{r["salePrice"], r["listPrice"]} {
			if b := priceProblem(p); b != "" {
				bad = b
			}
		}
		switch {
		case bad != "":
			fail(bad)
		case list < sale:
			fail(ReasonListBelow)
		default:
			req.sale, req.list = &sale, &list
		}
	}
	if !simkit.Absent(r["currencyType"]) {
		var cur string
		if json.Unmarshal(r["currencyType"], &cur) != nil || !slices.Contains(currencies, cur) {
			fail(ReasonCurrency)
		}
		req.currency = cur
	}
	if req.quantity == nil && req.sale == nil && len(it.failures) == 0 {
		fail(ReasonNothing)
	}
	if reason, rejected := c.Reject(it.code); rejected {
		it.failures, it.injected = []string{reason}, true
	}
	return it
}

func price(raw json.RawMessage) (money.Kurus, bool) {
	if simkit.Absent(raw) {
		return 0, false
	}
	k, err := simkit.Decimal(raw)
	if err != nil {
		return 0, true
	}
	return k, true
}

// priceProblem checks a price's form: a JSON number above zero with at most two digits
// after the dot.
func priceProblem(raw json.RawMessage) string {
	t := strings.TrimSpace(string(raw))
	k, err := simkit.Decimal(raw)
	if err != nil {
		return ReasonDecimals
	}
	if _, frac, ok := strings.Cut(t, "."); ok && len(strings.TrimRight(frac, "0")) > 2 {
		return ReasonDecimals
	}
	if k <= 0 {
		return ReasonBadPrice
	}
	return ""
}

// handleProductUpdate serves POST /ms/product/tasks/product-update.
func (s *Server) handleProductUpdate(c *simkit.Call) simkit.Reply {
	raw, rep := s.parseTask(c, typeProduct)
	if rep != nil {
		return *rep
	}
	items := make([]taskItem, 0, len(raw))
	for _, r := range raw {
		items = append(items, s.infoItem(c, r))
	}
	return s.queue(c, typeProduct, items)
}

// infoItem reads one product-update item. The fields n11 documents but the simulator
// does not model (preparingDay, shipmentTemplate, productMainId, maxPurchaseQuantity,
// attributes and their delete flags) are accepted and left alone.
func (s *Server) infoItem(c *simkit.Call, r map[string]json.RawMessage) taskItem {
	var it taskItem
	_ = json.Unmarshal(r["stockCode"], &it.code)
	req := &infoReq{}
	it.info = req
	fail := func(reason string) { it.failures = append(it.failures, reason) }
	if strings.TrimSpace(it.code) == "" {
		fail(ReasonNoStockCode)
	}
	if !simkit.Absent(r["title"]) {
		var t string
		if json.Unmarshal(r["title"], &t) != nil || !s.opt.TitleUpdates {
			fail(ReasonTitle)
		} else {
			req.title = &t
		}
	}
	if !simkit.Absent(r["description"]) {
		var d string
		if json.Unmarshal(r["description"], &d) == nil {
			req.description = &d
		}
	}
	if !simkit.Absent(r["status"]) {
		var st string
		if json.Unmarshal(r["status"], &st) != nil || (st != "Active" && st != "Suspended") {
			fail(ReasonStatus)
		}
		req.status = st
	}
	if !simkit.Absent(r["vatRate"]) {
		n, err := simkit.Integer(r["vatRate"])
		if err != nil || !slices.Contains([]int64{0, 1, 10, 20}, n) {
			fail(ReasonVatRate)
		} else {
			v := int(n)
			req.vatRate = &v
		}
	}
	if reason, rejected := c.Reject(it.code); rejected {
		it.failures = []string{reason}
	}
	return it
}

// detailsRequest is a task-details query.
type detailsRequest struct {
	TaskID     int64
	Page, Size int
}

func parseDetailsRequest(body []byte) (detailsRequest, error) {
	var b struct {
		TaskID   json.RawMessage `json:"taskId"`
		Pageable struct {
			Page *int `json:"page"`
			Size *int `json:"size"`
		} `json:"pageable"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return detailsRequest{}, err
	}
	id, err := simkit.Integer(b.TaskID)
	if err != nil {
		return detailsRequest{}, fmt.Errorf("taskId: %w", err)
	}
	r := detailsRequest{TaskID: id, Size: 20}
	if b.Pageable.Page != nil {
		r.Page = *b.Pageable.Page
	}
	if b.Pageable.Size != nil {
		r.Size = *b.Pageable.Size
	}
	if r.Page < 0 || r.Size < 1 {
		return r, fmt.Errorf("pageable: page must be at least 0 and size at least 1")
	}
	return r, nil
}

// handleTaskDetails serves POST /ms/product/task-details/page-query: the task's status
// and, once PROCESSED, its items page by page. A task n11 no longer keeps (or never
// had) answers an empty page with no status.
func (s *Server) handleTaskDetails(c *simkit.Call) simkit.Reply {
	req, err := parseDetailsRequest(c.Body)
	if err != nil {
		return badParam(err.Error())
	}
	size := min(req.Size, s.opt.TaskPageMax)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.st.tasks.Get(req.TaskID); t != nil && t.status == "IN_QUEUE" {
		t.polls++
	}
	s.advance(c.Now)
	t := s.st.tasks.Get(req.TaskID)
	if t == nil {
		return simkit.JSON(http.StatusOK, map[string]any{"taskId": req.TaskID, "status": nil,
			"skus": taskPage([]map[string]any{}, req.Page, size, 0)})
	}
	rows := []map[string]any{}
	total := 0
	if t.status == "PROCESSED" {
		total = len(t.items)
		for _, it := range simkit.Page(t.items, req.Page*size, size) {
			rows = append(rows, map[string]any{"itemCode": it.code, "status": it.status,
				"sku":     map[string]any{"salePrice": it.values[0], "listPrice": it.values[1], "stock": it.values[2]},
				"reasons": it.reasons})
		}
	}
	return simkit.JSON(http.StatusOK, map[string]any{"taskId": t.id, "status": t.status, "skus": taskPage(rows, req.Page, size, total)})
}

// handleCategories serves GET /cdn/categories: the tree in one call (a small one). It
// needs only the appkey, as on prod.
func (s *Server) handleCategories(*simkit.Call) simkit.Reply {
	leaf := func(id int, name string) map[string]any {
		return map[string]any{"id": id, "name": name, "subCategories": nil}
	}
	return simkit.JSON(http.StatusOK, map[string]any{"categories": []map[string]any{
		{"id": 1000001, "name": "Giyim & Ayakkabı", "subCategories": []map[string]any{leaf(1000476, "Kadın Giyim"), leaf(1000477, "Erkek Giyim")}},
		{"id": 1002500, "name": "Kozmetik & Kişisel Bakım", "subCategories": []map[string]any{leaf(1002571, "Makyaj Çantası")}},
	}})
}
