package hepsiburadasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

// handleListings serves GET /listings/merchantid/{id}: offset and limit are both
// required ([LST]); filters hbSkuList, merchantSkuList (comma-separated),
// salable-listings, notsalable-listings, updateStartDate/updateEndDate (date-time) and
// productId.
func (s *Server) handleListings(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	if !q.Has("offset") || !q.Has("limit") {
		return listingError(http.StatusBadRequest, "offset and limit are required")
	}
	offset, err1 := simkit.QueryInt(q, "offset", 0)
	limit, err2 := simkit.QueryInt(q, "limit", 10)
	if err1 != nil || err2 != nil || offset < 0 || limit < 1 {
		return listingError(http.StatusBadRequest, "offset must be ≥ 0 and limit ≥ 1")
	}
	if limit > s.opt.MaxListingLimit {
		return listingError(http.StatusBadRequest, fmt.Sprintf("limit can be at most %d", s.opt.MaxListingLimit))
	}
	hb, merchant := splitList(q.Get("hbSkuList")), splitList(q.Get("merchantSkuList"))
	var from, to time.Time
	for name, dst := range map[string]*time.Time{"updateStartDate": &from, "updateEndDate": &to} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return listingError(http.StatusBadRequest, name+" is not a date-time")
			}
			*dst = t
		}
	}
	salable, notSalable := q.Get("salable-listings") == "true", q.Get("notsalable-listings") == "true"
	product := q.Get("productId")

	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	var match []*Listing
	for _, l := range s.st.listings.All() {
		switch {
		case len(hb) > 0 && !slices.Contains(hb, l.HBSku),
			len(merchant) > 0 && !slices.Contains(merchant, l.MerchantSku),
			salable && !l.Salable(), notSalable && l.Salable(),
			product != "" && l.ProductID != product,
			!from.IsZero() && l.Updated.Before(from), !to.IsZero() && l.Updated.After(to):
			continue
		}
		match = append(match, l)
	}
	rows := make([]map[string]any, 0, limit)
	for _, l := range simkit.Page(match, offset, limit) {
		rows = append(rows, listingJSON(l))
	}
	return simkit.JSON(http.StatusOK, map[string]any{"listings": rows, "totalCount": len(match), "limit": limit, "offset": offset})
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// uploadFields are the fields each upload takes ([LST] components; additionalProperties
// false, so any other field is a 400).
var uploadFields = map[uploadKind][]string{
	kindStock: {"hepsiburadaSku", "merchantSku", "availableStock", "maximumPurchasableQuantity"},
	kindPrice: {"hepsiburadaSku", "merchantSku", "price"},
	kindInventory: {"hepsiburadaSku", "merchantSku", "price", "fixedShippingPrice", "availableStock", "cargoCompany1",
		"cargoCompany2", "cargoCompany3", "shippingAddressLabel", "claimAddressLabel", "maximumPurchasableQuantity",
		"customizationTextType", "customizationTextLength", "btCargoCompany", "ytCargoCompany", "availableWarehouses",
		"shippingProfileName", "hasInstallation"},
}

// parseRows reads an upload body: a bare JSON array of row objects.
func parseRows(kind uploadKind, body []byte) ([]uploadRow, string) {
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '[' {
		return nil, "the body must be a JSON array of rows"
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, "the body is not valid JSON: " + err.Error()
	}
	rows := make([]uploadRow, 0, len(raw))
	for i, m := range raw {
		var r uploadRow
		for k := range m {
			if !slices.Contains(uploadFields[kind], k) {
				return nil, fmt.Sprintf("[%d].%s is not a field of this upload", i, k)
			}
		}
		for name, dst := range map[string]*string{"hepsiburadaSku": &r.hbSku, "merchantSku": &r.merchantSku} {
			if !simkit.Absent(m[name]) && json.Unmarshal(m[name], dst) != nil {
				return nil, fmt.Sprintf("[%d].%s must be a string", i, name)
			}
		}
		for name, dst := range map[string]**int64{"availableStock": &r.stock, "maximumPurchasableQuantity": &r.maxQty} {
			if simkit.Absent(m[name]) {
				continue
			}
			n, err := simkit.Integer(m[name])
			if err != nil {
				return nil, fmt.Sprintf("[%d].%s: %v", i, name, err)
			}
			*dst = &n
		}
		if !simkit.Absent(m["price"]) {
			k, err := simkit.Decimal(m["price"])
			if err != nil {
				return nil, fmt.Sprintf("[%d].price: %v", i, err)
			}
			r.price = &k
		}
		rows = append(rows, r)
	}
	return rows, ""
}

// handleUpload serves POST …/inventory-uploads, …/stock-uploads and …/price-uploads: a
// bare array of at most MaxRows rows, answered at once with {id}; rows are decided when
// the upload finishes. An upload above the limit of pending uploads is answered 200 with
// a message and no id.
func (s *Server) handleUpload(kind uploadKind) func(*simkit.Call) simkit.Reply {
	return func(c *simkit.Call) simkit.Reply {
		rows, problem := parseRows(kind, c.Body)
		switch {
		case problem != "":
			return listingError(http.StatusBadRequest, problem)
		case len(rows) == 0:
			return listingError(http.StatusBadRequest, "the upload has no rows")
		case len(rows) > s.opt.MaxRows:
			return listingError(s.opt.TooManyRows, fmt.Sprintf("an upload can hold at most %d rows", s.opt.MaxRows))
		}
		for i := range rows {
			if r, bad := c.Reject(rows[i].merchantSku, rows[i].hbSku); bad {
				rows[i].rejected = r
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.advance(c.Now)
		if s.pendingUploads() >= s.opt.MaxPending {
			s.st.refused++
			return simkit.JSON(http.StatusOK, map[string]any{"message": TooManyUploadsText})
		}
		u := &upload{id: newUUID(), kind: kind, created: c.Now, readyAt: c.Now.Add(s.opt.ProcessingDelay),
			status: StatusProcessing, rows: rows}
		if s.st.failNext > 0 {
			s.st.failNext--
			u.fail = true
		}
		s.st.uploads.Add(u.id, u)
		s.st.peakPending = max(s.st.peakPending, s.pendingUploads())
		return simkit.JSON(http.StatusOK, map[string]any{"id": u.id})
	}
}

// handleUploadResult serves GET …/{kind}-uploads/id/{id}.
func (s *Server) handleUploadResult(kind uploadKind) func(*simkit.Call) simkit.Reply {
	return func(c *simkit.Call) simkit.Reply {
		id := c.R.PathValue("id")
		s.mu.Lock()
		defer s.mu.Unlock()
		if u := s.st.uploads.Get(id); u != nil && u.kind == kind {
			u.polls++
		}
		s.advance(c.Now)
		u := s.st.uploads.Get(id)
		if u == nil || u.kind != kind {
			return listingError(http.StatusNotFound, "upload "+id+" not found")
		}
		return simkit.JSON(http.StatusOK, uploadResultJSON(u))
	}
}

// handleUnlock serves POST …/bulk-unlock {hbSkuList:[…]}: every listed lock is lifted.
func (s *Server) handleUnlock(c *simkit.Call) simkit.Reply {
	var req struct {
		HBSkuList []string `json:"hbSkuList"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil || len(req.HBSkuList) == 0 {
		return listingError(http.StatusBadRequest, "hbSkuList is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	for _, sku := range req.HBSkuList {
		if l := s.st.listings.Get(sku); l != nil && l.Locked {
			l.Locked, l.LockReasons = false, nil
			l.Updated = maxTime(l.Updated, c.Now)
		}
	}
	return simkit.Reply{Status: http.StatusOK}
}
