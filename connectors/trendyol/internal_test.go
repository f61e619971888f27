package trendyol

import (
	"strings"
	"testing"

	"syncagent/config"
	"syncagent/connectors"
)

func store(mod func(*config.Store)) *config.Store {
	s := &config.Store{Name: "trendyol-main", Marketplace: Marketplace, Active: true,
		Credentials: config.Credentials{SellerID: "123456", APIKey: config.NewSecret("key"), APISecret: config.NewSecret("secret")},
		Rules:       config.Rules{Scope: "all"}}
	if mod != nil {
		mod(s)
	}
	return s
}

func TestBaseURLAndUserAgent(t *testing.T) {
	cases := []struct {
		name     string
		mod      func(*config.Store)
		base, ua string
	}{
		{"production", nil, ProdURL, "123456 - SelfIntegration"},
		{"test mode uses STAGE", func(s *config.Store) { s.TestMode = true }, StageURL, "123456 - SelfIntegration"},
		{"base_url wins", func(s *config.Store) { s.TestMode = true; s.BaseURL = "http://127.0.0.1:9/integration" },
			"http://127.0.0.1:9/integration", "123456 - SelfIntegration"},
		{"integrator named", func(s *config.Store) { s.Credentials.Integrator = "AcmeERP" }, ProdURL, "123456 - AcmeERP"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := New(store(c.mod), connectors.Deps{})
			if err != nil {
				t.Fatal(err)
			}
			if cl.http.BaseURL() != c.base || cl.http.UserAgent() != c.ua {
				t.Fatalf("base %q ua %q, want %q %q", cl.http.BaseURL(), cl.http.UserAgent(), c.base, c.ua)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*config.Store)
		want []string
	}{
		{"valid", nil, nil},
		{"nothing given", func(s *config.Store) { s.Credentials = config.Credentials{} },
			[]string{"credentials.seller_id is required", "credentials.api_key is required", "credentials.api_secret is required"}},
		{"seller id not numeric", func(s *config.Store) { s.Credentials.SellerID = "acme" }, []string{`credentials.seller_id "acme" must be the numeric`}},
		{"integrator with a space", func(s *config.Store) { s.Credentials.Integrator = "Acme ERP" }, []string{`credentials.integrator "Acme ERP" must be letters and digits`}},
		{"integrator too long", func(s *config.Store) { s.Credentials.Integrator = strings.Repeat("a", 31) }, []string{"at most 30"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Validate(store(c.mod))
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

func TestValidateStoreNamesTheStore(t *testing.T) {
	stores := []config.Store{*store(nil), *store(nil), *store(func(s *config.Store) {
		s.Name = "trendyol-2"
		s.Credentials.APIKey = config.Secret{}
		s.Credentials.APISecret = config.Secret{}
	})}
	err := connectors.ValidateStores(stores)
	if err == nil {
		t.Fatal("accepted a store without credentials")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "stores[2] (trendyol-2): credentials.api_key is required") ||
		!strings.HasPrefix(lines[1], "stores[2] (trendyol-2): credentials.api_secret is required") {
		t.Fatalf("got:\n%s", err)
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
