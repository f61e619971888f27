package config

import (
	"path/filepath"
	"testing"
)

// TestConnectorStoreCarriesTheDataDir: a connector that keeps state across restarts
// (IdeaSoft's rotating refresh token) is told the config's data_dir, already while the
// file is checked (IdeaSoft's registration refuses a store without one), and through
// Store.Connector afterwards.
func TestConnectorStoreCarriesTheDataDir(t *testing.T) {
	c, err := parse(t, "data_dir: state\nstores:\n  - name: shop\n    marketplace: ideasoft\n    credentials: {shop: magaza, client_id: app, client_secret: s}\n")
	if err != nil {
		t.Fatalf("an IdeaSoft store refused: %v", err)
	}
	want := filepath.Join(filepath.Dir(c.File), "state")
	if got := c.Stores[0].Connector().DataDir; got != want || string(c.DataDir) != want {
		t.Fatalf("Connector().DataDir = %q, data_dir %q; want %q", got, c.DataDir, want)
	}
	if d := (&Store{Name: "x"}).Connector().DataDir; d != "" {
		t.Fatalf("a store built by hand has DataDir %q", d)
	}
}
