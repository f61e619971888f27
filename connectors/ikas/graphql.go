package ikas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/ikas/api"
)

// permission is what an operation needs of the app, in the scope's name and in the
// words of the panel's İzinler screen (Seed 000: "Görüntüleme" is read, "Görüntüleme ve
// Düzenleme" read and write, per data group).
type permission struct{ scope, words string }

var (
	readProducts     = permission{"read_products", "Ürünler: Görüntüleme"}
	writeProducts    = permission{"write_products", "Ürünler: Görüntüleme ve Düzenleme"}
	readInventories  = permission{"read_inventories", "Envanter: Görüntüleme"}
	writeInventories = permission{"write_inventories", "Envanter: Görüntüleme ve Düzenleme"}
	readOrders       = permission{"read_orders", "Siparişler: Görüntüleme"}
)

var needs = map[string]permission{
	"listProduct": readProducts, "updateVariantPrices": writeProducts, "updateProduct": writeProducts,
	"listStockLocation": readInventories, "saveVariantStocks": writeInventories, "listOrder": readOrders,
}

// call sends one GraphQL document through the guard and decodes data into out. An
// expired or revoked token (HTTP 200, errors[].extensions.code LOGIN_REQUIRED) is
// renewed once and the document sent once more; errors[] otherwise become a
// *connectors.Error by code. inputErrors reports whether a mutation's data listed failed
// inputs (they count as failures for the guard).
func (c *Client) call(ctx context.Context, name, doc string, vars any, write bool, out any) (inputErrors bool, err error) {
	req := &httpx.Request{Method: http.MethodPost, Path: graphqlPath, JSON: api.Request{Query: doc, Variables: vars}}
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return false, err
		}
		done, err := c.guard.wait(ctx)
		if err != nil {
			return false, err
		}
		resp, err := c.http.Do(ctx, req)
		if err != nil {
			done(true)
			var ce *connectors.Error
			if !write && errors.As(err, &ce) && ce.Kind == connectors.Unknown {
				// A GraphQL read is a POST too, but it changes nothing: a lost reply is a
				// plain failure.
				ce.Kind = connectors.Transient
			}
			return false, err
		}
		var r api.Reply
		if err := json.Unmarshal(resp.Body, &r); err != nil {
			done(true)
			return false, c.http.Unreadable(req, resp, err)
		}
		if len(r.Errors) > 0 {
			done(true)
			if r.Errors[0].Extensions.Code == "LOGIN_REQUIRED" && attempt == 0 {
				c.log.Debug().Str("operation", name).Msg("ikas answered LOGIN_REQUIRED; fetching a new token and sending once more")
				c.tokens.Renew(tok)
				continue
			}
			return false, c.graphqlError(name, write, resp, r.Errors)
		}
		inputErrors = write && bytes.Contains(r.Data, []byte(`"errorCode"`))
		done(inputErrors)
		if out != nil {
			if err := json.Unmarshal(r.Data, out); err != nil {
				return inputErrors, c.http.Unreadable(req, resp, err)
			}
		}
		return inputErrors, nil
	}
}

// graphqlError classifies errors[] of an HTTP 200. Validation failures are Permanent and
// never retried: ikas blocks stores for their share of failed requests.
func (c *Client) graphqlError(name string, write bool, resp *httpx.Response, errs []api.Error) error {
	e := errs[0]
	code := e.Extensions.Code
	text := c.http.Redact(e.Message)
	ce := &connectors.Error{Status: resp.Status}
	lower := strings.ToLower(code + " " + text)
	switch {
	case code == "LOGIN_REQUIRED":
		ce.Kind = connectors.Auth
		ce.Message = "ikas refused a freshly issued token (LOGIN_REQUIRED); check credentials.client_id and credentials.client_secret and that the private app still exists in the ikas panel (Uygulamalar › Uygulamalarım › Özel Uygulamalar)"
	case code == "FORBIDDEN" || code == "UNAUTHORIZED" || code == "NO_PERMISSION" || strings.Contains(lower, "permission") || strings.Contains(lower, "scope"):
		ce.Kind = connectors.Auth
		p := needs[name]
		ce.Message = fmt.Sprintf("the ikas app may not %s (%s: %q); in the ikas panel open Uygulamalar › Uygulamalarım › Özel Uygulamalar, edit the app and tick %q under İzinler, then save",
			name, code, text, p.words)
	case code == "GRAPHQL_VALIDATION_FAILED" || code == "GRAPHQL_PARSE_FAILED" || code == "BAD_USER_INPUT" || code == "ARGUMENT_VALIDATION_ERROR":
		ce.Kind = connectors.Permanent
		ce.Message = fmt.Sprintf("ikas refused the %s request as invalid (%s: %q); it is not sent again as it is", name, code, text)
	case code == "TOO_MANY_REQUESTS":
		ce.Kind = connectors.RetryAfter
		ce.RetryAfter = rate.Per
		ce.Message = fmt.Sprintf("ikas says too many requests (%q)", text)
	case code == "INTERNAL_SERVER_ERROR" && write:
		ce.Kind = connectors.Unknown
		ce.Message = fmt.Sprintf("ikas failed inside %s (%q); it may have been applied in part, so its outcome must be checked", name, text)
	case !write:
		ce.Kind = connectors.Transient
		ce.Message = fmt.Sprintf("ikas could not answer %s (%s: %q)", name, code, text)
	default:
		ce.Kind = connectors.Permanent
		ce.Message = fmt.Sprintf("ikas refused %s (%s: %q)", name, code, text)
	}
	return ce
}

// errorText finds ikas's words in an error body: the OAuth error of the token endpoint,
// or errors[0] of a GraphQL reply.
func errorText(body []byte) string {
	var r api.Reply
	if json.Unmarshal(body, &r) == nil && len(r.Errors) > 0 {
		if r.Errors[0].Extensions.Code != "" {
			return r.Errors[0].Extensions.Code + ": " + r.Errors[0].Message
		}
		return r.Errors[0].Message
	}
	return httpx.CommonErrorText(body)
}
