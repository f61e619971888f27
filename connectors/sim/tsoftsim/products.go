package tsoftsim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/simkit"
)

// pipe splits a pipe-separated filter ("A|B").
func pipe(v string) map[string]bool {
	out := map[string]bool{}
	for _, p := range strings.Split(v, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out[p] = true
		}
	}
	return out
}

// filter is one expression of product/get's f parameter: "Field|value|op", several
// joined by ";" (all must hold). Operators: = (default), !=, <, >, <=, >=, like.
type filter struct{ field, value, op string }

func parseFilters(v string) ([]filter, error) {
	var out []filter
	for _, expr := range strings.Split(v, ";") {
		if strings.TrimSpace(expr) == "" {
			continue
		}
		parts := strings.Split(expr, "|")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("%q Alan|değer|operatör biçiminde değil", expr)
		}
		f := filter{field: strings.TrimSpace(parts[0]), value: strings.TrimSpace(parts[1]), op: "="}
		if len(parts) == 3 {
			f.op = strings.ToLower(strings.TrimSpace(parts[2]))
		}
		switch f.field {
		case "ProductCode", "ProductName", "Barcode", "Stock", "IsActive", "SellingPrice":
		default:
			return nil, fmt.Errorf("%q alanına göre filtrelenemez", f.field)
		}
		switch f.op {
		case "=", "!=", "<", ">", "<=", ">=", "like":
		default:
			return nil, fmt.Errorf("%q operatörü geçersiz", f.op)
		}
		out = append(out, f)
	}
	return out, nil
}

func (f filter) match(p *Product) bool {
	var text string
	var num money.Kurus
	numeric := false
	switch f.field {
	case "ProductCode":
		text = p.Code
	case "ProductName":
		text = p.Name
	case "Barcode":
		text = p.Barcode
	case "Stock":
		num, numeric = money.Kurus(p.Stock*100), true
	case "SellingPrice":
		num, numeric = p.SellingPrice, true
	case "IsActive":
		text = "0"
		if p.Active {
			text = "1"
		}
	}
	if f.op == "like" {
		return strings.Contains(strings.ToLower(text), strings.ToLower(strings.Trim(f.value, "%")))
	}
	cmp := strings.Compare(text, f.value)
	if numeric {
		v, err := money.Parse(strings.Replace(f.value, ",", ".", 1))
		if err != nil {
			return false
		}
		cmp = 0
		if num < v {
			cmp = -1
		} else if num > v {
			cmp = 1
		}
	}
	switch f.op {
	case "!=":
		return cmp != 0
	case "<":
		return cmp < 0
	case ">":
		return cmp > 0
	case "<=":
		return cmp <= 0
	case ">=":
		return cmp >= 0
	}
	return cmp == 0
}

// orderBy reads "Field ASC|DESC" for the fields a list sorts by.
func orderBy(v, def string, fields ...string) (field string, desc bool, ok bool) {
	if strings.TrimSpace(v) == "" {
		v = def
	}
	parts := strings.Fields(v)
	if len(parts) == 0 || len(parts) > 2 {
		return "", false, false
	}
	dir := "ASC"
	if len(parts) == 2 {
		dir = strings.ToUpper(parts[1])
	}
	for _, f := range fields {
		if parts[0] == f && (dir == "ASC" || dir == "DESC") {
			return f, dir == "DESC", true
		}
	}
	return "", false, false
}

func (s *Server) productRow(p *Product, details bool) map[string]any {
	active := int64(0)
	if p.Active {
		active = 1
	}
	r := map[string]any{
		"ProductId": s.count(p.ID), "ProductCode": p.Code, "ProductName": p.Name, "Barcode": p.Barcode,
		"Stock": s.count(p.Stock), "SellingPrice": s.amount(p.SellingPrice), "DiscountedPrice": s.amount(p.DiscountedPrice),
		"BuyingPrice": s.amount(p.BuyingPrice), "Currency": "TL", "Vat": s.count(int64(p.Vat)), "IsActive": s.count(active),
		"Brand": p.Brand, "DefaultCategoryPath": p.Category, "CreateDate": s.date(p.CreatedAt),
	}
	if details {
		r["Details"] = p.Details
	}
	return r
}

