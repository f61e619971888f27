// Package ikas is the ikas connector: the GraphQL Admin API v2 with a private app's
// client credentials (shared/marketplaces/ikas.md). Stock is an absolute count at one
// stock location per store, prices go through updateVariantPrices (whose price object
// replaces the stored one, so the fields the merchant keeps are sent back as read),
// product information through updateProduct, and orders come from listOrder by
// updatedAt. ikas answers an expired token and most failures with HTTP 200 and
// errors[], and blocks a store whose share of failed requests passes 25 % in an hour,
// so every request goes through a guard that keeps that share far below.
package ikas

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/ikas/api"
)

// Marketplace is the name stores use in the config.
const Marketplace = "ikas"

// APIURL is where the Admin API lives; the token comes from the store's own host
// (https://<shop>.myikas.com). A store's base_url replaces both (there is no sandbox:
// ikas suggests a development store).
const APIURL = "https://api.myikas.com"

const (
	graphqlPath = "/api/v2/admin/graphql"
	tokenPath   = "/api/admin/oauth/token"
	maxPrices   = 3000 // variantPriceInputs per updateVariantPrices (documented)
	pageLimit   = 200  // the documented pagination maximum
)

// rate is the documented 50 requests per 10 seconds. Several stores on one ikas account
// (one per stock location) each have their own pacer: size their limits.requests so
// that the sum stays within 50 / 10 s (docs/connectors.md).
var rate = connectors.Rate{Requests: 50, Per: 10 * time.Second}

// features are ikas's: stock at a location, sale and list price (discountPrice and
// sellPrice), title/description/brand; confirmed in the reply; no sandbox.
var features = connectors.Features{
	Updates:      connectors.ScopeStock | connectors.ScopePrice | connectors.ScopeInfo,
	TestMode:     connectors.NoSandbox,
	Key:          connectors.KeyMapped,
	MaxBatch:     maxPrices,
	PushRate:     rate,
	ListPrice:    true,
	InfoFields:   connectors.InfoTitle | connectors.InfoDescription | connectors.InfoBrand | connectors.InfoHTML,
	MaxInfoBatch: 50,
}

// Credential and setting names.
const (
	optClientID     = "client_id"
	optClientSecret = "client_secret"
	optShop         = "shop"
	setLocation     = "location"
	setDiscount     = "discount_price"
)

// Values of settings.discount_price.
const (
	DiscountManage = "manage" // the list price is sellPrice, the sale price discountPrice
	DiscountKeep   = "keep"   // the sale price is sellPrice; discountPrice stays the merchant's
)

var shopName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

func init() {
	connectors.Register(&connectors.RegInfo{
		Name:        Marketplace,
		Description: "ikas",
		Options: []connectors.Option{
			{Name: optShop, Required: true, Identity: true, Help: "the ikas store name, as in https://<name>.myikas.com", Valid: func(v string) error {
				if !shopName.MatchString(v) {
					return fmt.Errorf("is not an ikas store name (lower-case letters, digits and -, as in https://<name>.myikas.com)")
				}
				return nil
			}},
			{Name: optClientID, Required: true, Secret: true, Help: "the Client ID of the private app: ikas panel › Uygulamalar › Uygulamalarım › Özel Uygulamalar"},
			{Name: optClientSecret, Required: true, Secret: true, Help: "the Secret of the same private app, shown with its Client ID"},
		},
		Settings: []connectors.Option{
			{Name: setLocation, Help: "the ikas stock location (Envanter › Stok Lokasyonları) this store's quantity goes to, by name or id; may be left out when the store has one location"},
			{Name: setDiscount, Default: DiscountManage, Help: "manage: the list price goes to sellPrice and the sale price to discountPrice; keep: the sale price goes to sellPrice and the merchant's discountPrice is kept", Valid: func(v string) error {
				if v != DiscountManage && v != DiscountKeep {
					return fmt.Errorf("is not one of %s, %s", DiscountManage, DiscountKeep)
				}
				return nil
			}},
		},
		Features: features,
		New:      func(s *connectors.Store, deps connectors.Deps) (connectors.Connector, error) { return New(s, deps) },
	})
}

