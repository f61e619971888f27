package config

import (
	"path/filepath"
	"sync"
	"testing"

	"syncagent/connectors"
)

// seenDataDir records the DataDir the datadirmarket registration was checked with.
var seenDataDir struct {
	sync.Mutex
	v string
}

func init() {
	connectors.Register(&connectors.RegInfo{
		Name: "datadirmarket", Description: "Data Dir Market",
		Options:  []connectors.Option{{Name: "shop", Help: "a shop name"}},
		Features: connectors.Features{Updates: connectors.ScopeAll.Kinds(), TestMode: connectors.Sandbox, MaxBatch: 10},
		Check: func(s *connectors.Store) []error {
			seenDataDir.Lock()
			seenDataDir.v = s.DataDir
			seenDataDir.Unlock()
			return nil
		},
		New: func(*connectors.Store, connectors.Deps) (connectors.Connector, error) { return testConn{}, nil },
	})
}

// TestConnectorStoreCarriesTheDataDir: a connector that keeps state across restarts
// (IdeaSoft's rotating refresh token) is told the config's data_dir, already while the
// file is checked, and through Store.Connector afterwards.
func TestConnectorStoreCarriesTheDataDir(t *testing.T) {
	c, err := parse(t, "data_dir: state\nstores:\n  - name: d\n    marketplace: datadirmarket\n")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(filepath.Dir(c.File), "state")
	if got := c.Stores[0].Connector().DataDir; got != want || string(c.DataDir) != want {
		t.Fatalf("Connector().DataDir = %q, data_dir %q; want %q", got, c.DataDir, want)
	}
	seenDataDir.Lock()
	defer seenDataDir.Unlock()
	if seenDataDir.v != want {
		t.Fatalf("the marketplace's Check saw DataDir %q, want %q", seenDataDir.v, want)
	}
}
