package n11sim

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestAuthPerPathFamily(t *testing.T) {
	for _, c := range []struct {
		name        string
		opt         Options
		path        string
		method      string
		hdr         map[string]string
		status      int
		contentType string
		has         string
	}{
		{"ms: right, names in any case", Options{}, pathQuery, "GET", map[string]string{"APPKEY": testKey, "AppSecret": testSecret}, 200, "application/json", `"content"`},
		{"ms: wrong secret", Options{}, pathQuery, "GET", map[string]string{"appkey": testKey, "appsecret": "x"}, 401, "application/json", `"@type":"SellerApiUserUnauthorizedException"`},
		{"ms: wrong key", Options{}, pathPrice, "POST", map[string]string{"appkey": "x", "appsecret": testSecret}, 401, "application/json", MessageAuthFailed},
		{"ms: no secret", Options{}, pathQuery, "GET", map[string]string{"appkey": testKey}, 500, "application/json", "MissingRequestHeaderException"},
		{"rest: wrong secret", Options{}, pathPackages, "GET", map[string]string{"appkey": testKey, "appsecret": "x"}, 400, "application/json", `"errorCode":"SELLER_API.authenticationFailed"`},
		{"rest: wrong secret, 403 style", Options{RestAuth403: true}, pathPackages, "GET", map[string]string{"appkey": testKey, "appsecret": "x"}, 403, "text/plain", "Authentication failed"},
		{"rest: no headers", Options{}, pathPackages, "GET", map[string]string{}, 400, "text/html", "<html>"},
		{"cdn: the key alone", Options{}, "/cdn/categories", "GET", map[string]string{"appkey": testKey}, 200, "application/json", "Kadın Giyim"},
		{"cdn: wrong key", Options{}, "/cdn/categories", "GET", map[string]string{"appkey": "x", "appsecret": testSecret}, 403, "text/plain", "Authentication failed"},
		{"unknown path", Options{}, "/ms/product/nothing-here", "GET", map[string]string{"appkey": testKey, "appsecret": testSecret}, 503, "text/html", "503"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, cl := newSim(t, c.opt)
			cl.hdr = c.hdr
			var body any
			if c.method == "POST" {
				body = taskBodyOf(item{"stockCode": "A", "quantity": 1})
			}
			a := cl.do(c.method, c.path, body).want(t, c.status)
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, c.contentType) {
				t.Fatalf("Content-Type %q, want %s", ct, c.contentType)
			}
			if !strings.Contains(string(a.raw), c.has) {
				t.Fatalf("reply %s lacks %s", a.raw, c.has)
			}
		})
	}
}

func TestGlobalAndOrderLimits(t *testing.T) {
	s, clock, cl := newSim(t, Options{GlobalPerMinute: 4, OrdersPerMinute: 2})
	cl.do("GET", pathPackages, nil).want(t, 200)
	cl.do("GET", pathPackages, nil).want(t, 200)
	a := cl.do("GET", pathPackages, nil).want(t, http.StatusTooManyRequests) // the orders budget
	if a.header.Get("Retry-After") != "" || a.body["errorCode"] != "SELLER_API.tooManyRequests" {
		t.Fatalf("429 %v %s: n11 sends no Retry-After (by default), /rest its own error shape", a.header, a.raw)
	}
	cl.do("GET", pathQuery, nil).want(t, 200) // the refused call spent from the global budget; one is left
	cl.do("GET", pathQuery, nil).want(t, 429)
	if st := s.Stats(); st.Total.RateLimited != 2 || st.Endpoints["shipment-packages"].MaxInWindow != 3 {
		t.Fatalf("stats %+v", st.Total)
	}
	clock.Advance(time.Minute)
	cl.do("GET", pathQuery, nil).want(t, 200)
}

func TestOverLimitEmptyPage(t *testing.T) {
	s, _, cl := newSim(t, Options{GlobalPerMinute: 1, OverLimit: OverEmptyPage, RetryAfter: true})
	seed(t, s, 3)
	if n := len(cl.do("GET", pathQuery, nil).want(t, 200).content()); n != 3 {
		t.Fatalf("%d products", n)
	}
	a := cl.do("GET", pathQuery+"?page=0&size=10", nil).want(t, 200)
	if len(a.content()) != 0 || num(a.body["totalElements"]) != 0 || a.body["empty"] != true {
		t.Fatalf("over the limit: %s, want an empty page", a.raw)
	}
	a = cl.do("GET", pathPackages+"?size=50", nil).want(t, 200)
	if len(a.content()) != 0 || num(a.body["pageCount"]) != 0 || num(a.body["size"]) != 50 {
		t.Fatalf("shipmentPackages over the limit: %s", a.raw)
	}
	a = cl.do("POST", pathDetails, details(1091, 0, 10)).want(t, 200)
	if len(a.skus()) != 0 || a.body["status"] != nil {
		t.Fatalf("task details over the limit: %s", a.raw)
	}
	// A write has no empty page: it is refused.
	a = cl.do("POST", pathPrice, taskBodyOf(item{"stockCode": sku(0), "quantity": 1})).want(t, 429)
	if a.header.Get("Retry-After") == "" {
		t.Fatal("RetryAfter: the 429 carries Retry-After")
	}
	if s.Throttled() != 3 || s.Stats().Total.RateLimited != 1 {
		t.Fatalf("throttled %d, 429s %d", s.Throttled(), s.Stats().Total.RateLimited)
	}
}

// TestKitErrorsInEachFamilysShape: injected failures answer in the path family's shape.
func TestKitErrorsInEachFamilysShape(t *testing.T) {
	s, _, cl := newSim(t, Options{})
	s.SetFaults(simkit.Faults{ErrorRate: 1, ErrorStatus: 503})
	if a := cl.do("GET", pathPackages, nil).want(t, 503); a.body["status"] != "failure" || a.body["errorCode"] == nil {
		t.Fatalf("/rest: %s", a.raw)
	}
	if a := cl.do("GET", pathQuery, nil).want(t, 503); a.body["@type"] == nil {
		t.Fatalf("/ms: %s", a.raw)
	}
}
