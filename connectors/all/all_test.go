package all_test

import (
	"slices"
	"testing"

	"syncagent/connectors"
	_ "syncagent/connectors/all"
)

// TestEveryConnectorRegistered: the build's marketplaces are registered completely.
func TestEveryConnectorRegistered(t *testing.T) {
	got := connectors.Names()
	for _, want := range []string{"giyimmoda", "pazarsync", "trendyol"} {
		if !slices.Contains(got, want) {
			t.Fatalf("%s is not registered (have %v)", want, got)
		}
	}
	for _, name := range got {
		info, _ := connectors.Find(name)
		if info.New == nil || info.Description == "" || len(info.Options) == 0 || info.Features.MaxBatch < 1 {
			t.Fatalf("%s: incomplete registration %+v", name, info)
		}
		for _, o := range info.Options {
			if o.Help == "" {
				t.Errorf("%s: credential %s has no help text for its errors", name, o.Name)
			}
		}
	}
}
