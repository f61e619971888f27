// Package ideasoft is the IdeaSoft connector: the merchant's own web shop on IdeaSoft's
// Admin API (shared/marketplaces/ideasoft.md). Access is OAuth2 authorization code: a
// one-time consent in the shop's panel (syncagent authorize), then refresh tokens that
// rotate on every refresh and are kept, durably and before use, in the agent's data dir
// (token.go). There is no bulk endpoint: stock, price and product information go out as
// one PUT per product (a variant is a product of its own), confirmed by the reply. Orders
// are listed by sinceId within a creation-date window that is read again on every fetch,
// because the API has no filter on updatedAt.
package ideasoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/ideasoft/api"
	"syncagent/connectors/order"
)

// Marketplace is the name stores use in the config.
const Marketplace = "ideasoft"

const (
	adminPath   = "/admin-api"
	tokenPath   = "/oauth/v2/token"
	consentPath = "/panel/auth"
	pageLimit   = 100 // the lists' documented maximum
	maxItems    = 10  // items per Push: each is its own PUT
	tokenBucket = "token"
)

// defaultRate is assumed: IdeaSoft publishes no number (UNCONFIRMED), only that too many
// requests get 429. Two requests a second for the whole store; a 429 holds the pacer for
// its Retry-After, and limits.requests/per set another budget on IdeaSoft's word.
var defaultRate = connectors.Rate{Requests: 120, Per: time.Minute}

// features are IdeaSoft's: stock, price1 and some product information, one product per
// request, confirmed synchronously; no sandbox (a test store is a separate shop).
var features = connectors.Features{
	Updates:      connectors.ScopeStock | connectors.ScopePrice | connectors.ScopeInfo,
	TestMode:     connectors.NoSandbox,
	Key:          connectors.KeyMapped,
	MaxBatch:     maxItems,
	PerItem:      true,
	PushRate:     defaultRate,
	InfoFields:   connectors.InfoTitle | connectors.InfoVATRate | connectors.InfoActive,
	MaxInfoBatch: maxItems,
}

// Credential options and settings.
const (
	optShop         = "shop"
	optClientID     = "client_id"
	optClientSecret = "client_secret"
	setRedirectURI  = "redirect_uri"
	setPutBody      = "put_body"
	setPersonal     = "personal_status_" // 1..3
)

// DefaultRedirectURI is the redirect URI authorize listens on unless settings.redirect_uri
// names another; it must be the one registered with the API app in the panel.
const DefaultRedirectURI = "http://127.0.0.1:53682/callback"

var hostRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

func validShop(v string) error {
	if strings.Contains(v, "/") || strings.Contains(v, ":") {
		return errors.New("must be the shop's address alone, such as magaza.myideasoft.com (no https://, no path)")
	}
	if !hostRE.MatchString(v) {
		return errors.New("must be the shop's sub-domain (magaza) or host (magaza.myideasoft.com), in lower case")
	}
	return nil
}

func validRedirect(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http:// or https:// address, exactly as registered with the API app in the IdeaSoft panel")
	}
	return nil
}

func validPutBody(v string) error {
	switch v {
	case "auto", "partial", "full":
		return nil
	}
	return errors.New("must be auto, partial or full")
}

func validPersonal(v string) error {
	if _, ok := personalChoices[v]; !ok {
		return errors.New("must be one of new, processing, shipped, delivered, cancelled, returned")
	}
	return nil
}

var personalChoices = map[string]order.Status{
	"new": order.New, "processing": order.Processing, "shipped": order.Shipped,
	"delivered": order.Delivered, "cancelled": order.Cancelled, "returned": order.Returned,
}

