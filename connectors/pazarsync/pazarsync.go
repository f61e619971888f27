// Package pazarsync is the PazarSync connector: an OAuth2 client-credentials token,
// synchronous batch stock updates by SKU with per-item failures, and read-back from the
// product list (shared/marketplaces/pazarsync.md). PazarSync documents no price
// endpoint, so this connector pushes quantities only.
package pazarsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/config"
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

var caps = connectors.Capabilities{
	Marketplace: Marketplace,
	MaxBatch:    maxItems,
	PushRate:    plan,
	Key:         connectors.KeySKU,
	Stock:       true,
	Orders:      true, // orders.go registers the fetcher
}

// retryErrorCodes are the statuses after which the same request may be sent again.
var retryErrorCodes = []int{429, 500, 502, 503, 504}

// Client is one PazarSync store.
type Client struct {
	store string
	caps  connectors.Capabilities
	http  *httpx.Client
	log   zerolog.Logger

	mu     sync.Mutex
	idToSK map[string]string // product id → SKU, learned from lists, for errors that name ids
}

var (
	_ connectors.Connector  = (*Client)(nil)
	_ connectors.ReadBacker = (*Client)(nil)
)

func init() {
	connectors.Register(Marketplace, connectors.Factory{New: newConnector, Validate: Validate, Capabilities: caps})
}

// Validate checks what PazarSync needs of a store's config.
func Validate(s *config.Store) error {
	var errs []error
	if !s.Credentials.ClientID.IsSet() {
		errs = append(errs, errors.New("credentials.client_id is required (PazarSync panel: Ayarlar → API)"))
	}
	if !s.Credentials.ClientSecret.IsSet() {
		errs = append(errs, errors.New("credentials.client_secret is required (PazarSync panel: Ayarlar → API)"))
	}
	if connectors.ScopeHasPrice(s.Rules.Scope) {
		errs = append(errs, fmt.Errorf("rules.scope is %q, but PazarSync's API has no way to update prices (it documents stock updates only), so prices would never reach the store; set rules.scope: stock", s.Rules.Scope))
	}
	if err := connectors.NoTestEnvironment(s, "PazarSync"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func newConnector(s *config.Store, deps connectors.Deps) (connectors.Connector, error) {
	return New(s, deps)
}

// New builds a client for store; it does no I/O (the first call fetches the token).
func New(s *config.Store, deps connectors.Deps) (*Client, error) {
	if err := Validate(s); err != nil {
		return nil, err
	}
	base := ProdURL
	if s.BaseURL != "" {
		base = s.BaseURL
	}
	clock := httpx.ClockOf(deps)
	cred := s.Credentials
	red := httpx.NewRedactor(cred.ClientID.Value(), cred.ClientSecret.Value())
	c := &Client{store: s.Name, caps: caps.WithLimits(s.Limits), log: deps.Log, idToSK: map[string]string{}}
	c.http = httpx.New(httpx.Config{
		Name:        "PazarSync",
		BaseURL:     base,
		UserAgent:   "syncagent (PazarSync connector)",
		Timeout:     httpx.StoreTimeout(s, 30*time.Second),
		Pacer:       httpx.StorePacer(s, clock, plan, nil),
		Redactor:    red,
		ShouldRetry: shouldRetry,
		ErrorText:   errorText,
		Log:         deps.Log,
		Clock:       clock,
	})
	c.http.SetAuth(httpx.NewTokenSource(clock, red, httpx.ClientCredentials{
		Path: tokenPath, ClientID: cred.ClientID.Value(), ClientSecret: cred.ClientSecret.Value(),
		Keys: "credentials.client_id and credentials.client_secret",
	}.Fetcher(c.http)))
	return c, nil
}

// Capabilities are PazarSync's, with the store's limits applied.
func (c *Client) Capabilities() connectors.Capabilities { return c.caps }

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
	return httpx.ShouldRetry(ctx, resp, err, retryErrorCodes)
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
