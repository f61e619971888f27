// Package hepsiburada is the Hepsiburada Marketplace connector
// (shared/marketplaces/hepsiburada.md): stock and prices by merchant SKU through the
// asynchronous inventory uploads of listing-external, confirmed by each upload's result;
// a SKU ↔ Hepsiburada SKU map from the listings, which also tells the listings
// Hepsiburada fulfils from its own warehouse (never sent stock) and the ones it has
// locked; orders from every feed of oms-external; product information through the
// catalog's update tickets; and the documented unlock, for the unlock command only.
//
// Three hosts (listing, OMS, catalog) share one HTTP budget: Hepsiburada counts 180
// requests a minute per client IP, whatever the host, so every request draws from one
// pacer bucket, which also honours Retry-After and the X-RateLimit-* headers the order
// host may send. A store's base_url replaces all three hosts (their paths do not
// overlap), which is how the simulator is reached.
package hepsiburada

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/hepsiburada/api"
	"syncagent/connectors/httpx"
)

// Marketplace is the name stores use in the config.
const Marketplace = "hepsiburada"

// Hosts. The published specs name the SIT hosts; production is the same name without
// "-sit" ([SDK manifest]). test_mode switches to SIT, which has its own credentials.
const (
	ProdListing = "https://listing-external.hepsiburada.com"
	ProdOMS     = "https://oms-external.hepsiburada.com"
	ProdCatalog = "https://mpop.hepsiburada.com"
	SITListing  = "https://listing-external-sit.hepsiburada.com"
	SITOMS      = "https://oms-external-sit.hepsiburada.com"
	SITCatalog  = "https://mpop-sit.hepsiburada.com"
)

// Documented limits ([SDK], which attributes them to Hepsiburada's documentation).
const (
	maxRows    = 4000 // SKUs per upload
	maxPending = 5    // uploads pending or processing per merchant
	// maxInfo: items per product-information ticket. Undocumented; the ticket status
	// pages 1000 items by default, so a ticket of that size reads back in one page.
	maxInfo = 1000
)

// bucket is the one pacer bucket: 180 requests a minute per IP on every host.
const bucket = "hepsiburada"

var perIP = connectors.Rate{Requests: 180, Per: time.Minute}

// features are Hepsiburada's: stock and one price per listing by merchant SKU, uploads
// confirmed asynchronously, product information by ticket, SIT hosts for test_mode.
var features = connectors.Features{
	Updates:  connectors.ScopeStock | connectors.ScopePrice | connectors.ScopeInfo,
	TestMode: connectors.Sandbox,
	Key:      connectors.KeySKU,
	MaxBatch: maxRows,
	PushRate: perIP,
	Async:    true,
	MaxStock: maxStock,
	// How long upload results stay readable is UNCONFIRMED; an expired one (404) is
	// reconciled by reading the listings, so a shorter real life costs reads, not values.
	ResultTTL:    24 * time.Hour,
	InfoFields:   connectors.InfoTitle | connectors.InfoDescription | connectors.InfoVATRate,
	MaxInfoBatch: maxInfo,
}

// maxStock is availableStock's type (int32 in [LST]).
const maxStock = 1<<31 - 1

// Credential options.
const (
	optMerchant   = "merchant_id"
	optServiceKey = "service_key"
	optIntegrator = "integrator"
)

// Settings (UNCONFIRMED behaviour, each a switch with the documented or assumed default).
const (
	setUpload      = "upload"              // inventory (one upload per push) | split (stock-uploads and price-uploads)
	setListingPage = "listing_page_size"   // listings per page when the SKU map is read (100)
	setElementBase = "element_base"        // 1: elementNo counts from 1 ([SDK batch.ts]) | 0
	setMaxPending  = "max_pending_uploads" // 5
	setTimespan    = "timespan_unit"       // minutes ([SDK]) | hours ([ORD]) | none: how /packages' timespan is sent
)

var guid = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

