package giyimmodasim

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

func okBody(msg string, data any) map[string]any {
	if msg == "" {
		msg = "İşlem başarılı"
	}
	return map[string]any{"success": true, "message": msg, "data": data}
}

func failBody(msg string, errs map[string][]string) map[string]any {
	b := map[string]any{"success": false, "message": msg}
	if errs != nil {
		b["errors"] = errs
	}
	return b
}

func fail(status int, msg string) simkit.Reply { return simkit.JSON(status, failBody(msg, nil)) }

func invalid(errs map[string][]string) simkit.Reply {
	msg := "The given data was invalid."
	for _, v := range errs {
		if len(v) > 0 {
			msg = v[0]
			break
		}
	}
	return simkit.JSON(http.StatusUnprocessableEntity, failBody(msg, errs))
}

// istanbul is Turkey's zone (UTC+3 all year since 2016): the API's "Y-m-d H:i:s" dates
// are assumed to be local time. A fixed zone needs no tzdata on the machine.
var istanbul = time.FixedZone("+03", 3*60*60)

const laravelDate = "2006-01-02 15:04:05"

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// productJSON renders a product as Laravel would: amounts as strings, published as a
// tinyint, local "Y-m-d H:i:s" dates.
func productJSON(p *product) map[string]any {
	stocks := make([]map[string]any, 0, len(p.rows))
	for _, r := range p.rows {
		stocks = append(stocks, map[string]any{"id": r.id, "product_id": p.ID, "variant": r.variant,
			"sku": p.SKU, "price": r.price.String(), "qty": r.qty})
	}
	return map[string]any{
		"id": p.ID, "name": p.Name, "sku": nullable(p.SKU), "barcode": nullable(p.Barcode),
		"unit_price": p.UnitPrice.String(), "current_stock": p.rows[0].qty,
		"published": boolInt(p.Status == "published"), "status": p.Status,
		"category_id": p.CategoryID, "unit": "adet",
		"thumbnail_img": "https://www.giyimmoda.com.tr/public/uploads/all/" + strconv.FormatInt(p.ID, 10) + ".webp",
		"stocks":        stocks,
		"created_at":    p.created.In(istanbul).Format(laravelDate),
		"updated_at":    p.UpdatedAt.In(istanbul).Format(laravelDate),
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orderSummary(o *order) map[string]any {
	return map[string]any{
		"id": o.id, "code": o.code, "date": o.date.In(istanbul).Format(laravelDate),
		"customer":     map[string]any{"id": o.customer.ID, "name": o.customer.Name, "email": o.customer.Email, "phone": o.customer.Phone},
		"payment_type": o.paymentType, "payment_status": o.paymentStatus, "delivery_status": o.delivery,
		"grand_total": o.grandTotal().String(),
	}
}

// pageParams reads page and per_page (default 15; "all" or -1 for everything).
func pageParams(c *simkit.Call) (page, perPage int, all bool, rep *simkit.Reply) {
	q := c.R.URL.Query()
	pp := strings.TrimSpace(q.Get("per_page"))
	switch pp {
	case "":
		perPage = 15
	case "all", "-1":
		all = true
	default:
		n, err := strconv.Atoi(pp)
		if err != nil || n < 1 {
			r := invalid(map[string][]string{"per_page": {"The per page must be an integer, \"all\" or -1."}})
			return 0, 0, false, &r
		}
		perPage = n
	}
	page, err := simkit.QueryInt(q, "page", 1)
	if err != nil || page < 1 {
		r := invalid(map[string][]string{"page": {"The page must be at least 1."}})
		return 0, 0, false, &r
	}
	return page, perPage, all, nil
}

// pageOf answers a list in the envelope; unpaged lists carry no pagination block.
func pageOf(items []map[string]any, page, perPage int, all bool) simkit.Reply {
	if all {
		return simkit.JSON(http.StatusOK, map[string]any{"success": true, "data": items})
	}
	total := len(items)
	last := max((total+perPage-1)/perPage, 1)
	return simkit.JSON(http.StatusOK, map[string]any{"success": true, "data": simkit.Page(items, (page-1)*perPage, perPage),
		"pagination": map[string]any{"current_page": page, "last_page": last, "per_page": perPage, "total": total}})
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }
