package trendyolsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"syncagent/connectors/sim/simkit"
)

type lineQty struct {
	LineID   int64 `json:"lineId"`
	Quantity int   `json:"quantity"`
}

func (s *Server) packageFromPath(c *simkit.Call) (*pkg, *simkit.Reply) {
	id, err := strconv.ParseInt(c.R.PathValue("packageId"), 10, 64)
	if err != nil {
		r := badRequest("packageId.invalid", "packageId is a whole number")
		return nil, &r
	}
	p := s.st.packages[id]
	if p == nil {
		r := simkit.JSON(http.StatusNotFound, errorBody(404, "shipment.package.not.found", "shipment package not found"))
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
		return badRequest("request.invalid", "request body is not valid JSON: "+err.Error())
	}
	if req.Status != StatusPicking && req.Status != StatusInvoiced {
		return badRequest("status.invalid", "status can only be Picking or Invoiced")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, rep := s.packageFromPath(c)
	if rep != nil {
		return *rep
	}
	if msg := checkLines(p, req.Lines); msg != "" {
		return badRequest("lines.invalid", msg)
	}
	switch {
	case req.Status == p.status:
		return simkit.Reply{Status: http.StatusOK}
	case req.Status == StatusPicking && p.status != StatusCreated:
		return badRequest("status.transition", "a package in "+p.status+" cannot go to Picking")
	case req.Status == StatusInvoiced && p.status != StatusPicking:
		return badRequest("status.transition", "a package in "+p.status+" cannot go to Invoiced; report Picking first")
	case req.Status == StatusInvoiced && req.Params["invoiceNumber"] == "":
		return badRequest("invoiceNumber.required", "params.invoiceNumber is required for Invoiced")
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
		return badRequest("request.invalid", "request body is not valid JSON: "+err.Error())
	}
	if req.ReasonID == nil {
		return badRequest("reasonId.required", "reasonId is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, rep := s.packageFromPath(c)
	if rep != nil {
		return *rep
	}
	if msg := checkLines(p, req.Lines); msg != "" {
		return badRequest("lines.invalid", msg)
	}
	cancel := map[int64]int{}
	for _, lq := range req.Lines {
		cancel[lq.LineID] += lq.Quantity
	}
	if _, err := s.cancelQuantities(p, cancel, StatusUnSupplied, "seller", "Tedarik edilemedi", *req.ReasonID); err != nil {
		if errors.Is(err, ErrState) {
			return badRequest("status.transition", err.Error())
		}
		return badRequest("lines.invalid", err.Error())
	}
	return simkit.Reply{Status: http.StatusOK}
}
