package giyimmodasim

import (
	"encoding/json"
	"net/http"
	"strconv"

	"syncagent/connectors/sim/simkit"
)

// gate counts the request against its credential's minute budget, then authenticates.
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	principal := s.principal(c)
	key := principal
	if key == "" {
		key = "anonymous"
	}
	d := simkit.Spend(c.Now, simkit.Budget{Limiter: s.limiter, Key: key})
	if r := s.rate.Answer(c, d, failBody("Too Many Attempts.", nil)); r != nil {
		if s.opt.RateHeaders { // Laravel's throttle also names the second the limit lifts
			r.Header.Set("X-RateLimit-Reset", strconv.FormatInt(d.Reset.Unix()+1, 10))
		}
		return r
	}
	if c.Endpoint == "login" {
		return nil
	}
	if principal == "" {
		r := fail(http.StatusUnauthorized, "Unauthenticated.")
		return &r
	}
	c.Principal = principal
	return nil
}

func (s *Server) principal(c *simkit.Call) string {
	key, secret := c.R.Header.Get("X-API-Key"), c.R.Header.Get("X-API-Secret")
	if key != "" && key == s.opt.APIKey && secret == s.opt.APISecret && s.opt.APISecret != "" {
		return "key:" + key
	}
	if who, err := s.tokens.Bearer(c); err == nil {
		return who
	}
	return ""
}

// handleLogin serves the assumed POST /api/seller/login {"email","password"}.
func (s *Server) handleLogin(c *simkit.Call) simkit.Reply {
	var req struct{ Email, Password string }
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return fail(http.StatusBadRequest, "Invalid JSON body.")
	}
	errs := map[string][]string{}
	if req.Email == "" {
		errs["email"] = []string{"The email field is required."}
	}
	if req.Password == "" {
		errs["password"] = []string{"The password field is required."}
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	if s.opt.Email == "" || req.Email != s.opt.Email || req.Password != s.opt.Password {
		return fail(http.StatusUnauthorized, "Invalid credentials.")
	}
	tok := s.tokens.Issue(c, "token:"+s.opt.Email)
	return simkit.JSON(http.StatusOK, okBody("Giriş başarılı", map[string]any{
		"token": tok, "token_type": "Bearer", "user": s.profile(),
	}))
}

func (s *Server) profile() map[string]any {
	return map[string]any{"id": s.opt.SellerID, "name": "Giyim Moda Satıcı", "email": s.opt.Email,
		"user_type": "seller", "shop": map[string]any{"id": s.opt.SellerID*10 + 1, "name": "Moda Deposu", "verification_status": 1}}
}

// handleProfile serves GET /api/seller/profile and /api/seller/shop: the health check.
func (s *Server) handleProfile(c *simkit.Call) simkit.Reply {
	return simkit.JSON(http.StatusOK, okBody("", s.profile()))
}
