// Package trendyol is the Trendyol Marketplace connector: stock and prices by barcode
// through the asynchronous price-and-inventory batch, results by batchRequestId, and
// read-back from the approved-products list (shared/marketplaces/trendyol.md).
package trendyol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/trendyol/api"
)

// Marketplace is the name stores use in the config.
const Marketplace = "trendyol"

// Base URLs; a store's base_url overrides both (a proxy, the simulator).
const (
	ProdURL  = "https://apigw.trendyol.com/integration"
	StageURL = "https://stageapigw.trendyol.com/integration"
)

const (
	maxItems      = 1000  // items per price-and-inventory request
	maxStock      = 20000 // quantity per product
	readBarcodes  = 50    // barcodes per approved-products query
	bucketPush    = "price-and-inventory"
	bucketResults = "batch-requests"
	bucketRead    = "approved-inventory"
)

// Trendyol counts 50 requests per 10 s per endpoint; the per-minute tiers of the
// inventory-write (350) and product-read (1000) groups are above what that allows.
var perEndpoint = connectors.Rate{Requests: 50, Per: 10 * time.Second}

// features are Trendyol's documented features.
var features = connectors.Features{
	Updates:         connectors.ScopeStock | connectors.ScopePrice,
	TestMode:        connectors.Sandbox, // STAGE, with its own keys and an IP whitelist
	Key:             connectors.KeyBarcode,
	MaxBatch:        maxItems,
	PushRate:        perEndpoint,
	Async:           true,
	ListPrice:       true,
	MaxStock:        maxStock,
	ResultTTL:       4 * time.Hour,
	DuplicateWindow: 15 * time.Minute,
}

// Credential options.
const (
	optSellerID   = "seller_id"
	optAPIKey     = "api_key"
	optAPISecret  = "api_secret"
	optIntegrator = "integrator"
)

var (
	digits     = regexp.MustCompile(`^[0-9]+$`)
	integrator = regexp.MustCompile(`^[A-Za-z0-9]{1,30}$`)
)

func init() {
	connectors.Register(&connectors.RegInfo{
		Name:        Marketplace,
		Description: "Trendyol",
		Options: []connectors.Option{
			{Name: optSellerID, Required: true, Identity: true, Help: "the Trendyol seller id, from Hesap Bilgilerim › Entegrasyon Bilgileri",
				Valid: match(digits, "must be the numeric Trendyol seller id")},
			{Name: optAPIKey, Required: true, Secret: true, Help: "the Trendyol API KEY"},
			{Name: optAPISecret, Required: true, Secret: true, Help: "the Trendyol API SECRET"},
			{Name: optIntegrator, Default: "SelfIntegration",
				Help:  "the integrator name in the User-Agent; leave it out for SelfIntegration",
				Valid: match(integrator, "must be letters and digits only, at most 30 (Trendyol's User-Agent rule)")},
		},
		Features: features,
		New:      func(s *connectors.Store, deps connectors.Deps) (connectors.Connector, error) { return New(s, deps) },
	})
}

func match(re *regexp.Regexp, msg string) func(string) error {
	return func(v string) error {
		if !re.MatchString(v) {
			return errors.New(msg)
		}
		return nil
	}
}

// Client is one Trendyol store: stock and prices, their batch results, read-back and
// orders, all through one HTTP client and one pacer.
type Client struct {
	store    string
	seller   string
	features connectors.Features
	http     *httpx.Client
	log      zerolog.Logger
	orders   orderStream
	unknown  unknownStatuses // status words logged once
}

var (
	_ connectors.Pusher        = (*Client)(nil)
	_ connectors.Tester        = (*Client)(nil)
	_ connectors.ResultChecker = (*Client)(nil)
	_ connectors.ReadBacker    = (*Client)(nil)
	_ connectors.OrderFetcher  = (*Client)(nil)
)