func init() {
	settings := []connectors.Option{
		{Name: setRedirectURI, Default: DefaultRedirectURI, Valid: validRedirect,
			Help: "the redirect URI registered with the API app in the IdeaSoft panel (Entegrasyonlar › API); syncagent authorize receives the consent there, or asks you to paste the address the browser ended at"},
		{Name: setPutBody, Default: "auto", Valid: validPutBody,
			Help: "how a product update is sent: partial (only the changed fields), full (the product read first, changed and sent whole: two requests), or auto (partial until IdeaSoft asks for the required fields)"},
	}
	for i := 1; i <= 3; i++ {
		settings = append(settings, connectors.Option{Name: fmt.Sprintf("%s%d", setPersonal, i), Default: "processing", Valid: validPersonal,
			Help: fmt.Sprintf("what the shop's own order status personal_status_%d means: new, processing, shipped, delivered, cancelled or returned", i)})
	}
	connectors.Register(&connectors.RegInfo{
		Name:        Marketplace,
		Description: "IdeaSoft",
		Options: []connectors.Option{
			{Name: optShop, Required: true, Identity: true, Valid: validShop,
				Help: "the IdeaSoft shop: its sub-domain (magaza for magaza.myideasoft.com) or its myideasoft.com host"},
			{Name: optClientID, Required: true, Secret: true, Help: "the Client ID of the API app, from the IdeaSoft panel: Entegrasyonlar › API"},
			{Name: optClientSecret, Required: true, Secret: true, Help: "the Client Secret of the API app, from the IdeaSoft panel: Entegrasyonlar › API"},
		},
		Settings: settings,
		Features: features,
		Check: func(s *connectors.Store) []error {
			if s.DataDir == "" {
				return []error{&connectors.FieldError{Key: "data_dir",
					Msg: "IdeaSoft keeps the store's refresh token in the data dir, and none was given"}}
			}
			return nil
		},
		New: func(s *connectors.Store, deps connectors.Deps) (connectors.Connector, error) { return New(s, deps) },
	})
}

// Client is one IdeaSoft shop: pushes, read-back, information updates and orders through
// one HTTP client, one pacer and one token.
type Client struct {
	name     string
	shop     string // the host: magaza.myideasoft.com
	origin   string // https://magaza.myideasoft.com, or the store's base_url
	features connectors.Features
	http     *httpx.Client
	log      zerolog.Logger
	clock    httpx.Clock
	red      *httpx.Redactor

	clientID, secret string
	redirect         string
	putBody          string
	fullPut          atomic.Bool // auto: IdeaSoft refused a partial body once
	personal         [3]order.Status
	fetchOrders      bool

	tokens *tokenStore
	auth   *authenticator
	ids    *idMap
}

var (
	_ connectors.Pusher       = (*Client)(nil)
	_ connectors.Tester       = (*Client)(nil)
	_ connectors.ReadBacker   = (*Client)(nil)
	_ connectors.OrderFetcher = (*Client)(nil)
	_ connectors.InfoUpdater  = (*Client)(nil)
)

// Host is the shop's host for a shop option: a bare sub-domain gets .myideasoft.com.
func Host(shop string) string {
	if strings.Contains(shop, ".") {
		return shop
	}
	return shop + ".myideasoft.com"
}

// New builds a client for a store that passed connectors.Check. It does no I/O: the
// token file is read on the first request.
func New(s *connectors.Store, deps connectors.Deps) (*Client, error) {
	shop := Host(s.Credentials.Get(optShop))
	origin := "https://" + shop
	if s.BaseURL != "" {
		origin = strings.TrimRight(s.BaseURL, "/")
	}
	clock := httpx.ClockOf(deps)
	id, secret := s.Credentials.Get(optClientID), s.Credentials.Get(optClientSecret)
	c := &Client{
		name: s.Name, shop: shop, origin: origin, features: features.WithLimits(s.Limits),
		log: deps.Log, clock: clock, red: httpx.NewRedactor(id, secret),
		clientID: id, secret: secret, redirect: setting(s, setRedirectURI, DefaultRedirectURI),
		putBody: setting(s, setPutBody, "auto"), fetchOrders: s.Orders,
	}
	for i := range c.personal {
		c.personal[i] = personalChoices[setting(s, fmt.Sprintf("%s%d", setPersonal, i+1), "processing")]
	}
	c.http = httpx.New(httpx.Config{
		Name:        "IdeaSoft",
		BaseURL:     origin,
		UserAgent:   "syncagent (IdeaSoft connector)",
		Timeout:     s.Timeout(30 * time.Second),
		Pacer:       httpx.StorePacer(s, clock, defaultRate, nil),
		Redactor:    c.red,
		ShouldRetry: c.shouldRetry,
		ErrorText:   errorText,
		Log:         deps.Log,
		Clock:       clock,
	})
	c.tokens = newTokenStore(s.DataDir, s.Name, shop, id, clock)
	c.auth = newAuthenticator(c)
	c.http.SetAuth(c.auth)
	c.ids = newIDMap(c)
	return c, nil
}

