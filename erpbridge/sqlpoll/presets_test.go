package sqlpoll

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"syncagent/config"
)

// TestERPPresets: every preset in examples/erp is a valid config (strict loader), every
// source in it builds (mode, :since, DSN form), returns sku and something to change, and
// the file warns that it must be checked against the customer's database.
func TestERPPresets(t *testing.T) {
	files, err := filepath.Glob("../../examples/erp/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("presets: %v %v", files, err)
	}
	st := openStore(t)
	env := func(name string) (string, bool) {
		if name == "ERP_DSN" {
			return "sqlserver://reader:secret@erp-sql:1433?database=ERP", true
		}
		return "", false
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "CHECK BEFORE USE") {
			t.Errorf("%s does not say it must be checked against the customer's database", f)
		}
		abs, _ := filepath.Abs(f)
		cfg, err := config.Parse(data, abs, env)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(cfg.Sources.SQL) == 0 {
			t.Errorf("%s has no SQL source", f)
		}
		for _, s := range cfg.Sources.SQL {
			p, err := New(s, st, Options{})
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			p.Close()
			q := strings.ToUpper(s.Query)
			if !strings.Contains(q, " AS SKU") || !(strings.Contains(q, " AS QUANTITY") || strings.Contains(q, " AS PRICE")) {
				t.Errorf("%s: source %s does not return sku and a quantity or price", f, s.Name)
			}
			if s.Mode == config.Incremental && !strings.Contains(q, " AS "+strings.ToUpper(s.ChangeColumn)) {
				t.Errorf("%s: source %s does not return its change column %s", f, s.Name, s.ChangeColumn)
			}
		}
	}
}