func init() {
	connectors.Register(&connectors.RegInfo{
		Name:        Marketplace,
		Description: "Hepsiburada",
		TestHosts: "test_mode uses Hepsiburada's SIT hosts (listing-external-sit, oms-external-sit, mpop-sit .hepsiburada.com), " +
			"which take their own merchant id and service key, not the live ones",
		Options: []connectors.Option{
			{Name: optMerchant, Required: true, Identity: true,
				Help:  "the Hepsiburada merchant id (a GUID), from the merchant panel",
				Valid: matchGUID},
			{Name: optServiceKey, Required: true, Secret: true,
				Help: "the service key (servis anahtarı) from the Hepsiburada merchant panel; SIT has its own"},
			{Name: optIntegrator, Required: true,
				Help: "the integrator name exactly as registered under Hesabım › Bilgilerim › Entegrasyon › Entegratör Bilgileri " +
					"(sent as the User-Agent; Hepsiburada answers 401 to any other value, even with good credentials)",
				Valid: validIntegrator},
		},
		Settings: []connectors.Option{
			{Name: setUpload, Default: "inventory", Valid: oneOf("inventory", "split"),
				Help: "inventory: one inventory upload per push carrying only the changed fields; split: stock-uploads and price-uploads (use it if Hepsiburada ever clears a field an inventory row leaves out)"},
			{Name: setListingPage, Default: "100", Valid: intIn(1, 10000),
				Help: "listings per page when the SKU map is read (Hepsiburada documents no maximum)"},
			{Name: setElementBase, Default: "1", Valid: oneOf("0", "1"),
				Help: "whether an upload error's elementNo counts rows from 1 or 0, used when the error names no SKU"},
			{Name: setMaxPending, Default: strconv.Itoa(maxPending), Valid: intIn(1, 100),
				Help: "uploads that may be pending at once (Hepsiburada refuses the 6th with a message)"},
			{Name: setTimespan, Default: "minutes", Valid: oneOf("minutes", "hours", "none"),
				Help: "the unit of /packages' timespan (the references disagree); minutes also reach back far enough if Hepsiburada means hours"},
		},
		Features: features,
		Check:    check,
		New:      func(s *connectors.Store, deps connectors.Deps) (connectors.Connector, error) { return New(s, deps) },
	})
}

func matchGUID(v string) error {
	if !guid.MatchString(v) {
		return errors.New("must be the merchant id GUID (8-4-4-4-12 hexadecimal digits)")
	}
	return nil
}

func validIntegrator(v string) error {
	switch {
	case strings.TrimSpace(v) != v:
		return errors.New("has spaces at its start or end; it must be exactly the registered name")
	case len(v) > 100:
		return errors.New("is longer than 100 characters")
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return errors.New("holds a control character")
	}
	return nil
}

