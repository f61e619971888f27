package httpx

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"syncagent/connectors"
)

func newClient(t *testing.T, url string, mod func(*Config)) *Client {
	t.Helper()
	log, _ := debugLog(t)
	cfg := Config{Name: "Pazar", BaseURL: url, UserAgent: "syncagent-test", Timeout: 5 * time.Second, Log: log}
	if mod != nil {
		mod(&cfg)
	}
	return New(cfg)
}

func kindOf(t *testing.T, err error) *connectors.Error {
	t.Helper()
	var e *connectors.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *connectors.Error", err, err)
	}
	return e
}

func TestStatusClassification(t *testing.T) {
	cases := []struct {
		status int
		body   string
		kind   connectors.ErrorKind
	}{
		{400, `{"message":"items[0].barcode is required"}`, connectors.Permanent},
		{404, `{"error":"not_found"}`, connectors.Permanent},
		{422, `{"message":"The given data was invalid."}`, connectors.Permanent},
		{401, `{"error":"invalid_token"}`, connectors.Auth},
		{403, `{"message":"forbidden"}`, connectors.Auth},
		{429, `{"message":"too many"}`, connectors.RetryAfter},
		{500, `{"message":"boom"}`, connectors.Transient},
		{503, `<html>down</html>`, connectors.Transient},
		{507, ``, connectors.Transient},
	}
	for _, c := range cases {
		t.Run(http.StatusText(c.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				_, _ = io.WriteString(w, c.body)
			}))
			defer srv.Close()
			cl := newClient(t, srv.URL, nil)
			resp, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/x", JSON: map[string]int{"a": 1}})
			e := kindOf(t, err)
			if e.Kind != c.kind || e.Status != c.status {
				t.Fatalf("kind %v status %d, want %v %d (%s)", e.Kind, e.Status, c.kind, c.status, e)
			}
			if resp == nil || resp.Status != c.status {
				t.Fatal("the reply must come back with the error so a connector can read item details")
			}
			if strings.Contains(e.Message, "<html>") || strings.Contains(e.Message, "{") {
				t.Fatalf("message carries a raw body: %q", e.Message)
			}
		})
	}
}

func TestSuccessSendsHeadersAndDecodes(t *testing.T) {
	var gotUA, gotCT, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotCT = r.Header.Get("User-Agent"), r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	cl := newClient(t, srv.URL, nil)
	var out struct{ OK bool }
	if _, err := cl.DoJSON(context.Background(), &Request{Method: "POST", Path: "/x", JSON: map[string]int{"a": 1}}, &out); err != nil {
		t.Fatal(err)
	}
	if !out.OK || gotUA != "syncagent-test" || gotCT != "application/json" || gotBody != `{"a":1}` {
		t.Fatalf("ok=%v ua=%q ct=%q body=%q", out.OK, gotUA, gotCT, gotBody)
	}
}

