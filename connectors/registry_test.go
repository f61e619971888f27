package connectors_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"syncagent/connectors"
)

// conntest is a marketplace registered only in this test: stock only, no sandbox, a
// seller id that must be digits, an api key that is secret, an optional integrator
// with a default, and a rule between two options.
type conntest struct{ s *connectors.Store }

func (c *conntest) Features() connectors.Features { return connectors.Features{} }
func (c *conntest) Push(context.Context, []connectors.Item) (connectors.Outcomes, error) {
	return nil, nil
}

// conntest pushes, and does nothing else: no orders, no test, no read-back.
var _ connectors.Pusher = (*conntest)(nil)

func init() {
	connectors.Register(&connectors.RegInfo{
		Name:        "conntest",
		Description: "Conntest",
		Options: []connectors.Option{
			{Name: "seller_id", Help: "the seller number", Required: true, Valid: func(v string) error {
				if strings.Trim(v, "0123456789") != "" {
					return errors.New("must be digits")
				}
				return nil
			}},
			{Name: "api_key", Help: "the API key", Required: true, Secret: true, Valid: func(v string) error {
				if len(v) < 8 {
					return errors.New("is too short")
				}
				return nil
			}},
			{Name: "integrator", Help: "the integrator name", Default: "SelfIntegration"},
		},
		Settings: []connectors.Option{{Name: "location", Required: true, Help: "the stock location"}},
		Features: connectors.Features{Updates: connectors.ScopeStock, TestMode: connectors.NoSandbox},
		Check: func(s *connectors.Store) []error {
			if s.Credentials.Get("seller_id") == "0" {
				return []error{&connectors.FieldError{Key: "credentials.seller_id", Msg: "0 is not a seller"}}
			}
			return nil
		},
		New: func(s *connectors.Store, _ connectors.Deps) (connectors.Connector, error) {
			return &conntest{s: s}, nil
		},
	})
}

func store(mod func(*connectors.Store)) *connectors.Store {
	s := &connectors.Store{Name: "s", Marketplace: "conntest", Scope: connectors.ScopeStock,
		Credentials: connectors.Credentials{"seller_id": "42", "api_key": "k-123456789"},
		Settings:    map[string]string{"location": "Ana Depo"}}
	if mod != nil {
		mod(s)
	}
	return s
}

func TestCheckAgainstTheRegistration(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*connectors.Store)
		want []string // one FieldError text each, in order
	}{
		{"valid", nil, nil},
		{"missing required", func(s *connectors.Store) { delete(s.Credentials, "seller_id"); s.Credentials["api_key"] = "" },
			[]string{"credentials.seller_id: is required (the seller number)", "credentials.api_key: is required (the API key)"}},
		{"invalid plain value is quoted", func(s *connectors.Store) { s.Credentials["seller_id"] = "12a" },
			[]string{`credentials.seller_id: "12a" must be digits (the seller number)`}},
		{"invalid secret is never quoted", func(s *connectors.Store) { s.Credentials["api_key"] = "short" },
			[]string{"credentials.api_key: the value is too short (the API key)"}},
		{"unknown key", func(s *connectors.Store) { s.Credentials["api_kye"] = "x" },
			[]string{`credentials.api_kye: Conntest takes no credential "api_kye" (it takes seller_id, api_key, integrator)`}},
		{"a setting missing and one unknown", func(s *connectors.Store) { s.Settings = map[string]string{"locaton": "x"} },
			[]string{"settings.location: is required (the stock location)", `settings.locaton: Conntest takes no setting "locaton" (it takes location)`}},
		{"scope beyond the features", func(s *connectors.Store) { s.Scope = connectors.ScopeAll },
			[]string{`rules.scope: "all" asks for prices, but Conntest's API has no way to update prices, so they would never reach the store; set rules.scope: stock`}},
		{"test mode without a sandbox", func(s *connectors.Store) { s.TestMode = true },
			[]string{"test_mode: test_mode is on, but Conntest has no test environment; set base_url"}},
		{"test mode with a base url", func(s *connectors.Store) { s.TestMode, s.BaseURL = true, "http://127.0.0.1:1" }, nil},
		{"the marketplace's own check", func(s *connectors.Store) { s.Credentials["seller_id"] = "0" },
			[]string{"credentials.seller_id: 0 is not a seller"}},
		{"orders asked of a connector without them", func(s *connectors.Store) { s.Orders = true },
			[]string{"orders.fetch: this version cannot fetch orders from Conntest; set orders.fetch: false"}},
		{"unknown marketplace", func(s *connectors.Store) { s.Marketplace = "elsewhere" },
			[]string{`marketplace: "elsewhere" has no connector in this version (known: `}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := connectors.Check(store(c.mod))
			if len(errs) != len(c.want) {
				t.Fatalf("got %d problems %v, want %d", len(errs), errs, len(c.want))
			}
			for i, e := range errs {
				var fe *connectors.FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("%v is not a FieldError", e)
				}
				if !strings.HasPrefix(e.Error(), c.want[i]) {
					t.Errorf("got  %q\nwant %q", e, c.want[i])
				}
				if strings.Contains(e.Error(), "k-123456789") || strings.Contains(e.Error(), `"short"`) {
					t.Errorf("a secret value is in the error: %q", e)
				}
			}
		})
	}
}

