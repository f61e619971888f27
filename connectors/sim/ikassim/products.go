package ikassim

import (
	"fmt"
	"slices"
	"strings"

	"syncagent/connectors/money"
)

func (x *exec) me(map[string]any) (any, *gqlError) {
	return map[string]any{"__typename": "AuthorizedApp", "id": "app-" + x.s.opt.ClientID, "scope": x.s.scopeString(),
		"storeAppId": x.s.opt.ClientID, "salesChannelId": nil, "partnerId": nil, "deleted": false}, nil
}

func (x *exec) getMerchant(map[string]any) (any, *gqlError) {
	return map[string]any{"__typename": "Merchant", "id": "m-" + x.s.opt.StoreName, "email": "owner@" + x.s.opt.StoreName + ".example",
		"storeName": x.s.opt.StoreName, "merchantName": x.s.opt.StoreName}, nil
}

// renderProduct is a product as listProduct shows it in x's version (v1 prices carry
// currency, v2 currencyCode and currencySymbol).
func (x *exec) renderProduct(p *Product) map[string]any {
	variants := make([]map[string]any, len(p.Variants))
	for i := range p.Variants {
		v := &p.Variants[i]
		prices := make([]map[string]any, len(v.Prices))
		for j, pr := range v.Prices {
			m := map[string]any{"__typename": "ProductPrice", "sellPrice": pr.Sell, "discountPrice": kurusOrNil(pr.Discount),
				"buyPrice": kurusOrNil(pr.Buy), "priceListId": nilIfEmpty(pr.PriceListID)}
			if x.version == "v1" {
				m["currency"] = pr.Currency
			} else {
				m["currencyCode"], m["currencySymbol"] = pr.Currency, pr.CurrencySymbol
			}
			prices[j] = m
		}
		var stocks []map[string]any
		for _, loc := range x.s.st.locations {
			if n, ok := v.Stock[loc.ID]; ok {
				stocks = append(stocks, stockRow(p, v, loc.ID, n))
			}
		}
		if stocks == nil {
			stocks = []map[string]any{}
		}
		barcodes := v.Barcodes
		if barcodes == nil {
			barcodes = []string{}
		}
		variants[i] = map[string]any{"__typename": "Variant", "id": v.ID, "sku": nilIfEmpty(v.SKU), "barcodeList": barcodes,
			"isActive": v.Active, "deleted": false, "sellIfOutOfStock": false, "prices": prices, "stocks": stocks}
	}
	var brand any
	if p.Brand != "" {
		brand = map[string]any{"__typename": "ProductBrand", "id": "b-" + strings.ToLower(p.Brand), "name": p.Brand}
	}
	return map[string]any{"__typename": "Product", "id": p.ID, "name": p.Name, "description": nilIfEmpty(p.Description),
		"brand": brand, "brandId": nil, "type": "PHYSICAL", "weight": nil, "deleted": false,
		"createdAt": ms(p.CreatedAt), "updatedAt": ms(p.UpdatedAt), "variants": variants}
}

func stockRow(p *Product, v *Variant, loc string, n float64) map[string]any {
	return map[string]any{"__typename": "ProductStockLocation", "id": v.ID + "@" + loc, "productId": p.ID, "variantId": v.ID,
		"stockLocationId": loc, "stockCount": n, "deleted": false, "createdAt": ms(p.CreatedAt), "updatedAt": ms(v.StockAt[loc])}
}

var productSorts = map[string]func(*Product) string{
	"createdAt": func(p *Product) string { return sortableMs(p.CreatedAt) },
	"updatedAt": func(p *Product) string { return sortableMs(p.UpdatedAt) },
	"name":      func(p *Product) string { return p.Name },
}