// New builds a client for a store that passed connectors.Check; it does no I/O.
func New(s *connectors.Store, deps connectors.Deps) (*Client, error) {
	base := ProdURL
	if s.TestMode {
		base = StageURL
	}
	if s.BaseURL != "" {
		base = s.BaseURL
	}
	integ := s.Credentials.Get(optIntegrator)
	if integ == "" {
		integ = "SelfIntegration"
	}
	clock := httpx.ClockOf(deps)
	seller, key, secret := s.Credentials.Get(optSellerID), s.Credentials.Get(optAPIKey), s.Credentials.Get(optAPISecret)
	c := &Client{store: s.Name, seller: seller, features: features.WithLimits(s.Limits), log: deps.Log}
	c.unknown.log = deps.Log
	c.http = httpx.New(httpx.Config{
		Name:      "Trendyol",
		BaseURL:   base,
		UserAgent: seller + " - " + integ,
		Timeout:   s.Timeout(30 * time.Second),
		Auth:      httpx.Basic{User: key, Password: secret},
		Pacer: httpx.StorePacer(s, clock, perEndpoint, map[string]connectors.Rate{
			bucketPush: perEndpoint, bucketResults: perEndpoint, bucketRead: perEndpoint}),
		Redactor:    httpx.NewRedactor(key, secret),
		ShouldRetry: c.shouldRetry(s.TestMode),
		ErrorText:   errorText,
		Log:         deps.Log,
		Clock:       clock,
	})
	c.orders = newOrderStream(clock)
	return c, nil
}

// Features are Trendyol's, with the store's limits applied.
func (c *Client) Features() connectors.Features { return c.features }

// Test reads one approved product: the lightest call that proves the credentials, the
// seller id and the User-Agent.
func (c *Client) Test(ctx context.Context) error {
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: c.productPath("/approved/inventory-and-price"),
		Query: map[string][]string{"size": {"1"}}, Bucket: bucketRead})
	return err
}

func (c *Client) productPath(p string) string {
	return "/product/sellers/" + c.seller + "/products" + p
}

// duplicateText is the refusal of a body repeated within 15 minutes ("15 dakika boyunca
// aynı isteği tekrarlı olarak atamazsınız!").
var duplicateText = regexp.MustCompile(`(?i)15 dakika|aynı isteği`)

// shouldRetry classifies Trendyol's replies before the generic rules.
func (c *Client) shouldRetry(testMode bool) func(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
	return func(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
		if err != nil || resp.Status < 300 {
			return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
		}
		text := errorText(resp.Body)
		switch {
		case duplicateText.MatchString(string(resp.Body)):
			return false, &connectors.Error{Kind: connectors.Unknown, Err: connectors.ErrDuplicateRequest,
				Message: fmt.Sprintf("Trendyol refused an identical request sent within 15 minutes (%q); the earlier one may have been applied: read back before sending again", text)}
		case resp.Status == http.StatusUnauthorized:
			return false, &connectors.Error{Kind: connectors.Auth,
				Message: fmt.Sprintf("Trendyol did not accept the API key and secret for seller %s (%q); check credentials.api_key and credentials.api_secret (PROD and STAGE keys differ)", c.seller, text)}
		case resp.Status == http.StatusForbidden:
			return false, &connectors.Error{Kind: connectors.Auth,
				Message: fmt.Sprintf("Trendyol refused access (%q); check credentials.seller_id and credentials.integrator (the User-Agent must be \"{seller id} - {integrator}\") and the API user's permissions", text)}
		case resp.Status == http.StatusServiceUnavailable && testMode:
			return true, &connectors.Error{Kind: connectors.Transient,
				Message: "Trendyol STAGE answered 503, which there means this PC's IP address is not whitelisted (ask Trendyol to whitelist it)"}
		}
		return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
	}
}

// errorText is Trendyol's message in either error shape.
func errorText(body []byte) string {
	var r api.ErrorReply
	if json.Unmarshal(body, &r) != nil {
		return ""
	}
	msg := r.Message
	if msg == "" && len(r.Errors) > 0 {
		msg = r.Errors[0].Message
	}
	key := r.Exception
	if key == "" {
		key = r.Error
	}
	if key != "" && msg != "" && !strings.EqualFold(key, msg) {
		return key + ": " + msg
	}
	if msg != "" {
		return msg
	}
	return key
}
