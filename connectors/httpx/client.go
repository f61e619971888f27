package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
)

// MaxReply is the largest reply body read; a marketplace list page is far smaller, and a
// runaway body must not take the warehouse PC's memory.
const MaxReply = 64 << 20

// Config describes one store's client.
type Config struct {
	Name      string // the marketplace as an operator reads it ("Trendyol"), used in messages
	BaseURL   string // paths are appended to it
	UserAgent string
	Timeout   time.Duration // one exchange, from sending to the last byte of the reply
	Auth      Authenticator // nil: none
	Pacer     *Pacer        // nil: no rate limit
	Redactor  *Redactor     // secrets to hide; nil: hide by field name only
	// ShouldRetry is the connector's classification of a finished exchange, in rclone's
	// shape: (false, nil) is success; a *connectors.Error is taken as it is; anything
	// else is classified by status (see ShouldRetry in this package). Nil: ShouldRetry
	// with DefaultRetryCodes.
	ShouldRetry func(ctx context.Context, resp *Response, err error) (bool, error)
	// ErrorText pulls the marketplace's own words out of an error body (nil: the
	// common "message"/"error" fields).
	ErrorText func(body []byte) string
	Log       zerolog.Logger
	Clock     Clock
	Transport http.RoundTripper // nil: a transport with sane dial and TLS timeouts
}

// Request is one exchange. Bodies are bytes, never streams, so nothing is half-sent by
// the client itself and every body can be logged (redacted) at debug.
type Request struct {
	Method      string
	Path        string
	Query       url.Values
	JSON        any    // marshalled as the body when not nil
	Body        []byte // raw body, with ContentType
	ContentType string
	Header      http.Header
	Bucket      string // rate-limit bucket ("" is a bucket too)
	NoAuth      bool   // send without credentials (the token request itself)
}

// write reports whether the request may change state at the marketplace: only then is
// a lost reply an unknown outcome rather than a plain failure.
func (r *Request) write() bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != ""
}

// Response is a reply read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Date   time.Time // the server's Date header (zero: none)
	Rate   RateInfo
}

// Client talks to one store's marketplace API.
type Client struct {
	name        string
	base        string
	ua          string
	timeout     time.Duration
	auth        Authenticator
	pacer       *Pacer
	redact      *Redactor
	shouldRetry func(ctx context.Context, resp *Response, err error) (bool, error)
	errText     func([]byte) string
	log         zerolog.Logger
	clock       Clock
	hc          *http.Client

	exchanges atomic.Int64
}

// New builds a client. It does no I/O.
func New(cfg Config) *Client {
	c := &Client{
		name: cfg.Name, base: strings.TrimRight(cfg.BaseURL, "/"), ua: cfg.UserAgent,
		timeout: cfg.Timeout, auth: cfg.Auth, pacer: cfg.Pacer, redact: cfg.Redactor,
		shouldRetry: cfg.ShouldRetry, errText: cfg.ErrorText, log: cfg.Log, clock: cfg.Clock,
	}
	if c.redact == nil {
		c.redact = NewRedactor()
	}
	if c.shouldRetry == nil {
		c.shouldRetry = func(ctx context.Context, resp *Response, err error) (bool, error) {
			return ShouldRetry(ctx, resp, err, DefaultRetryCodes)
		}
	}
	if c.errText == nil {
		c.errText = CommonErrorText
	}
	if c.clock.Now == nil || c.clock.Sleep == nil {
		c.clock = ClockOf(connectors.Deps{Now: c.clock.Now, Sleep: c.clock.Sleep})
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
	}
	tr := cfg.Transport
	if tr == nil {
		tr = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment, // warehouse networks often go through one
			DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   15 * time.Second,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
			ForceAttemptHTTP2:     true,
		}
	}
	c.hc = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		// A redirect of an API call is a misconfigured base URL; following it would
		// resend a write to another place.
		return http.ErrUseLastResponse
	}}
	return c
}

// SetAuth sets the authenticator; for a TokenSource, whose fetch goes through this very
// client, it is set right after New and before the first request.
func (c *Client) SetAuth(a Authenticator) { c.auth = a }

