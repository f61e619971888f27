package connectors

import (
	"errors"
	"fmt"
	"strings"

	"syncagent/config"
)

// ValidateStore checks stores[i] against its marketplace's connector and names the store
// in every problem, "stores[2] (pazarsync-main): credentials.client_id is required", so
// check-config and start-up print lines an integrator can act on. A Factory.Validate
// returns its problems joined (errors.Join); each gets the prefix.
func ValidateStore(i int, store *config.Store) error {
	prefix := fmt.Sprintf("stores[%d] (%s)", i, store.Name)
	f, ok := Lookup(store.Marketplace)
	if !ok {
		return fmt.Errorf("%s: marketplace %s: %w", prefix, store.Marketplace, ErrNoConnector)
	}
	if f.Validate == nil {
		return nil
	}
	err := f.Validate(store)
	if err == nil {
		return nil
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	var out []error
	for _, e := range joined.Unwrap() {
		out = append(out, fmt.Errorf("%s: %w", prefix, e))
	}
	return errors.Join(out...)
}

// ValidateStores runs ValidateStore over every store of a config.
func ValidateStores(stores []config.Store) error {
	var errs []error
	for i := range stores {
		if err := ValidateStore(i, &stores[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ScopeHasPrice reports whether a rules.scope value asks for prices to be pushed.
func ScopeHasPrice(scope string) bool {
	return scope == "all" || strings.Contains(scope, "price")
}

// NoTestEnvironment is the test_mode check of a marketplace without a sandbox: test mode
// needs an explicit base_url, or it would write to the live store.
func NoTestEnvironment(s *config.Store, marketplace string) error {
	if s.TestMode && s.BaseURL == "" {
		return fmt.Errorf("test_mode is on, but %s has no test environment; set base_url to a test server (such as the simulator of syncagent demo) or turn test_mode off", marketplace)
	}
	return nil
}
