// Package n11 is the n11 connector (shared/marketplaces/n11.md): stock and prices by
// stockCode (our SKU) through the REST price-stock-update task, product information
// through the product-update task, both confirmed asynchronously by reading the task's
// details; read-back from the seller's product list; orders from shipmentPackages. The
// SOAP product services are closed (2025-01-25) and are not used.
//
// Authentication is two plain headers, appkey and appsecret, on every call. n11 has no
// sandbox: test_mode needs a base_url (the simulator of syncagent demo, a test server).
package n11

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/n11/api"
)

// Marketplace is the name stores use in the config.
const Marketplace = "n11"

// ProdURL is n11's API host; a store's base_url overrides it (a proxy, the simulator).
const ProdURL = "https://api.n11.com"

// Documented limits (n11.md §7) and the assumptions the connector makes where n11
// publishes none (docs/connectors.md, "N11").
const (
	maxSKUs      = 1000    // items per product task (documented)
	queryMax     = 250     // product-query page size (documented; more is a 500)
	ordersMax    = 100     // shipmentPackages page size (documented; more is clamped)
	maxQuantity  = 999_999 // product-create's cap; assumed for price-stock-update too
	currency     = "TL"    // n11's code for Turkish lira; the agent's prices are kuruş of TRY
	defaultInteg = "SyncAgent"

	// ResultTTL is how long the connector counts on reading a task's details (assumed:
	// n11 states no retention). Past it, and whenever a task has vanished, the items are
	// reconciled by reading the product list back.
	ResultTTL = 24 * time.Hour
	// StuckAfter is how long a task may stay IN_QUEUE before the connector stops waiting
	// for it and has the agent read back what the store shows (assumed).
	StuckAfter = 30 * time.Minute
	// emptyGrace: a young task whose details come back empty may be a throttled answer
	// (n11 is reported to answer an empty page when over its limit), so it stays Pending.
	emptyGrace = 2 * time.Minute
)

// globalRate is the budget of every REST call of an account. n11 documents 1000
// requests a minute for shipmentPackages and no other figure; the connector assumes the
// same budget for all calls together, which keeps shipmentPackages within its documented
// limit too. limits.requests/per lowers (or, on n11's word, raises) it.
var globalRate = connectors.Rate{Requests: 1000, Per: time.Minute}

// bucket is the one pacer bucket every call spends from.
const bucket = "n11"

// Paths.
const (
	pathProductQuery = "/ms/product-query"
	pathPriceStock   = "/ms/product/tasks/price-stock-update"
	pathProductUpd   = "/ms/product/tasks/product-update"
	pathTaskDetails  = "/ms/product/task-details/page-query"
	pathPackages     = "/rest/delivery/v1/shipmentPackages"
)

// features are n11's documented features (and the assumptions above).
var features = connectors.Features{
	Updates:      connectors.ScopeStock | connectors.ScopePrice | connectors.ScopeInfo,
	TestMode:     connectors.NoSandbox,
	Key:          connectors.KeySKU,
	MaxBatch:     maxSKUs,
	PushRate:     globalRate,
	Async:        true,
	ListPrice:    true,
	MaxStock:     maxQuantity,
	ResultTTL:    ResultTTL,
	InfoFields:   connectors.InfoDescription | connectors.InfoHTML | connectors.InfoVATRate | connectors.InfoActive,
	MaxInfoBatch: maxSKUs,
}

// Credential options and settings.
const (
	optAppKey     = "appkey"
	optAppSecret  = "appsecret"
	optIntegrator = "integrator"

	setOrderDates = "order_dates"    // gmt+3 (default) | utc
	setSplit      = "split_packages" // parent-unpacked (default) | children-unpacked
	setOrderSync  = "order_sync"     // changes (default) | rescan
)

// Values of the settings.
const (
	DatesGMT3        = "gmt+3"
	DatesUTC         = "utc"
	SplitParent      = "parent-unpacked"
	SplitChildren    = "children-unpacked"
	SyncChanges      = "changes"
	SyncRescan       = "rescan"
	gmt3             = 3 * time.Hour
	credentialsWords = "check credentials.appkey and credentials.appsecret (n11 e-mails both when an API user is created in Seller Office › Entegrasyon bilgilerim)"
)

