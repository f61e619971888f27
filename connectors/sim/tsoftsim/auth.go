package tsoftsim

import (
	"net"
	"net/http"
	"slices"
	"strings"

	"syncagent/connectors/sim/simkit"
)

// Refusal texts. "Controller is not allowed!" and a text with "token" are the ones the
// third-party clients quote; the licence, IP and throttle texts are assumed, worded as
// T-Soft's Turkish messages are.
const (
	textBadLogin   = "Kullanıcı adı veya şifre hatalı!"
	textToken      = "Token geçersiz veya süresi dolmuş. Lütfen tekrar giriş yapınız."
	textNoToken    = "Token bilgisi gönderilmedi."
	textNotAllowed = "Controller is not allowed!"
	textLicence    = "Mağazanızın paketinde Gelişmiş Web Servis (REST1) lisansı bulunmamaktadır."
	textIP         = "IP adresinizin (%s) web servise erişim izni bulunmamaktadır."
	textThrottle   = "Çok fazla istek gönderdiniz. Lütfen daha sonra tekrar deneyiniz."
)

// gates are the shop's settings in the T-Soft panel that decide who may call what;
// hooks change them while the simulator runs. Guarded by Server.mu.
type gates struct {
	licence string   // on, off-404, off-message
	ips     []string // nil: no IP restriction
	methods []string // nil: every method
}

// gate runs before every handler, in the order a PHP shop behind a gateway would: the
// rate limit, then the licence, the IP restriction, the token and the method
// permission. Every refusal but the rate limit's 429 and the unlicensed 404 is HTTP 200
// with success:false.
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	// The shop's Date header tells its own clock, which expirationTime is written in.
	c.Header.Set("Date", c.Now.UTC().Format(http.TimeFormat))
	d := s.limit.Take("shop", c.Now)
	if !d.Allowed {
		if s.opt.Throttle == "message" {
			r := s.refuse(c, textThrottle)
			return &r
		}
		return &simkit.Reply{Status: http.StatusTooManyRequests, Body: failBody(textThrottle),
			Header: http.Header{"Retry-After": {simkit.RetryAfterSeconds(d.RetryAfter)}}}
	}
	s.mu.Lock()
	g := s.gates
	s.mu.Unlock()
	switch g.licence {
	case "off-404":
		r := htmlPage(http.StatusNotFound, "404 Sayfa Bulunamadı", "Aradığınız sayfa bulunamadı.")
		return &r
	case "off-message":
		r := s.refuse(c, textLicence)
		return &r
	}
	if g.ips != nil {
		ip := remoteIP(c.R)
		if !slices.Contains(g.ips, ip) {
			r := s.refuse(c, strings.Replace(textIP, "%s", ip, 1))
			return &r
		}
	}
	if c.Endpoint == "login" {
		return nil
	}
	form := params(c)
	tok := form.Get("token")
	if tok == "" {
		r := s.refuse(c, textNoToken)
		return &r
	}
	// The tokens are kept by the kit, which reads them from an Authorization header;
	// T-Soft sends them as a form field, so the field is handed over that way.
	c.R.Header.Set("Authorization", "Bearer "+tok)
	user, err := s.tokens.Bearer(c)
	if err != nil {
		r := s.refuse(c, textToken)
		return &r
	}
	c.Principal = user
	if g.methods != nil && !slices.Contains(g.methods, methodOf(c.R.URL.Path)) {
		r := s.refuse(c, textNotAllowed)
		return &r
	}
	return nil
}

// methodOf is "product/updateProducts" of "/rest1/product/updateProducts".
func methodOf(path string) string { return strings.TrimPrefix(path, "/rest1/") }

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handleLogin serves POST /rest1/auth/login/{user} with the password in pass (a form
// field, or the query string as some clients send it). A wrong pair is HTTP 200 with
// success:false.
func (s *Server) handleLogin(c *simkit.Call) simkit.Reply {
	form := params(c)
	user := c.R.PathValue("user")
	want := s.opt.User
	if i := strings.IndexByte(want, '@'); i > 0 {
		want = want[:i] // an e-mail user logs in by the part before @
	}
	if user == "" || user != want || form.Get("pass") != s.opt.Password || s.opt.Password == "" {
		return s.refuse(c, textBadLogin)
	}
	tok := s.tokens.Issue(c, s.opt.User)
	exp := s.expiration(c.Now.Add(s.opt.TokenTTL))
	row := map[string]any{"token": tok}
	if exp != nil {
		row["expirationTime"] = exp
	}
	return ok([]any{row}, -1, "Giriş başarılı.")
}