func oneOf(vals ...string) func(string) error {
	return func(v string) error {
		for _, x := range vals {
			if v == x {
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(vals, ", "))
	}
}

func intIn(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}

// check refuses the Trendyol-style User-Agent, which Hepsiburada answers with 401
// ([SDK README §1]: "<merchantId> - name" and "name/1.0" were refused, "name" accepted).
func check(s *connectors.Store) []error {
	m, integ := s.Credentials.Get(optMerchant), s.Credentials.Get(optIntegrator)
	if m != "" && integ != "" && strings.Contains(strings.ToLower(integ), strings.ToLower(m)) {
		return []error{&connectors.FieldError{Key: "credentials." + optIntegrator,
			Msg: "holds the merchant id; Hepsiburada wants the integrator name alone as the User-Agent (the \"<id> - name\" form of Trendyol is answered 401)"}}
	}
	return nil
}

// settings are a store's settings, read once.
type settings struct {
	split       bool
	listingPage int
	elementBase int
	maxPending  int
	timespan    string
}

func readSettings(s *connectors.Store) settings {
	get := func(k, def string) string {
		if v := s.Settings[k]; v != "" {
			return v
		}
		return def
	}
	atoi := func(k string, def int) int {
		if n, err := strconv.Atoi(get(k, "")); err == nil {
			return n
		}
		return def
	}
	return settings{
		split:       get(setUpload, "inventory") == "split",
		listingPage: atoi(setListingPage, 100),
		elementBase: atoi(setElementBase, 1),
		maxPending:  atoi(setMaxPending, maxPending),
		timespan:    get(setTimespan, "minutes"),
	}
}

// Client is one Hepsiburada store: uploads and their results, the listings map,
// read-back, orders, product-information tickets and unlock, through three HTTP clients
// (one per host) that share one pacer.
type Client struct {
	store    string
	merchant string
	features connectors.Features
	set      settings
	listing  *httpx.Client
	oms      *httpx.Client
	catalog  *httpx.Client
	clock    httpx.Clock
	log      zerolog.Logger

	skus    *skuMap
	slots   *uploadSlots
	lost    *lostSubmits
	notices *notices
	feeds   *orderFeeds
}

var (
	_ connectors.Pusher        = (*Client)(nil)
	_ connectors.Tester        = (*Client)(nil)
	_ connectors.ResultChecker = (*Client)(nil)
	_ connectors.ReadBacker    = (*Client)(nil)
	_ connectors.OrderFetcher  = (*Client)(nil)
	_ connectors.InfoUpdater   = (*Client)(nil)
	_ connectors.Unlocker      = (*Client)(nil)
	_ connectors.Reporter      = (*Client)(nil)
)

// New builds a client for a store that passed connectors.Check; it does no I/O.
func New(s *connectors.Store, deps connectors.Deps) (*Client, error) {
	hosts := [3]string{ProdListing, ProdOMS, ProdCatalog}
	if s.TestMode {
		hosts = [3]string{SITListing, SITOMS, SITCatalog}
	}
	if s.BaseURL != "" {
		hosts = [3]string{s.BaseURL, s.BaseURL, s.BaseURL}
	}
	merchant, key, integ := s.Credentials.Get(optMerchant), s.Credentials.Get(optServiceKey), s.Credentials.Get(optIntegrator)
	clock := httpx.ClockOf(deps)
	c := &Client{store: s.Name, merchant: merchant, features: features.WithLimits(s.Limits), set: readSettings(s),
		clock: clock, log: deps.Log}
	pacer := httpx.StorePacer(s, clock, perIP, map[string]connectors.Rate{bucket: perIP})
	redact := httpx.NewRedactor(key)
	redact.Add(base64.StdEncoding.EncodeToString([]byte(merchant + ":" + key)))
	mk := func(name, base string, host hostKind) *httpx.Client {
		return httpx.New(httpx.Config{
			Name: name, BaseURL: base, UserAgent: integ, Timeout: s.Timeout(60 * time.Second),
			Auth: httpx.Basic{User: merchant, Password: key}, Pacer: pacer, Redactor: redact,
			ShouldRetry: c.shouldRetry(host), ErrorText: errorText, Log: deps.Log, Clock: clock,
		})
	}
	c.listing = mk("Hepsiburada", hosts[0], hostListing)
	c.oms = mk("Hepsiburada OMS", hosts[1], hostOMS)
	c.catalog = mk("Hepsiburada catalog", hosts[2], hostCatalog)
	c.skus = newSKUMap(c)
	c.slots = newUploadSlots(c.set.maxPending, clock)
	c.lost = newLostSubmits()
	c.notices = &notices{}
	c.feeds = &orderFeeds{c: c}
	return c, nil
}

// Features are Hepsiburada's, with the store's limits applied.
func (c *Client) Features() connectors.Features { return c.features }

// Test reads one listing and one order line: the lightest calls that prove the
// credentials, the merchant id and the integrator name on both hosts, whose refusals
// differ (text/plain on listing, an empty body on OMS).
func (c *Client) Test(ctx context.Context) error {
	q := map[string][]string{"offset": {"0"}, "limit": {"1"}}
	if _, err := c.listing.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: c.listingsPath(""), Query: q, Bucket: bucket}); err != nil {
		return err
	}
	_, err := c.oms.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/orders/merchantid/" + c.merchant, Query: q, Bucket: bucket})
	return err
}

func (c *Client) listingsPath(p string) string { return "/listings/merchantid/" + c.merchant + p }

type hostKind int

const (
	hostListing hostKind = iota
	hostOMS
	hostCatalog
)

// catalogWait is how long to hold after the catalog's 403 when it names no wait: its
// limit is 100 a second, and staying over it gets the IP blocked (traps.md §7).
const catalogWait = time.Minute