// Tuning is what the connector keeps for itself below the documented limits. The agent
// uses DefaultTuning; tests and benchmarks shorten the windows.
type Tuning struct {
	// ErrorWindow, ErrorTarget and MinVolume: the guard keeps the share of failed
	// requests over ErrorWindow at or below ErrorTarget, even if the request about to go
	// failed, once MinVolume requests are in the window (ikas blocks above 25 % in an
	// hour; how few requests it judges is not documented).
	ErrorWindow time.Duration
	ErrorTarget float64
	MinVolume   int
	// MapMaxAge: the SKU map is refreshed (products changed since the last read)
	// before a push when it is older; MapRebuild: read whole this often.
	MapMaxAge, MapRebuild time.Duration
	// StockBatch: stockInputs per saveVariantStocks call (undocumented; assumed 500).
	StockBatch int
	// VerifyPartial: after a price or stock call that listed failed inputs, the others are
	// read back before they count as applied (whether ikas applied them is undocumented).
	VerifyPartial bool
	// Overlap: every incremental read (orders, the SKU map) starts this much before the
	// newest change seen, for changes committed out of order.
	Overlap time.Duration
}

// DefaultTuning is the agent's.
var DefaultTuning = Tuning{
	ErrorWindow: time.Hour, ErrorTarget: 0.15, MinVolume: 10,
	MapMaxAge: 5 * time.Minute, MapRebuild: 24 * time.Hour,
	StockBatch: 500, VerifyPartial: true, Overlap: 5 * time.Second,
}

// Client is one ikas store: pushes, read-back, product information and orders through
// one token, one pacer and one error guard.
type Client struct {
	store    string
	shop     string
	features connectors.Features
	scope    connectors.Scope
	orders   bool
	manage   bool // settings.discount_price: manage
	tune     Tuning
	http     *httpx.Client
	tokens   *httpx.TokenSource
	guard    *guard
	log      zerolog.Logger
	clock    httpx.Clock
	ids      *idMap

	locMu    sync.Mutex
	location string // the resolved stock location id ("" until resolved)
	locWant  string // settings.location

	ordMu sync.Mutex
}

var (
	_ connectors.Pusher             = (*Client)(nil)
	_ connectors.Tester             = (*Client)(nil)
	_ connectors.ReadBacker         = (*Client)(nil)
	_ connectors.OrderFetcher       = (*Client)(nil)
	_ connectors.InfoUpdater        = (*Client)(nil)
	_ connectors.ErrorRatioReporter = (*Client)(nil)
)

// New builds a client for a store that passed connectors.Check; it does no I/O.
func New(s *connectors.Store, deps connectors.Deps) (*Client, error) {
	return NewTuned(s, deps, DefaultTuning)
}

// NewTuned is New with other safety margins (tests and benchmarks).
func NewTuned(s *connectors.Store, deps connectors.Deps, t Tuning) (*Client, error) {
	shop := s.Credentials.Get(optShop)
	api, tokenBase := APIURL, "https://"+shop+".myikas.com"
	if s.BaseURL != "" {
		api, tokenBase = s.BaseURL, s.BaseURL
	}
	clock := httpx.ClockOf(deps)
	id, secret := s.Credentials.Get(optClientID), s.Credentials.Get(optClientSecret)
	red := httpx.NewRedactor(id, secret)
	if s.Limits.BatchSize > 0 {
		t.StockBatch = min(t.StockBatch, s.Limits.BatchSize)
	}
	t.StockBatch = max(t.StockBatch, 1)
	// Below 1/ErrorTarget requests a window could never grow: even one request counted
	// as failing would pass the target.
	t.MinVolume = max(t.MinVolume, int(math.Ceil(1/t.ErrorTarget)))
	c := &Client{store: s.Name, shop: shop, features: features.WithLimits(s.Limits), scope: s.Scope, orders: s.Orders,
		manage: s.Settings[setDiscount] != DiscountKeep, tune: t, log: deps.Log, clock: clock, locWant: strings.TrimSpace(s.Settings[setLocation])}
	if !c.manage {
		c.features.ListPrice = false
	}
	if c.features.MaxBatch > maxPrices {
		c.features.MaxBatch = maxPrices
	}
	pacer := httpx.StorePacer(s, clock, rate, nil)
	cfg := httpx.Config{Name: "ikas", UserAgent: "syncagent (ikas connector)", Timeout: s.Timeout(60 * time.Second),
		Pacer: pacer, Redactor: red, ShouldRetry: shouldRetry, ErrorText: errorText, Log: deps.Log, Clock: clock}
	tokCfg := cfg
	tokCfg.BaseURL = tokenBase
	tokenClient := httpx.New(tokCfg)
	cfg.BaseURL = api
	c.http = httpx.New(cfg)
	c.tokens = httpx.NewTokenSource(clock, red, httpx.ClientCredentials{
		Path: tokenPath, Form: true, ClientID: id, ClientSecret: secret, Bucket: "token",
		Keys: "credentials.client_id and credentials.client_secret (and that the private app still exists in the ikas panel)",
	}.Fetcher(tokenClient))
	c.http.SetAuth(c.tokens)
	c.guard = newGuard(clock, t)
	c.ids = newIDMap(c)
	return c, nil
}

