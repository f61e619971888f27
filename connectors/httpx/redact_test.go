package httpx

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRedactBody(t *testing.T) {
	r := NewRedactor("s3cr3t-value", "k3y-value")
	cases := []struct{ in, want string }{
		{`{"access_token":"eyJabc","token_type":"bearer","expires_in":3600}`, `{"access_token":"***","token_type":"***","expires_in":3600}`},
		{`{"client_id":"cid","client_secret" : "x\"y"}`, `{"client_id":"cid","client_secret" : "***"}`},
		{`{"items":[{"barcode":"869","quantity":5}]}`, `{"items":[{"barcode":"869","quantity":5}]}`},
		{`{"message":"bad key s3cr3t-value"}`, `{"message":"bad key ***"}`},
		{`{"data":{"token":"1|abcdef`, `{"data":{"token":"***"`}, // cut inside the value
		{`grant_type=client_credentials&client_id=cid&client_secret=abc`, `client_id=cid&client_secret=%2A%2A%2A&grant_type=client_credentials`},
	}
	for _, c := range cases {
		if got := r.Body([]byte(c.in), 0); got != c.want {
			t.Errorf("Body(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestRedactBodyCutAcrossASecret(t *testing.T) {
	r := NewRedactor("s3cr3t-value-0123456789")
	body := strings.Repeat("x", 95) + "s3cr3t-value-0123456789" + strings.Repeat("y", 50)
	got := r.Body([]byte(body), 100)
	if strings.Contains(got, "s3cr3t") || !strings.Contains(got, "bytes in all") {
		t.Fatalf("cut at 100 left part of the secret: %q", got)
	}
}

func TestRedactHeaderAndURL(t *testing.T) {
	r := NewRedactor("k3y-value")
	h := r.Header(http.Header{"Authorization": {"Bearer t"}, "X-Api-Key": {"k"}, "X-Api-Secret": {"s"}, "Appsecret": {"s"},
		"User-Agent": {"123 - k3y-value"}, "Content-Type": {"application/json"}})
	for _, k := range []string{"Authorization", "X-Api-Key", "X-Api-Secret", "Appsecret"} {
		if h[k] != Redacted {
			t.Fatalf("%s = %q", k, h[k])
		}
	}
	if h["User-Agent"] != "123 - ***" || h["Content-Type"] != "application/json" {
		t.Fatalf("%v", h)
	}
	u, _ := url.Parse("https://user:pw@host/p?access_token=abc&size=1")
	if got := r.URL(u); strings.Contains(got, "abc") || strings.Contains(got, "pw") || !strings.Contains(got, "size=1") {
		t.Fatalf("URL %q", got)
	}
}
