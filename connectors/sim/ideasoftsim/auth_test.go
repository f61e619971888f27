package ideasoftsim

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestConsentPage(t *testing.T) {
	s := newSim(t, Options{})
	cases := []struct {
		name, url string
		status    int
	}{
		{"another app", strings.Replace(s.consentURL(DefaultRedirectURI, "x"), "client_id=app-1", "client_id=app-2", 1), 400},
		{"an unregistered redirect URI", s.consentURL("http://127.0.0.1:9/elsewhere", "x"), 400},
		{"another port without LoopbackAnyPort", s.consentURL("http://127.0.0.1:53683/callback", "x"), 400},
		{"the registered redirect URI", s.consentURL(DefaultRedirectURI, "x"), 200},
	}
	for _, c := range cases {
		u, _ := url.Parse(c.url)
		if r := s.call("GET", u.RequestURI(), "", "", ""); r.status != c.status {
			t.Errorf("%s: %d, want %d", c.name, r.status, c.status)
		}
	}
	// An admin who refuses is sent back with error=access_denied and the state.
	back, err := s.Browse(s.consentURL(DefaultRedirectURI, "s-9"), false)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if !strings.HasPrefix(back, DefaultRedirectURI+"?") || u.Query().Get("error") != "access_denied" || u.Query().Get("state") != "s-9" || u.Query().Get("code") != "" {
		t.Fatalf("a refusal came back as %s", back)
	}
	lb := newSim(t, Options{LoopbackAnyPort: true})
	if _, err := lb.Browse(lb.consentURL("http://127.0.0.1:40123/callback", "x"), true); err != nil {
		t.Fatalf("LoopbackAnyPort: %v", err)
	}
	if _, err := lb.Browse(lb.consentURL("http://127.0.0.1:40123/other", "x"), true); err == nil {
		t.Fatal("LoopbackAnyPort let another path through")
	}
}

func TestCodeExchange(t *testing.T) {
	s := newSim(t, Options{})
	exchange := func(code, redirect, secret string) (int, string) {
		r, tk := s.grant(url.Values{"grant_type": {"authorization_code"}, "client_id": {testClient}, "client_secret": {secret},
			"code": {code}, "redirect_uri": {redirect}})
		return r.status, tk.Error
	}
	code := s.code()
	if st, e := exchange(code, DefaultRedirectURI, "wrong"); st != 400 || e != "invalid_client" {
		t.Fatalf("wrong secret: %d %s", st, e)
	}
	code = s.code()
	if st, e := exchange(code, "http://127.0.0.1:1/x", testSecret); st != 400 || e != "redirect_uri_mismatch" {
		t.Fatalf("another redirect URI: %d %s", st, e)
	}
	if st, e := exchange(code, DefaultRedirectURI, testSecret); st != 400 || e != "invalid_grant" {
		t.Fatalf("a code used once already: %d %s", st, e)
	}
	code = s.code()
	s.clock.Advance(31 * time.Second)
	if st, e := exchange(code, DefaultRedirectURI, testSecret); st != 400 || e != "invalid_grant" {
		t.Fatalf("a code 31 s old: %d %s", st, e)
	}
	code = s.code()
	if st, _ := exchange(code, DefaultRedirectURI, testSecret); st != 200 {
		t.Fatalf("a fresh code: %d", st)
	}
	// Some clients send JSON.
	body, _ := json.Marshal(map[string]string{"grant_type": "authorization_code", "client_id": testClient, "client_secret": testSecret,
		"code": s.code(), "redirect_uri": DefaultRedirectURI})
	if r := s.call("POST", "/oauth/v2/token", "application/json", string(body), ""); r.status != 200 {
		t.Fatalf("a JSON body: %d %s", r.status, r.body)
	}
}

