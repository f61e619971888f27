package ikassim

import (
	"strings"
	"testing"
)

const pricesQ = `mutation($i: UpdateVariantPricesInput!) { updateVariantPrices(input: $i) { errors { errorCode inputArrayIndex } } }`
const stocksQ = `mutation($i: SaveVariantStocksInput!) { saveVariantStocks(input: $i) { errors { errorCode inputArrayIndex inputData { variantId } } } }`

func priceIn(p Product, price map[string]any) map[string]any {
	return map[string]any{"productId": p.ID, "variantId": p.Variants[0].ID, "price": price}
}

// The price object is replaced, not merged: a call with only sellPrice clears the
// stored discount and buy prices, as ikas documents.
func TestPriceObjectIsReplaced(t *testing.T) {
	s, _, c := newSim(t, Options{})
	ps := seed(t, s, 2)
	c.login()
	in := map[string]any{"variantPriceInputs": []any{
		priceIn(ps[0], map[string]any{"sellPrice": 99.9}),
		priceIn(ps[1], map[string]any{"sellPrice": 120, "discountPrice": 100, "buyPrice": 80}),
	}}
	if a := c.gql(pricesQ, map[string]any{"i": in}).want(t, 200); a.code() != "" || a.at("data", "updateVariantPrices", "errors") != nil {
		t.Fatalf("%s", a.raw)
	}
	p0, _ := s.Product(ps[0].ID)
	if pr := p0.Variants[0].DefaultPrice(); pr.Sell != *kurus("99.90") || pr.Discount != nil || pr.Buy != nil || pr.Currency != "TRY" {
		t.Fatalf("a partial object merged: %+v", pr)
	}
	p1, _ := s.Product(ps[1].ID)
	if pr := p1.Variants[0].DefaultPrice(); *pr.Discount != *kurus("100") || *pr.Buy != *kurus("80") || p1.PriceWrites != 1 {
		t.Fatalf("%+v", pr)
	}
	// Failed inputs by index; the others applied (partial success, the default).
	in = map[string]any{"variantPriceInputs": []any{
		priceIn(ps[0], map[string]any{"sellPrice": 50}),
		map[string]any{"productId": ps[0].ID, "variantId": "nope", "price": map[string]any{"sellPrice": 1}},
		map[string]any{"productId": "nope", "variantId": "nope", "price": map[string]any{"sellPrice": 1}},
		priceIn(ps[1], map[string]any{"sellPrice": -1}),
	}}
	a := c.gql(pricesQ, map[string]any{"i": in}).want(t, 200)
	errs, _ := a.at("data", "updateVariantPrices", "errors").([]any)
	got := []string{}
	for _, e := range errs {
		m := e.(map[string]any)
		got = append(got, m["errorCode"].(string)+"@"+itoa(int(m["inputArrayIndex"].(float64))))
	}
	if strings.Join(got, ",") != "INVALID_VARIANT_ID@1,INVALID_PRODUCT_ID@2,INVALID_PRICE@3" {
		t.Fatalf("errors %v", got)
	}
	if p, _ := s.Product(ps[0].ID); p.Variants[0].DefaultPrice().Sell != *kurus("50") {
		t.Fatal("the valid input was not applied")
	}
	big := make([]any, 3001)
	for i := range big {
		big[i] = priceIn(ps[0], map[string]any{"sellPrice": 1})
	}
	if a := c.gql(pricesQ, map[string]any{"i": map[string]any{"variantPriceInputs": big}}); a.code() != "ARGUMENT_VALIDATION_ERROR" {
		t.Fatalf("3001 prices: %.200s", a.raw)
	}
}

// Stock is an absolute count per location; unknown locations and variants fail by index.
func TestStockPerLocation(t *testing.T) {
	locs := []Location{{ID: "l1", Name: "Ana Depo"}, {ID: "l2", Name: "Mağaza"}}
	s, _, c := newSim(t, Options{Locations: locs, AtomicWrites: true})
	ps := seed(t, s, 1)
	c.login()
	v := ps[0].Variants[0].ID
	in := map[string]any{"stockInputs": []any{map[string]any{"productId": ps[0].ID, "variantId": v, "stockLocationId": "l2", "stockCount": 4}}}
	c.gql(stocksQ, map[string]any{"i": in}).want(t, 200)
	p, _ := s.Product(ps[0].ID)
	if st := p.Variants[0].Stock; st["l1"] != 10 || st["l2"] != 4 {
		t.Fatalf("stock %v", st)
	}
	// Atomic: one bad input, nothing applied.
	in = map[string]any{"stockInputs": []any{
		map[string]any{"productId": ps[0].ID, "variantId": v, "stockLocationId": "l1", "stockCount": 1},
		map[string]any{"productId": ps[0].ID, "variantId": v, "stockLocationId": "l9", "stockCount": 1}}}
	a := c.gql(stocksQ, map[string]any{"i": in}).want(t, 200)
	if a.at("data", "saveVariantStocks", "errors", 0, "errorCode") != "INVALID_STOCK_LOCATION_ID" || a.at("data", "saveVariantStocks", "errors", 0, "inputData", "variantId") != v {
		t.Fatalf("%s", a.raw)
	}
	if p, _ := s.Product(ps[0].ID); p.Variants[0].Stock["l1"] != 10 {
		t.Fatal("atomic writes applied part of a failed call")
	}
	q := `{ listProductStockLocation(stockLocationId: {eq: "l2"}) { count data { variantId stockCount } } }`
	if a := c.gql(q, nil); a.at("data", "listProductStockLocation", "count") != 1.0 || a.at("data", "listProductStockLocation", "data", 0, "stockCount") != 4.0 {
		t.Fatalf("%s", a.raw)
	}
	if a := c.gql(`{ listStockLocation { id name } }`, nil); a.at("data", "listStockLocation", 1, "name") != "Mağaza" {
		t.Fatalf("%s", a.raw)
	}
}

// updateProduct keeps what it is not given; v1's saveProduct replaces the product.
func TestUpdateProductKeepsOmittedFields(t *testing.T) {
	s, _, c := newSim(t, Options{})
	ps := seed(t, s, 1)
	c.login()
	q := `mutation($i: UpdateProductInput!) { updateProduct(input: $i) { id name description brand { name } } }`
	a := c.gql(q, map[string]any{"i": map[string]any{"id": ps[0].ID, "description": "<p>yeni</p>"}}).want(t, 200)
	if a.at("data", "updateProduct", "name") != "Ürün" || a.at("data", "updateProduct", "brand", "name") != "Marka" || a.at("data", "updateProduct", "description") != "<p>yeni</p>" {
		t.Fatalf("%s", a.raw)
	}
	c.version = "v1"
	c.gql(`mutation($i: ProductInput!) { saveProduct(input: $i) { id } }`, map[string]any{"i": map[string]any{"id": ps[0].ID, "name": "Tam", "variants": []any{}}}).want(t, 200)
	if p, _ := s.Product(ps[0].ID); p.Name != "Tam" || p.Description != "" || p.Brand != "" {
		t.Fatalf("v1 upsert: %+v", p)
	}
}
