package trendyolsim

import (
	"net/http"
	"time"

	"syncagent/connectors/sim/simkit"
)

// batch is one accepted price-and-inventory request.
type batch struct {
	id       string
	created  time.Time
	readyAt  time.Time
	finished time.Time
	done     bool
	items    []batchItem
}

type batchItem struct {
	req      itemRequest
	failures []string // decided on arrival; empty means the item will succeed
	status   string   // "" while processing, then SUCCESS or FAILED
}

// finishBatch gives every item its final state and applies the successful ones.
func (s *Server) finishBatch(b *batch, now time.Time) {
	b.done = true
	b.finished = b.readyAt
	for i := range b.items {
		it := &b.items[i]
		p := s.st.products[it.req.Barcode]
		if len(it.failures) > 0 || p == nil {
			if p == nil && len(it.failures) == 0 {
				it.failures = []string{ReasonUnknownBarcode}
			}
			it.status = "FAILED"
			continue
		}
		if it.req.Quantity != nil {
			p.Quantity = *it.req.Quantity
		}
		if it.req.SalePrice != nil {
			p.SalePrice = *it.req.SalePrice
		}
		if it.req.ListPrice != nil {
			p.ListPrice = *it.req.ListPrice
		}
		p.Updates++
		p.LastUpdate = b.readyAt
		it.status = "SUCCESS"
	}
}

// CompleteBatches finishes every batch still processing, as if its delay had passed.
// For tests and demos on the wall clock that do not want to wait.
func (s *Server) CompleteBatches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Clock.Now()
	for _, b := range s.st.batchOrder {
		if !b.done {
			b.readyAt = now
			s.finishBatch(b, now)
		}
	}
}

// PendingBatches counts batches whose items have no final state yet.
func (s *Server) PendingBatches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.opt.Clock.Now())
	n := 0
	for _, b := range s.st.batchOrder {
		if !b.done {
			n++
		}
	}
	return n
}

const trendyolDate = "2006-01-02T15:04:05.000+00:00"

// handleBatchResult serves GET .../products/batch-requests/{batchRequestId}. Stock and
// price batches carry no batch-level status: the client must read every item.
func (s *Server) handleBatchResult(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	b := s.st.batches[c.R.PathValue("batchRequestId")]
	if b == nil {
		return simkit.JSON(http.StatusNotFound, errorBody(404, "batch.request.not.found", "batch request not found"))
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
