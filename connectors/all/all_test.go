package all_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
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

// TestConnectorsStayBelowTheQueue: connectors depend on neither the queue nor SQLite
// (nor the config's YAML), so a marketplace package can be read, built and tested alone.
func TestConnectorsStayBelowTheQueue(t *testing.T) {
	var out []byte
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err = exec.Command(goBin, "list", "-deps", "syncagent/connectors/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "syncagent/queue") || strings.HasPrefix(dep, "syncagent/config") ||
			strings.HasPrefix(dep, "syncagent/agent") || strings.HasPrefix(dep, "syncagent/erpbridge") ||
			strings.Contains(dep, "go-sqlite3") || strings.Contains(dep, "yaml") {
			t.Errorf("connectors/... depends on %s", dep)
		}
	}
}