func init() {
	connectors.Register(&connectors.RegInfo{
		Name:        Marketplace,
		Description: "n11",
		Options: []connectors.Option{
			{Name: optAppKey, Required: true, Secret: true,
				Help: "the n11 API KEY, from Seller Office (so.n11.com) › Entegrasyon bilgilerim › API kullanıcısı; n11 sends it by e-mail"},
			{Name: optAppSecret, Required: true, Secret: true,
				Help: "the n11 API SECRET that came with the API KEY"},
			{Name: optIntegrator, Default: defaultInteg,
				Help:  "the integrator name n11 sees in every stock, price and product task (use the same value in every request); leave it out for " + defaultInteg,
				Valid: validIntegrator},
		},
		Settings: []connectors.Option{
			{Name: setOrderDates, Default: DatesGMT3,
				Help:  "how n11's order dates count: gmt+3 (epoch milliseconds of the Turkish wall clock, as n11's docs say) or utc (true epoch milliseconds)",
				Valid: oneOf(DatesGMT3, DatesUTC)},
			{Name: setSplit, Default: SplitParent,
				Help:  "what a package split looks like: parent-unpacked (the split package turns Unpacked and the new packages carry its lines) or children-unpacked (the split package turns Cancelled and the new packages are Unpacked, as n11's older support page says)",
				Valid: oneOf(SplitParent, SplitChildren)},
			{Name: setOrderSync, Default: SyncChanges,
				Help:  "how orders are followed: changes (each fetch reads what changed since the last, n11's dates taken as the last change) or rescan (each fetch reads every status over orders.lookback, for when n11's dates turn out to be the creation date)",
				Valid: oneOf(SyncChanges, SyncRescan)},
		},
		Features: features,
		New:      func(s *connectors.Store, deps connectors.Deps) (connectors.Connector, error) { return New(s, deps) },
	})
}

func validIntegrator(v string) error {
	if len(v) > 100 || strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return errors.New("must be a printable name of at most 100 characters")
	}
	return nil
}

func oneOf(values ...string) func(string) error {
	return func(v string) error {
		for _, x := range values {
			if strings.EqualFold(v, x) {
				return nil
			}
		}
		return fmt.Errorf("is not one of %s", strings.Join(values, ", "))
	}
}

// Client is one n11 store: stock and price tasks, information tasks, their results,
// read-back and orders, through one HTTP client and one pacer.
type Client struct {
	integrator string
	features   connectors.Features
	http       *httpx.Client
	log        zerolog.Logger
	clock      httpx.Clock
	dateShift  time.Duration // added to true instants to get n11's epoch milliseconds
	liveSplit  bool          // Unpacked packages are the live halves of a split
	rescan     bool          // every sweep cycle starts again from the look-back
}

var (
	_ connectors.Pusher        = (*Client)(nil)
	_ connectors.Tester        = (*Client)(nil)
	_ connectors.ResultChecker = (*Client)(nil)
	_ connectors.ReadBacker    = (*Client)(nil)
	_ connectors.OrderFetcher  = (*Client)(nil)
	_ connectors.InfoUpdater   = (*Client)(nil)
)

// New builds a client for a store that passed connectors.Check; it does no I/O.
func New(s *connectors.Store, deps connectors.Deps) (*Client, error) {
	base := ProdURL
	if s.BaseURL != "" {
		base = s.BaseURL
	}
	integ := s.Credentials.Get(optIntegrator)
	if integ == "" {
		integ = defaultInteg
	}
	clock := httpx.ClockOf(deps)
	key, secret := s.Credentials.Get(optAppKey), s.Credentials.Get(optAppSecret)
	c := &Client{integrator: integ, features: features.WithLimits(s.Limits), log: deps.Log, clock: clock,
		dateShift: gmt3, liveSplit: strings.EqualFold(s.Settings[setSplit], SplitChildren),
		rescan: strings.EqualFold(s.Settings[setOrderSync], SyncRescan)}
	if strings.EqualFold(s.Settings[setOrderDates], DatesUTC) {
		c.dateShift = 0
	}
	c.http = httpx.New(httpx.Config{
		Name:        "n11",
		BaseURL:     base,
		UserAgent:   "syncagent (" + integ + ")",
		Timeout:     s.Timeout(60 * time.Second),
		Auth:        httpx.Headers{"appkey": key, "appsecret": secret},
		Pacer:       httpx.StorePacer(s, clock, globalRate, nil),
		Redactor:    httpx.NewRedactor(key, secret),
		ShouldRetry: shouldRetry,
		ErrorText:   errorText,
		Log:         deps.Log,
		Clock:       clock,
	})
	return c, nil
}

