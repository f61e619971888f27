package demo_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"syncagent/agent/demo"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestDemoShowsChangesArrivingAfterEachStoresRules(t *testing.T) {
	var out lockedBuffer
	dir := t.TempDir()
	res, err := demo.Run(context.Background(), demo.Options{Out: &out, Dir: dir, For: 12 * time.Second})
	text := out.String()
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	// SKU-001: 12 in stock, 149.90 (list 199.90) in the ERP.
	for _, want := range []string{
		"trendyol-demo: SKU-001 stock 0 → 12, price — → 164.90, list price — → 219.90", // +10 %, .90
		"pazarsync-demo: SKU-001 stock 0 → 10",                                         // 12 − 2 held back
		"giyimmoda-demo: SKU-001 stock 0 → 12, price — → 154.90",                       // +5.00
		"pazarsync-demo: SKU-009 stock 0 → 50",                                         // 60 − 2, capped at 50
		"giyimmoda-demo: SKU-011 stock 0 → 9, price — → 99.90",                         // 79.90 + 5.00, raised to the minimum
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q", want)
		}
	}
	// One line per SKU and store whose values changed from the seeded stock 0 and no
	// price: every SKU on the two price stores, the ten SKUs PazarSync shows above 0.
	for store, least := range map[string]int{"trendyol-demo": 12, "giyimmoda-demo": 12, "pazarsync-demo": 10} {
		if n := len(regexp.MustCompile(`(?m)^`+store+`: `).FindAllString(text, -1)); n < least {
			t.Errorf("%d lines for %s, want at least %d", n, store, least)
		}
	}
	if res.Changes < 34 {
		t.Errorf("%d change lines, want at least 34", res.Changes)
	}
	for _, want := range []string{"drop folder", filepath.Join(dir, "drop"), "status --config " + res.Config, "logs -f --config"} {
		if !strings.Contains(text, want) {
			t.Errorf("the intro does not show %q", want)
		}
	}
	if strings.Contains(text, "demo-api-secret") || strings.Contains(text, "demo-client-secret") {
		t.Error("a credential was printed")
	}
	if t.Failed() {
		t.Logf("console:\n%s", text)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "syncagent.db")); err != nil {
		t.Errorf("no database in the demo folder: %v", err)
	}
}
