package trendyolsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// DuplicateMessage is Trendyol's text for a body repeated within 15 minutes.
const DuplicateMessage = "15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!"

// Failure reasons are free text at Trendyol (no code list is published); these are the
// simulator's, in Turkish like the marketplace's own.
const (
	ReasonUnknownBarcode = "Bu barkoda ait onaylı ürün bulunamadı."
	ReasonListBelowSale  = "Liste fiyatı (listPrice) satış fiyatından (salePrice) düşük olamaz."
	ReasonTooMuchStock   = "Stok adedi 20000'den fazla olamaz."
	ReasonNegativeStock  = "Stok adedi negatif olamaz."
	ReasonNegativePrice  = "Fiyat negatif olamaz."
	ReasonNothingToDo    = "Güncellenecek stok veya fiyat bilgisi gönderilmedi."
	ReasonPriceLimit     = "Aynı barkod için dakikada 30'dan fazla fiyat güncellemesi yapılamaz."
)

// itemRequest is one parsed item of a price-and-inventory request.
type itemRequest struct {
	Barcode   string
	Quantity  *int64
	SalePrice *money.Kurus
	ListPrice *money.Kurus
}

func (it itemRequest) hasPrice() bool { return it.SalePrice != nil || it.ListPrice != nil }

// parseItems checks the request's shape; a shape error is a 400 for the whole request.
func parseItems(body []byte) ([]itemRequest, string) {
	var req struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, "request body is not valid JSON: " + err.Error()
	}
	items := make([]itemRequest, 0, len(req.Items))
	for i, raw := range req.Items {
		var it itemRequest
		if err := json.Unmarshal(raw["barcode"], &it.Barcode); err != nil || it.Barcode == "" {
			return nil, fmt.Sprintf("items[%d].barcode is required", i)
		}
		if !simkit.Absent(raw["quantity"]) {
			n, err := simkit.Integer(raw["quantity"])
			if err != nil {
				return nil, fmt.Sprintf("items[%d].quantity: %v", i, err)
			}
			it.Quantity = &n
		}
		for name, dst := range map[string]**money.Kurus{"salePrice": &it.SalePrice, "listPrice": &it.ListPrice} {
			if simkit.Absent(raw[name]) {
				continue
			}
			k, err := simkit.Decimal(raw[name])
			if err != nil {
				return nil, fmt.Sprintf("items[%d].%s: %v", i, name, err)
			}
			*dst = &k
		}
		items = append(items, it)
	}
	return items, ""
}

