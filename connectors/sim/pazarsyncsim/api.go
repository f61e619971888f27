package pazarsyncsim

import (
	"net/http"

	"syncagent/connectors/sim/simkit"
)

func errBody(code, msg string) map[string]any { return map[string]any{"error": code, "message": msg} }

func errCode(status int) string {
	switch status {
	case 400:
		return "bad_request"
	case 401:
		return "unauthorized"
	case 404:
		return "not_found"
	case 413:
		return "payload_too_large"
	case 422:
		return "validation_failed"
	case 429:
		return "rate_limit_exceeded"
	}
	if status >= 500 {
		return "server_error"
	}
	return "error"
}

func fail(status int, msg string) simkit.Reply {
	return simkit.JSON(status, errBody(errCode(status), msg))
}

// invalid is the 422 of a failed validation, the messages by field.
func invalid(errs map[string][]string) simkit.Reply {
	b := errBody("validation_failed", "the given data was invalid")
	b["errors"] = errs
	return simkit.JSON(http.StatusUnprocessableEntity, b)
}

const isoUTC = "2006-01-02T15:04:05Z"

func productJSON(p *Product) map[string]any {
	return map[string]any{
		"id": p.ID, "sku": p.SKU, "name": p.Name, "description": p.Description,
		"stock": p.Stock, "price": p.Price, "status": p.Status,
		"created_at": p.CreatedAt.UTC().Format(isoUTC), "updated_at": p.UpdatedAt.UTC().Format(isoUTC),
	}
}

// paging reads page (1-based) and limit (default 20, max 100) as both lists do.
func (s *Server) paging(c *simkit.Call) (page, limit int, rep *simkit.Reply) {
	q := c.R.URL.Query()
	page, err := simkit.QueryInt(q, "page", 1)
	if err != nil || page < 1 {
		r := fail(400, "page must be a whole number of at least 1")
		return 0, 0, &r
	}
	limit, err = simkit.QueryInt(q, "limit", 20)
	if err != nil || limit < 1 {
		r := fail(400, "limit must be a whole number of at least 1")
		return 0, 0, &r
	}
	if limit > 100 {
		if !s.opt.ClampLimit {
			r := fail(400, "limit may be at most 100")
			return 0, 0, &r
		}
		limit = 100
	}
	return page, limit, nil
}

func meta(page, limit, total int) map[string]any {
	return map[string]any{"current_page": page, "total_pages": (total + limit - 1) / limit,
		"total_items": total, "items_per_page": limit}
}