// shouldRetry classifies one host's replies before the generic rules. Every answer's
// x-correlation-id (which Hepsiburada support asks for) is logged at debug.
func (c *Client) shouldRetry(host hostKind) func(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
	return func(ctx context.Context, resp *httpx.Response, err error) (bool, error) {
		if err != nil {
			return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
		}
		if id := resp.Header.Get("X-Correlation-Id"); id != "" {
			c.log.Debug().Str("correlation_id", id).Int("status", resp.Status).Msg("Hepsiburada answer")
		}
		text := errorText(resp.Body)
		switch {
		case resp.Status == http.StatusUnauthorized:
			return false, &connectors.Error{Kind: connectors.Auth, Message: c.authMessage(text), Hint: authHint}
		case host == hostCatalog && resp.Status == http.StatusForbidden:
			return false, &connectors.Error{Kind: connectors.RetryAfter, RetryAfter: catalogWait,
				Message: fmt.Sprintf("Hepsiburada's catalog refused with 403 (%q), its answer to more than 100 requests a second (staying over gets the IP blocked); waiting before the next request", text)}
		case host == hostCatalog && resp.Status < 300:
			var r api.MpopReply
			if json.Unmarshal(resp.Body, &r) == nil && !r.Success && (r.Code != 0 || r.Message != "") {
				return false, &connectors.Error{Kind: connectors.Permanent,
					Message: fmt.Sprintf("Hepsiburada's catalog refused the request (code %d: %q)", r.Code, r.Message)}
			}
		}
		return httpx.ShouldRetry(ctx, resp, err, httpx.DefaultRetryCodes)
	}
}

// authHint is what test-store tells to check after a 401.
const authHint = "credentials.merchant_id and credentials.service_key of this environment (test_mode uses the SIT hosts, which take their own), " +
	"and credentials.integrator: exactly the name under Hesabım › Bilgilerim › Entegrasyon › Entegratör Bilgileri, nothing added"

// authMessage says what to check after a 401: credentials, and the integrator name,
// which is refused the same way.
func (c *Client) authMessage(text string) string {
	said := ""
	if text != "" {
		said = fmt.Sprintf(" (%q)", text)
	}
	return fmt.Sprintf("Hepsiburada did not accept the store's credentials%s; check credentials.%s and credentials.%s "+
		"(the service key of this environment: test_mode's SIT hosts take their own), and that credentials.%s is exactly the "+
		"integrator name registered under Hesabım › Bilgilerim › Entegrasyon › Entegratör Bilgileri: Hepsiburada answers 401 to "+
		"any other User-Agent even with good credentials, and a newly added integrator becomes active after about 2 hours",
		said, optMerchant, optServiceKey, optIntegrator)
}

// errorText finds Hepsiburada's words in any host's error shape: a bare JSON string
// (OMS), {"errors":[…]} (listing), {"message"} (catalog), or a short plain-text body
// ("Missing Credentials!" of listing's 401).
func errorText(body []byte) string {
	t := strings.TrimSpace(string(body))
	if t == "" {
		return ""
	}
	var s string
	if json.Unmarshal(body, &s) == nil {
		return s
	}
	var v struct {
		Errors      json.RawMessage `json:"errors"`
		Message     string          `json:"message"`
		Description string          `json:"description"`
		Title       string          `json:"title"`
	}
	if json.Unmarshal(body, &v) == nil {
		var parts []string
		var list []json.RawMessage
		if json.Unmarshal(v.Errors, &list) == nil {
			for _, e := range list {
				var str string
				if json.Unmarshal(e, &str) == nil {
					parts = append(parts, str)
					continue
				}
				if m := httpx.CommonErrorText(e); m != "" {
					parts = append(parts, m)
				}
			}
		}
		var fields map[string][]string
		if len(parts) == 0 && json.Unmarshal(v.Errors, &fields) == nil {
			for k, msgs := range fields {
				parts = append(parts, k+": "+strings.Join(msgs, ", "))
			}
		}
		for _, x := range []string{v.Message, v.Description, v.Title} {
			if x != "" {
				parts = append(parts, x)
			}
		}
		return strings.Join(parts, "; ")
	}
	if t[0] != '{' && t[0] != '[' && t[0] != '<' && len(t) <= 200 {
		return t
	}
	return ""
}