// handlePriceInventory serves POST .../products/price-and-inventory.
func (s *Server) handlePriceInventory(c *simkit.Call) simkit.Reply {
	items, problem := parseItems(c.Body)
	if problem != "" {
		return badRequest("request.invalid", problem)
	}
	if len(items) == 0 {
		return badRequest("items.empty", "items must hold at least one item")
	}
	if len(items) > s.opt.MaxItems {
		return badRequest("items.size", "at most "+strconv.Itoa(s.opt.MaxItems)+" items can be sent in one request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	h := bodyHash(c.Body)
	if _, seen := s.st.bodies[h]; seen {
		c.Duplicate()
		return simkit.JSON(s.opt.DuplicateStatus, productError("duplicate.request", DuplicateMessage))
	}
	if s.opt.SyncValidation {
		var errs []map[string]any
		for _, it := range items {
			for _, r := range s.ruleFailures(it) {
				errs = append(errs, map[string]any{"key": it.Barcode, "message": r, "errorCode": "validation.error"})
			}
		}
		if len(errs) > 0 {
			return badItems(errs)
		}
	}
	b := &batch{
		id:      newBatchID(c.Now),
		created: c.Now,
		readyAt: c.Now.Add(s.opt.ResultDelay),
		items:   make([]batchItem, len(items)),
	}
	for i, it := range items {
		b.items[i] = batchItem{req: it, failures: s.itemFailures(c, it)}
	}
	s.st.bodies[h] = c.Now
	s.st.batches.Add(b.id, b)
	return simkit.JSON(http.StatusOK, map[string]string{"batchRequestId": b.id})
}

// ruleFailures are the documented value rules (the ones SyncValidation moves to a 400).
func (s *Server) ruleFailures(it itemRequest) []string {
	var out []string
	if it.Quantity != nil && *it.Quantity > s.opt.MaxStock {
		out = append(out, ReasonTooMuchStock)
	}
	if s.listBelowSale(it) {
		out = append(out, ReasonListBelowSale)
	}
	return out
}

// listBelowSale compares the prices the item would leave in place: a price-only item
// is checked against the other price already on the product.
func (s *Server) listBelowSale(it itemRequest) bool {
	sale, list := it.SalePrice, it.ListPrice
	if sale == nil && list == nil {
		return false
	}
	if p := s.st.products.Get(it.Barcode); p != nil {
		if sale == nil {
			sale = &p.SalePrice
		}
		if list == nil {
			if p.ListPrice == 0 { // never set: nothing to compare with
				return false
			}
			list = &p.ListPrice
		}
	}
	return sale != nil && list != nil && *list < *sale
}

// itemFailures decides an item's fate when it is accepted; it takes effect when the
// batch finishes. The price-change budget is spent only by items that would succeed.
func (s *Server) itemFailures(c *simkit.Call, it itemRequest) []string {
	var out []string
	if it.Quantity == nil && !it.hasPrice() {
		out = append(out, ReasonNothingToDo)
	}
	if s.st.products.Get(it.Barcode) == nil {
		out = append(out, ReasonUnknownBarcode)
	}
	if it.Quantity != nil && *it.Quantity < 0 {
		out = append(out, ReasonNegativeStock)
	}
	// A zero price is accepted: production captures show quantity 0 and salePrice 0
	// answered SUCCESS. A negative one is refused (assumed; no capture shows it).
	if (it.SalePrice != nil && *it.SalePrice < 0) || (it.ListPrice != nil && *it.ListPrice < 0) {
		out = append(out, ReasonNegativePrice)
	}
	out = append(out, s.ruleFailures(it)...)
	if r, rejected := c.Reject(it.Barcode); rejected {
		out = append(out, r)
	}
	if len(out) == 0 && it.hasPrice() {
		if s.st.prices == nil {
			s.st.prices = simkit.NewLimiter(s.opt.PriceChangesPerMinute, time.Minute)
		}
		if !s.st.prices.Take(it.Barcode, c.Now).Allowed {
			out = append(out, ReasonPriceLimit)
		}
	}
	return out
}

func newBatchID(now time.Time) string {
	h := simkit.RandomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] + "-" + strconv.FormatInt(now.Unix(), 10)
}

// handleBatchResult serves GET .../products/batch-requests/{batchRequestId}. Stock and
// price batches carry no batch-level status: the client must read every item.
func (s *Server) handleBatchResult(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	b := s.st.batches.Get(c.R.PathValue("batchRequestId"))
	if b == nil {
		return simkit.JSON(http.StatusNotFound, productError("batch.request.not.found", "batch request not found"))
	}
	items := []map[string]any{}
	failed := 0
	if b.done || s.opt.Pending != PendingNoItems {
		for _, it := range b.items {
			req := map[string]any{"barcode": it.req.Barcode, "updateRequestDate": b.created.UTC().Format(trendyolDate)}
			if it.req.Quantity != nil {
				req["quantity"] = *it.req.Quantity
			}
			if it.req.SalePrice != nil {
				req["salePrice"] = *it.req.SalePrice
			}
			if it.req.ListPrice != nil {
				req["listPrice"] = *it.req.ListPrice
			}
			item := map[string]any{"requestItem": req}
			switch {
			case b.done:
				item["status"] = it.status
				reasons := it.failures
				if reasons == nil {
					reasons = []string{}
				}
				item["failureReasons"] = reasons
				if it.status == "FAILED" {
					failed++
				}
			case s.opt.Pending == PendingInProgress:
				item["status"] = "IN_PROGRESS"
				item["failureReasons"] = []string{}
			}
			items = append(items, item)
		}
	}
	last := b.created
	if b.done {
		last = b.finished
	}
	return simkit.JSON(http.StatusOK, map[string]any{
		"batchRequestId":   b.id,
		"items":            items,
		"creationDate":     b.created.UnixMilli(),
		"lastModification": last.UnixMilli(),
		"sourceType":       "API",
		"itemCount":        len(b.items),
		"failedItemCount":  failed,
		"batchRequestType": "ProductInventoryUpdate",
	})
}

// handleApproved serves GET .../products/approved/inventory-and-price. The reply is
// nested as the official sample shows: content items (one per contentId), each with the
// variants that carry barcode, stock and prices. Paging counts content items; page×size
// may not pass 10 000, beyond which nextPageToken continues. A nextPageToken comes with
// every page, even the last one (the sample has one on a single-page answer); following
// it past the end gives an empty page.
func (s *Server) handleApproved(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	var barcodes []string
	if v := q.Get("barcodes"); v != "" {
		for _, b := range strings.Split(v, ",") {
			if b = strings.TrimSpace(b); b != "" {
				barcodes = append(barcodes, b)
			}
		}
		if len(barcodes) > 50 {
			if !s.opt.ClampOversize {
				return badRequest("barcodes.size", "at most 50 barcodes can be queried at once")
			}
			barcodes = barcodes[:50]
		}
	}
	if v := q.Get("barcode"); v != "" {
		barcodes = append(barcodes, v)
	}
	stockCode := q.Get("stockCode")
	size, err := simkit.QueryInt(q, "size", 50)
	if err != nil || size < 1 {
		return badRequest("size.invalid", "size must be a whole number of at least 1")
	}
	if size > 100 {
		if !s.opt.ClampOversize {
			return badRequest("size.invalid", "size must be at most 100")
		}
		size = 100
	}
	filter := "b=" + strings.Join(barcodes, ",") + "&s=" + stockCode
	var offset int
	page := 0
	if tok := q.Get("nextPageToken"); tok != "" {
		off, f, ok := decodePageToken(tok)
		if !ok || f != filter {
			return badRequest("nextPageToken.invalid", "nextPageToken does not belong to this query")
		}
		offset = off
		page = off / size
	} else {
		page, err = simkit.QueryInt(q, "page", 0)
		if err != nil || page < 0 {
			return badRequest("page.invalid", "page must be a whole number of at least 0")
		}
		if page*size > 10000 {
			return badRequest("page.window", "page×size may not exceed 10000; continue with nextPageToken")
		}
		offset = page * size
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	want := map[string]bool{}
	for _, b := range barcodes {
		want[b] = true
	}
	// Content items in the order their first variant was listed; only the variants the
	// filters ask for (assumed: the barcode filter narrows the variants too).
	var contents []int64
	variants := map[int64][]*Product{}
	for _, p := range s.st.products.All() {
		if len(want) > 0 && !want[p.Barcode] {
			continue
		}
		if stockCode != "" && p.StockCode != stockCode {
			continue
		}
		if _, seen := variants[p.ContentID]; !seen {
			contents = append(contents, p.ContentID)
		}
		variants[p.ContentID] = append(variants[p.ContentID], p)
	}
	content := []map[string]any{}
	for _, id := range simkit.Page(contents, offset, size) {
		vs := variants[id]
		list := make([]map[string]any, 0, len(vs))
		for _, p := range vs {
			var stockAt any
			if !p.StockUpdated.IsZero() {
				stockAt = p.StockUpdated.UnixMilli()
			}
			list = append(list, map[string]any{
				"variantId": p.VariantID, "barcode": p.Barcode, "stockCode": p.StockCode,
				"quantity": p.Quantity, "salePrice": p.SalePrice, "listPrice": p.ListPrice,
				"stockLastModifiedDate": stockAt,
			})
		}
		content = append(content, map[string]any{"contentId": id, "productMainId": vs[0].ProductMainID, "variants": list})
	}
	return simkit.JSON(http.StatusOK, map[string]any{
		"totalElements": len(contents), "totalPages": (len(contents) + size - 1) / size,
		"page": page, "size": size, "nextPageToken": encodePageToken(offset+size, filter),
		"content": content,
	})
}

func encodePageToken(offset int, filter string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "|" + filter))
}

func decodePageToken(tok string) (int, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, "", false
	}
	off, filter, ok := strings.Cut(string(b), "|")
	n, err := strconv.Atoi(off)
	if !ok || err != nil || n < 0 {
		return 0, "", false
	}
	return n, filter, true
}
