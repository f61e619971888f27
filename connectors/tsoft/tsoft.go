// Package tsoft is the T-Soft connector: a merchant's own T-Soft web shop, through the
// shop's REST1 web service at https://{shop}/rest1/… (shared/marketplaces/tsoft.md).
// Every call is a form POST with the token in a form field and structured input as a
// JSON string in the field "data"; the token comes from logging in the shop's
// web-service user. Refusals arrive mostly as HTTP 200 with success:false and Turkish
// words, which the connector keeps verbatim and sorts into what the agent acts on: a
// dead token (log in again), a missing licence, method permission or IP permission
// (stop the store and say which), or a refusal of one product.
//
// The reference is built from third-party clients, not from T-Soft's own document, and
// marks much as unconfirmed; each such behaviour is a store setting (settings.go) whose
// default is what the one verified client does. Stock and prices are written by
// ProductCode, synchronously, one product per call by default; variants (sub-products)
// and the price fields are switches. Orders are read by date window. T-Soft documents no
// update of product information, so this connector has no InfoUpdater.
package tsoft

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
)

// Marketplace is the name stores use in the config.
const Marketplace = "tsoft"

const (
	// pageLimit is the most rows one list call returns (product/get, order/get).
	pageLimit = 500
	// codesPerRead is how many product codes one product/get asks for by its
	// pipe-separated ProductCode filter: what a third-party client sends; the most the
	// filter takes is not documented.
	codesPerRead = 50
	// maxBatch is the items of one push: one request in update_mode: array, one
	// request per item in update_mode: single.
	maxBatch = 50
)

// rate is assumed: T-Soft documents no limit, and the only client that paces itself
// keeps to about two requests a second. A store told otherwise sets limits.requests/per.
var rate = connectors.Rate{Requests: 2, Per: time.Second}

// features are T-Soft's with the default settings. There is no sandbox per shop (T-Soft
// runs one demo shop whose address is not published), so test_mode needs a base_url.
var features = connectors.Features{
	Updates:  connectors.ScopeStock | connectors.ScopePrice,
	TestMode: connectors.NoSandbox,
	Key:      connectors.KeySKU,
	MaxBatch: maxBatch,
	PushRate: rate,
	PerItem:  true, // update_mode: single, the documented form
}

// Credential options.
const (
	optUser     = "user"
	optPassword = "password"
)

func init() {
	connectors.Register(&connectors.RegInfo{
		Name:        Marketplace,
		Description: "T-Soft",
		Options: []connectors.Option{
			{Name: optUser, Required: true, Identity: true,
				Help: "the web-service user (Web Servis kullanıcısı) created in the T-Soft panel for the agent, not the panel's admin login"},
			{Name: optPassword, Required: true, Secret: true,
				Help: "the password of that web-service user"},
		},
		Settings: settingOptions,
		Features: features,
		New:      func(s *connectors.Store, deps connectors.Deps) (connectors.Connector, error) { return New(s, deps) },
	})
}

// Client is one T-Soft shop: pushes, read-back and orders through one HTTP client, one
// pacer and one web-service token.
type Client struct {
	store    string
	features connectors.Features
	set      settings
	http     *httpx.Client
	pacer    *httpx.Pacer
	tokens   *httpx.TokenSource
	log      zerolog.Logger
	clock    httpx.Clock
	user     string
	variants *variantMap // nil unless settings.variants is on
	// fetchOrders: the store imports orders, so Test checks the order list too.
	fetchOrders bool
}

var (
	_ connectors.Pusher       = (*Client)(nil)
	_ connectors.Tester       = (*Client)(nil)
	_ connectors.ReadBacker   = (*Client)(nil)
	_ connectors.OrderFetcher = (*Client)(nil)
)

