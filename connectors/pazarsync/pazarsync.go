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

// features are PazarSync's on the Temel plan, the smallest: stock only (no price
// endpoint is documented), no sandbox, 60 requests a minute per client (the token
// request included). A store's settings.plan replaces the rate with its plan's.
var features = connectors.Features{
	Updates:  connectors.ScopeStock,
	TestMode: connectors.NoSandbox,
	Key:      connectors.KeySKU,
	MaxBatch: maxItems,
	PushRate: plans[planTemel].minute,
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
		Settings: []connectors.Option{
			{Name: setPlan, Default: planTemel, Valid: validPlan,
				Help: "the PazarSync subscription plan: temel (60 requests a minute, 10 000 a day), işletme (300 a minute, 50 000 a day) or kurumsal (1 000 a minute, no daily limit)"},
			{Name: setDaily, Valid: validDaily,
				Help: "requests a day this agent may spend, when the account's daily budget is shared with another tool (at most the plan's); leave it out to use the plan's"},
		},
		Check:    checkDaily,
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

	plan  plan
	pacer *httpx.Pacer

	mu     sync.Mutex
	idToSK map[string]string // product id → SKU, learned from lists, for errors that name ids
}

var (
	_ connectors.Pusher        = (*Client)(nil)
	_ connectors.Tester        = (*Client)(nil)
	_ connectors.ReadBacker    = (*Client)(nil)
	_ connectors.OrderFetcher  = (*Client)(nil)
	_ connectors.QuotaReporter = (*Client)(nil)
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
	pl, err := storePlan(s)
	if err != nil {
		return nil, err
	}
	f := features
	f.PushRate = pl.minute
	c := &Client{store: s.Name, features: f.WithLimits(s.Limits), log: deps.Log, clock: clock, idToSK: map[string]string{}, plan: pl}
	c.pacer = httpx.StorePacer(s, clock, pl.minute, nil)
	c.pacer.SetQuota(pl.day)
	// Pushes may not spend the day's last 5 %: an order not fetched is stock every other
	// store still sells, so order fetches keep a reserve (UseQuotaReserve in FetchOrders).
	c.pacer.SetQuotaReserve(pl.day.Requests / 20)
	c.http = httpx.New(httpx.Config{
		Name:        "PazarSync",
		BaseURL:     base,
		UserAgent:   "syncagent (PazarSync connector)",
		Timeout:     s.Timeout(30 * time.Second),
		Pacer:       c.pacer,
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