func TestUnreadableReply(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"batchRequestId":`)
	}))
	defer srv.Close()
	cl := newClient(t, srv.URL, nil)
	var out map[string]any
	_, err := cl.DoJSON(context.Background(), &Request{Method: "POST", Path: "/x", JSON: 1}, &out)
	if e := kindOf(t, err); e.Kind != connectors.Unknown {
		t.Fatalf("a write answered 200 with an unreadable body is %v, want unknown outcome", e.Kind)
	}
	_, err = cl.DoJSON(context.Background(), &Request{Method: "GET", Path: "/x"}, &out)
	if e := kindOf(t, err); e.Kind != connectors.Transient {
		t.Fatalf("a read with an unreadable body is %v, want transient", e.Kind)
	}
}

func TestRetryAfterAgainstServerDate(t *testing.T) {
	// The server's clock is 10 minutes ahead of ours; its Retry-After date is 30 s after
	// its own Date. Comparing with our clock would wait 10.5 minutes.
	serverNow := time.Date(2026, 10, 1, 9, 10, 0, 0, time.UTC)
	cases := []struct {
		name, retryAfter string
		want             time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"http date", serverNow.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"past http date", serverNow.Add(-30 * time.Second).Format(http.TimeFormat), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", serverNow.Format(http.TimeFormat))
				w.Header().Set("Retry-After", c.retryAfter)
				w.WriteHeader(429)
			}))
			defer srv.Close()
			fc := newFakeClock() // 09:00, ten minutes behind the server
			cl := newClient(t, srv.URL, func(cfg *Config) {
				cfg.Clock = fc.clock()
				cfg.Pacer = NewPacer(fc.clock(), connectors.Rate{Requests: 50, Per: 10 * time.Second}, nil)
			})
			_, err := cl.Do(context.Background(), &Request{Method: "GET", Path: "/x"})
			e := kindOf(t, err)
			if e.Kind != connectors.RetryAfter || e.RetryAfter != c.want {
				t.Fatalf("kind %v wait %v, want retry-after %v", e.Kind, e.RetryAfter, c.want)
			}
		})
	}
}

func TestThrottleWithoutHeadersWaitsOneWindow(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }))
	defer srv.Close()
	fc := newFakeClock()
	cl := newClient(t, srv.URL, func(cfg *Config) {
		cfg.Clock = fc.clock()
		cfg.Pacer = NewPacer(fc.clock(), connectors.Rate{Requests: 50, Per: 10 * time.Second}, nil)
	})
	_, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/x"})
	if e := kindOf(t, err); e.Kind != connectors.RetryAfter || e.RetryAfter != 10*time.Second {
		t.Fatalf("got %v %v, want retry-after one window (10s)", e.Kind, e.RetryAfter)
	}
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cl := newClient(t, "http://"+addr, nil)
	_, err = cl.Do(context.Background(), &Request{Method: "POST", Path: "/x", JSON: 1})
	if e := kindOf(t, err); e.Kind != connectors.Transient || !strings.Contains(e.Message, "nothing was sent") {
		t.Fatalf("got %v %q, want transient", e.Kind, e.Message)
	}
}

func TestUnknownHostIsTransient(t *testing.T) {
	cl := newClient(t, "http://no-such-host.invalid", nil)
	_, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/x", JSON: 1})
	if e := kindOf(t, err); e.Kind != connectors.Transient {
		t.Fatalf("got %v, want transient", e.Kind)
	}
}

func TestTimeoutAfterSendingIsUnknownForWrites(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	cl := newClient(t, srv.URL, func(c *Config) { c.Timeout = 200 * time.Millisecond })
	_, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/x", JSON: 1})
	if e := kindOf(t, err); e.Kind != connectors.Unknown || !strings.Contains(e.Message, "may have been applied") {
		t.Fatalf("write: got %v %q, want unknown outcome", e.Kind, e.Message)
	}
	_, err = cl.Do(context.Background(), &Request{Method: "GET", Path: "/x"})
	if e := kindOf(t, err); e.Kind != connectors.Transient {
		t.Fatalf("read: got %v, want transient", e.Kind)
	}
}

func TestResetAfterSendingIsUnknown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST instead of FIN
			}
			conn.Close()
		}
	}))
	defer srv.Close()
	cl := newClient(t, srv.URL, nil)
	_, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/x", JSON: 1})
	if e := kindOf(t, err); e.Kind != connectors.Unknown {
		t.Fatalf("got %v (%v), want unknown outcome", e.Kind, e)
	}
}

func TestCancelledBeforeSendingIsTransient(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	cl := newClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := cl.Do(ctx, &Request{Method: "POST", Path: "/x", JSON: 1})
	if e := kindOf(t, err); e.Kind != connectors.Transient {
		t.Fatalf("got %v, want transient", e.Kind)
	}
	if hits.Load() != 0 {
		t.Fatal("a cancelled request reached the server")
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			posts.Add(1)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	cl := newClient(t, srv.URL, nil)
	_, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/x", JSON: 1})
	if e := kindOf(t, err); e.Kind != connectors.Permanent || posts.Load() != 0 {
		t.Fatalf("got %v, %d posts at the redirect target", e.Kind, posts.Load())
	}
}

func TestConnectorShouldRetryWins(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		_, _ = io.WriteString(w, `{"message":"over the catalog limit"}`)
	}))
	defer srv.Close()
	fc := newFakeClock()
	cl := newClient(t, srv.URL, func(c *Config) {
		c.Clock = fc.clock()
		c.Pacer = NewPacer(fc.clock(), connectors.Rate{Requests: 100, Per: time.Second}, nil)
		// Hepsiburada's catalog answers 403, not 429, when over its limit.
		c.ShouldRetry = func(ctx context.Context, resp *Response, err error) (bool, error) {
			if resp != nil && resp.Status == 403 {
				return true, &connectors.Error{Kind: connectors.RetryAfter, Message: "over the limit"}
			}
			return ShouldRetry(ctx, resp, err, DefaultRetryCodes)
		}
	})
	_, err := cl.Do(context.Background(), &Request{Method: "GET", Path: "/x"})
	e := kindOf(t, err)
	if e.Kind != connectors.RetryAfter || e.Status != 403 || e.RetryAfter != time.Second {
		t.Fatalf("got %v status %d wait %v", e.Kind, e.Status, e.RetryAfter)
	}
	if cl.pacer.HeldFor("") != time.Second {
		t.Fatal("the pacer was not held after a throttle the connector recognised")
	}
}

// TestCanaryNeverLogged runs every path that touches credentials with a canary secret
// and debug logging on, and greps the log and the errors for it in every encoding.
func TestCanaryNeverLogged(t *testing.T) {
	const canary = "CANARY-s3cr3t-7f9a"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/token":
			_, _ = io.WriteString(w, `{"access_token":"TOKEN-`+canary+`","token_type":"bearer","expires_in":3600}`)
		case "/echo":
			// A careless server echoing what it got.
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"message":"bad key `+r.Header.Get("X-API-Key")+` / `+r.Header.Get("Authorization")+`"}`)
		default:
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	log, buf := debugLog(t)
	red := NewRedactor(canary, "key-"+canary)
	var errs []string
	for _, auth := range []func(c *Client) Authenticator{
		func(*Client) Authenticator { return Basic{User: "key-" + canary, Password: canary} },
		func(*Client) Authenticator { return Headers{"X-API-Key": "key-" + canary, "X-API-Secret": canary} },
		func(c *Client) Authenticator {
			return NewTokenSource(c.clock, red, ClientCredentials{Path: "/token", ClientID: "key-" + canary, ClientSecret: canary}.Fetcher(c))
		},
		func(c *Client) Authenticator {
			return NewTokenSource(c.clock, red, ClientCredentials{Path: "/token", Form: true, ClientID: "key-" + canary, ClientSecret: canary}.Fetcher(c))
		},
	} {
		cl := New(Config{Name: "Pazar", BaseURL: srv.URL, Log: log, Redactor: red, Timeout: 5 * time.Second})
		cl.auth = auth(cl)
		if _, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/ok", JSON: map[string]string{"client_secret": canary}}); err != nil {
			t.Fatal(err)
		}
		_, err := cl.Do(context.Background(), &Request{Method: "POST", Path: "/echo", JSON: 1})
		if err == nil {
			t.Fatal("the echo endpoint answered 400; Do must fail")
		}
		errs = append(errs, err.Error())
	}
	out := buf.String() + strings.Join(errs, "\n")
	if !strings.Contains(buf.String(), "http exchange") {
		t.Fatal("no debug lines were written; the test proves nothing")
	}
	for _, form := range []string{canary, base64.StdEncoding.EncodeToString([]byte("key-" + canary + ":" + canary)),
		base64.StdEncoding.EncodeToString([]byte(canary))} {
		if strings.Contains(out, form) {
			t.Fatalf("secret %q leaked:\n%s", form, out)
		}
	}
}

// TestSpentQuotaIsRetryAfterWithoutSending: a request the long window has no room for
// is not sent; the error says when it may go and is of Kind RetryAfter, so the agent
// waits without counting a failure.
func TestSpentQuotaIsRetryAfterWithoutSending(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	fc := newFakeClock()
	p := NewPacer(fc.clock(), connectors.Rate{Requests: 60, Per: time.Minute}, nil)
	p.SetQuota(connectors.Rate{Requests: 2, Per: 24 * time.Hour})
	c := newClient(t, srv.URL, func(cfg *Config) { cfg.Pacer, cfg.Clock = p, fc.clock() })
	for i := 0; i < 2; i++ {
		if _, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/x"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/x"})
	e := kindOf(t, err)
	if e.Kind != connectors.RetryAfter || e.RetryAfter < 23*time.Hour || hits.Load() != 2 ||
		!strings.Contains(e.Message, "Pazar's budget of 2 requests a day is spent (2 sent in the last day); nothing was sent") {
		t.Fatalf("%v (retry after %v, %d requests)", err, e.RetryAfter, hits.Load())
	}
}
