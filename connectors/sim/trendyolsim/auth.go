package trendyolsim

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"syncagent/connectors/sim/simkit"
)

// userAgent is "{sellerId} - {IntegratorName}", the name alphanumeric and ≤ 30 characters.
var userAgent = regexp.MustCompile(`^(\d+) - ([A-Za-z0-9]{1,30})$`)

// gate applies, in the gateway's order, the rate limits, the User-Agent rule, Basic
// auth, the seller in the path and the storefront header.
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	seller := c.R.PathValue("sellerId")
	d := simkit.Spend(c.Now,
		simkit.Budget{Limiter: s.window, Key: seller + " " + c.Endpoint},
		simkit.Budget{Limiter: s.tiers[c.Group], Key: seller})
	path := c.R.URL.Path
	if r := s.rate.Answer(c, d, errorBody(path, "too.many.requests", "too many requests")); r != nil {
		return r
	}
	m := userAgent.FindStringSubmatch(c.R.Header.Get("User-Agent"))
	if m == nil || m[1] != seller {
		r := simkit.JSON(http.StatusForbidden, errorBody(path, "user.agent.invalid",
			`User-Agent must be "{sellerId} - {IntegratorName}" (alphanumeric, at most 30 characters)`))
		return &r
	}
	if c.R.Header.Get("Authorization") != s.auth || seller != s.opt.SellerID {
		b := errorBody(path, "ClientApiAuthenticationException", "Unauthorized")
		b["exception"] = "ClientApiAuthenticationException"
		r := simkit.JSON(http.StatusUnauthorized, b)
		return &r
	}
	c.Principal = seller
	if sf := c.R.Header.Get("storeFrontCode"); sf != "" && !containsFold(s.opt.StoreFronts, sf) {
		r := simkit.JSON(http.StatusBadRequest, errorBody(path, "invalid.storefrontcode", "invalid storeFrontCode "+fmt.Sprintf("%q", sf)))
		return &r
	}
	return nil
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
