package ikassim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

// gate refuses a call of a blocked store, counts it against the app's 50 / 10 s (a
// refusal is 429), and refuses an expired, revoked or unknown token with the documented
// HTTP 200 and errors[].extensions.code LOGIN_REQUIRED (401 in Status401 mode). The
// token endpoint (another host in reality) passes untouched.
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	if c.Endpoint == "token" {
		return nil
	}
	if until, blocked := s.ban.blocked(c.Now); blocked {
		r := simkit.JSON(s.opt.BanStatus, errorsBody(gqlErr("TOO_MANY_REQUESTS",
			"this store is blocked for its share of failed requests until "+until.UTC().Format(time.RFC3339))))
		r.Header = http.Header{"Retry-After": {simkit.RetryAfterSeconds(until.Sub(c.Now))}}
		return &r
	}
	principal, authErr := s.tokens.Bearer(c)
	key := principal
	if authErr != nil {
		key = "anonymous"
	}
	d := simkit.Spend(c.Now, simkit.Budget{Limiter: s.limit, Key: key})
	if r := s.rate.Answer(c, d, errorsBody(gqlErr("TOO_MANY_REQUESTS", "rate limit exceeded: 50 requests per 10 seconds"))); r != nil {
		return r
	}
	if authErr != nil {
		if s.opt.Status401 {
			r := simkit.JSON(http.StatusUnauthorized, errorsBody(gqlErr("LOGIN_REQUIRED", "Login required")))
			return &r
		}
		r := simkit.JSON(http.StatusOK, map[string]any{"data": nil, "errors": []any{gqlErr("LOGIN_REQUIRED", "Login required")}})
		r.CountAs = http.StatusUnauthorized
		return &r
	}
	c.Principal = principal
	return nil
}

// handleToken serves POST /api/admin/oauth/token: a form with grant_type
// client_credentials, client_id and client_secret.
func (s *Server) handleToken(c *simkit.Call) simkit.Reply {
	if ct := c.R.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return simkit.JSON(http.StatusBadRequest, oauthErr("invalid_request", "the body must be application/x-www-form-urlencoded"))
	}
	form, err := url.ParseQuery(string(c.Body))
	if err != nil {
		return simkit.JSON(http.StatusBadRequest, oauthErr("invalid_request", "the form could not be read"))
	}
	if form.Get("grant_type") != "client_credentials" {
		return simkit.JSON(http.StatusBadRequest, oauthErr("unsupported_grant_type", "grant_type must be client_credentials"))
	}
	if form.Get("client_id") == "" || form.Get("client_id") != s.opt.ClientID || form.Get("client_secret") != s.opt.ClientSecret {
		return simkit.JSON(http.StatusUnauthorized, oauthErr("invalid_client", "client authentication failed"))
	}
	tok := s.tokens.Issue(c, form.Get("client_id"))
	return simkit.JSON(http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int64(s.opt.ExpiresIn / time.Second),
	})
}

func oauthErr(code, msg string) map[string]any {
	return map[string]any{"error": code, "error_description": msg}
}

// granted reports whether the app holds scope now.
func (s *Server) granted(scope string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.scopes, scope)
}

func (s *Server) scopeString() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.scopes, ",")
}