// New builds a client for a store that passed connectors.Check; it does no I/O (the
// first call logs in).
func New(s *connectors.Store, deps connectors.Deps) (*Client, error) {
	set, err := readSettings(s.Settings)
	if err != nil {
		return nil, err
	}
	base := set.host
	if s.BaseURL != "" {
		base = s.BaseURL
	}
	clock := httpx.ClockOf(deps)
	user, pass := s.Credentials.Get(optUser), s.Credentials.Get(optPassword)
	red := httpx.NewRedactor(pass)
	f := features.WithLimits(s.Limits)
	if set.discount {
		f.ListPrice = true
	}
	if set.array {
		f.PerItem = false // one request for the batch, then a read-back
	}
	c := &Client{store: s.Name, features: f, set: set, log: deps.Log, clock: clock, user: user, fetchOrders: s.Orders}
	c.pacer = httpx.StorePacer(s, clock, rate, nil)
	c.http = httpx.New(httpx.Config{
		Name:        "T-Soft",
		BaseURL:     base,
		UserAgent:   "syncagent (T-Soft connector)",
		Timeout:     s.Timeout(30 * time.Second),
		Pacer:       c.pacer,
		Redactor:    red,
		ShouldRetry: shouldRetry,
		ErrorText:   errorText,
		Log:         deps.Log,
		Clock:       clock,
	})
	c.tokens = httpx.NewTokenSource(clock, red, func(ctx context.Context) (httpx.Token, error) { return c.login(ctx, pass) })
	if set.variants {
		c.variants = newVariantMap(c)
	}
	return c, nil
}

// Features are T-Soft's with the store's settings and limits applied.
func (c *Client) Features() connectors.Features { return c.features }

// Test logs in and then calls each method the agent will use, as cheaply as each
// allows, so that a missing method permission is found now and named: product/get with
// one row; product/updateProducts with a product code that does not exist and no field
// (settings.probe_update); the variant methods when variants are on; the order list
// over one day when the store fetches orders.
func (c *Client) Test(ctx context.Context) error {
	if _, err := c.do(ctx, call{method: "product/get", form: formOf("start", "0", "limit", "1")}); err != nil {
		return err
	}
	if c.set.probe {
		if err := c.probe(ctx, "product/updateProducts", map[string]string{"ProductCode": probeCode}); err != nil {
			return err
		}
	}
	if c.set.variants {
		if _, err := c.do(ctx, call{method: "subProduct/getSubProducts", form: formOf("start", "0", "limit", "1")}); err != nil {
			return err
		}
		if c.set.probe {
			err := c.probe(ctx, subUpdateMethod, map[string]string{"SubProductCode": probeCode})
			if noMethod(err) {
				return &connectors.Error{Kind: connectors.Permanent, Status: http.StatusNotFound, Message: fmt.Sprintf(reasonNoSubMethod, subUpdateMethod)}
			}
			if err != nil {
				return err
			}
		}
	}
	if c.fetchOrders {
		now := c.clock.Now()
		if _, err := c.do(ctx, c.orderCall(now.Add(-24*time.Hour), now, 0, 1)); err != nil {
			return err
		}
	}
	return nil
}

// probeCode is a product code no shop has: an update of it with no field to change
// tells whether the user may call the method, and changes nothing.
const probeCode = "SYNCAGENT-YETKI-TESTI-0"

// probe calls a write method with a harmless body: any refusal about the content (no
// such product) proves the permission; a refusal about the caller is returned.
func (c *Client) probe(ctx context.Context, method string, data any) error {
	_, err := c.do(ctx, call{method: method, data: data, write: true})
	if _, content := err.(*refusal); content {
		return nil
	}
	return err
}

// shouldRetry classifies T-Soft's HTTP-level replies; success:false under HTTP 200 is
// read by do, which knows the method.
func shouldRetry(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
	if err != nil {
		return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
	}
	switch st := resp.Status; {
	case st >= 300 && st < 400:
		return false, &connectors.Error{Kind: connectors.Auth, Message: fmt.Sprintf(
			"the shop redirects its web service to %q; set settings.host to the shop's address as the redirect gives it (with or without www)", resp.Header.Get("Location"))}
	case st == http.StatusNotFound:
		return false, &connectors.Error{Kind: connectors.Auth, Message: "T-Soft answered 404 at /rest1: either settings.host is not the T-Soft shop's address, " +
			"or the shop's package has no REST1 (Gelişmiş Web Servis) licence; ask T-Soft to enable the web service licence"}
	case st == http.StatusInternalServerError && isWrite(ctx):
		return false, &connectors.Error{Kind: connectors.Unknown, Message: fmt.Sprintf(
			"T-Soft failed with 500%s after an update was sent; the shop's PHP may have applied it before failing, so it is read back before sending again", quotedText(errorText(resp.Body)))}
	}
	return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
}

// errorText is the envelope's messages, or the title of an HTML error page.
func errorText(body []byte) string {
	if isHTML("", body) {
		if t := htmlTitle(body); t != "" {
			return "an HTML page: " + t
		}
		return "an HTML page"
	}
	return envelopeText(body)
}

func quotedText(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", s)
}