func TestCheckFillsDefaultsAndSuggestsKeys(t *testing.T) {
	s := store(nil)
	if errs := connectors.Check(s); errs != nil {
		t.Fatal(errs)
	}
	if got := s.Credentials.Get("integrator"); got != "SelfIntegration" {
		t.Fatalf("default not filled: %q", got)
	}
	s = store(func(s *connectors.Store) { s.Credentials["api_kye"] = "x" })
	var fe *connectors.FieldError
	if errs := connectors.Check(s); len(errs) != 1 || !errors.As(errs[0], &fe) || len(fe.Choices) != 3 {
		t.Fatalf("unknown key carries no choices: %v", errs)
	}
}

func TestNewRefusesAStoreThatFailsCheck(t *testing.T) {
	_, err := connectors.New(store(func(s *connectors.Store) { s.Credentials["api_key"] = "" }), connectors.Deps{})
	if err == nil || !strings.Contains(err.Error(), "store s: credentials.api_key: is required") {
		t.Fatalf("got %v", err)
	}
	if _, err := connectors.New(store(func(s *connectors.Store) { s.Marketplace = "nowhere" }), connectors.Deps{}); !errors.Is(err, connectors.ErrNoConnector) {
		t.Fatalf("unknown marketplace: %v", err)
	}
	c, err := connectors.New(store(nil), connectors.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	a := connectors.AbilitiesOf(c)
	if a.Push == nil || a.Orders != nil || a.Test != nil || a.ReadBack != nil || a.Results != nil {
		t.Fatalf("abilities found wrongly: %+v", a)
	}
}

func TestRegisterRefusesTwiceAndIncomplete(t *testing.T) {
	for name, info := range map[string]*connectors.RegInfo{
		"twice":  {Name: "conntest", New: func(*connectors.Store, connectors.Deps) (connectors.Connector, error) { return nil, nil }},
		"no new": {Name: "other"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered", name)
				}
			}()
			connectors.Register(info)
		}()
	}
}

func TestCredentialsNeverPrintTheirValues(t *testing.T) {
	s := store(nil)
	for _, out := range []string{fmt.Sprint(s.Credentials), fmt.Sprintf("%v %+v %#v %s %q", s.Credentials, *s, *s, s.Credentials, s.Credentials)} {
		if strings.Contains(out, "k-123456789") || strings.Contains(out, "42") {
			t.Fatalf("a credential value printed: %s", out)
		}
	}
}

func TestScopeParsing(t *testing.T) {
	for in, want := range map[string]connectors.Scope{"all": connectors.ScopeAll, "stock": connectors.ScopeStock,
		"price": connectors.ScopePrice, "stock+price": connectors.ScopeStock | connectors.ScopePrice, " Price+Stock ": connectors.ScopeStock | connectors.ScopePrice} {
		got, err := connectors.ParseScope(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := connectors.ParseScope("stok"); err == nil || !strings.Contains(err.Error(), "all, stock, price, stock+price") {
		t.Errorf("bad scope: %v", err)
	}
	if !connectors.ScopeAll.Has(connectors.ScopePrice) || connectors.ScopeStock.Has(connectors.ScopePrice) || connectors.ScopeAll.String() != "all" ||
		(connectors.ScopeStock|connectors.ScopePrice).String() != "stock+price" || connectors.ScopeAll.Kinds() != connectors.ScopeStock|connectors.ScopePrice {
		t.Error("scope helpers")
	}
}

func TestWithLimits(t *testing.T) {
	f := connectors.Features{MaxBatch: 1000, PushRate: connectors.Rate{Requests: 50, Per: 10 * time.Second}}
	if got := f.WithLimits(connectors.Limits{}); got != f {
		t.Fatalf("empty limits changed %+v", got)
	}
	got := f.WithLimits(connectors.Limits{BatchSize: 200, Requests: 20, Per: time.Minute})
	if got.MaxBatch != 200 || got.PushRate != (connectors.Rate{Requests: 20, Per: time.Minute}) {
		t.Fatalf("%+v", got)
	}
	if got := f.WithLimits(connectors.Limits{Requests: 20}); got.PushRate != f.PushRate {
		t.Fatal("requests without per replaced the rate")
	}
}

func TestErrorHelpers(t *testing.T) {
	dup := fmt.Errorf("push: %w", &connectors.Error{Kind: connectors.Unknown, Err: connectors.ErrDuplicateRequest})
	if !connectors.IsDuplicate(dup) || connectors.KindOf(dup) != connectors.Unknown {
		t.Fatal("a wrapped duplicate refusal is not recognised")
	}
	if connectors.IsDuplicate(&connectors.Error{Kind: connectors.Unknown}) {
		t.Fatal("a plain unknown outcome taken for a duplicate")
	}
	ra := fmt.Errorf("x: %w", &connectors.Error{Kind: connectors.RetryAfter, RetryAfter: 7 * time.Second})
	if connectors.RetryAfterOf(ra) != 7*time.Second || connectors.RetryAfterOf(dup) != 0 {
		t.Fatal("RetryAfterOf")
	}
}
