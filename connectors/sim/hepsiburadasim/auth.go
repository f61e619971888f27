package hepsiburadasim

import (
	"encoding/base64"
	"net"
	"net/http"
	"strings"

	"syncagent/connectors/sim/simkit"
)

// gate applies, in order, the per-IP limits (the per-minute one on every host, the
// per-second ones of the order host and the catalog), then authentication: the
// User-Agent must be exactly the registered integrator name, the Basic pair the merchant
// id and service key, and the path's merchant id the Basic user. Each host refuses in
// its own shape (api.go).
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	ip := clientIP(c.R)
	d := simkit.Spend(c.Now, simkit.Budget{Limiter: s.minute, Key: ip})
	if r := s.rate.Answer(c, d, s.tooMany(c.Group)); r != nil {
		return r
	}
	switch c.Group {
	case hostOMS:
		if s.opt.OMSPerSecond > 0 {
			d := simkit.Spend(c.Now, simkit.Budget{Limiter: s.second, Key: ip})
			if r := s.burst.Answer(c, d, s.tooMany(c.Group)); r != nil {
				return r
			}
		}
	case hostCatalog:
		if d := simkit.Spend(c.Now, simkit.Budget{Limiter: s.catalog, Key: ip}); !d.Allowed {
			// The catalog answers its own limit with 403, not 429 (traps.md §7).
			r := simkit.JSON(http.StatusForbidden, map[string]any{"message": "Forbidden", "description": "request rate limit exceeded"})
			return &r
		}
	}
	user, pass, ok := basic(c.R.Header.Get("Authorization"))
	switch {
	case !ok || user != s.opt.MerchantID || pass != s.opt.ServiceKey:
		return s.unauthorized(c.Group)
	case c.R.Header.Get("User-Agent") != s.opt.Integrator:
		// A wrong integrator name is refused like wrong credentials ([SDK README §1]).
		return s.unauthorized(c.Group)
	}
	if m := c.R.PathValue("merchantId"); m != "" && m != s.opt.MerchantID && c.Endpoint != epWrongCase {
		return s.unauthorized(c.Group)
	}
	c.Principal = user
	return nil
}

func basic(h string) (user, pass string, ok bool) {
	enc, found := strings.CutPrefix(h, "Basic ")
	if !found {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	return user, pass, ok
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