// handleProductGet serves product/get: start/limit (at most MaxLimit), orderby
// (ProductId or ProductCode, ASC or DESC), pipe-separated ProductCode, ProductId and
// Barcode filters, the f expression, FetchDetails, and summary.totalRecordCount.
func (s *Server) handleProductGet(c *simkit.Call) simkit.Reply {
	form := params(c)
	start, limit, rep := s.paging(c, form)
	if rep != nil {
		return *rep
	}
	field, desc, ok2 := orderBy(form.Get("orderby"), "ProductId ASC", "ProductId", "ProductCode")
	if !ok2 {
		return s.refuse(c, fmt.Sprintf("orderby değeri geçersiz: %q", form.Get("orderby")))
	}
	fs, err := parseFilters(form.Get("f"))
	if err != nil {
		return s.refuse(c, "f filtresi hatalı: "+err.Error())
	}
	codes, ids, barcodes := pipe(form.Get("ProductCode")), pipe(form.Get("ProductId")), pipe(form.Get("Barcode"))
	details := flag(form, "FetchDetails")
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*Product
	for _, p := range s.st.products.All() {
		if len(codes) > 0 && !codes[p.Code] || len(ids) > 0 && !ids[strconv.FormatInt(p.ID, 10)] || len(barcodes) > 0 && !barcodes[p.Barcode] {
			continue
		}
		all := true
		for _, f := range fs {
			all = all && f.match(p)
		}
		if all {
			match = append(match, p)
		}
	}
	sort.SliceStable(match, func(i, j int) bool {
		less := match[i].ID < match[j].ID
		if field == "ProductCode" {
			less = match[i].Code < match[j].Code
		}
		if desc {
			return !less
		}
		return less
	})
	rows := []any{}
	for _, p := range simkit.Page(match, start, limit) {
		rows = append(rows, s.productRow(p, details))
	}
	return ok(rows, len(match), "")
}

// handleSubProducts serves subProduct/getSubProducts: all variants, or those of one main
// product (MainProductId or MainProductCode), or those of a pipe-separated
// SubProductCode list (assumed, like product/get's ProductCode), paged.
func (s *Server) handleSubProducts(c *simkit.Call) simkit.Reply {
	form := params(c)
	start, limit, rep := s.paging(c, form)
	if rep != nil {
		return *rep
	}
	_, desc, ok2 := orderBy(form.Get("orderby"), "SubProductId ASC", "SubProductId")
	if !ok2 {
		return s.refuse(c, fmt.Sprintf("orderby değeri geçersiz: %q", form.Get("orderby")))
	}
	mainID, mainCode, codes := form.Get("MainProductId"), form.Get("MainProductCode"), pipe(form.Get("SubProductCode"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*SubProduct
	for _, sp := range s.st.subs.All() {
		main := s.st.products.Get(sp.MainCode)
		if mainCode != "" && sp.MainCode != mainCode || mainID != "" && strconv.FormatInt(main.ID, 10) != mainID || len(codes) > 0 && !codes[sp.Code] {
			continue
		}
		match = append(match, sp)
	}
	sort.SliceStable(match, func(i, j int) bool { return (match[i].ID < match[j].ID) != desc })
	rows := []any{}
	for _, sp := range simkit.Page(match, start, limit) {
		main := s.st.products.Get(sp.MainCode)
		rows = append(rows, map[string]any{
			"SubProductId": s.count(sp.ID), "SubProductCode": sp.Code, "MainProductId": s.count(main.ID), "MainProductCode": sp.MainCode,
			"Barcode": sp.Barcode, "Stock": s.count(sp.Stock), "SellingPrice": s.amount(sp.SellingPrice),
			"Property1": sp.Property1, "Property2": sp.Property2,
		})
	}
	return ok(rows, len(match), "")
}

// updates reads data: one JSON object, or (with ArrayUpdates) an array of them.
func (s *Server) updates(c *simkit.Call) ([]map[string]json.RawMessage, *simkit.Reply) {
	raw := strings.TrimSpace(params(c).Get("data"))
	if raw == "" {
		r := s.refuse(c, "data alanı boş olamaz.")
		return nil, &r
	}
	if raw[0] == '[' {
		if !s.opt.ArrayUpdates {
			r := s.refuse(c, "data alanı tek bir ürün nesnesi olmalıdır.")
			return nil, &r
		}
		var list []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &list); err != nil || len(list) == 0 {
			r := s.refuse(c, "data alanı geçerli bir JSON değil.")
			return nil, &r
		}
		return list, nil
	}
	var one map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &one); err != nil {
		r := s.refuse(c, "data alanı geçerli bir JSON değil.")
		return nil, &r
	}
	return []map[string]json.RawMessage{one}, nil
}

