package ideasoftsim

import (
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

// gate lets the consent page and the token endpoint through (they authenticate in their
// handlers) and checks every /admin-api call: the request budget of the app, then the
// bearer token (401), then the scope the route needs (403).
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	if c.Endpoint == "consent" || c.Endpoint == "token" {
		return nil
	}
	app, err := s.access.Bearer(c)
	key := app
	if err != nil {
		key = "anonymous"
	}
	d := simkit.Spend(c.Now, simkit.Budget{Limiter: s.limit, Key: key})
	if r := s.rate.Answer(c, d, errBody(429, "Belli bir süre içerisinde çok fazla istek yapıldı.")); r != nil {
		return r
	}
	if err != nil {
		r := fail(http.StatusUnauthorized, err.Error())
		r.Header = http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
		return &r
	}
	c.Principal = app
	s.mu.Lock()
	scopes := s.st.scopes[app]
	s.mu.Unlock()
	if c.Group != "" && !slices.Contains(scopes, c.Group) { // webhooks need a token only
		r := fail(http.StatusForbidden, "this application has no "+c.Group+" permission")
		return &r
	}
	return nil
}

var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="tr"><head><meta charset="utf-8"><title>Uygulama izni</title></head>
<body><h1>Uygulama izni</h1>
<p>Bir uygulama mağazanıza şu izinlerle erişmek istiyor: {{.Scopes}}</p>
<form method="post" action="/panel/auth">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="response_type" value="code">
<button type="submit" name="approve" value="1">İzin ver</button>
<button type="submit" name="approve" value="0">Reddet</button>
</form></body></html>
`))

// consentRequest checks what the consent page is asked for: this app, a code, and the
// registered redirect URI (never redirecting anywhere else, as OAuth requires).
func (s *Server) consentRequest(q url.Values) (state, redirect string, rep *simkit.Reply) {
	page := func(status int, msg string) *simkit.Reply {
		r := simkit.Reply{Status: status, Raw: []byte("<!DOCTYPE html><html><body><p>" + template.HTMLEscapeString(msg) + "</p></body></html>"),
			Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}}
		return &r
	}
	if q.Get("client_id") != s.opt.ClientID || s.opt.ClientID == "" {
		return "", "", page(http.StatusBadRequest, "Geçersiz uygulama (client_id).")
	}
	if q.Get("response_type") != "code" {
		return "", "", page(http.StatusBadRequest, "response_type must be code.")
	}
	redirect = q.Get("redirect_uri")
	if !s.redirectAllowed(redirect) {
		return "", "", page(http.StatusBadRequest, "redirect_uri does not match the application's registered redirect URI.")
	}
	return q.Get("state"), redirect, nil
}

func (s *Server) redirectAllowed(got string) bool {
	if got == s.opt.RedirectURI {
		return true
	}
	if !s.opt.LoopbackAnyPort {
		return false
	}
	g, err1 := url.Parse(got)
	r, err2 := url.Parse(s.opt.RedirectURI)
	if err1 != nil || err2 != nil || g.Scheme != "http" || r.Scheme != "http" || g.Path != r.Path {
		return false
	}
	return loopback(g.Hostname()) && loopback(r.Hostname())
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// handleConsentPage serves GET /panel/auth: the page a logged-in shop admin sees, with
// the app's permissions and a form to grant or refuse them.
func (s *Server) handleConsentPage(c *simkit.Call) simkit.Reply {
	q := c.R.URL.Query()
	state, redirect, rep := s.consentRequest(q)
	if rep != nil {
		return *rep
	}
	var b strings.Builder
	_ = consentPage.Execute(&b, map[string]string{"ClientID": s.opt.ClientID, "RedirectURI": redirect, "State": state,
		"Scopes": strings.Join(s.opt.Scopes, ", ")})
	return simkit.Reply{Status: http.StatusOK, Raw: []byte(b.String()), Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}}
}

// handleConsent serves the form's POST: a short-lived, single-use code sent to the
// redirect URI with the state, or error=access_denied when the admin refused.
func (s *Server) handleConsent(c *simkit.Call) simkit.Reply {
	form, err := url.ParseQuery(string(c.Body))
	if err != nil {
		return fail(http.StatusBadRequest, "the form could not be read")
	}
	state, redirect, rep := s.consentRequest(form)
	if rep != nil {
		return *rep
	}
	to, _ := url.Parse(redirect)
	q := to.Query()
	if form.Get("approve") == "1" {
		code := simkit.RandomHex(16)
		s.mu.Lock()
		s.st.codes[code] = grant{clientID: s.opt.ClientID, redirectURI: redirect, scopes: s.opt.Scopes, expires: c.Now.Add(s.opt.CodeTTL)}
		s.mu.Unlock()
		q.Set("code", code)
	} else {
		q.Set("error", "access_denied")
	}
	if state != "" {
		q.Set("state", state)
	}
	to.RawQuery = q.Encode()
	return simkit.Reply{Status: http.StatusFound, Header: http.Header{"Location": {to.String()}}}
}

// handleToken serves POST /oauth/v2/token: form-urlencoded (or JSON, which several
// clients send) with grant_type authorization_code or refresh_token. A refresh rotates
// the refresh token: the one presented dies at once.
func (s *Server) handleToken(c *simkit.Call) simkit.Reply {
	req := url.Values{}
	if strings.HasPrefix(strings.ToLower(c.R.Header.Get("Content-Type")), "application/json") {
		var m map[string]string
		if json.Unmarshal(c.Body, &m) != nil {
			return oauthError(http.StatusBadRequest, "invalid_request", "the body is not valid JSON")
		}
		for k, v := range m {
			req.Set(k, v)
		}
	} else {
		var err error
		if req, err = url.ParseQuery(string(c.Body)); err != nil {
			return oauthError(http.StatusBadRequest, "invalid_request", "the body could not be read")
		}
	}
	if req.Get("client_id") != s.opt.ClientID || req.Get("client_secret") != s.opt.ClientSecret || s.opt.ClientID == "" {
		return oauthError(http.StatusBadRequest, "invalid_client", "The client credentials are invalid")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var g grant
	switch req.Get("grant_type") {
	case "authorization_code":
		code := req.Get("code")
		cg, ok := s.st.codes[code]
		delete(s.st.codes, code) // single use, whatever happens next
		switch {
		case !ok:
			return oauthError(http.StatusBadRequest, "invalid_grant", "Code doesn't exist or is invalid for the client")
		case !c.Now.Before(cg.expires):
			return oauthError(http.StatusBadRequest, "invalid_grant", "The authorization code has expired")
		case req.Get("redirect_uri") != cg.redirectURI:
			return oauthError(http.StatusBadRequest, "redirect_uri_mismatch", "The redirect URI is missing or do not match")
		}
		g = cg
	case "refresh_token":
		rt := req.Get("refresh_token")
		rg, ok := s.st.refresh[rt]
		switch {
		case !ok:
			return oauthError(http.StatusBadRequest, "invalid_grant", "Invalid refresh token")
		case !c.Now.Before(rg.expires):
			delete(s.st.refresh, rt)
			return oauthError(http.StatusBadRequest, "invalid_grant", "Refresh token has expired")
		}
		delete(s.st.refresh, rt) // rotated: the old one dies now
		s.st.refreshes++
		g = rg
		if s.opt.RevokeAccessOnRefresh {
			s.access.RevokeAll()
		}
	default:
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type parameter or parameter missing")
	}
	tok := s.access.Issue(c, g.clientID)
	s.st.scopes[g.clientID] = g.scopes
	rt := "ist_rt_" + simkit.RandomHex(24)
	s.st.refresh[rt] = grant{clientID: g.clientID, scopes: g.scopes, expires: c.Now.Add(s.opt.RefreshTTL)}
	return simkit.JSON(http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int64(s.opt.AccessTTL / time.Second),
		"refresh_token": rt, "scope": strings.Join(g.scopes, " "),
	})
}
