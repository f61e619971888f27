package ideasoftsim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// The error body is UNCONFIRMED; third-party clients read "error"/"code" and
// "error_description"/"message"/"detail". The simulator answers API errors with
// {"code","message"} (422 adds "errors": field → messages) and OAuth errors with
// {"error","error_description"} as RFC 6749 §5.2 has them.
func errBody(status int, msg string) map[string]any {
	return map[string]any{"code": status, "message": msg}
}

func fail(status int, msg string) simkit.Reply { return simkit.JSON(status, errBody(status, msg)) }

// invalid is the 422 of a failed validation, the messages by field.
func invalid(errs map[string][]string) simkit.Reply {
	b := errBody(http.StatusUnprocessableEntity, "Validation Failed")
	b["errors"] = errs
	return simkit.JSON(http.StatusUnprocessableEntity, b)
}

func oauthError(status int, code, desc string) simkit.Reply {
	return simkit.JSON(status, map[string]any{"error": code, "error_description": desc})
}

// istanbul is Turkey's time (UTC+3 all year since 2016); IdeaSoft writes dates with it.
var istanbul = time.FixedZone("+03", 3*60*60)

const dateTime = "2006-01-02T15:04:05-07:00"

func stamp(t time.Time) string { return t.In(istanbul).Format(dateTime) }

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func currencyJSON(label string) map[string]any {
	id := 1
	if label != "TL" {
		id = 2
	}
	return map[string]any{"id": id, "label": label, "abbr": label}
}

func (s *Server) productJSON(p *Product) map[string]any {
	var parent any
	if p.Parent != 0 {
		parent = map[string]any{"id": p.Parent}
	}
	children := []map[string]any{}
	for _, ch := range s.childrenLocked(p.ID) {
		children = append(children, map[string]any{"id": ch.ID, "sku": ch.SKU})
	}
	return map[string]any{
		"id": p.ID, "name": p.Name, "fullName": p.FullName, "slug": slug(p.FullName),
		"sku": p.SKU, "barcode": p.Barcode,
		"stockAmount": p.Stock, "price1": p.Price1, "currency": currencyJSON(p.Currency),
		"discount": 0, "discountType": 1, "moneyOrderDiscount": 0, "buyingPrice": 0,
		"taxIncluded": flag(!p.NetPrice), "tax": p.Tax, "stockTypeLabel": "Piece",
		"status": flag(!p.Passive), "hasOption": flag(len(children) > 0),
		"parent": parent, "children": children, "shortDetails": p.ShortDetail,
		"createdAt": stamp(p.CreatedAt), "updatedAt": stamp(p.UpdatedAt),
	}
}

func slug(s string) string {
	r := strings.NewReplacer(" ", "-", "ı", "i", "İ", "i", "ş", "s", "Ş", "s", "ğ", "g", "Ğ", "g", "ü", "u", "Ü", "u", "ö", "o", "Ö", "o", "ç", "c", "Ç", "c")
	return strings.ToLower(r.Replace(s))
}

func (s *Server) orderJSON(o *order) map[string]any {
	net, tax, final := o.amounts()
	items := make([]map[string]any, 0, len(o.items))
	for _, it := range o.items {
		items = append(items, map[string]any{
			"id": it.id, "productName": it.product.FullName, "productSku": it.product.SKU,
			"productBarcode": it.product.Barcode, "productPrice": it.price, "productCurrency": it.product.Currency,
			"productQuantity": it.quantity, "productTax": it.product.Tax, "productDiscount": 0,
			"productMoneyOrderDiscount": 0, "discount": 0,
			"product": map[string]any{"id": it.product.ID, "sku": it.product.SKU},
		})
	}
	return map[string]any{
		"id": o.id, "transactionId": o.transaction, "status": o.status, "paymentStatus": o.payment,
		"paymentTypeName": o.kind, "currency": "TL",
		"customerFirstname": "Ayşe", "customerSurname": "Yılmaz", "customerEmail": "ayse@example.com", "customerPhone": "+905551112233",
		"amount": net, "taxAmount": tax, "couponDiscount": o.coupon, "promotionDiscount": money.Kurus(0),
		"shippingAmount": o.shipping, "generalAmount": final, "finalAmount": final,
		"shippingCompanyName": "Yurtiçi Kargo", "shippingTrackingCode": "",
		"shippingAddress": map[string]any{"firstname": "Ayşe", "surname": "Yılmaz", "address": "Örnek Mah. 12. Sok. No:3",
			"subLocation": "Kadıköy", "location": "İstanbul", "country": "Türkiye", "postalCode": "34710", "phoneNumber": "+905551112233"},
		"billingAddress": map[string]any{"firstname": "Ayşe", "surname": "Yılmaz", "address": "Örnek Mah. 12. Sok. No:3",
			"subLocation": "Kadıköy", "location": "İstanbul", "country": "Türkiye", "postalCode": "34710", "phoneNumber": "+905551112233"},
		"orderItems": items, "source": "web",
		"createdAt": stamp(o.created), "updatedAt": stamp(o.updated),
	}
}

// paging reads limit (1–100, default 20) and page (≥ 1) as every list does.
func (s *Server) paging(q url.Values) (limit, page int, rep *simkit.Reply) {
	limit, err := simkit.QueryInt(q, "limit", 20)
	if err != nil || limit < 1 {
		r := fail(400, "limit must be a whole number of at least 1")
		return 0, 0, &r
	}
	if limit > 100 {
		r := fail(s.opt.LimitStatus, "limit may be at most 100")
		return 0, 0, &r
	}
	page, err = simkit.QueryInt(q, "page", 1)
	if err != nil || page < 1 {
		r := fail(400, "page must be a whole number of at least 1")
		return 0, 0, &r
	}
	return limit, page, nil
}

// listReply is a list page: a bare JSON array, with the total in the total_count header
// (third-party clients read it; UNCONFIRMED).
func listReply(page []map[string]any, total int) simkit.Reply {
	r := simkit.JSON(http.StatusOK, page)
	r.Header = http.Header{"Total_count": {strconv.Itoa(total)}}
	return r
}
