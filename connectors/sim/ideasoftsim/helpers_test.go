package ideasoftsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"syncagent/connectors/sim/simkit"
)

const (
	testClient = "app-1"
	testSecret = "sim-secret-1"
)

type tsim struct {
	*Server
	t     testing.TB
	clock *simkit.FakeClock
}

// newSim starts a simulator on a fake clock with the test app.
func newSim(t testing.TB, opt Options) *tsim {
	t.Helper()
	clock := simkit.NewFakeClock(time.Time{})
	opt.ClientID, opt.ClientSecret, opt.Clock = testClient, testSecret, clock
	s := New(opt)
	t.Cleanup(s.Close)
	return &tsim{Server: s, t: t, clock: clock}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}

// call sends one request; token "" sends none.
func (s *tsim) call(method, path, ctype, body, token string) reply {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (s *tsim) consentURL(redirect, state string) string {
	q := url.Values{"client_id": {testClient}, "response_type": {"code"}, "state": {state}, "redirect_uri": {redirect}}
	return s.URL + "/panel/auth?" + q.Encode()
}

// code runs the consent and returns the code.
func (s *tsim) code() string {
	s.t.Helper()
	back, err := s.Browse(s.consentURL(DefaultRedirectURI, "st"), true)
	if err != nil {
		s.t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if u.Query().Get("state") != "st" || u.Query().Get("code") == "" {
		s.t.Fatalf("consent came back as %s", back)
	}
	return u.Query().Get("code")
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
}

func (s *tsim) grant(form url.Values) (reply, tokens) {
	s.t.Helper()
	r := s.call("POST", "/oauth/v2/token", "application/x-www-form-urlencoded", form.Encode(), "")
	var tk tokens
	r.json(s.t, &tk)
	return r, tk
}

// login gives the consent and exchanges the code: the first tokens.
func (s *tsim) login() tokens {
	s.t.Helper()
	r, tk := s.grant(url.Values{"grant_type": {"authorization_code"}, "client_id": {testClient}, "client_secret": {testSecret},
		"code": {s.code()}, "redirect_uri": {DefaultRedirectURI}})
	if r.status != 200 || tk.AccessToken == "" || tk.RefreshToken == "" {
		s.t.Fatalf("code exchange: %d %s", r.status, r.body)
	}
	return tk
}

func (s *tsim) refresh(rt string) (reply, tokens) {
	s.t.Helper()
	return s.grant(url.Values{"grant_type": {"refresh_token"}, "client_id": {testClient}, "client_secret": {testSecret}, "refresh_token": {rt}})
}

func (s *tsim) seed(ps ...Product) []Product {
	s.t.Helper()
	var out []Product
	for _, p := range ps {
		np, err := s.AddProduct(p)
		if err != nil {
			s.t.Fatal(err)
		}
		out = append(out, np)
	}
	return out
}