func (x *exec) listProduct(args map[string]any) (any, *gqlError) {
	page, limit, e := x.page(args)
	if e != nil {
		return nil, e
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	var list []*Product
	for _, p := range x.s.st.products.All() {
		var skus, barcodes []string
		for _, v := range p.Variants {
			skus = append(skus, v.SKU)
			barcodes = append(barcodes, v.Barcodes...)
		}
		if !matchString(args["id"], p.ID) || !matchString(args["sku"], skus...) || !matchString(args["barcodeList"], barcodes...) ||
			!matchString(args["name"], p.Name) {
			continue
		}
		ok, e := matchDate(args["updatedAt"], p.UpdatedAt)
		if e != nil {
			return nil, e
		}
		if ok {
			list = append(list, p)
		}
	}
	if e := sortBy(list, str(args["sort"]), productSorts); e != nil {
		return nil, e
	}
	return pageOf(list, page, limit, x.renderProduct), nil
}

func (x *exec) listStockLocation(args map[string]any) (any, *gqlError) {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	out := []map[string]any{}
	for _, l := range x.s.st.locations {
		if matchString(args["id"], l.ID) && matchString(args["name"], l.Name) {
			out = append(out, map[string]any{"__typename": "StockLocation", "id": l.ID, "name": l.Name, "type": "PHYSICAL", "deleted": false})
		}
	}
	return out, nil
}

type stockEntry struct {
	p   *Product
	v   *Variant
	loc string
}

func (x *exec) listProductStockLocation(args map[string]any) (any, *gqlError) {
	page, limit, e := x.page(args)
	if e != nil {
		return nil, e
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	var list []stockEntry
	for _, p := range x.s.st.products.All() {
		for i := range p.Variants {
			v := &p.Variants[i]
			for _, loc := range x.s.st.locations {
				if _, ok := v.Stock[loc.ID]; !ok {
					continue
				}
				if !matchString(args["productId"], p.ID) || !matchString(args["variantId"], v.ID) || !matchString(args["stockLocationId"], loc.ID) {
					continue
				}
				ok, e := matchDate(args["updatedAt"], v.StockAt[loc.ID])
				if e != nil {
					return nil, e
				}
				if ok {
					list = append(list, stockEntry{p, v, loc.ID})
				}
			}
		}
	}
	return pageOf(list, page, limit, func(se stockEntry) map[string]any { return stockRow(se.p, se.v, se.loc, se.v.Stock[se.loc]) }), nil
}

// replacePrice puts pr in place of the variant's price object of the same price list:
// the stored object is replaced, not merged, as ikas documents.
func replacePrice(v *Variant, pr Price) {
	for i := range v.Prices {
		if v.Prices[i].PriceListID == pr.PriceListID {
			if pr.Currency == "" {
				pr.Currency, pr.CurrencySymbol = v.Prices[i].Currency, v.Prices[i].CurrencySymbol
			}
			v.Prices[i] = pr
			return
		}
	}
	if pr.Currency == "" {
		pr.Currency, pr.CurrencySymbol = "TRY", "₺"
	}
	v.Prices = append(v.Prices, pr)
}

// priceInput is one checked entry of a price call.
type priceInput struct {
	p       *Product
	v       *Variant
	deleted bool
	price   Price
}

// readPrices checks a price call's entries: the list's size, and per entry the product,
// the variant and a sell price above zero. It returns the entries that passed and the
// per-input errors of the others.
func (x *exec) readPrices(input map[string]any) ([]priceInput, []int, []string, *gqlError) {
	list, _ := input["variantPriceInputs"].([]any)
	if len(list) > x.s.opt.MaxPriceInputs {
		return nil, nil, nil, argError("variantPriceInputs: at most %d entries, %d given", x.s.opt.MaxPriceInputs, len(list))
	}
	listID := str(input["priceListId"])
	var ok []priceInput
	var badIdx []int
	var badCode []string
	for i, raw := range list {
		m, _ := raw.(map[string]any)
		p, v := x.s.st.variant(str(m["productId"]), str(m["variantId"]))
		code := ""
		switch {
		case p == nil:
			code = "INVALID_PRODUCT_ID"
		case v == nil:
			code = "INVALID_VARIANT_ID"
		}
		pin := priceInput{p: p, v: v}
		pin.deleted, _ = m["deleted"].(bool)
		pm, _ := m["price"].(map[string]any)
		if code == "" {
			if reason, rej := x.c.Reject(v.SKU, v.ID, p.ID); rej {
				code = reason
			}
		}
		if code == "" {
			sell, okSell := amount(pm["sellPrice"])
			pin.price = Price{PriceListID: firstNonEmpty(str(pm["priceListId"]), listID), Sell: sell, Currency: str(pm["currency"])}
			for key, dst := range map[string]**money.Kurus{"discountPrice": &pin.price.Discount, "buyPrice": &pin.price.Buy} {
				if raw, set := pm[key]; set && raw != nil {
					k, good := amount(raw)
					if !good || k < 0 {
						code = "INVALID_PRICE"
					}
					*dst = &k
				}
			}
			if !okSell || sell <= 0 {
				code = "INVALID_PRICE"
			}
		}
		if code != "" {
			badIdx, badCode = append(badIdx, i), append(badCode, code)
			continue
		}
		ok = append(ok, pin)
	}
	return ok, badIdx, badCode, nil
}

func (x *exec) applyPrices(ok []priceInput, failed int) {
	if failed > 0 && x.s.opt.AtomicWrites {
		return
	}
	now := x.c.Now
	touched := map[*Product]bool{}
	for _, pin := range ok {
		if pin.deleted {
			pin.v.Prices = slices.DeleteFunc(pin.v.Prices, func(pr Price) bool { return pr.PriceListID == pin.price.PriceListID })
		} else {
			replacePrice(pin.v, pin.price)
		}
		touch(pin.p, now)
		touched[pin.p] = true
	}
	for p := range touched {
		p.PriceWrites++
	}
}

// updateVariantPrices (v2): up to 3000 price objects, each replacing the stored one;
// failures are listed per input, by index.
func (x *exec) updateVariantPrices(args map[string]any) (any, *gqlError) {
	input, _ := args["input"].(map[string]any)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	ok, idx, codes, e := x.readPrices(input)
	if e != nil {
		return nil, e
	}
	x.applyPrices(ok, len(idx))
	var errs []map[string]any
	for i := range idx {
		errs = append(errs, map[string]any{"__typename": "UpdateVariantPricesError", "errorCode": codes[i], "inputArrayIndex": idx[i]})
	}
	return map[string]any{"__typename": "UpdateVariantPricesResponse", "errors": listOrNil(errs)}, nil
}

// saveVariantPricesV1 (v1): the same rules, Boolean reply; a failed input is a
// GraphQL error.
func (x *exec) saveVariantPricesV1(args map[string]any) (any, *gqlError) {
	input, _ := args["input"].(map[string]any)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	ok, idx, codes, e := x.readPrices(input)
	if e != nil {
		return nil, e
	}
	x.applyPrices(ok, len(idx))
	if len(idx) > 0 {
		return nil, gqlErr(codes[0], fmt.Sprintf("variantPriceInputs[%d]: %s", idx[0], codes[0]))
	}
	return true, nil
}

type stockInput struct {
	p     *Product
	v     *Variant
	loc   string
	count float64
	del   bool
}

func (x *exec) readStocks(list []any) ([]stockInput, []int, []string, []map[string]any, *gqlError) {
	if len(list) > x.s.opt.MaxStockInputs {
		return nil, nil, nil, nil, argError("stockInputs: at most %d entries, %d given", x.s.opt.MaxStockInputs, len(list))
	}
	var ok []stockInput
	var idx []int
	var codes []string
	var data []map[string]any
	for i, raw := range list {
		m, _ := raw.(map[string]any)
		p, v := x.s.st.variant(str(m["productId"]), str(m["variantId"]))
		n, okN := count(m["stockCount"])
		code := ""
		switch {
		case p == nil:
			code = "INVALID_PRODUCT_ID"
		case v == nil:
			code = "INVALID_VARIANT_ID"
		case x.s.st.location(str(m["stockLocationId"])) == nil:
			code = "INVALID_STOCK_LOCATION_ID"
		case !okN:
			code = "INVALID_STOCK_COUNT"
		}
		if code == "" {
			if reason, rej := x.c.Reject(v.SKU, v.ID, p.ID); rej {
				code = reason
			}
		}
		if code != "" {
			idx, codes = append(idx, i), append(codes, code)
			data = append(data, map[string]any{"__typename": "SaveVariantStockErrorInputData", "productId": m["productId"],
				"variantId": m["variantId"], "stockLocationId": m["stockLocationId"], "stockCount": m["stockCount"]})
			continue
		}
		del, _ := m["deleted"].(bool)
		ok = append(ok, stockInput{p, v, str(m["stockLocationId"]), n, del})
	}
	return ok, idx, codes, data, nil
}

func (x *exec) applyStocks(ok []stockInput, failed int) {
	if failed > 0 && x.s.opt.AtomicWrites {
		return
	}
	now := x.c.Now
	touched := map[*Product]bool{}
	for _, si := range ok {
		if si.del {
			delete(si.v.Stock, si.loc)
		} else {
			si.v.Stock[si.loc] = si.count
		}
		si.v.StockAt[si.loc] = now
		touch(si.p, now)
		touched[si.p] = true
	}
	for p := range touched {
		p.StockWrites++
	}
}

// saveVariantStocks (v2): absolute counts per stock location; failures per input.
func (x *exec) saveVariantStocks(args map[string]any) (any, *gqlError) {
	input, _ := args["input"].(map[string]any)
	list, _ := input["stockInputs"].([]any)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	ok, idx, codes, data, e := x.readStocks(list)
	if e != nil {
		return nil, e
	}
	x.applyStocks(ok, len(idx))
	var errs []map[string]any
	for i := range idx {
		errs = append(errs, map[string]any{"__typename": "SaveVariantStocksError", "errorCode": codes[i], "inputArrayIndex": idx[i], "inputData": data[i]})
	}
	return map[string]any{"__typename": "SaveVariantStocksResponse", "errors": listOrNil(errs)}, nil
}

// saveStockV1 (v1 saveProductStockLocations): Boolean; a failed input is a GraphQL error.
func (x *exec) saveStockV1(args map[string]any) (any, *gqlError) {
	input, _ := args["input"].(map[string]any)
	list, _ := input["productStockLocationInputs"].([]any)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	ok, idx, codes, _, e := x.readStocks(list)
	if e != nil {
		return nil, e
	}
	x.applyStocks(ok, len(idx))
	if len(idx) > 0 {
		return nil, gqlErr(codes[0], fmt.Sprintf("productStockLocationInputs[%d]: %s", idx[0], codes[0]))
	}
	return true, nil
}

// updateProduct (v2): the fields given change, the omitted ones are kept (the documented
// example sends only id and description). Variants given change only their given fields.
func (x *exec) updateProduct(args map[string]any) (any, *gqlError) {
	in, _ := args["input"].(map[string]any)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	p := x.s.st.products.Get(str(in["id"]))
	if p == nil {
		return nil, gqlErr("INVALID_PRODUCT_ID", "no product "+str(in["id"]))
	}
	if reason, rej := x.c.Reject(p.ID); rej {
		return nil, gqlErr(reason, reason)
	}
	if v, set := in["name"]; set {
		if str(v) == "" {
			return nil, argError("name may not be empty")
		}
		p.Name = str(v)
	}
	if v, set := in["description"]; set {
		p.Description = str(v)
	}
	if b, set := in["brand"]; set {
		bm, _ := b.(map[string]any)
		p.Brand = str(bm["name"])
	}
	if vs, set := in["variants"].([]any); set {
		for _, raw := range vs {
			m, _ := raw.(map[string]any)
			_, v := x.s.st.variant(p.ID, str(m["id"]))
			if v == nil {
				return nil, gqlErr("INVALID_VARIANT_ID", "no variant "+str(m["id"])+" on product "+p.ID)
			}
			if s, set := m["sku"]; set {
				v.SKU = str(s)
			}
			if a, set := m["isActive"].(bool); set {
				v.Active = a
			}
		}
	}
	p.InfoWrites++
	touch(p, x.c.Now)
	return x.renderProduct(p), nil
}

// saveProductV1 (v1 saveProduct) is an upsert of the whole product: the name is
// required and what is not given is cleared.
func (x *exec) saveProductV1(args map[string]any) (any, *gqlError) {
	in, _ := args["input"].(map[string]any)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	p := x.s.st.products.Get(str(in["id"]))
	if p == nil {
		return nil, gqlErr("INVALID_PRODUCT_ID", "creating products is not emulated; no product "+str(in["id"]))
	}
	p.Name, p.Description = str(in["name"]), str(in["description"])
	bm, _ := in["brand"].(map[string]any)
	p.Brand = str(bm["name"])
	p.InfoWrites++
	touch(p, x.c.Now)
	return x.renderProduct(p), nil
}

func listOrNil(l []map[string]any) any {
	if len(l) == 0 {
		return nil
	}
	return l
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
