// Package giyimmoda is the Giyim Moda seller API connector: key-pair auth, the
// synchronous partial-success bulk update keyed by Giyim Moda's numeric product id, a
// SKU → id map built from the product list, and read-back from the same list
// (shared/marketplaces/giyimmoda.md).
package giyimmoda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/giyimmoda/api"
	"syncagent/connectors/httpx"
)

// Marketplace is the name stores use in the config.
const Marketplace = "giyimmoda"

// ProdURL is Giyim Moda's site; every API path starts with /api/seller. A store's
// base_url overrides it (there is no sandbox).
const ProdURL = "https://www.giyimmoda.com.tr"

const (
	maxItems = 100 // items per bulk update (undocumented; assumed)
	pageSize = 100 // products per list page (the maximum is undocumented)
	bulkPath = "/api/seller/products/bulk-update"
	listPath = "/api/seller/products"
)

// limit is the documented 600 requests a minute per credential.
var limit = connectors.Rate{Requests: 600, Per: time.Minute}

// features are Giyim Moda's: stock and sale prices by product id, no sandbox.
var features = connectors.Features{
	Updates:  connectors.ScopeStock | connectors.ScopePrice,
	TestMode: connectors.NoSandbox,
	Key:      connectors.KeyMapped,
	MaxBatch: maxItems,
	PushRate: limit,
}

// Credential options.
const (
	optAPIKey    = "api_key"
	optAPISecret = "api_secret"
)

func init() {
	connectors.Register(&connectors.RegInfo{
		Name:        Marketplace,
		Description: "Giyim Moda",
		Options: []connectors.Option{
			{Name: optAPIKey, Required: true, Secret: true, Help: "the sk_… key from the Giyim Moda seller panel"},
			{Name: optAPISecret, Required: true, Secret: true, Help: "shown with the API key in the Giyim Moda seller panel"},
		},
		Features: features,
		New:      func(s *connectors.Store, deps connectors.Deps) (connectors.Connector, error) { return New(s, deps) },
	})
}

// Client is one Giyim Moda store: pushes, read-back and orders through one HTTP client
// and one pacer.
type Client struct {
	store    string
	features connectors.Features
	http     *httpx.Client
	log      zerolog.Logger
	ids      *idMap
	orders   *orderFetcher
}

var (
	_ connectors.Pusher       = (*Client)(nil)
	_ connectors.Tester       = (*Client)(nil)
	_ connectors.ReadBacker   = (*Client)(nil)
	_ connectors.OrderFetcher = (*Client)(nil)
)

// New builds a client for a store that passed connectors.Check; it does no I/O (the
// first push reads the product list).
func New(s *connectors.Store, deps connectors.Deps) (*Client, error) {
	base := ProdURL
	if s.BaseURL != "" {
		base = s.BaseURL
	}
	clock := httpx.ClockOf(deps)
	key, secret := s.Credentials.Get(optAPIKey), s.Credentials.Get(optAPISecret)
	c := &Client{store: s.Name, features: features.WithLimits(s.Limits), log: deps.Log}
	c.http = httpx.New(httpx.Config{
		Name:      "Giyim Moda",
		BaseURL:   base,
		UserAgent: "syncagent (Giyim Moda connector)",
		// Giyim Moda's bulk calls are synchronous and slow (about 0.65 s per product
		// for creation), so a whole batch needs minutes, not seconds.
		Timeout:     s.Timeout(120 * time.Second),
		Auth:        httpx.Headers{"X-API-Key": key, "X-API-Secret": secret},
		Pacer:       httpx.StorePacer(s, clock, limit, nil),
		Redactor:    httpx.NewRedactor(key, secret),
		ShouldRetry: shouldRetry,
		ErrorText:   errorText,
		Log:         deps.Log,
		Clock:       clock,
	})
	c.ids = newIDMap(c.http, clock)
	c.orders = &orderFetcher{c: c, clock: clock}
	return c, nil
}

// Features are Giyim Moda's, with the store's limits applied.
func (c *Client) Features() connectors.Features { return c.features }

// Test reads the seller profile, the documented health check.
func (c *Client) Test(ctx context.Context) error {
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/seller/profile"})
	return err
}

// shouldRetry classifies Giyim Moda's replies before the generic rules.
func shouldRetry(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
	if err == nil && resp.Status == http.StatusUnauthorized {
		return false, &connectors.Error{Kind: connectors.Auth,
			Message: fmt.Sprintf("Giyim Moda did not accept the API key pair (%q); check credentials.api_key and credentials.api_secret", errorText(resp.Body))}
	}
	if err == nil && resp.Status < 300 {
		// Laravel may answer 200 with success:false.
		var env api.Envelope
		if json.Unmarshal(resp.Body, &env) == nil && env.Success != nil && !*env.Success {
			return false, &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("Giyim Moda answered success: false (%q)", errorText(resp.Body))}
		}
	}
	return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
}

// errorText is the envelope's message with the first field errors, as Laravel sends them.
func errorText(body []byte) string {
	var env api.Envelope
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	fields := fieldErrors(env.Errors)
	if len(fields) == 0 {
		return env.Message
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if len(parts) == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-3))
			break
		}
		parts = append(parts, strings.Join(fields[k], " "))
	}
	msg := strings.Join(parts, "; ")
	if env.Message != "" && !strings.Contains(msg, env.Message) {
		msg = env.Message + ": " + msg
	}
	return msg
}

// fieldErrors reads Laravel's {"field": ["message", …]}.
func fieldErrors(raw json.RawMessage) map[string][]string {
	var m map[string][]string
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}