// Features are n11's, with the store's limits applied.
func (c *Client) Features() connectors.Features { return c.features }

// Test reads one product: the cheapest call that checks the key and the secret together
// (n11's category list answers with the key alone).
func (c *Client) Test(ctx context.Context) error {
	var p api.ProductPage
	return c.get(ctx, pathProductQuery, map[string][]string{"page": {"0"}, "size": {"1"}}, &p)
}

func (c *Client) get(ctx context.Context, path string, q map[string][]string, out any) error {
	_, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: path, Query: q, Bucket: bucket}, out)
	return err
}

func (c *Client) post(ctx context.Context, path string, body, out any) error {
	_, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: path, JSON: body, Bucket: bucket}, out)
	return err
}

var (
	authBody   = regexp.MustCompile(`(?i)SellerApiUserUnauthorizedException|authenticationFailed|Authentication failed`)
	headerBody = regexp.MustCompile(`MissingRequestHeaderException`)
	paramBody  = regexp.MustCompile(`ConstraintViolationException|IllegalArgumentException|MethodArgumentTypeMismatchException`)
)

// shouldRetry classifies n11's replies before the generic rules. Each path family has
// its own refusals (n11.md §7): /ms answers a wrong secret 401 and a missing header or a
// bad parameter 500; /rest answers a wrong secret 400 (or, as also measured, 403
// text/plain); /cdn 403. A REJECT inside a 200 is the push's to read.
func shouldRetry(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
	if err != nil || resp.Status < 300 {
		return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
	}
	text := errorText(resp.Body)
	switch {
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden ||
		(resp.Status != http.StatusTooManyRequests && authBody.Match(resp.Body)):
		return false, &connectors.Error{Kind: connectors.Auth,
			Message: fmt.Sprintf("n11 did not accept the API key and secret (%q); %s", text, credentialsWords)}
	case headerBody.Match(resp.Body):
		return false, &connectors.Error{Kind: connectors.Auth,
			Message: fmt.Sprintf("n11 says a credential header is missing (%q); %s", text, credentialsWords)}
	case resp.Status == http.StatusInternalServerError && paramBody.Match(resp.Body):
		return false, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("n11 refused the request's parameters (%q)", text)}
	}
	return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
}

// errorText is n11's message in any of its error shapes: the Spring envelope of /ms,
// the errorCode/errorMessage of /rest, a task's reasons, or a short plain-text body.
func errorText(body []byte) string {
	var v struct {
		Type         string            `json:"@type"`
		Message      string            `json:"message"`
		Description  string            `json:"description"`
		Errors       []api.SpringCause `json:"errors"`
		ErrorCode    string            `json:"errorCode"`
		ErrorMessage string            `json:"errorMessage"`
		Reasons      []string          `json:"reasons"`
	}
	t := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &v) != nil {
		if len(t) > 0 && len(t) <= 200 && !strings.ContainsAny(t[:1], "<{[") && strings.IndexFunc(t, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
			return t
		}
		return ""
	}
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !containsFold(parts, s) {
			parts = append(parts, s)
		}
	}
	add(v.Type)
	add(v.Message)
	for _, e := range v.Errors {
		add(e.Reason)
	}
	add(v.ErrorCode)
	add(v.ErrorMessage)
	for _, r := range v.Reasons {
		add(r)
	}
	if len(parts) == 0 {
		add(v.Description)
	}
	return strings.Join(parts, ": ")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
