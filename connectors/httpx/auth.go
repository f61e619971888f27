package httpx

import (
	"context"
	"net/http"
)

// Authenticator puts a store's credentials on each request.
type Authenticator interface {
	// Apply adds the credentials to req. It returns the token it used ("" for fixed
	// credentials) so that a 401 renews exactly that token and no newer one.
	Apply(ctx context.Context, req *http.Request) (token string, err error)
	// Renew is told that a request carrying token was answered 401. It reports whether
	// one more attempt with fresh credentials makes sense (a token can be fetched again;
	// a fixed key cannot).
	Renew(token string) bool
}

// Basic is HTTP Basic auth (Trendyol: API key and secret; Hepsiburada: merchant id and
// service key).
type Basic struct{ User, Password string }

func (b Basic) Apply(_ context.Context, req *http.Request) (string, error) {
	req.SetBasicAuth(b.User, b.Password)
	return "", nil
}

func (Basic) Renew(string) bool { return false }

// Headers are fixed credential headers (Giyim Moda: X-API-Key and X-API-Secret; N11:
// appkey and appsecret).
type Headers map[string]string

func (h Headers) Apply(_ context.Context, req *http.Request) (string, error) {
	for k, v := range h {
		req.Header.Set(k, v)
	}
	return "", nil
}

func (Headers) Renew(string) bool { return false }
