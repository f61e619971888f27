package ideasoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/ideasoft/api"
)

// IdeaSoft's refresh tokens rotate: a refresh answers a new refresh token and the one
// presented dies at once. So the store's one valid refresh token lives in a file of the
// data dir (tokenfile.go), and every refresh follows one order:
//
//  1. one refresh at a time per store: the token store's mutex, and the TokenSource's
//     singleflight that joins every caller waiting for a token to one refresh;
//  2. the refresh token is read from the file, not from memory, so a consent given
//     meanwhile (syncagent authorize) or a refresh by another process is taken up;
//  3. the reply's refresh token is written durably (temporary file, fsync, rename, fsync
//     of the folder) before the new access token is handed to any request;
//  4. a refresh IdeaSoft refuses (invalid_grant) means the consent must be given again,
//     and the error says so in plain words.
//
// The access token is kept in the file too, so a restart uses it instead of rotating
// the refresh token again. Stages of a save are announced to a test hook (OnTokenSave).

// authenticator puts the store's access token on each request and renews it after a 401.
type authenticator struct {
	c  *Client
	ts *httpx.TokenSource

	mu      sync.Mutex
	refused map[string]bool // access tokens IdeaSoft answered 401 to
	fresh   *httpx.Token    // a consent's access token, for the next fetch
}

func newAuthenticator(c *Client) *authenticator {
	a := &authenticator{c: c, refused: map[string]bool{}}
	a.ts = httpx.NewTokenSource(c.clock, c.red, c.fetchToken)
	return a
}

func (a *authenticator) Apply(ctx context.Context, req *http.Request) (string, error) {
	return a.ts.Apply(ctx, req)
}

// Renew is told a request with token got 401: that token is not to be used again, even
// when the file still holds it.
func (a *authenticator) Renew(token string) bool {
	a.mu.Lock()
	a.refused[token] = true
	a.mu.Unlock()
	return a.ts.Renew(token)
}

func (a *authenticator) wasRefused(token string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refused[token]
}

// fetchToken is the TokenSource's fetch: the saved access token while it lives, else one
// refresh, saved before its access token is returned.
func (c *Client) fetchToken(ctx context.Context) (httpx.Token, error) {
	if t := c.auth.takeFresh(); t != nil {
		return *t, nil
	}
	ts := c.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if err := ts.flushPending(); err != nil {
		return httpx.Token{}, c.saveError(err)
	}
	f, err := ts.load()
	if err != nil {
		return httpx.Token{}, &connectors.Error{Kind: connectors.Permanent, Err: err,
			Message: fmt.Sprintf("cannot read the IdeaSoft token file of store %s (%s); check the data dir's permissions, or run `syncagent authorize %s` again", c.name, ts.path, c.name)}
	}
	if err := c.usable(f); err != nil {
		return httpx.Token{}, err
	}
	c.red.Add(f.Refresh, f.Access)
	now := c.clock.Now()
	if c.alive(f, now) {
		return httpx.Token{Value: f.Access, ExpiresIn: f.AccessUntil.Sub(now)}, nil
	}
	ts.stage("loaded")
	tr, err := c.grant(ctx, url.Values{"grant_type": {"refresh_token"}, "client_id": {c.clientID},
		"client_secret": {c.secret}, "refresh_token": {f.Refresh}})
	if errors.Is(err, errInvalidGrant) {
		// Another process (a test-store beside the service) may have rotated it first.
		if g, lerr := ts.load(); lerr == nil && g != nil && g.Refresh != f.Refresh && c.usable(g) == nil {
			c.red.Add(g.Refresh, g.Access)
			if c.alive(g, now) {
				return httpx.Token{Value: g.Access, ExpiresIn: g.AccessUntil.Sub(now)}, nil
			}
		}
		return httpx.Token{}, c.consentAgain(err)
	}
	if err != nil {
		return httpx.Token{}, err
	}
	ts.stage("refreshed")
	nf := *f
	nf.Seq++
	if tr.refresh != "" {
		nf.Refresh, nf.RefreshAt = tr.refresh, now
	}
	nf.Access, nf.AccessUntil = tr.access, now.Add(tr.life)
	if err := ts.save(&nf); err != nil {
		ts.pending = &nf
		return httpx.Token{}, c.saveError(err)
	}
	return httpx.Token{Value: tr.access, ExpiresIn: tr.life}, nil
}

// alive reports whether the file's access token may still be used: not refused, and
// more than a minute left (the TokenSource would ask again at once for less).
func (c *Client) alive(f *tokenFile, now time.Time) bool {
	return f.Access != "" && now.Add(time.Minute).Before(f.AccessUntil) && !c.auth.wasRefused(f.Access)
}

