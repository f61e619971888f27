package tsoftsim

import (
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

func TestLogin(t *testing.T) {
	_, clock, c := newSim(t, Options{})
	a := c.raw("POST", "/rest1/auth/login/"+testUser, "application/x-www-form-urlencoded", "pass="+testPass).ok(t)
	row := a.rows()[0]
	// expirationTime is "d-m-Y H:i:s" in Turkey time: 09:00 UTC + 1 h is 13:00 there.
	if row["token"] == "" || row["expirationTime"] != "01-10-2026 13:00:00" {
		t.Fatalf("login row %v", row)
	}
	if _, ok := a.body["message"].([]any)[0].(map[string]any)["index"]; !ok {
		t.Fatalf("message without the sample's fields: %s", a.raw)
	}
	c.raw("POST", "/rest1/auth/login/"+testUser, "application/x-www-form-urlencoded", "pass=yanlis").refused(t, "şifre hatalı")
	c.raw("POST", "/rest1/auth/login/baska", "application/x-www-form-urlencoded", "pass="+testPass).refused(t, "şifre hatalı")
	// Some clients send the fields in the query string.
	c.raw("POST", "/rest1/auth/login/"+testUser+"?user="+testUser+"&pass="+testPass, "", "").ok(t)
	// Only POST exists.
	c.raw("GET", "/rest1/auth/login/"+testUser+"?pass="+testPass, "", "").want(t, 404)

	_, _, ce := newSim(t, Options{Expiration: "epoch"})
	r := ce.raw("POST", "/rest1/auth/login/"+testUser, "application/x-www-form-urlencoded", "pass="+testPass).ok(t).rows()[0]
	if r["expirationTime"] != float64(clock.Now().Add(time.Hour).Unix()) {
		t.Fatalf("epoch expirationTime %v", r["expirationTime"])
	}
	_, _, cn := newSim(t, Options{Expiration: "none"})
	if r := cn.raw("POST", "/rest1/auth/login/"+testUser, "application/x-www-form-urlencoded", "pass="+testPass).ok(t).rows()[0]; r["expirationTime"] != nil {
		t.Fatalf("expirationTime %v, want none", r["expirationTime"])
	}
}

func TestEmailUserLogsInByTheNameBeforeTheAt(t *testing.T) {
	clock := simkit.NewFakeClock(time.Time{})
	s := New(Options{User: "depo@ornek.com", Password: testPass, Clock: clock, RateLimit: -1})
	defer s.Close()
	c := &client{t: t, base: s.URL}
	c.raw("POST", "/rest1/auth/login/depo", "application/x-www-form-urlencoded", "pass="+testPass).ok(t)
}

func TestTokens(t *testing.T) {
	s, clock, c := newSim(t, Options{TokenTTL: 10 * time.Minute})
	seed(t, s, 1)
	c.call("product/get", nil).refused(t, "Token bilgisi")
	c.login()
	c.call("product/get", nil).ok(t)
	// A JSON body carries no form field, so no token.
	c.raw("POST", "/rest1/product/get", "application/json", `{"token":"`+c.token+`"}`).refused(t, "Token")
	clock.Advance(10 * time.Minute)
	c.call("product/get", nil).refused(t, "Token geçersiz veya süresi dolmuş")
	c.login()
	s.SetFaults(simkit.Faults{TokenExpiry: time.Minute})
	c.login()
	clock.Advance(2 * time.Minute)
	c.call("product/get", nil).refused(t, "Token")
	c.login()
	s.RevokeTokens()
	c.call("product/get", nil).refused(t, "Token")
	st := s.Stats().Endpoints["product-get"]
	if st.ClientErrors != 5 || st.OK != 1 {
		t.Fatalf("success:false answers must count as client errors: %+v", st)
	}
}

func TestGates(t *testing.T) {
	s, _, c := newSim(t, Options{Methods: []string{"product/get"}})
	seed(t, s, 1)
	c.login()
	c.call("product/get", nil).ok(t)
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-000", "Stock": 1}).refused(t, "Controller is not allowed!")
	c.call("order/get", nil).refused(t, "Controller is not allowed!")
	s.SetMethods(nil)
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-000", "Stock": 1}).ok(t)

	s.SetAllowedIPs([]string{"10.1.2.3"})
	c.call("product/get", nil).refused(t, "IP adresinizin (127.0.0.1)")
	c.raw("POST", "/rest1/auth/login/"+testUser, "application/x-www-form-urlencoded", "pass="+testPass).refused(t, "IP adresinizin")
	s.SetAllowedIPs([]string{"10.1.2.3", "127.0.0.1"})
	c.call("product/get", nil).ok(t)

	s.SetLicence("off-message")
	c.call("product/get", nil).refused(t, "lisansı bulunmamaktadır")
	s.SetLicence("off-404")
	a := c.call("product/get", nil).want(t, 404)
	if !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(string(a.raw), "<title>404") {
		t.Fatalf("an unlicensed shop's 404 is its HTML page: %s %s", a.header.Get("Content-Type"), a.raw)
	}
	s.SetLicence("on")
	c.call("product/get", nil).ok(t)
	c.call("product/nothing", nil).want(t, 404)
}

func TestRateLimit(t *testing.T) {
	s, clock, c := newSim(t, Options{RateLimit: 2})
	seed(t, s, 1)
	c.login() // the login counts
	c.call("product/get", nil).ok(t)
	a := c.call("product/get", nil).want(t, 429)
	if a.header.Get("Retry-After") != "1" || a.body["success"] != false {
		t.Fatalf("429: %v %s", a.header, a.raw)
	}
	clock.Advance(time.Second)
	c.call("product/get", nil).ok(t)
	if st := s.Stats().Endpoints["product-get"]; st.RateLimited != 1 || st.MaxInWindow != 2 {
		t.Fatalf("stats %+v", st)
	}

	s2, clock2, c2 := newSim(t, Options{RateLimit: 1, Throttle: "message"})
	seed(t, s2, 1)
	c2.login()
	clock2.Advance(time.Second)
	c2.call("product/get", nil).ok(t)
	c2.call("product/get", nil).refused(t, "Çok fazla istek")
}

func TestHTMLErrorPage(t *testing.T) {
	s, _, c := newSim(t, Options{})
	seed(t, s, 1)
	c.login()
	s.SetHTMLFaults(HTMLFaults{Next: 1, Only: []string{"update-products"}})
	a := c.call("product/updateProducts", map[string]any{"ProductCode": "TS-000", "Stock": 4}).want(t, 200)
	if a.body != nil || !strings.Contains(string(a.raw), "Fatal error") || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		t.Fatalf("want the PHP error page: %s", a.raw)
	}
	if p, _ := s.Product("TS-000"); p.Stock != 10 {
		t.Fatal("the page came before the update, which must not be applied")
	}
	s.SetHTMLFaults(HTMLFaults{Next: 1, Applied: true, Status: 500})
	c.call("product/updateProducts", map[string]any{"ProductCode": "TS-000", "Stock": 4}).want(t, 500)
	if p, _ := s.Product("TS-000"); p.Stock != 4 {
		t.Fatal("with Applied the update takes effect before the page")
	}
	c.call("product/get", nil).ok(t)
	if s.HTMLPages() != 2 {
		t.Fatalf("%d pages served", s.HTMLPages())
	}
	s.SetHTMLFaults(HTMLFaults{Seed: 3, Rate: 0.5})
	pages := 0
	for i := 0; i < 40; i++ {
		if c.call("product/get", nil).body == nil {
			pages++
		}
	}
	if pages < 8 || pages > 32 {
		t.Fatalf("rate 0.5 gave %d pages of 40", pages)
	}
}
