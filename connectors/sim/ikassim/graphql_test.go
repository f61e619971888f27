package ikassim

import (
	"strings"
	"testing"
	"time"
)

const listQ = `query($p: PaginationInput) { listProduct(pagination: $p) { count hasNext page limit data { id variants { id sku } } } }`

func TestEveryDocumentIsValidatedAgainstItsVersion(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 1)
	c.login()
	if a := c.gql(`{ listProduct { data { id nmae } } }`, nil).want(t, 200); a.code() != "GRAPHQL_VALIDATION_FAILED" || a.body["data"] != nil {
		t.Fatalf("misspelt field: %s", a.raw)
	}
	v1 := `mutation($i: SaveVariantPricesInput!) { saveVariantPrices(input: $i) }`
	if a := c.gql(v1, map[string]any{"i": map[string]any{"variantPriceInputs": []any{}}}).want(t, 200); a.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("a v1 operation sent to v2: %s", a.raw)
	}
	if a := c.gql(`{ listProduct { data { id `, nil).want(t, 200); a.code() != "GRAPHQL_PARSE_FAILED" {
		t.Fatalf("broken document: %s", a.raw)
	}
	// v2 price input has no currency field: a variable carrying one is refused.
	q := `mutation($i: UpdateVariantPricesInput!) { updateVariantPrices(input: $i) { errors { errorCode inputArrayIndex } } }`
	in := map[string]any{"variantPriceInputs": []any{map[string]any{"productId": "p", "variantId": "v", "price": map[string]any{"sellPrice": 1, "currency": "TRY"}}}}
	if a := c.gql(q, map[string]any{"i": in}).want(t, 200); a.code() != "BAD_USER_INPUT" {
		t.Fatalf("currency in a v2 price: %s", a.raw)
	}
	in = map[string]any{"variantPriceInputs": []any{map[string]any{"productId": "p", "variantId": "v", "price": map[string]any{"discountPrice": 1}}}}
	if a := c.gql(q, map[string]any{"i": in}).want(t, 200); a.code() != "BAD_USER_INPUT" || !strings.Contains(string(a.raw), "sellPrice") {
		t.Fatalf("a price without sellPrice: %s", a.raw)
	}
	c.version = "v1"
	if a := c.gql(`{ listProduct { data { variants { prices { currency } } } } }`, nil).want(t, 200); a.code() != "" {
		t.Fatalf("v1 currency: %s", a.raw)
	}
	if a := c.gql(`{ listProduct { data { variants { prices { currencyCode } } } } }`, nil).want(t, 200); a.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("v2 field on v1: %s", a.raw)
	}
	if n := s.Stats().Endpoints["listProduct"]; n.Requests != 3 || n.ClientErrors != 2 || n.OK != 1 {
		t.Fatalf("stats by operation: %+v", n)
	}
}

func TestTokenExpiryIsLoginRequiredInA200(t *testing.T) {
	s, clock, c := newSim(t, Options{ExpiresIn: time.Hour})
	c.gql(`{ me { id } }`, nil).want(t, 200)
	c.login()
	if a := c.gql(`{ me { id scope } }`, nil).want(t, 200); a.code() != "" || !strings.Contains(a.at("data", "me", "scope").(string), "write_inventories") {
		t.Fatalf("me: %s", a.raw)
	}
	clock.Advance(time.Hour)
	if a := c.gql(`{ me { id } }`, nil).want(t, 200); a.code() != "LOGIN_REQUIRED" {
		t.Fatalf("expired: %s", a.raw)
	}
	c.login()
	s.RevokeTokens()
	if a := c.gql(`{ getMerchant { id storeName } }`, nil).want(t, 200); a.code() != "LOGIN_REQUIRED" {
		t.Fatalf("revoked: %s", a.raw)
	}
	if st := s.Stats().Endpoints["getMerchant"]; st.ClientErrors != 1 {
		t.Fatalf("a refused token counts as a client error: %+v", st)
	}
	_, _, c401 := newSim(t, Options{Status401: true})
	c401.token = "nope"
	c401.gql(`{ me { id } }`, nil).want(t, 401)
	c.post("/api/admin/oauth/token", "application/x-www-form-urlencoded", []byte("grant_type=client_credentials&client_id=cid&client_secret=bad")).want(t, 401)
	c.post("/api/admin/oauth/token", "application/json", []byte(`{}`)).want(t, 400)
}

