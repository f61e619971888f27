package agent

import (
	"testing"

	"syncagent/config"
	"syncagent/connectors"
)

// Every component of a store gets the same connector.
func TestSharedConnectors(t *testing.T) {
	builds := 0
	b := SharedConnectors(func(s *config.Store, _ connectors.Deps) (connectors.Connector, error) {
		builds++
		return nil, nil
	})
	a, c := &config.Store{Name: "a"}, &config.Store{Name: "c"}
	b(a, connectors.Deps{})
	b(a, connectors.Deps{})
	b(c, connectors.Deps{})
	if builds != 2 {
		t.Fatalf("%d builds for two stores", builds)
	}
}