// change is one validated update of stock and prices.
type change struct {
	stock                   *int64
	selling, discount, cost *money.Kurus
}

func readChange(obj map[string]json.RawMessage, code string) (change, string) {
	var ch change
	if raw, ok := obj["Stock"]; ok && !simkit.Absent(raw) {
		k, err := number(raw)
		if err != nil || k < 0 || k%100 != 0 {
			return ch, fmt.Sprintf("%s: Stock değeri geçersiz (%s).", code, strings.TrimSpace(string(raw)))
		}
		n := int64(k / 100)
		ch.stock = &n
	}
	for _, f := range []struct {
		name string
		dst  **money.Kurus
	}{{"SellingPrice", &ch.selling}, {"DiscountedPrice", &ch.discount}, {"BuyingPrice", &ch.cost}} {
		if raw, ok := obj[f.name]; ok && !simkit.Absent(raw) {
			k, err := number(raw)
			if err != nil || k < 0 {
				return ch, fmt.Sprintf("%s: %s değeri geçersiz (%s).", code, f.name, strings.TrimSpace(string(raw)))
			}
			*f.dst = &k
		}
	}
	return ch, ""
}

func stringField(obj map[string]json.RawMessage, name string) string {
	var v string
	_ = json.Unmarshal(obj[name], &v)
	return strings.TrimSpace(v)
}

// handleUpdateProducts serves product/updateProducts: each object names a product by
// ProductCode and sets Stock, SellingPrice, DiscountedPrice or BuyingPrice (numbers, or
// strings holding them); other fields are ignored. The valid objects are applied at
// once; the failures are listed in one success:false reply, each naming its code.
func (s *Server) handleUpdateProducts(c *simkit.Call) simkit.Reply {
	objs, rep := s.updates(c)
	if rep != nil {
		return *rep
	}
	s.mu.Lock()
	var fails []string
	for _, obj := range objs {
		code := stringField(obj, "ProductCode")
		if code == "" {
			fails = append(fails, "ProductCode alanı zorunludur.")
			continue
		}
		p := s.st.products.Get(code)
		if p == nil {
			fails = append(fails, fmt.Sprintf("%s kodlu ürün bulunamadı.", code))
			continue
		}
		if reason, rejected := c.Reject(code); rejected {
			fails = append(fails, code+": "+reason)
			continue
		}
		ch, bad := readChange(obj, code)
		if bad != "" {
			fails = append(fails, bad)
			continue
		}
		if ch.stock != nil {
			p.Stock = *ch.stock
		}
		if ch.selling != nil {
			p.SellingPrice = *ch.selling
		}
		if ch.discount != nil {
			p.DiscountedPrice = *ch.discount
		}
		if ch.cost != nil {
			p.BuyingPrice = *ch.cost
		}
		p.Writes++
	}
	s.mu.Unlock()
	if len(fails) > 0 {
		return s.refuse(c, fails...)
	}
	return ok([]any{}, -1, "Ürün bilgileri güncellendi.")
}

// handleUpdateSubProducts serves subProduct/updateSubProducts (assumed): each object
// names a variant by SubProductCode and sets Stock or SellingPrice.
func (s *Server) handleUpdateSubProducts(c *simkit.Call) simkit.Reply {
	objs, rep := s.updates(c)
	if rep != nil {
		return *rep
	}
	s.mu.Lock()
	var fails []string
	for _, obj := range objs {
		code := stringField(obj, "SubProductCode")
		if code == "" {
			fails = append(fails, "SubProductCode alanı zorunludur.")
			continue
		}
		sp := s.st.subs.Get(code)
		if sp == nil {
			fails = append(fails, fmt.Sprintf("%s kodlu alt ürün bulunamadı.", code))
			continue
		}
		if reason, rejected := c.Reject(code); rejected {
			fails = append(fails, code+": "+reason)
			continue
		}
		ch, bad := readChange(obj, code)
		if bad == "" && (ch.discount != nil || ch.cost != nil) {
			bad = code + ": alt ürünlerde yalnız Stock ve SellingPrice güncellenebilir."
		}
		if bad != "" {
			fails = append(fails, bad)
			continue
		}
		if ch.stock != nil {
			sp.Stock = *ch.stock
		}
		if ch.selling != nil {
			sp.SellingPrice = *ch.selling
		}
		sp.Writes++
	}
	s.mu.Unlock()
	if len(fails) > 0 {
		return s.refuse(c, fails...)
	}
	return ok([]any{}, -1, "Alt ürün bilgileri güncellendi.")
}
