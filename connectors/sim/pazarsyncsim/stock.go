package pazarsyncsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"syncagent/connectors/sim/simkit"
)

func (s *Server) setStock(p *Product, n int64, now time.Time) {
	p.Stock = n
	p.StockWrites++
	if !now.After(p.UpdatedAt) {
		now = p.UpdatedAt.Add(time.Second) // updated_at has whole seconds; it must still move
	}
	p.UpdatedAt = now
}

// handleProductStock serves PUT|PATCH /api/v1/products/{id}/stock {"stock": n}.
func (s *Server) handleProductStock(c *simkit.Call) simkit.Reply {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(c.Body, &raw); err != nil {
		return fail(400, "request body is not valid JSON")
	}
	n, err := simkit.Integer(raw["stock"])
	if err != nil || n < 0 {
		b := errBody("validation_failed", "the given data was invalid")
		b["errors"] = map[string][]string{"stock": {"must be a whole number of at least 0"}}
		return simkit.JSON(http.StatusUnprocessableEntity, b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.byID[c.R.PathValue("id")]
	if p == nil {
		return fail(404, "product not found")
	}
	if reason, rejected := c.Reject(p.SKU, p.ID); rejected {
		return fail(422, reason)
	}
	s.setStock(p, n, c.Now)
	return simkit.JSON(http.StatusOK, map[string]any{"id": p.ID, "sku": p.SKU, "stock": p.Stock,
		"updated_at": p.UpdatedAt.UTC().Format(isoUTC)})
}

// handleStockBatch serves POST /api/v1/stocks/batch: synchronous, each item by
// product_id or sku, valid items applied even when others fail.
func (s *Server) handleStockBatch(c *simkit.Call) simkit.Reply {
	var req struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return fail(400, "request body is not valid JSON")
	}
	if len(req.Items) == 0 {
		b := errBody("validation_failed", "the given data was invalid")
		b["errors"] = map[string][]string{"items": {"is required"}}
		return simkit.JSON(http.StatusUnprocessableEntity, b)
	}
	if len(req.Items) > s.opt.MaxBatch {
		return fail(400, "at most "+strconv.Itoa(s.opt.MaxBatch)+" items per batch")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	updated, failed := 0, 0
	errs := []map[string]any{}
	for _, it := range req.Items {
		var id, sku string
		_ = json.Unmarshal(it["product_id"], &id)
		_ = json.Unmarshal(it["sku"], &sku)
		ref := map[string]any{}
		if sku != "" {
			ref["sku"] = sku
		}
		if id != "" {
			ref["product_id"] = id
		}
		msg := ""
		var p *Product
		switch {
		case id == "" && sku == "":
			msg = "product_id or sku is required"
		case id != "":
			if p = s.st.byID[id]; p == nil {
				msg = "product not found"
			} else if sku != "" && p.SKU != sku {
				msg = "product_id and sku name different products"
			}
		default:
			if p = s.st.bySKU[sku]; p == nil {
				msg = "product not found"
			}
		}
		n, err := simkit.Integer(it["stock"])
		if msg == "" && (err != nil || n < 0) {
			msg = "stock must be a whole number of at least 0"
		}
		if msg == "" {
			if r, rejected := c.Reject(p.SKU, p.ID); rejected {
				msg = r
			}
		}
		if msg != "" {
			failed++
			ref["message"] = msg
			errs = append(errs, ref)
			continue
		}
		s.setStock(p, n, c.Now)
		updated++
	}
	return simkit.JSON(http.StatusOK, map[string]any{"updated": updated, "failed": failed, "errors": errs})
}
