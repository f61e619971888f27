package ideasoft_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/rs/zerolog"

	"syncagent/connectors"
	"syncagent/connectors/conformance"
	"syncagent/connectors/ideasoft"
	"syncagent/connectors/sim/ideasoftsim"
	"syncagent/connectors/sim/simkit"
)

const (
	clientID = "ideasoft-app-4c1d"
	// A canary secret: the suite greps every log line and error for it.
	clientSecret = "isSECRET-canary-77be01"
	shop         = "magaza"
)

// storeAt is an IdeaSoft store at the simulator keeping its tokens in dataDir.
func storeAt(url, dataDir string) connectors.Store {
	return connectors.Store{
		Name: "ideasoft-main", Marketplace: ideasoft.Marketplace, BaseURL: url, DataDir: dataDir,
		Credentials: connectors.Credentials{"shop": shop, "client_id": clientID, "client_secret": clientSecret},
		Scope:       connectors.ScopeStock | connectors.ScopePrice,
	}
}

// consent gives the store's one-time consent as syncagent authorize does: the test
// plays the admin's browser on the simulator's consent page and hands the code to the
// connector, which saves the refresh token in the store's data dir.
func consent(t testing.TB, s *ideasoftsim.Server, st connectors.Store, clock *simkit.FakeClock) {
	t.Helper()
	if errs := connectors.Check(&st); len(errs) > 0 {
		t.Fatal(errs)
	}
	c, err := ideasoft.New(&st, connectors.Deps{Log: zerolog.Nop(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.Browse(c.ConsentURL(c.RedirectURI(), "state-1"), true)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(back)
	if err != nil || u.Query().Get("state") != "state-1" || u.Query().Get("code") == "" {
		t.Fatalf("the consent came back as %q", back)
	}
	if err := c.ExchangeCode(context.Background(), u.Query().Get("code"), c.RedirectURI()); err != nil {
		t.Fatal(err)
	}
}

func seed(t testing.TB, s *ideasoftsim.Server, ps []conformance.Product) {
	t.Helper()
	for _, p := range ps {
		if _, err := s.AddProduct(ideasoftsim.Product{SKU: p.SKU, Barcode: p.Barcode, Stock: ideasoftsim.Units(p.Qty), Price1: p.Price}); err != nil {
			t.Fatal(err)
		}
	}
}

func harness(t *testing.T, clock *simkit.FakeClock) *conformance.Sim {
	s := ideasoftsim.New(ideasoftsim.Options{ClientID: clientID, ClientSecret: clientSecret, Clock: clock})
	t.Cleanup(s.Close)
	st := storeAt(s.URL, t.TempDir())
	consent(t, s, st, clock)
	return &conformance.Sim{
		Store: st,
		BreakCredentials: func(st *connectors.Store) {
			st.Credentials["client_secret"] = clientSecret + "-wrong"
		},
		Seed:      func(t testing.TB, ps []conformance.Product) { seed(t, s, ps) },
		Key:       func(p conformance.Product) string { return p.SKU },
		SetFaults: s.SetFaults,
		State: func(p conformance.Product) connectors.Observed {
			sp, ok := s.Product(p.SKU)
			if !ok {
				return connectors.Observed{}
			}
			q, pr := int64(sp.Stock/100), sp.Price1
			return connectors.Observed{Found: true, Qty: &q, Price: &pr}
		},
		Stats:         s.Stats,
		PushEndpoint:  "product-update",
		ReadEndpoint:  "products",
		TokenEndpoint: "token",
		ReadPage:      100,
		// Access tokens only: revoking the refresh token as well takes a new consent by a
		// person (TestRevokedConsentSaysAuthorizeAgain).
		RevokeTokens: s.ExpireAccessTokens,
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, ideasoft.Marketplace, harness) }
