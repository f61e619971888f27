package connectors_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"syncagent/config"
	"syncagent/connectors"
)

func init() {
	connectors.Register("conntest", connectors.Factory{
		Validate: func(s *config.Store) error {
			var errs []error
			if s.Credentials.SellerID == "" {
				errs = append(errs, errors.New("credentials.seller_id is required"))
			}
			if s.Rules.Scope == "price" {
				errs = append(errs, errors.New("rules.scope cannot be price"))
			}
			if len(errs) == 1 {
				return errs[0]
			}
			return errors.Join(errs...)
		},
	})
}

func TestValidateStorePrefixesEveryProblem(t *testing.T) {
	cases := []struct {
		store config.Store
		want  string
	}{
		{config.Store{Name: "s1", Marketplace: "conntest", Rules: config.Rules{Scope: "price"}},
			"stores[3] (s1): credentials.seller_id is required\nstores[3] (s1): rules.scope cannot be price"},
		{config.Store{Name: "s2", Marketplace: "conntest"}, "stores[3] (s2): credentials.seller_id is required"},
		{config.Store{Name: "s3", Marketplace: "conntest", Credentials: config.Credentials{SellerID: "1"}}, ""},
		{config.Store{Name: "s4", Marketplace: "elsewhere"}, "stores[3] (s4): marketplace elsewhere: no connector"},
	}
	for _, c := range cases {
		err := connectors.ValidateStore(3, &c.store)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if c.want == "" && got != "" || c.want != "" && !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.store.Name, got, c.want)
		}
	}
}

func TestWithLimits(t *testing.T) {
	caps := connectors.Capabilities{MaxBatch: 1000, PushRate: connectors.Rate{Requests: 50, Per: 10 * time.Second}}
	if got := caps.WithLimits(config.Limits{}); got != caps {
		t.Fatalf("empty limits changed %+v", got)
	}
	got := caps.WithLimits(config.Limits{BatchSize: 200, Requests: 20, Per: config.Duration(time.Minute)})
	if got.MaxBatch != 200 || got.PushRate != (connectors.Rate{Requests: 20, Per: time.Minute}) {
		t.Fatalf("%+v", got)
	}
	if got := caps.WithLimits(config.Limits{Requests: 20}); got.PushRate != caps.PushRate {
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
