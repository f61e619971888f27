package tsoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/tsoft/api"
)

const formType = "application/x-www-form-urlencoded"

// call is one REST1 method call: read parameters as plain form fields, structured input
// as JSON in the form field "data".
type call struct {
	method string     // "product/get"
	form   url.Values // read parameters
	data   any        // marshalled into data when not nil
	write  bool       // the call may change the shop (a lost reply is an unknown outcome)
}

func formOf(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// refusal is a success:false reply about the request's content (an unknown product
// code, a value T-Soft does not take), as opposed to one about the caller (token,
// licence, IP, permission, throttling), which do returns as a *connectors.Error.
type refusal struct {
	method string
	text   string // T-Soft's words, verbatim
	kind   msgKind
	env    *api.Envelope
}

func (r *refusal) Error() string {
	if r.text == "" {
		return fmt.Sprintf("T-Soft refused %s without a message", r.method)
	}
	return fmt.Sprintf("T-Soft refused %s: %q", r.method, r.text)
}

// asError turns a refusal of a whole request (a list, a single update nobody reads per
// item) into the agent's error: Retry-able words are transient, others permanent.
func (r *refusal) asError() *connectors.Error {
	kind := connectors.Permanent
	if r.kind == msgTransient {
		kind = connectors.Transient
	}
	return &connectors.Error{Kind: kind, Message: r.Error()}
}

type writeKey struct{}

func isWrite(ctx context.Context) bool { w, _ := ctx.Value(writeKey{}).(bool); return w }

// do makes one call with the store's token. A reply that says the token is dead gets
// one fresh login and one more send (the refusal happened before anything was
// applied); refusals about the caller come back as a *connectors.Error that names the
// fix, refusals about the content as a *refusal with the envelope.
func (c *Client) do(ctx context.Context, cl call) (*api.Envelope, error) {
	body := url.Values{}
	for k, v := range cl.form {
		body[k] = v
	}
	if cl.data != nil {
		b, err := json.Marshal(cl.data)
		if err != nil {
			return nil, &connectors.Error{Kind: connectors.Permanent, Err: err, Message: "the update for T-Soft could not be encoded"}
		}
		body.Set("data", string(b))
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return nil, err
		}
		body.Set("token", tok)
		resp, err := c.http.Do(context.WithValue(ctx, writeKey{}, cl.write), &httpx.Request{Method: http.MethodPost,
			Path: "/rest1/" + cl.method, Body: []byte(body.Encode()), ContentType: formType})
		if err != nil {
			return nil, readOnly(err, cl.write)
		}
		env, err := c.envelope(resp, cl)
		if err != nil {
			return nil, err
		}
		if env.OK() {
			return env, nil
		}
		text := c.http.Redact(messageText(env.Message))
		switch k := classify(text); k {
		case msgToken:
			if attempt == 0 {
				c.log.Debug().Str("method", cl.method).Msg("T-Soft says the token is no longer valid; logging in again and sending once more")
				c.tokens.Renew(tok)
				continue
			}
			return nil, &connectors.Error{Kind: connectors.Auth, Message: fmt.Sprintf(
				"T-Soft refused a token it had just issued (%q); check that credentials.user is a web-service user (Web Servis kullanıcısı) and that the shop's clock and the web service work", text)}
		case msgLicence, msgIP, msgPermission, msgThrottle:
			return nil, c.callerError(k, cl.method, text)
		default:
			return env, &refusal{method: cl.method, text: text, kind: k, env: env}
		}
	}
}

// readOnly corrects the shared client's reading of a lost reply: every REST1 call is a
// POST, but a read cannot have changed anything.
func readOnly(err error, write bool) error {
	var ce *connectors.Error
	if !write && errors.As(err, &ce) && ce.Kind == connectors.Unknown {
		ce.Kind = connectors.Transient
		ce.Message = strings.Replace(ce.Message, "; it may have been applied, so its outcome must be checked before sending again", "; it was a read, so it is simply asked again", 1)
	}
	return err
}

// envelope reads a 2xx reply. An HTML page (the shop's PHP error page under HTTP 200)
// or a body that is no envelope is classified, not decoded as garbage: after an update
// its outcome is unknown, after a read it is a transient failure.
func (c *Client) envelope(resp *httpx.Response, cl call) (*api.Envelope, error) {
	kind, tail := connectors.Transient, "; it is asked again later"
	if cl.write {
		kind, tail = connectors.Unknown, "; the update may have been applied, so the product is read back before sending again"
	}
	if isHTML(resp.Header.Get("Content-Type"), resp.Body) {
		what := "an HTML page"
		if t := htmlTitle(resp.Body); t != "" {
			what += fmt.Sprintf(" (%q)", t)
		}
		return nil, &connectors.Error{Kind: kind, Status: resp.Status, Message: fmt.Sprintf(
			"T-Soft answered %s with %s instead of its JSON reply, likely a PHP error of the shop%s", cl.method, what, tail)}
	}
	var env api.Envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil || len(env.Success) == 0 {
		if err == nil {
			err = errors.New("no success field")
		}
		return nil, &connectors.Error{Kind: kind, Status: resp.Status, Err: err, Message: fmt.Sprintf(
			"T-Soft answered %s with a reply that is not its usual envelope%s", cl.method, tail)}
	}
	return &env, nil
}