// usable checks that a token file exists and belongs to this store's shop and app.
func (c *Client) usable(f *tokenFile) error {
	if f == nil {
		return &connectors.Error{Kind: connectors.Auth, Hint: c.consentHint(),
			Message: fmt.Sprintf("store %s is not connected to its IdeaSoft shop yet: run `syncagent authorize %s` once (a consent in the IdeaSoft panel, in a browser)", c.name, c.name)}
	}
	if f.Shop != c.shop || f.Client != c.tokens.client {
		return &connectors.Error{Kind: connectors.Auth, Hint: c.consentHint(),
			Message: fmt.Sprintf("the saved IdeaSoft consent of store %s was given to another shop or API app than credentials.shop and credentials.client_id now name: run `syncagent authorize %s` again", c.name, c.name)}
	}
	return nil
}

// consentHint is test-store's advice for a consent that is missing or gone.
func (c *Client) consentHint() string {
	return fmt.Sprintf("the store's consent: run `syncagent authorize %s`, then test again", c.name)
}

func (c *Client) consentAgain(err error) error {
	return &connectors.Error{Kind: connectors.Auth, Err: err, Hint: c.consentHint(),
		Message: fmt.Sprintf("IdeaSoft no longer accepts the saved refresh token of store %s (unused for about two months, the API app's access removed in the panel, or the agent stopped in the middle of a token refresh): run `syncagent authorize %s` again", c.name, c.name)}
}

func (c *Client) saveError(err error) error {
	return &connectors.Error{Kind: connectors.Transient, Err: err,
		Message: fmt.Sprintf("IdeaSoft issued a new refresh token for store %s that could not be saved to %s; the agent keeps it in memory and saves it before using it; if the agent stops first, run `syncagent authorize %s` again", c.name, c.tokens.path, c.name)}
}

// errInvalidGrant marks a code or refresh token IdeaSoft no longer accepts.
var errInvalidGrant = errors.New("invalid_grant")

// tokenGrant is what a token reply gives.
type tokenGrant struct {
	access, refresh string
	life            time.Duration
}

// grant posts one grant to the token endpoint (form-urlencoded) and reads the reply.
func (c *Client) grant(ctx context.Context, form url.Values) (tokenGrant, error) {
	for _, k := range []string{"code", "refresh_token"} {
		c.red.Add(form.Get(k))
	}
	req := &httpx.Request{Method: http.MethodPost, Path: tokenPath, Bucket: tokenBucket, NoAuth: true,
		Body: []byte(form.Encode()), ContentType: "application/x-www-form-urlencoded"}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		if resp == nil || resp.Status < 400 || resp.Status >= 500 || resp.Status == http.StatusTooManyRequests {
			return tokenGrant{}, err
		}
		var oe api.OAuthError
		_ = json.Unmarshal(resp.Body, &oe)
		switch oe.Error {
		case "invalid_grant":
			return tokenGrant{}, fmt.Errorf("IdeaSoft: %s: %w", c.red.String(oe.Description), errInvalidGrant)
		case "redirect_uri_mismatch":
			return tokenGrant{}, &connectors.Error{Kind: connectors.Auth, Status: resp.Status,
				Message: fmt.Sprintf("IdeaSoft says the redirect URI %s is not the one registered with the API app; make settings.redirect_uri of store %s the app's redirect URI in the IdeaSoft panel", c.redirect, c.name)}
		}
		return tokenGrant{}, &connectors.Error{Kind: connectors.Auth, Status: resp.Status,
			Message: c.red.String(fmt.Sprintf("IdeaSoft did not accept the API app of store %s%s; check credentials.client_id and credentials.client_secret (Entegrasyonlar › API in the IdeaSoft panel)", c.name, quoted(errorText(resp.Body))))}
	}
	var tr api.TokenReply
	if err := json.Unmarshal(resp.Body, &tr); err != nil || tr.AccessToken == "" {
		return tokenGrant{}, &connectors.Error{Kind: connectors.Unknown, Status: resp.Status,
			Message: "IdeaSoft answered the token request without an access_token"}
	}
	if tt := strings.ToLower(tr.TokenType); tt != "" && tt != "bearer" {
		return tokenGrant{}, &connectors.Error{Kind: connectors.Permanent, Status: resp.Status,
			Message: fmt.Sprintf("IdeaSoft issued a token of type %q; only bearer tokens are supported", tr.TokenType)}
	}
	c.red.Add(tr.AccessToken, tr.RefreshToken)
	g := tokenGrant{access: tr.AccessToken, refresh: tr.RefreshToken, life: 24 * time.Hour}
	var secs json.Number
	raw := strings.Trim(string(tr.ExpiresIn), `"`)
	if json.Unmarshal([]byte(raw), &secs) == nil {
		if f, err := secs.Float64(); err == nil && f > 0 {
			g.life = time.Duration(f * float64(time.Second))
		}
	}
	return g, nil
}

// accept keeps the access token of a consent for this process's next token fetch (the
// consent's process uses it for its check instead of rotating the new refresh token).
func (a *authenticator) accept(token string, life time.Duration) {
	a.mu.Lock()
	a.fresh = &httpx.Token{Value: token, ExpiresIn: life}
	a.mu.Unlock()
}

// takeFresh returns the consent's access token once.
func (a *authenticator) takeFresh() *httpx.Token {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.fresh
	a.fresh = nil
	return t
}