// BaseURL is the URL paths are appended to.
func (c *Client) BaseURL() string { return c.base }

// UserAgent is the User-Agent sent with every request.
func (c *Client) UserAgent() string { return c.ua }

// Name is the marketplace name used in messages.
func (c *Client) Name() string { return c.name }

// Exchanges counts the HTTP exchanges attempted (for tests and status).
func (c *Client) Exchanges() int64 { return c.exchanges.Load() }

// Redact hides the client's secrets in s.
func (c *Client) Redact(s string) string { return c.redact.String(s) }

// ErrorText returns the marketplace's words in an error body (redacted).
func (c *Client) ErrorText(body []byte) string { return c.errorText(body) }

func (c *Client) errorText(body []byte) string { return c.redact.String(c.errText(body)) }

// Do runs one exchange: it waits for the rate limit, sends, reads the whole reply and
// classifies it. On failure the error is a *connectors.Error and resp is the reply when
// one came (a connector may read per-item details from a 400). After a 401 to a request
// with a renewable token it renews the token and sends once more.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	resp, wrote, tok, err := c.exchange(ctx, req)
	if err == nil && resp.Status == http.StatusUnauthorized && !req.NoAuth && c.auth != nil && c.auth.Renew(tok) {
		c.log.Debug().Str("path", req.Path).Msg("401 with a token; fetching a new token and sending once more")
		resp, wrote, _, err = c.exchange(ctx, req)
	}
	return resp, c.classify(ctx, req, resp, wrote, err)
}

// DoJSON is Do followed by decoding a successful reply into out.
func (c *Client) DoJSON(ctx context.Context, req *Request, out any) (*Response, error) {
	resp, err := c.Do(ctx, req)
	if err != nil || out == nil {
		return resp, err
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return resp, c.Unreadable(req, resp, err)
	}
	return resp, nil
}

// Unreadable classifies a 2xx reply the connector could not make sense of: for a write
// it may have been applied (Unknown), for a read it is a failure like any other.
func (c *Client) Unreadable(req *Request, resp *Response, err error) error {
	kind, tail := connectors.Transient, ""
	if req.write() {
		kind, tail = connectors.Unknown, "; the change may have been applied"
	}
	return &connectors.Error{Kind: kind, Status: resp.Status, Err: err,
		Message: fmt.Sprintf("%s answered %s %s with a reply that could not be read%s", c.name, req.Method, req.Path, tail)}
}