// callerError is the agent's error for a refusal about the caller, in words that say
// where in the T-Soft panel it is fixed.
func (c *Client) callerError(k msgKind, method, text string) *connectors.Error {
	switch k {
	case msgLicence:
		return &connectors.Error{Kind: connectors.Auth, Hint: "the shop's T-Soft package: it needs the Gelişmiş Web Servis (REST1) licence", Message: fmt.Sprintf(
			"the shop's T-Soft package has no web service (REST1 / Gelişmiş Web Servis) licence (T-Soft: %q); ask T-Soft to add it to the package", text)}
	case msgIP:
		return &connectors.Error{Kind: connectors.Auth, Hint: "the web service's allowed IP list in the T-Soft panel: add this computer's public IP address", Message: fmt.Sprintf(
			"the shop's IP restriction refused this computer (T-Soft: %q); add this computer's public IP address to the web service's allowed IP list in the T-Soft panel", text)}
	case msgPermission:
		return &connectors.Error{Kind: connectors.Auth, Hint: "the web-service user's method permissions in the T-Soft panel: it needs " + method, Message: fmt.Sprintf(
			"this user may not call %s — give the web-service user that permission in the T-Soft panel (T-Soft: %q; the user is credentials.user)", method, text)}
	}
	wait := c.pacer.Observe("", httpx.RateInfo{}, true)
	return &connectors.Error{Kind: connectors.RetryAfter, RetryAfter: wait, Message: fmt.Sprintf(
		"T-Soft says too many requests (%q); pausing %s", text, wait)}
}

// login fetches a token: POST /rest1/auth/login/{user} with the password in the form
// field pass, as the verified client does; a user given as an e-mail address goes into
// the path as the part before @ (a third-party client's rule).
func (c *Client) login(ctx context.Context, pass string) (httpx.Token, error) {
	user := c.user
	if i := strings.IndexByte(user, '@'); i > 0 {
		user = user[:i]
	}
	cl := call{method: "auth/login"}
	resp, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: "/rest1/auth/login/" + url.PathEscape(user),
		Body: []byte(url.Values{"pass": {pass}}.Encode()), ContentType: formType, NoAuth: true})
	if err != nil {
		return httpx.Token{}, readOnly(err, false)
	}
	env, err := c.envelope(resp, cl)
	if err != nil {
		return httpx.Token{}, err
	}
	if !env.OK() {
		text := c.http.Redact(messageText(env.Message))
		switch k := classify(text); k {
		case msgLicence, msgIP, msgThrottle:
			return httpx.Token{}, c.callerError(k, "auth/login", text)
		}
		return httpx.Token{}, &connectors.Error{Kind: connectors.Auth, Message: fmt.Sprintf(
			"T-Soft did not accept the web-service user and password (T-Soft: %q); check credentials.user and credentials.password: they are the Web Servis kullanıcısı created in the T-Soft panel, not the panel's own login", text)}
	}
	var rows []api.Login
	if err := json.Unmarshal(env.Data, &rows); err != nil || len(rows) == 0 || rows[0].Token == "" {
		return httpx.Token{}, &connectors.Error{Kind: connectors.Transient, Status: resp.Status,
			Message: "T-Soft answered the login without a token; it is tried again later"}
	}
	t := httpx.Token{Value: rows[0].Token, ExpiresIn: c.set.tokenTTL}
	if life, ok := tokenLife(rows[0].ExpirationTime, resp.Date, c.clock.Now()); ok {
		t.ExpiresIn = life
	} else {
		c.log.Debug().Str("expirationTime", rows[0].ExpirationTime.String()).Dur("using", c.set.tokenTTL).
			Msg("T-Soft's token expirationTime could not be read; using settings.token_ttl")
	}
	return t, nil
}

// tokenLife is how long a token lives by its expirationTime, counted from the reply's
// Date (the shop's own clock) when there is one, so a skewed local clock does not make
// a live token look dead. A time that cannot be read, or gives a life of nothing or of
// more than a week, is not believed.
func tokenLife(exp api.Value, serverNow, localNow time.Time) (time.Duration, bool) {
	t, err := instant(exp)
	if err != nil {
		return 0, false
	}
	now := localNow
	if !serverNow.IsZero() {
		now = serverNow
	}
	life := t.Sub(now)
	if life <= 0 || life > 7*24*time.Hour {
		return 0, false
	}
	return life, true
}

// envelopeText is the messages of an envelope body ("" when it is none).
func envelopeText(body []byte) string {
	var env api.Envelope
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	return messageText(env.Message)
}
