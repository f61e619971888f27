package pazarsyncsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

// gate authenticates (/api/v1 by bearer token, the token endpoint by the client id in
// its body) and counts the request against that client's minute and day budgets.
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	key := "anonymous"
	var unauthorized *simkit.Reply
	if c.Endpoint == "token" {
		var body struct {
			ClientID string `json:"client_id"`
		}
		if json.Unmarshal(c.Body, &body) == nil && body.ClientID == s.opt.ClientID {
			key = body.ClientID
		}
	} else {
		client, err := s.tokens.Bearer(c)
		if err != nil {
			r := fail(http.StatusUnauthorized, err.Error())
			r.Body.(map[string]any)["error"] = "invalid_token"
			r.Header = http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
			unauthorized = &r
		} else {
			key = client
			c.Principal = client
		}
	}
	d := simkit.Spend(c.Now, simkit.Budget{Limiter: s.minute, Key: key}, simkit.Budget{Limiter: s.day, Key: key})
	if r := s.rate.Answer(c, d, errBody(errCode(429), "rate limit exceeded for your plan")); r != nil {
		return r
	}
	return unauthorized
}

// handleToken serves POST /api/auth/token: a JSON body (not a form) with the client
// credentials; bad ones get 401 {"error":"invalid_client"}.
func (s *Server) handleToken(c *simkit.Call) simkit.Reply {
	if ct := c.R.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return simkit.JSON(http.StatusBadRequest, errBody("invalid_request", "Content-Type must be application/json"))
	}
	var req struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		GrantType    string `json:"grant_type"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return simkit.JSON(http.StatusBadRequest, errBody("invalid_request", "request body is not valid JSON"))
	}
	if req.GrantType != "client_credentials" {
		return simkit.JSON(http.StatusBadRequest, errBody("unsupported_grant_type", "grant_type must be client_credentials"))
	}
	if req.ClientID != s.opt.ClientID || req.ClientSecret != s.opt.ClientSecret || req.ClientID == "" {
		return simkit.JSON(http.StatusUnauthorized, errBody("invalid_client", "client authentication failed"))
	}
	tok := s.tokens.Issue(c, req.ClientID)
	return simkit.JSON(http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "bearer", "expires_in": int64(s.opt.ExpiresIn / time.Second),
	})
}