func setting(s *connectors.Store, name, def string) string {
	if v := s.Settings[name]; v != "" {
		return v
	}
	return def
}

// Features are IdeaSoft's, with the store's limits applied.
func (c *Client) Features() connectors.Features { return c.features }

// Test refreshes the token when it must and lists one product (product_read), and one
// order when the store fetches orders (order_read): 401 is a consent to renew, 403 a
// permission the API app lacks.
func (c *Client) Test(ctx context.Context) error {
	if _, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: adminPath + "/products",
		Query: url.Values{"limit": {"1"}}}); err != nil {
		return err
	}
	if !c.fetchOrders {
		return nil
	}
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: adminPath + "/orders",
		Query: url.Values{"limit": {"1"}}})
	return err
}

// shouldRetry classifies IdeaSoft's replies before the generic rules: a 401 that
// survived a fresh token and a 403 (a scope the app lacks) in words that say what to do.
func (c *Client) shouldRetry(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
	if err == nil && resp.Status == http.StatusUnauthorized {
		return false, &connectors.Error{Kind: connectors.Auth, Hint: c.consentHint(),
			Message: fmt.Sprintf("IdeaSoft refused a fresh access token of store %s%s; the API app's access may have been removed in the panel: run `syncagent authorize %s` again",
				c.name, quoted(errorText(resp.Body)), c.name)}
	}
	if err == nil && resp.Status == http.StatusForbidden {
		return false, &connectors.Error{Kind: connectors.Auth,
			Hint: fmt.Sprintf("the API app's permissions in the IdeaSoft panel (Entegrasyonlar › API): read and write products and orders; then run `syncagent authorize %s`", c.name),
			Message: fmt.Sprintf("IdeaSoft says the API app of store %s lacks a permission%s; in the IdeaSoft panel (Entegrasyonlar › API) give the app read and write access to products and orders, then run `syncagent authorize %s` again",
				c.name, quoted(errorText(resp.Body)), c.name)}
	}
	return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
}

// errorText finds IdeaSoft's words in an error body (OAuth errors included) and the
// messages of a 422 by field.
func errorText(body []byte) string {
	var r api.ErrorReply
	if json.Unmarshal(body, &r) != nil {
		return ""
	}
	var parts []string
	for _, s := range []string{r.Error, r.Description, r.Message, r.Detail} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if f := fieldErrors(r.Errors); f != "" {
		parts = append(parts, f)
	}
	return strings.Join(parts, ": ")
}

// fieldErrors flattens {"stockAmount": ["..."]} or [{"field","message"}] into words.
func fieldErrors(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var byField map[string][]string
	if json.Unmarshal(raw, &byField) == nil {
		keys := make([]string, 0, len(byField))
		for k := range byField {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var out []string
		for _, k := range keys {
			out = append(out, k+": "+strings.Join(byField[k], " "))
		}
		return strings.Join(out, "; ")
	}
	var list []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, e := range list {
			out = append(out, strings.TrimPrefix(e.Field+": "+e.Message, ": "))
		}
		return strings.Join(out, "; ")
	}
	return ""
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", s)
}
