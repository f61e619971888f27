package httpx

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"syncagent/connectors"
)

// Token is an access token and how long the server said it lives (0: not said).
type Token struct {
	Value     string
	ExpiresIn time.Duration
}

// TokenSource caches one access token for a store. It fetches a new one a little before
// the announced expiry, and after a 401 when the server dropped the token early
// (revoked, restarted, clock trouble). Concurrent callers share one fetch.
type TokenSource struct {
	fetch  func(ctx context.Context) (Token, error)
	clock  Clock
	redact *Redactor

	mu     sync.Mutex
	tok    string
	expiry time.Time // refresh at or after this (zero: only after a 401)
	sf     singleflight.Group

	fetches atomic.Int64
}

// NewTokenSource returns a cache around fetch. Fetched tokens are added to redact so
// they never reach a log.
func NewTokenSource(clock Clock, redact *Redactor, fetch func(ctx context.Context) (Token, error)) *TokenSource {
	return &TokenSource{fetch: fetch, clock: clock, redact: redact}
}

// refreshEarly is how long before the announced expiry a token is replaced: a tenth of
// its life, at most a minute, so a request never leaves with a token about to die.
func refreshEarly(life time.Duration) time.Duration { return min(life/10, time.Minute) }

// Token returns a valid token, fetching one when there is none or it is about to expire.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	tok, exp := ts.tok, ts.expiry
	ts.mu.Unlock()
	if tok != "" && (exp.IsZero() || ts.clock.Now().Before(exp)) {
		return tok, nil
	}
	// The fetch is shared, so it must not die with the first caller's context; each
	// caller still stops waiting when its own context ends.
	ch := ts.sf.DoChan("token", func() (any, error) {
		start := ts.clock.Now()
		t, err := ts.fetch(context.WithoutCancel(ctx))
		if err != nil {
			return "", err
		}
		ts.fetches.Add(1)
		ts.redact.Add(t.Value)
		ts.mu.Lock()
		ts.tok = t.Value
		ts.expiry = time.Time{}
		if t.ExpiresIn > 0 {
			ts.expiry = start.Add(t.ExpiresIn - refreshEarly(t.ExpiresIn))
		}
		ts.mu.Unlock()
		return t.Value, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Apply puts "Authorization: Bearer <token>" on req.
func (ts *TokenSource) Apply(ctx context.Context, req *http.Request) (string, error) {
	tok, err := ts.Token(ctx)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return tok, nil
}

// Renew forgets token if it is still the cached one, so the next Apply fetches a new
// one; requests that failed with the same token all lead to a single fetch.
func (ts *TokenSource) Renew(token string) bool {
	ts.mu.Lock()
	if ts.tok == token {
		ts.tok = ""
	}
	ts.mu.Unlock()
	return true
}

// Fetches counts the tokens fetched so far (for status and tests).
func (ts *TokenSource) Fetches() int64 { return ts.fetches.Load() }

// ClientCredentials is the OAuth2 client-credentials grant at Path of a Client.
type ClientCredentials struct {
	Path         string
	Form         bool // x-www-form-urlencoded body (ikas) instead of JSON (PazarSync)
	ClientID     string
	ClientSecret string
	Bucket       string // rate-limit bucket the token endpoint counts against
	// Keys names the config keys to check in the message of a refusal.
	Keys string
}

type tokenReply struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
}

// Fetcher returns the fetch function for a TokenSource.
func (cc ClientCredentials) Fetcher(c *Client) func(ctx context.Context) (Token, error) {
	return func(ctx context.Context) (Token, error) {
		req := &Request{Method: http.MethodPost, Path: cc.Path, Bucket: cc.Bucket, NoAuth: true}
		if cc.Form {
			req.Body = []byte(url.Values{"grant_type": {"client_credentials"}, "client_id": {cc.ClientID},
				"client_secret": {cc.ClientSecret}}.Encode())
			req.ContentType = "application/x-www-form-urlencoded"
		} else {
			req.JSON = map[string]string{"client_id": cc.ClientID, "client_secret": cc.ClientSecret,
				"grant_type": "client_credentials"}
		}
		resp, err := c.Do(ctx, req)
		if err != nil {
			if resp != nil && (resp.Status == 400 || resp.Status == 401 || resp.Status == 403) {
				// A refused grant is wrong credentials, whatever code the server picked.
				return Token{}, &connectors.Error{Kind: connectors.Auth, Status: resp.Status,
					Message: c.redact.String(fmt.Sprintf("%s did not accept the client id and secret%s; check %s",
						c.name, quoted(c.errorText(resp.Body)), cc.Keys))}
			}
			return Token{}, err
		}
		var tr tokenReply
		if err := json.Unmarshal(resp.Body, &tr); err != nil || tr.AccessToken == "" {
			return Token{}, &connectors.Error{Kind: connectors.Transient, Status: resp.Status,
				Message: c.name + " answered the token request without an access_token"}
		}
		if tt := strings.ToLower(tr.TokenType); tt != "" && tt != "bearer" {
			return Token{}, &connectors.Error{Kind: connectors.Permanent, Status: resp.Status,
				Message: fmt.Sprintf("%s issued a token of type %q; only bearer tokens are supported", c.name, tr.TokenType)}
		}
		t := Token{Value: tr.AccessToken}
		var secs json.Number
		if json.Unmarshal(tr.ExpiresIn, &secs) == nil || json.Unmarshal(unquote(tr.ExpiresIn), &secs) == nil {
			if f, err := secs.Float64(); err == nil && f > 0 {
				t.ExpiresIn = time.Duration(f * float64(time.Second))
			}
		}
		return t, nil
	}
}

// unquote turns "3600" into 3600: some servers send expires_in as a string.
func unquote(raw json.RawMessage) json.RawMessage {
	s := strings.TrimSpace(string(raw))
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return json.RawMessage(s[1 : len(s)-1])
	}
	return raw
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", s)
}
