package n11sim

import (
	"net/http"
	"strings"

	"syncagent/connectors/sim/simkit"
)

// family is the path family of a request: n11 answers auth failures differently on each.
func family(path string) string {
	switch {
	case strings.HasPrefix(path, "/ms/"):
		return "ms"
	case strings.HasPrefix(path, "/rest/"):
		return "rest"
	case strings.HasPrefix(path, "/cdn/"):
		return "cdn"
	}
	return ""
}

// gate checks the appkey and appsecret headers (any case of the names), in each path
// family's own way (n11.md §7), then counts the call against the account's global budget
// and, for shipmentPackages, its documented 1000 a minute.
func (s *Server) gate(c *simkit.Call) *simkit.Reply {
	if c.Endpoint == "unknown" {
		return nil
	}
	key, secret := c.R.Header.Get("appkey"), c.R.Header.Get("appsecret")
	keyOK := key != "" && key == s.opt.AppKey
	both := keyOK && secret != "" && secret == s.opt.AppSecret
	switch family(c.R.URL.Path) {
	case "ms":
		switch {
		case key == "" || secret == "":
			missing := "appsecret"
			if key == "" {
				missing = "appkey"
			}
			r := simkit.JSON(http.StatusInternalServerError, springError("InternalServerException",
				"Required request header '"+missing+"' for method parameter type String is not present", "MissingRequestHeaderException"))
			return &r
		case !both:
			r := simkit.JSON(http.StatusUnauthorized, springError("SellerApiUserUnauthorizedException", MessageAuthFailed, ""))
			return &r
		}
	case "rest":
		switch {
		case key == "" || secret == "":
			r := htmlPage(http.StatusBadRequest, "400 Bad Request")
			return &r
		case !both && s.opt.RestAuth403:
			r := plainText(http.StatusForbidden, "Authentication failed")
			return &r
		case !both:
			r := simkit.JSON(http.StatusBadRequest, restError(400, "SELLER_API.authenticationFailed", MessageAuthFailed))
			return &r
		}
	case "cdn":
		// The category list still answers with the key alone (n11.md §2).
		if !keyOK {
			r := plainText(http.StatusForbidden, "Authentication failed")
			return &r
		}
	}
	c.Principal = key
	budgets := []simkit.Budget{{Limiter: s.global, Key: key}}
	if c.Endpoint == "shipment-packages" {
		budgets = append(budgets, simkit.Budget{Limiter: s.orders, Key: key})
	}
	d := simkit.Spend(c.Now, budgets...)
	if d.Allowed {
		return nil
	}
	if s.opt.OverLimit == OverEmptyPage {
		if r, ok := s.emptyPage(c); ok {
			s.throttled.Add(1)
			return &r
		}
	}
	var body any = springError("TooManyRequestsException", "Too many requests", "")
	if family(c.R.URL.Path) == "rest" {
		body = restError(429, "SELLER_API.tooManyRequests", "Too many requests")
	}
	return s.rate.Answer(c, d, body)
}