func TestScopesAreChecked(t *testing.T) {
	s, _, c := newSim(t, Options{Scopes: []string{ReadProducts}})
	seed(t, s, 1)
	c.login()
	c.gql(`{ getMerchant { id } me { scope } }`, nil).want(t, 200)
	a := c.gql(`{ listStockLocation { id name } }`, nil).want(t, 200)
	if a.code() != "FORBIDDEN" || !strings.Contains(string(a.raw), "read_inventories") {
		t.Fatalf("no inventory scope: %s", a.raw)
	}
	s.SetScopes(ReadProducts, ReadInventories)
	if a := c.gql(`{ listStockLocation { id name } }`, nil).want(t, 200); a.code() != "" {
		t.Fatalf("granted: %s", a.raw)
	}
}

func TestPagingAndFilters(t *testing.T) {
	s, clock, c := newSim(t, Options{})
	ps := seed(t, s, 5)
	c.login()
	a := c.gql(listQ, map[string]any{"p": map[string]any{"page": 2, "limit": 2}}).want(t, 200)
	if a.at("data", "listProduct", "count") != 2.0 || a.at("data", "listProduct", "hasNext") != true || a.at("data", "listProduct", "data", 0, "id") != ps[2].ID {
		t.Fatalf("page 2: %s", a.raw)
	}
	if a := c.gql(listQ, map[string]any{"p": map[string]any{"page": 3, "limit": 2}}); a.at("data", "listProduct", "hasNext") != false || a.at("data", "listProduct", "count") != 1.0 {
		t.Fatalf("last page: %s", a.raw)
	}
	for _, p := range []map[string]any{{"limit": 201}, {"page": 0}, {"limit": 0}} {
		if a := c.gql(listQ, map[string]any{"p": p}).want(t, 200); a.code() != "ARGUMENT_VALIDATION_ERROR" {
			t.Fatalf("paging %v: %s", p, a.raw)
		}
	}
	q := `query($s: StringFilterInput, $u: DateFilterInput) { listProduct(sku: $s, updatedAt: $u, sort: "-updatedAt") { data { id } } }`
	if a := c.gql(q, map[string]any{"s": map[string]any{"in": []string{"SKU-001", "SKU-003"}}}); len(a.at("data", "listProduct", "data").([]any)) != 2 {
		t.Fatalf("sku in: %s", a.raw)
	}
	clock.Advance(time.Minute)
	if err := s.SetPrice(ps[4].Variants[0].ID, Price{Sell: *kurus("10")}); err != nil {
		t.Fatal(err)
	}
	since := clock.Now().Add(-time.Second).UnixMilli()
	if a := c.gql(q, map[string]any{"u": map[string]any{"gt": since}}); len(a.at("data", "listProduct", "data").([]any)) != 1 {
		t.Fatalf("updatedAt gt: %s", a.raw)
	}
	if a := c.gql(`{ listProduct(sort: "price") { data { id } } }`, nil); a.code() != "ARGUMENT_VALIDATION_ERROR" {
		t.Fatalf("bad sort: %s", a.raw)
	}
}

func TestRateLimitAndBans(t *testing.T) {
	s, clock, c := newSim(t, Options{BanMinRequests: 10})
	c.login()
	for i := 0; i < 50; i++ {
		c.gql(`{ me { id } }`, nil).want(t, 200)
	}
	a := c.gql(`{ me { id } }`, nil).want(t, 429)
	if a.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	clock.Advance(10 * time.Second)
	// 51 replies so far, one failed (the 429). 16 more failures make 17/67 = 25.4 %.
	for i := 0; i < 16; i++ {
		if a := c.gql(`{ me { nope } }`, nil); a.status != 200 {
			t.Fatalf("failure %d: %s %+v", i, a.raw, s.Bans())
		}
	}
	if len(s.Bans()) != 1 || s.MaxErrorRatio() <= 0.25 {
		t.Fatalf("bans %+v, max ratio %.3f", s.Bans(), s.MaxErrorRatio())
	}
	a = c.gql(`{ me { id } }`, nil).want(t, 429)
	if a.code() != "TOO_MANY_REQUESTS" {
		t.Fatalf("blocked: %s", a.raw)
	}
	clock.Advance(time.Hour)
	c.gql(`{ me { id } }`, nil).want(t, 200)
}
