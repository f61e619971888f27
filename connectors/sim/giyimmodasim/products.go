package giyimmodasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// handleListProducts serves GET /api/seller/products (search by name, status filter).
func (s *Server) handleListProducts(c *simkit.Call) simkit.Reply {
	page, perPage, all, rep := pageParams(c)
	if rep != nil {
		return *rep
	}
	q := c.R.URL.Query()
	status := q.Get("status")
	if status != "" && status != "published" && status != "pending" && status != "unpublished" {
		return invalid(map[string][]string{"status": {"The selected status is invalid."}})
	}
	search := strings.ToLower(q.Get("search"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []map[string]any
	for _, p := range s.st.products.All() {
		if p.OtherSeller || status != "" && p.Status != status ||
			search != "" && !strings.Contains(strings.ToLower(p.Name), search) {
			continue
		}
		items = append(items, productJSON(p))
	}
	return pageOf(items, page, perPage, all)
}

// bulkItem is one parsed products[] element.
type bulkItem struct {
	index     int
	id        int64
	hasID     bool
	price     *money.Kurus
	stock     *int64
	published *bool
	errs      map[string][]string
}

func parseBulkItem(i int, raw map[string]json.RawMessage) bulkItem {
	it := bulkItem{index: i, errs: map[string][]string{}}
	field := func(name string) string { return "products." + strconv.Itoa(i) + "." + name }
	if simkit.Absent(raw["id"]) {
		it.errs[field("id")] = []string{"The " + field("id") + " field is required."}
	} else if n, err := simkit.LooseInteger(raw["id"]); err != nil {
		it.errs[field("id")] = []string{"The " + field("id") + " must be an integer."}
	} else {
		it.id, it.hasID = n, true
	}
	if !simkit.Absent(raw["unit_price"]) {
		if k, err := simkit.LooseDecimal(raw["unit_price"]); err != nil {
			it.errs[field("unit_price")] = []string{"The " + field("unit_price") + " must be a number."}
		} else if k < 0 {
			it.errs[field("unit_price")] = []string{"The " + field("unit_price") + " must be at least 0."}
		} else {
			it.price = &k
		}
	}
	if !simkit.Absent(raw["current_stock"]) {
		if n, err := simkit.LooseInteger(raw["current_stock"]); err != nil {
			it.errs[field("current_stock")] = []string{"The " + field("current_stock") + " must be an integer."}
		} else if n < 0 {
			it.errs[field("current_stock")] = []string{"The " + field("current_stock") + " must be at least 0."}
		} else {
			it.stock = &n
		}
	}
	if !simkit.Absent(raw["published"]) {
		if b, err := simkit.LooseBool(raw["published"]); err != nil {
			it.errs[field("published")] = []string{"The " + field("published") + " field must be true or false."}
		} else {
			it.published = &b
		}
	}
	return it
}

// handleBulkUpdate serves the bulk update: synchronous, partial success, failed items
// listed in data.errors as {"index","id","message","errors"} (the element shape is
// UNSPECIFIED; this is the simulator's choice).
func (s *Server) handleBulkUpdate(c *simkit.Call) simkit.Reply {
	var req struct {
		Products []map[string]json.RawMessage `json:"products"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return invalid(map[string][]string{"products": {"The products must be an array of objects."}})
	}
	if len(req.Products) == 0 {
		return invalid(map[string][]string{"products": {"The products field is required."}})
	}
	if len(req.Products) > s.opt.MaxBulk {
		return invalid(map[string][]string{"products": {fmt.Sprintf("The products may not have more than %d items.", s.opt.MaxBulk)}})
	}
	items := make([]bulkItem, len(req.Products))
	all := map[string][]string{}
	for i, raw := range req.Products {
		items[i] = parseBulkItem(i, raw)
		for k, v := range items[i].errs {
			all[k] = v
		}
	}
	if s.opt.StrictBulk && len(all) > 0 {
		return invalid(all)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	updated := 0
	errs := []map[string]any{}
	for _, it := range items {
		msg := ""
		var p *product
		switch {
		case len(it.errs) > 0:
			msg = "Validation failed."
		default:
			if p = s.st.products.Get(it.id); p == nil || p.OtherSeller {
				msg = "Product not found or does not belong to you."
			} else if r, rejected := c.Reject(strconv.FormatInt(p.ID, 10), p.SKU, p.Barcode); rejected {
				msg = r
			}
		}
		if msg != "" {
			e := map[string]any{"index": it.index, "message": msg}
			if it.hasID {
				e["id"] = it.id
			}
			if len(it.errs) > 0 {
				e["errors"] = it.errs
			}
			errs = append(errs, e)
			continue
		}
		if it.price != nil {
			p.UnitPrice = *it.price
			for _, r := range p.rows {
				r.price = *it.price
			}
		}
		if it.stock != nil {
			p.rows[0].qty = *it.stock // variant products: the first stock row only
		}
		if it.published != nil {
			p.Status = "unpublished"
			if *it.published {
				p.Status = "published"
			}
		}
		p.Updates++
		p.UpdatedAt = c.Now
		updated++
	}
	failed := len(errs)
	return simkit.JSON(http.StatusOK, okBody(fmt.Sprintf("Bulk update completed. Updated: %d, Failed: %d", updated, failed),
		map[string]any{"updated_count": updated, "failed_count": failed, "errors": errs}))
}