// Features are ikas's, with the store's limits and settings applied.
func (c *Client) Features() connectors.Features { return c.features }

// ErrorRatio reports the guard's count (connectors.ErrorRatioReporter).
func (c *Client) ErrorRatio() connectors.ErrorRatio { return c.guard.report() }

// shouldRetry classifies ikas's replies at the HTTP level; errors[] inside a 200 are read
// by call, which knows the operation.
func shouldRetry(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
	if err == nil && resp.Status == http.StatusUnauthorized {
		return false, &connectors.Error{Kind: connectors.Auth,
			Message: fmt.Sprintf("ikas refused a freshly issued token (%q); check credentials.client_id and credentials.client_secret and that the private app still exists", errorText(resp.Body))}
	}
	return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
}

const identityDoc = `query identity { me { id scope } getMerchant { id storeName } }`

// Test fetches a token, reads the app and the merchant (allowed without any
// permission), checks that the app was granted what the store needs (products always;
// the inventory for stock; product editing for prices and information; orders when
// they are fetched) and, for stock, that settings.location names one of the store's
// stock locations.
func (c *Client) Test(ctx context.Context) error {
	var id api.Identity
	if _, err := c.call(ctx, "me", identityDoc, nil, false, &id); err != nil {
		return err
	}
	granted := map[string]bool{}
	for _, s := range strings.Split(id.Me.Scope, ",") {
		granted[strings.TrimSpace(s)] = true
	}
	need := []permission{readProducts}
	if c.scope.Has(connectors.ScopeStock) {
		need = append(need, readInventories, writeInventories)
	}
	if c.scope.Has(connectors.ScopePrice) || c.scope.Has(connectors.ScopeInfo) {
		need = append(need, writeProducts)
	}
	if c.orders {
		need = append(need, readOrders)
	}
	var missing, words []string
	group := map[string]int{}
	for _, p := range need {
		if granted[p.scope] {
			continue
		}
		missing = append(missing, p.scope)
		g, _, _ := strings.Cut(p.words, ":")
		if i, ok := group[g]; ok {
			if strings.Contains(p.words, "Düzenleme") {
				words[i] = p.words
			}
			continue
		}
		group[g] = len(words)
		words = append(words, p.words)
	}
	if len(missing) > 0 {
		return &connectors.Error{Kind: connectors.Auth, Message: fmt.Sprintf(
			"the ikas app lacks the permission %s; in the ikas panel open Uygulamalar › Uygulamalarım › Özel Uygulamalar, edit the app and tick %s under İzinler, then save",
			strings.Join(missing, ", "), quoteAll(words))}
	}
	if c.scope.Has(connectors.ScopeStock) {
		if _, err := c.stockLocation(ctx); err != nil {
			return err
		}
	}
	return nil
}

func quoteAll(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, " and ")
}