// The refresh token rotates: the one presented dies at once, even for a second refresh
// racing the first; the new one works until its lifetime ends.
func TestRefreshTokensRotate(t *testing.T) {
	s := newSim(t, Options{RefreshTTL: 48 * time.Hour})
	tk := s.login()
	if tk.TokenType != "Bearer" || tk.ExpiresIn != 86400 {
		t.Fatalf("token reply %+v", tk)
	}
	r, next := s.refresh(tk.RefreshToken)
	if r.status != 200 || next.RefreshToken == tk.RefreshToken {
		t.Fatalf("refresh: %d %+v", r.status, next)
	}
	if r, e := s.refresh(tk.RefreshToken); r.status != 400 || e.Error != "invalid_grant" {
		t.Fatalf("the rotated-out refresh token: %d %s", r.status, r.body)
	}
	if s.Refreshes() != 1 || s.LiveRefreshTokens() != 1 {
		t.Fatalf("refreshes %d, live %d", s.Refreshes(), s.LiveRefreshTokens())
	}
	// Old access tokens live on (RevokeAccessOnRefresh false).
	if r := s.call("GET", "/admin-api/products", "", "", tk.AccessToken); r.status != 200 {
		t.Fatalf("the earlier access token after a refresh: %d", r.status)
	}
	s.clock.Advance(49 * time.Hour)
	if r, e := s.refresh(next.RefreshToken); r.status != 400 || e.Error != "invalid_grant" {
		t.Fatalf("an expired refresh token: %d %s", r.status, r.body)
	}

	rv := newSim(t, Options{RevokeAccessOnRefresh: true})
	tk = rv.login()
	rv.refresh(tk.RefreshToken)
	if r := rv.call("GET", "/admin-api/products", "", "", tk.AccessToken); r.status != 401 {
		t.Fatalf("RevokeAccessOnRefresh: the earlier access token got %d", r.status)
	}
}

// Bearer tokens: 401 missing, unknown or expired (the announced lifetime on the
// simulator's clock); 403 for a scope the app lacks.
func TestBearerAndScopes(t *testing.T) {
	s := newSim(t, Options{AccessTTL: time.Hour, Scopes: []string{"product_read", "order_read"}})
	tk := s.login()
	if r := s.call("GET", "/admin-api/products", "", "", ""); r.status != 401 {
		t.Fatalf("no token: %d", r.status)
	}
	if r := s.call("GET", "/admin-api/products", "", "", "nope"); r.status != 401 {
		t.Fatalf("unknown token: %d", r.status)
	}
	if r := s.call("GET", "/admin-api/orders", "", "", tk.AccessToken); r.status != 200 {
		t.Fatalf("order_read: %d", r.status)
	}
	p := s.seed(Product{SKU: "A"})[0]
	if r := s.call("PUT", "/admin-api/products/"+itoa64(p.ID), "application/json", `{"stockAmount":1}`, tk.AccessToken); r.status != 403 {
		t.Fatalf("without product_update: %d %s", r.status, r.body)
	}
	s.clock.Advance(time.Hour)
	if r := s.call("GET", "/admin-api/products", "", "", tk.AccessToken); r.status != 401 {
		t.Fatalf("an hour-old token: %d", r.status)
	}
	s.RevokeTokens()
	if r, _ := s.refresh(tk.RefreshToken); r.status != 400 {
		t.Fatalf("a refresh after the app's access was removed: %d", r.status)
	}
}

// The request budget: 429 with Retry-After (or none), the refused request not counted.
func TestRequestBudget(t *testing.T) {
	s := newSim(t, Options{PerMinute: 3})
	tk := s.login()
	for i := 0; i < 3; i++ {
		if r := s.call("GET", "/admin-api/products", "", "", tk.AccessToken); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := s.call("GET", "/admin-api/products", "", "", tk.AccessToken)
	if r.status != 429 || r.header.Get("Retry-After") != "60" || !strings.Contains(string(r.body), "çok fazla istek") {
		t.Fatalf("the 4th request: %d %v %s", r.status, r.header, r.body)
	}
	s.clock.Advance(time.Minute)
	if r := s.call("GET", "/admin-api/products", "", "", tk.AccessToken); r.status != 200 {
		t.Fatalf("after the window: %d", r.status)
	}
	// The token endpoint does not spend from the budget.
	if r, _ := s.refresh(tk.RefreshToken); r.status != 200 {
		t.Fatalf("refresh: %d", r.status)
	}
	n := newSim(t, Options{PerMinute: 1, NoRetryAfter: true})
	tk = n.login()
	n.call("GET", "/admin-api/products", "", "", tk.AccessToken)
	if r := n.call("GET", "/admin-api/products", "", "", tk.AccessToken); r.status != 429 || r.header.Get("Retry-After") != "" {
		t.Fatalf("NoRetryAfter: %d %v", r.status, r.header)
	}
}
