package all_test

import (
	"errors"
	"slices"
	"testing"

	"syncagent/config"
	"syncagent/connectors"
	_ "syncagent/connectors/all"
)

func TestEveryConnectorRegistered(t *testing.T) {
	got := connectors.Registered()
	for _, want := range []string{"giyimmoda", "pazarsync", "trendyol"} {
		if !slices.Contains(got, want) {
			t.Fatalf("%s is not registered (have %v)", want, got)
		}
	}
	for _, name := range got {
		if !slices.Contains(config.Marketplaces, name) {
			t.Fatalf("%s is registered but the config does not know it", name)
		}
		f, _ := connectors.Lookup(name)
		if f.New == nil || f.Validate == nil || f.Capabilities.Marketplace != name {
			t.Fatalf("%s: incomplete factory %+v", name, f.Capabilities)
		}
	}
}

func TestMarketplaceWithoutConnector(t *testing.T) {
	for _, name := range config.Marketplaces {
		if _, ok := connectors.Lookup(name); ok {
			continue
		}
		_, err := connectors.New(&config.Store{Name: "x", Marketplace: name}, connectors.Deps{})
		if !errors.Is(err, connectors.ErrNoConnector) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
