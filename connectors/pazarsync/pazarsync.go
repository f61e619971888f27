// Package pazarsync is the PazarSync connector: an OAuth2 client-credentials token,
// synchronous batch stock updates by SKU with per-item failures, and read-back from the
// product list (shared/marketplaces/pazarsync.md). PazarSync documents no price
// endpoint, so this connector pushes quantities only.
package pazarsync

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/pazarsync/api"
)

// Marketplace is the name stores use in the config.
const Marketplace = "pazarsync"

// ProdURL is PazarSync's API; a store's base_url overrides it (there is no sandbox).
const ProdURL = "https://api.pazarsync.com"

const (
	maxItems  = 100 // items per stocks/batch request (undocumented; the list maximum)
	pageLimit = 100 // products per list page (documented maximum)
	tokenPath = "/api/auth/token"
)

// plan is the Temel plan, the smallest: 60 requests a minute per client, the token
// request included. A store on a bigger plan says so with limits.requests/per.
var plan = connectors.Rate{Requests: 60, Per: time.Minute}

// features are PazarSync's: stock only (no price endpoint is documented) and no sandbox.
var features = connectors.Features{
	Updates:  connectors.ScopeStock,
	TestMode: connectors.NoSandbox,
	Key:      connectors.KeySKU,
	MaxBatch: maxItems,
	PushRate: plan,
}

// Credential options.
const (
	optClientID     = "client_id"
	optClientSecret = "client_secret"
)

func init() {
	connectors.Register(&connectors.RegInfo{
		Name:        Marketplace,
		Description: "PazarSync",
		Options: []connectors.Option{
			{Name: optClientID, Required: true, Secret: true, Help: "the client id from the PazarSync panel: Ayarlar → API"},
			{Name: optClientSecret, Required: true, Secret: true, Help: "the client secret from the PazarSync panel: Ayarlar → API"},
		},
		Features: features,
		New:      func(s *connectors.Store, deps connectors.Deps) (connectors.Connector, error) { return New(s, deps) },
	})
}

// Client is one PazarSync store: stock pushes, read-back and orders through one HTTP
// client, one pacer and one token.
type Client struct {
	store    string
	features connectors.Features
	http     *httpx.Client
	log      zerolog.Logger
	clock    httpx.Clock

	mu     sync.Mutex
	idToSK map[string]string // product id → SKU, learned from lists, for errors that name ids
}

var (
	_ connectors.Pusher       = (*Client)(nil)
	_ connectors.Tester       = (*Client)(nil)
	_ connectors.ReadBacker   = (*Client)(nil)
	_ connectors.OrderFetcher = (*Client)(nil)
)

// New builds a client for a store that passed connectors.Check; it does no I/O (the
// first call fetches the token).
func New(s *connectors.Store, deps connectors.Deps) (*Client, error) {
	base := ProdURL
	if s.BaseURL != "" {
		base = s.BaseURL
	}
	clock := httpx.ClockOf(deps)
	id, secret := s.Credentials.Get(optClientID), s.Credentials.Get(optClientSecret)
	red := httpx.NewRedactor(id, secret)
	c := &Client{store: s.Name, features: features.WithLimits(s.Limits), log: deps.Log, clock: clock, idToSK: map[string]string{}}
	c.http = httpx.New(httpx.Config{
		Name:        "PazarSync",
		BaseURL:     base,
		UserAgent:   "syncagent (PazarSync connector)",
		Timeout:     s.Timeout(30 * time.Second),
		Pacer:       httpx.StorePacer(s, clock, plan, nil),
		Redactor:    red,
		ShouldRetry: shouldRetry,
		ErrorText:   errorText,
		Log:         deps.Log,
		Clock:       clock,
	})
	c.http.SetAuth(httpx.NewTokenSource(clock, red, httpx.ClientCredentials{
		Path: tokenPath, ClientID: id, ClientSecret: secret,
		Keys: "credentials.client_id and credentials.client_secret",
	}.Fetcher(c.http)))
	return c, nil
}

// Features are PazarSync's, with the store's limits applied.
func (c *Client) Features() connectors.Features { return c.features }

// Test fetches a token and lists one product.
func (c *Client) Test(ctx context.Context) error {
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/v1/products",
		Query: map[string][]string{"limit": {"1"}}})
	return err
}

// shouldRetry classifies PazarSync's replies before the generic rules.
func shouldRetry(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
	if err == nil && resp.Status == http.StatusUnauthorized {
		// Reached only when a freshly fetched token was refused as well.
		return false, &connectors.Error{Kind: connectors.Auth,
			Message: fmt.Sprintf("PazarSync refused a freshly issued token (%q); check credentials.client_id and credentials.client_secret and that the account's API access is on", errorText(resp.Body))}
	}
	return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
}

func errorText(body []byte) string {
	var r api.ErrorReply
	if json.Unmarshal(body, &r) != nil {
		return ""
	}
	switch {
	case r.Error != "" && r.Message != "":
		return r.Error + ": " + r.Message
	case r.Message != "":
		return r.Message
	}
	return r.Error
}
