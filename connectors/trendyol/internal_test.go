package trendyol

import (
	"errors"
	"strings"
	"testing"

	"syncagent/connectors"
)

func store(mod func(*connectors.Store)) *connectors.Store {
	s := &connectors.Store{Name: "trendyol-main", Marketplace: Marketplace,
		Credentials: connectors.Credentials{"seller_id": "123456", "api_key": "key", "api_secret": "secret"},
		Scope:       connectors.ScopeAll}
	if mod != nil {
		mod(s)
	}
	return s
}

func TestBaseURLAndUserAgent(t *testing.T) {
	cases := []struct {
		name     string
		mod      func(*connectors.Store)
		base, ua string
	}{
		{"production", nil, ProdURL, "123456 - SelfIntegration"},
		{"test mode uses STAGE", func(s *connectors.Store) { s.TestMode = true }, StageURL, "123456 - SelfIntegration"},
		{"base_url wins", func(s *connectors.Store) { s.TestMode = true; s.BaseURL = "http://127.0.0.1:9/integration" },
			"http://127.0.0.1:9/integration", "123456 - SelfIntegration"},
		{"integrator named", func(s *connectors.Store) { s.Credentials["integrator"] = "AcmeERP" }, ProdURL, "123456 - AcmeERP"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := connectors.New(store(c.mod), connectors.Deps{})
			if err != nil {
				t.Fatal(err)
			}
			tc := cl.(*Client)
			if tc.http.BaseURL() != c.base || tc.http.UserAgent() != c.ua {
				t.Fatalf("base %q ua %q, want %q %q", tc.http.BaseURL(), tc.http.UserAgent(), c.base, c.ua)
			}
		})
	}
}

// TestRegistration: what Trendyol asks of a store's config, checked through its
// registration as config does at load.
func TestRegistration(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*connectors.Store)
		want []string
	}{
		{"valid", nil, nil},
		{"test mode needs no base_url: STAGE is Trendyol's own", func(s *connectors.Store) { s.TestMode = true }, nil},
		{"nothing given", func(s *connectors.Store) { s.Credentials = connectors.Credentials{} },
			[]string{"credentials.seller_id: is required (the Trendyol seller id, from Hesap Bilgilerim › Entegrasyon Bilgileri)",
				"credentials.api_key: is required (the Trendyol API KEY)", "credentials.api_secret: is required (the Trendyol API SECRET)"}},
		{"seller id not numeric", func(s *connectors.Store) { s.Credentials["seller_id"] = "acme" }, []string{`credentials.seller_id: "acme" must be the numeric Trendyol seller id`}},
		{"integrator with a space", func(s *connectors.Store) { s.Credentials["integrator"] = "Acme ERP" }, []string{`credentials.integrator: "Acme ERP" must be letters and digits`}},
		{"integrator too long", func(s *connectors.Store) { s.Credentials["integrator"] = strings.Repeat("a", 31) }, []string{"at most 30"}},
		{"a key Trendyol does not take", func(s *connectors.Store) { s.Credentials["client_id"] = "x" }, []string{`credentials.client_id: Trendyol takes no credential "client_id"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := errors.Join(connectors.Check(store(c.mod))...)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("%q does not say %q", err, w)
				}
			}
		})
	}
}

func TestFailureReasons(t *testing.T) {
	cases := []struct {
		reasons []string
		want    connectors.Status
	}{
		{[]string{"Aynı barkod için dakikada 30'dan fazla fiyat güncellemesi yapılamaz."}, connectors.Retry},
		{[]string{"Bu barkoda ait onaylı ürün bulunamadı."}, connectors.Rejected},
		{[]string{"Aynı barkod için dakikada 30'dan fazla fiyat güncellemesi yapılamaz.", "Stok adedi 20000'den fazla olamaz."}, connectors.Rejected},
		{nil, connectors.Rejected},
	}
	for _, c := range cases {
		if got := failed(c.reasons); got.Status != c.want || got.Reason == "" {
			t.Errorf("%q: %v %q, want %v with a reason", c.reasons, got.Status, got.Reason, c.want)
		}
	}
}