func (c *Client) exchange(ctx context.Context, req *Request) (resp *Response, wrote bool, tok string, err error) {
	body := req.Body
	if req.JSON != nil {
		if body, err = json.Marshal(req.JSON); err != nil {
			return nil, false, "", &connectors.Error{Kind: connectors.Permanent, Err: err,
				Message: "the request to " + c.name + " could not be encoded"}
		}
	}
	u := c.base + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	hreq, err := http.NewRequest(req.Method, u, bytes.NewReader(body))
	if err != nil {
		return nil, false, "", &connectors.Error{Kind: connectors.Permanent, Err: err,
			Message: fmt.Sprintf("cannot build a request to %s (check base_url)", c.name)}
	}
	if body == nil {
		hreq.Body, hreq.ContentLength = http.NoBody, 0
	}
	for k, v := range req.Header {
		hreq.Header[k] = v
	}
	hreq.Header.Set("Accept", "application/json")
	if c.ua != "" {
		hreq.Header.Set("User-Agent", c.ua)
	}
	switch {
	case req.ContentType != "":
		hreq.Header.Set("Content-Type", req.ContentType)
	case req.JSON != nil:
		hreq.Header.Set("Content-Type", "application/json")
	}
	// Credentials before the rate limit: a token fetch goes through the pacer itself,
	// and must not wait for slots held by requests that wait for that token.
	if c.auth != nil && !req.NoAuth {
		if tok, err = c.auth.Apply(ctx, hreq); err != nil {
			return nil, false, "", err
		}
	}
	if c.pacer != nil {
		done, err := c.pacer.Wait(ctx, req.Bucket)
		var qe *QuotaError
		if errors.As(err, &qe) {
			per, last := windowWords(qe.Rate.Per)
			kept := ""
			if qe.Reserved > 0 {
				kept = fmt.Sprintf(", the last %d kept for fetching orders", qe.Reserved)
			}
			return nil, false, "", &connectors.Error{Kind: connectors.RetryAfter, RetryAfter: qe.Wait, Err: qe,
				Message: fmt.Sprintf("%s's budget of %d requests %s is spent (%d sent in the last %s%s); nothing was sent; the next request may go at %s (in %s)",
					c.name, qe.Rate.Requests, per, qe.Used, last, kept, qe.Until.UTC().Format("2006-01-02 15:04 UTC"), qe.Wait.Round(time.Second))}
		}
		if err != nil {
			return nil, false, "", err
		}
		defer done()
	}
	c.exchanges.Add(1)
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var written atomic.Bool
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				written.Store(true)
			}
		},
	})
	hreq = hreq.WithContext(rctx)
	start := time.Now()
	hresp, err := c.hc.Do(hreq)
	if err != nil {
		c.logExchange(hreq, body, nil, nil, time.Since(start), err)
		return nil, written.Load(), tok, err
	}
	defer hresp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(hresp.Body, MaxReply))
	resp = &Response{Status: hresp.StatusCode, Header: hresp.Header, Body: raw, Date: ServerDate(hresp.Header)}
	serverNow := resp.Date
	if serverNow.IsZero() {
		serverNow = c.clock.Now()
	}
	resp.Rate = ParseRateInfo(hresp.Header, serverNow)
	c.logExchange(hreq, body, resp, raw, time.Since(start), rerr)
	if rerr != nil {
		// The status line came but the body broke off: as good as no reply.
		return nil, true, tok, rerr
	}
	if c.pacer != nil {
		c.pacer.Observe(req.Bucket, resp.Rate, false)
	}
	return resp, true, tok, nil
}

// logExchange writes one debug line per exchange: method, URL, status, time taken, and
// the headers and bodies with every secret hidden. Nothing is built unless debug is on.
func (c *Client) logExchange(req *http.Request, reqBody []byte, resp *Response, respBody []byte, took time.Duration, err error) {
	ev := c.log.Debug()
	if !ev.Enabled() {
		return
	}
	ev = ev.Str("method", req.Method).Str("url", c.redact.URL(req.URL)).Dur("took", took).
		Interface("request_headers", c.redact.Header(req.Header)).
		Str("request_body", c.redact.Body(reqBody, maxLog))
	if resp != nil {
		ev = ev.Int("status", resp.Status).Interface("response_headers", c.redact.Header(resp.Header)).
			Str("response_body", c.redact.Body(respBody, maxLog))
	}
	if err != nil {
		ev = ev.Str("error", c.redact.String(err.Error()))
	}
	ev.Msg(c.name + " http exchange")
}

// maxLog is the most of a body one debug line shows.
const maxLog = 4 << 10

// CommonErrorText finds the marketplace's message in the usual JSON error shapes:
// {"message"}, {"error"}, {"error_description"}, {"errors":[{"message"}]}; it never
// returns raw body text.
func CommonErrorText(body []byte) string {
	var v struct {
		Message     any    `json:"message"`
		Error       any    `json:"error"`
		Description string `json:"error_description"`
		Errors      any    `json:"errors"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	var parts []string
	for _, x := range []any{v.Error, v.Description, v.Message} {
		if s, ok := x.(string); ok && s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		if list, ok := v.Errors.([]any); ok && len(list) > 0 {
			if m, ok := list[0].(map[string]any); ok {
				if s, ok := m["message"].(string); ok {
					parts = append(parts, s)
				}
			}
		}
	}
	return strings.Join(parts, ": ")
}

// isTimeout reports a deadline passing (ours or the caller's) or a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// windowWords says a window as a budget is said ("a day") and as a span ("day").
func windowWords(d time.Duration) (per, span string) {
	switch d {
	case 24 * time.Hour:
		return "a day", "day"
	case time.Hour:
		return "an hour", "hour"
	case time.Minute:
		return "a minute", "minute"
	}
	return "per " + d.String(), d.String()
}
