package ideasoft

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// The one-time consent (syncagent authorize): the shop's admin opens ConsentURL in a
// browser, logs in to the IdeaSoft panel and grants the API app access; IdeaSoft sends
// the browser to the redirect URI with a code that lives about 30 seconds, and
// ExchangeCode trades it for the first refresh token.

// RedirectURI is the redirect URI of the store (settings.redirect_uri): the one
// registered with the API app in the IdeaSoft panel.
func (c *Client) RedirectURI() string { return c.redirect }

// ConsentURL is the panel's consent page for redirectURI, carrying state for the caller
// to check when the browser comes back.
func (c *Client) ConsentURL(redirectURI, state string) string {
	q := url.Values{"client_id": {c.clientID}, "response_type": {"code"}, "state": {state}, "redirect_uri": {redirectURI}}
	return c.origin + consentPath + "?" + q.Encode()
}

// ExchangeCode trades a consent's code for tokens and saves the refresh token durably in
// the data dir, replacing any earlier consent. The access token stays in this process:
// a refresh of the saved token serves the agent.
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI string) error {
	if code == "" {
		return errors.New("no authorization code")
	}
	ts := c.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	tr, err := c.grant(ctx, url.Values{"grant_type": {"authorization_code"}, "client_id": {c.clientID},
		"client_secret": {c.secret}, "code": {code}, "redirect_uri": {redirectURI}})
	if errors.Is(err, errInvalidGrant) {
		return fmt.Errorf("IdeaSoft refused the code (it works once and for about 30 seconds); run `syncagent authorize %s` again: %w", c.name, err)
	}
	if err != nil {
		return err
	}
	if tr.refresh == "" {
		return fmt.Errorf("IdeaSoft answered the consent without a refresh token; the agent could not keep the store connected")
	}
	prev, _ := ts.load()
	f := &tokenFile{Refresh: tr.refresh, RefreshAt: c.clock.Now()}
	if prev != nil {
		f.Seq = prev.Seq + 1
	}
	if err := ts.save(f); err != nil {
		return fmt.Errorf("IdeaSoft's refresh token could not be saved to %s: %w", ts.path, err)
	}
	c.auth.accept(tr.access, tr.life)
	return nil
}
