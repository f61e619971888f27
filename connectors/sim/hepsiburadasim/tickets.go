package hepsiburadasim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sort"

	"syncagent/connectors/sim/simkit"
)

// ticketDoc is the update document the import takes as its `file` part
// (integrator-ticket-upload.json in the product-update reference).
type ticketDoc struct {
	MerchantID string                       `json:"merchantId"`
	Items      []map[string]json.RawMessage `json:"items"`
}

// handleTicketImport serves POST /ticket-api/api/integrator/import?version=1: multipart
// with the JSON document in `file`; answered {success, code, data:{trackingId}}. A
// refused document is a 200 with success false, as mpop answers failures.
func (s *Server) handleTicketImport(c *simkit.Call) simkit.Reply {
	doc, problem := readTicketFile(c)
	if problem != "" {
		return mpopFailure(1001, problem)
	}
	if doc.MerchantID != c.Principal {
		return mpopFailure(1002, "merchantId does not match the credentials")
	}
	if len(doc.Items) == 0 {
		return mpopFailure(1003, "items is empty")
	}
	t := &ticket{id: newUUID(), created: c.Now, readyAt: c.Now.Add(s.opt.TicketDelay)}
	for i, raw := range doc.Items {
		it := &ticketItem{fields: map[string]string{}}
		if json.Unmarshal(raw["hbSku"], &it.hbSku) != nil || it.hbSku == "" {
			return mpopFailure(1004, "items["+itoa(i)+"].hbSku is required")
		}
		for k, v := range raw {
			if k == "hbSku" {
				continue
			}
			if _, known := ticketFields[k]; !known {
				continue // images, video, attributes: accepted, not emulated
			}
			var sv string
			if json.Unmarshal(v, &sv) != nil {
				// kdv and desi are strings in the document ([SDK]); a number is refused.
				return mpopFailure(1005, "items["+itoa(i)+"]."+k+" must be a string")
			}
			it.fields[k] = sv
		}
		if r, bad := c.Reject(it.hbSku); bad {
			it.rejected = r
		}
		t.items = append(t.items, it)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	s.st.tickets.Add(t.id, t)
	return simkit.JSON(http.StatusOK, map[string]any{"success": true, "code": 0, "version": 1, "message": "",
		"data": map[string]any{"trackingId": t.id}})
}

func readTicketFile(c *simkit.Call) (ticketDoc, string) {
	var doc ticketDoc
	mt, params, err := mime.ParseMediaType(c.R.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return doc, "the request must be multipart/form-data with the document in the file part"
	}
	mr := multipart.NewReader(bytes.NewReader(c.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return doc, "the file part is missing"
		}
		if err != nil {
			return doc, "the multipart body cannot be read"
		}
		if p.FormName() != "file" {
			continue
		}
		b, err := io.ReadAll(p)
		if err != nil || json.Unmarshal(b, &doc) != nil {
			return doc, "the file is not a JSON update document"
		}
		return doc, ""
	}
}

// handleTicketStatus serves GET /ticket-api/api/integrator/status/{trackingId}: the
// items with a result per field sent (IN_PROGRESS until the ticket is done), paged by
// page (0-based) and size (default 1000).
func (s *Server) handleTicketStatus(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	page, err1 := simkit.QueryInt(q, "page", 0)
	size, err2 := simkit.QueryInt(q, "size", 1000)
	if err1 != nil || err2 != nil || page < 0 || size < 1 {
		return mpopFailure(1006, "page and size must be whole numbers")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(c.Now)
	t := s.st.tickets.Get(c.R.PathValue("trackingId"))
	if t == nil {
		return mpopFailure(1404, "tracking id not found")
	}
	items := make([]map[string]any, 0, size)
	for _, it := range simkit.Page(t.items, page*size, size) {
		var results []map[string]any
		names := make([]string, 0, len(it.fields))
		for f := range it.fields {
			names = append(names, f)
		}
		sort.Strings(names)
		status := "COMPLETED"
		for _, f := range names {
			res := "IN_PROGRESS"
			reason := ""
			if t.done {
				res = it.results[f]
				if res == "REJECTED" {
					reason = it.message
				}
			} else {
				status = "UNCOMPLETED"
			}
			results = append(results, map[string]any{"fieldName": ticketFields[f], "fieldResult": res, "rejectReason": reason, "attributes": []any{}})
		}
		items = append(items, map[string]any{"hbSku": it.hbSku, "message": it.message, "productStatus": status, "updateResults": results})
	}
	total := len(t.items)
	pages := (total + size - 1) / size
	return simkit.JSON(http.StatusOK, map[string]any{
		"success": true, "code": 0, "version": 1, "message": "",
		"totalElements": total, "totalPages": pages, "number": page, "numberOfElements": len(items),
		"first": page == 0, "last": page >= pages-1,
		"data": []map[string]any{{"merchantId": s.opt.MerchantID, "items": items}},
	})
}
