package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"syncagent/connectors"
)

// tokenServer issues numbered tokens and accepts only the tokens it has not revoked.
type tokenServer struct {
	mu        sync.Mutex
	issued    int
	valid     map[string]bool
	expiresIn string // raw JSON value
	refuse    bool   // the token endpoint refuses the client
	always401 bool   // the API refuses every token
	fetches   atomic.Int32
	calls     atomic.Int32
	gate      chan struct{} // when set, the token endpoint waits on it
	lastForm  string
}

func (ts *tokenServer) handler(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		ts.fetches.Add(1)
		if ts.gate != nil {
			<-ts.gate
		}
		b, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ts.lastForm = r.Header.Get("Content-Type") + " " + string(b)
		if ts.refuse {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"error":"invalid_client","message":"client authentication failed"}`)
			return
		}
		ts.issued++
		tok := fmt.Sprintf("tok-%d", ts.issued)
		ts.valid[tok] = true
		exp := ts.expiresIn
		if exp == "" {
			exp = "3600"
		}
		_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":%s}`, tok, exp)
		return
	}
	ts.calls.Add(1)
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	ts.mu.Lock()
	ok := ts.valid[tok] && !ts.always401
	ts.mu.Unlock()
	if !ok {
		w.WriteHeader(401)
		_, _ = io.WriteString(w, `{"error":"invalid_token"}`)
		return
	}
	_, _ = io.WriteString(w, `{"token":"`+tok+`"}`)
}

func (ts *tokenServer) revokeAll() {
	ts.mu.Lock()
	ts.valid = map[string]bool{}
	ts.mu.Unlock()
}

func tokenClient(t *testing.T, form bool) (*Client, *tokenServer, *TokenSource, *fakeClock) {
	t.Helper()
	ts := &tokenServer{valid: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(ts.handler))
	t.Cleanup(srv.Close)
	fc := newFakeClock()
	cl := newClient(t, srv.URL, func(c *Config) { c.Clock = fc.clock() })
	src := NewTokenSource(fc.clock(), cl.redact, ClientCredentials{Path: "/token", Form: form, ClientID: "cid", ClientSecret: "csecret",
		Keys: "credentials.client_id and credentials.client_secret"}.Fetcher(cl))
	cl.auth = src
	return cl, ts, src, fc
}

func get(t *testing.T, cl *Client) string {
	t.Helper()
	var out struct{ Token string }
	if _, err := cl.DoJSON(context.Background(), &Request{Method: "GET", Path: "/api"}, &out); err != nil {
		t.Fatal(err)
	}
	return out.Token
}

func TestTokenCachedAndRefreshedBeforeExpiry(t *testing.T) {
	cl, ts, _, fc := tokenClient(t, false)
	ts.expiresIn = "100"
	for i := 0; i < 5; i++ {
		if tok := get(t, cl); tok != "tok-1" {
			t.Fatalf("request %d used %s", i, tok)
		}
	}
	// 100 s of life, refreshed 10 s early: at +89 s still the old one, at +91 s a new one.
	fc.Advance(89 * time.Second)
	if tok := get(t, cl); tok != "tok-1" {
		t.Fatalf("refreshed too early: %s", tok)
	}
	fc.Advance(2 * time.Second)
	if tok := get(t, cl); tok != "tok-2" {
		t.Fatalf("not refreshed before expiry: %s", tok)
	}
	if ts.fetches.Load() != 2 || ts.calls.Load() != 7 {
		t.Fatalf("%d fetches, %d calls; want 2 and 7 (no 401 on the way)", ts.fetches.Load(), ts.calls.Load())
	}
}

func TestTokenExpiresInAsString(t *testing.T) {
	cl, ts, src, fc := tokenClient(t, false)
	ts.expiresIn = `"100"`
	get(t, cl)
	fc.Advance(95 * time.Second)
	get(t, cl)
	if src.Fetches() != 2 {
		t.Fatalf("%d fetches; expires_in given as a string was not understood", src.Fetches())
	}
}

func TestTokenRevokedMidRunRenewsOnce(t *testing.T) {
	cl, ts, _, _ := tokenClient(t, false)
	get(t, cl)
	ts.revokeAll()
	if tok := get(t, cl); tok != "tok-2" {
		t.Fatalf("after revocation got %s", tok)
	}
	if ts.fetches.Load() != 2 || ts.calls.Load() != 3 {
		t.Fatalf("%d fetches, %d calls; want 2 and 3 (one 401, one renewal, one resend)", ts.fetches.Load(), ts.calls.Load())
	}
}

