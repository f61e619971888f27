package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"syncagent/connectors"
)

// DefaultRetryCodes are the statuses after which the same request may be sent again:
// throttled, or the server failed before doing anything.
var DefaultRetryCodes = []int{429, 500, 502, 503, 504}

// HTTPError is a reply outside 2xx before it is classified.
type HTTPError struct{ Status int }

func (e *HTTPError) Error() string { return fmt.Sprintf("HTTP %d", e.Status) }

// ShouldRetry is the default classification in rclone's shape: (false, nil) for a 2xx
// reply; (true, err) for a transport failure; for another status (whether it is one of
// retryCodes, *HTTPError). A connector's own shouldRetry handles its special replies
// first and ends with this.
func ShouldRetry(ctx context.Context, resp *Response, err error, retryCodes []int) (bool, error) {
	if err != nil {
		return true, err
	}
	if resp.Status >= 200 && resp.Status < 300 {
		return false, nil
	}
	return slices.Contains(retryCodes, resp.Status), &HTTPError{Status: resp.Status}
}

// classify turns the outcome of an exchange into nil or a *connectors.Error.
func (c *Client) classify(ctx context.Context, req *Request, resp *Response, wrote bool, terr error) error {
	var ce *connectors.Error
	if terr != nil && errors.As(terr, &ce) {
		return c.finish(req, resp, ce) // from the pacer or the token fetch, already classified
	}
	if terr != nil && resp == nil && ctx.Err() != nil && !wrote {
		return &connectors.Error{Kind: connectors.Transient, Err: ctx.Err(),
			Message: fmt.Sprintf("request to %s not sent: %v", c.name, ctx.Err())}
	}
	retry, err := c.shouldRetry(ctx, resp, terr)
	if err == nil {
		return nil
	}
	if errors.As(err, &ce) {
		return c.finish(req, resp, ce)
	}
	if terr != nil {
		return c.transportError(req, wrote, terr)
	}
	var he *HTTPError
	if resp == nil || !errors.As(err, &he) {
		return c.finish(req, resp, &connectors.Error{Kind: connectors.Permanent, Err: err,
			Message: c.redact.String(fmt.Sprintf("%s %s to %s failed: %v", req.Method, req.Path, c.name, err))})
	}
	return c.finish(req, resp, c.statusError(req, resp, retry))
}

// finish fills what a connector's error may leave out and holds the pacer for throttles.
func (c *Client) finish(req *Request, resp *Response, e *connectors.Error) error {
	if e.Status == 0 && resp != nil {
		e.Status = resp.Status
	}
	var quota *QuotaError
	if e.Kind == connectors.RetryAfter && c.pacer != nil && !errors.As(e, &quota) {
		// A spent long window (QuotaError) is the pacer's own count, not a throttle of
		// the marketplace's: holding the bucket for it would also stop the requests that
		// may spend the window's reserve.
		ri := RateInfo{}
		if resp != nil {
			ri = resp.Rate
		}
		if e.RetryAfter > 0 {
			ri.RetryAfter, ri.HasRetryAfter = e.RetryAfter, true
		}
		e.RetryAfter = c.pacer.Observe(req.Bucket, ri, true)
	}
	e.Message = c.redact.String(e.Message)
	return e
}

// transportError classifies a failure without a reply. Before the request was written
// nothing can have happened (refused connection, unknown host, no route); after it, a
// timeout or a reset may hide an applied change.
func (c *Client) transportError(req *Request, wrote bool, err error) error {
	cause := c.redact.String(plainCause(err))
	if !wrote {
		return &connectors.Error{Kind: connectors.Transient, Err: err,
			Message: fmt.Sprintf("could not reach %s (%s); nothing was sent", c.name, cause)}
	}
	if !req.write() {
		return &connectors.Error{Kind: connectors.Transient, Err: err,
			Message: fmt.Sprintf("no complete reply from %s to %s %s (%s)", c.name, req.Method, req.Path, cause)}
	}
	what := "the connection broke"
	if isTimeout(err) {
		what = fmt.Sprintf("no reply within %s", c.timeout)
	}
	return &connectors.Error{Kind: connectors.Unknown, Err: err,
		Message: fmt.Sprintf("%s after the request was sent to %s (%s); it may have been applied, so its outcome must be checked before sending again",
			what, c.name, cause)}
}

// plainCause is the innermost words of a transport error, without the URL (which the
// caller knows and which may carry a query).
func plainCause(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "\": "); i >= 0 {
		s = s[i+3:]
	}
	return s
}

// statusError classifies a non-2xx reply by its status.
func (c *Client) statusError(req *Request, resp *Response, retry bool) *connectors.Error {
	text := c.errorText(resp.Body)
	if text == "" && strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "text/html") {
		text = "an HTML page, likely from a proxy or gateway"
	}
	e := &connectors.Error{Status: resp.Status}
	switch {
	case resp.Status == http.StatusTooManyRequests:
		e.Kind = connectors.RetryAfter
		e.Message = fmt.Sprintf("%s says too many requests%s", c.name, quoted(text))
	case resp.Status == http.StatusUnauthorized:
		e.Kind = connectors.Auth
		e.Message = fmt.Sprintf("%s did not accept the credentials%s", c.name, quoted(text))
	case resp.Status == http.StatusForbidden:
		e.Kind = connectors.Auth
		e.Message = fmt.Sprintf("%s refused access%s; check the credentials and the account's API permissions", c.name, quoted(text))
	case retry || resp.Status >= 500:
		e.Kind = connectors.Transient
		e.Message = fmt.Sprintf("%s could not handle %s %s right now%s; nothing was applied", c.name, req.Method, req.Path, quoted(text))
	default:
		e.Kind = connectors.Permanent
		e.Message = fmt.Sprintf("%s refused %s %s%s", c.name, req.Method, req.Path, quoted(text))
	}
	return e
}