func TestTokenStill401AfterRenewalIsAuth(t *testing.T) {
	cl, ts, _, _ := tokenClient(t, false)
	ts.always401 = true
	_, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/api", JSON: 1})
	var e *connectors.Error
	if !errorsAs(err, &e) || e.Kind != connectors.Auth {
		t.Fatalf("got %v, want auth", err)
	}
	if ts.fetches.Load() != 2 || ts.calls.Load() != 2 {
		t.Fatalf("%d fetches, %d calls; want exactly one re-auth (2 and 2)", ts.fetches.Load(), ts.calls.Load())
	}
}

func TestConcurrent401sShareOneRefresh(t *testing.T) {
	cl, ts, _, _ := tokenClient(t, false)
	get(t, cl)
	ts.revokeAll()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cl.Do(context.Background(), &Request{Method: "GET", Path: "/api"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := ts.fetches.Load(); n != 2 {
		t.Fatalf("%d token fetches for 16 concurrent 401s; want one refresh (2 in all)", n)
	}
}

func TestConcurrentFirstUseSharesOneFetch(t *testing.T) {
	cl, ts, _, _ := tokenClient(t, false)
	ts.gate = make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cl.Do(context.Background(), &Request{Method: "GET", Path: "/api"}); err != nil {
				t.Error(err)
			}
		}()
	}
	for ts.fetches.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(ts.gate)
	wg.Wait()
	if n := ts.fetches.Load(); n != 1 {
		t.Fatalf("%d token fetches for 10 concurrent first requests", n)
	}
}

func TestTokenRefusedIsAuthNamingKeys(t *testing.T) {
	cl, ts, _, _ := tokenClient(t, false)
	ts.refuse = true
	err := func() error { _, err := cl.Do(context.Background(), &Request{Method: "GET", Path: "/api"}); return err }()
	var e *connectors.Error
	if !errorsAs(err, &e) || e.Kind != connectors.Auth {
		t.Fatalf("got %v, want auth", err)
	}
	if !strings.Contains(e.Message, "credentials.client_id") || strings.Contains(e.Message, "csecret") {
		t.Fatalf("message %q must name the keys and hide the secret", e.Message)
	}
	if ts.calls.Load() != 0 {
		t.Fatal("the API was called without a token")
	}
}

func TestTokenJSONAndFormBodies(t *testing.T) {
	for _, form := range []bool{false, true} {
		cl, ts, _, _ := tokenClient(t, form)
		get(t, cl)
		ts.mu.Lock()
		got := ts.lastForm
		ts.mu.Unlock()
		if form {
			if !strings.HasPrefix(got, "application/x-www-form-urlencoded ") || !strings.Contains(got, "grant_type=client_credentials") {
				t.Fatalf("form token request: %q", got)
			}
			continue
		}
		var body map[string]string
		if !strings.HasPrefix(got, "application/json ") || json.Unmarshal([]byte(strings.TrimPrefix(got, "application/json ")), &body) != nil ||
			body["grant_type"] != "client_credentials" || body["client_id"] != "cid" {
			t.Fatalf("JSON token request: %q", got)
		}
	}
}

func errorsAs(err error, e **connectors.Error) bool { return errors.As(err, e) }

// TestTokenFetchNeverWaitsOnItsOwnWaiters: with a budget of one, six requests start
// without a token. Were slots taken before the token, the fetch would wait for replies
// to requests that wait for the fetch.
func TestTokenFetchNeverWaitsOnItsOwnWaiters(t *testing.T) {
	cl, ts, _, fc := tokenClient(t, false)
	cl.pacer = NewPacer(fc.clock(), connectors.Rate{Requests: 1, Per: time.Minute}, nil)
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cl.Do(context.Background(), &Request{Method: "GET", Path: "/api"}); err != nil {
				t.Error(err)
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(time.Minute): // a hang guard, not a speed check
		t.Fatal("requests and the token fetch wait on each other")
	}
	if ts.fetches.Load() != 1 || ts.calls.Load() != 6 {
		t.Fatalf("%d fetches, %d calls", ts.fetches.Load(), ts.calls.Load())
	}
}
