package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"syncagent/connectors"
)

var exampleEnv = map[string]string{
	"TRENDYOL_API_KEY": "k-canary-4711", "TRENDYOL_API_SECRET": "s-canary-4711",
	"PAZARSYNC_CLIENT_ID": "id", "PAZARSYNC_CLIENT_SECRET": "sec",
	"ERP_DSN": "sqlserver://sa:pw-canary@erp/LOGO", "ERP_ORDERS_DSN": "postgres://erp",
}

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func parse(t *testing.T, yaml string) (*Config, error) {
	t.Helper()
	return Parse([]byte(yaml), "/etc/syncagent/config.yaml", mapEnv(exampleEnv))
}

func TestExampleLoadsAndDocumentsDefaults(t *testing.T) {
	path, _ := filepath.Abs("../examples/config.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data, path, mapEnv(exampleEnv))
	if err != nil {
		t.Fatalf("example config does not load:\n%v", err)
	}
	var d Config
	d.setDefaults()
	// The example states every default explicitly; if a default changes in defaults.go
	// and not in the example (or the other way round), this fails.
	if c.TimeZone != d.TimeZone || c.Queue != d.Queue {
		t.Errorf("example top-level defaults differ: %+v vs %+v", c.Queue, d.Queue)
	}
	d.Log.Dir = c.Log.Dir
	if c.Log != d.Log {
		t.Errorf("example log section %+v != defaults %+v", c.Log, d.Log)
	}
	if c.DataDir != Path(filepath.Join(filepath.Dir(path), "data")) {
		t.Errorf("data_dir %s", c.DataDir)
	}
	var s Store
	s.setDefaults()
	if c.Stores[0].Schedule != s.Schedule {
		t.Errorf("example schedule %+v != defaults %+v", c.Stores[0].Schedule, s.Schedule)
	}
	if c.Stores[0].Orders.Lookback != s.Orders.Lookback || c.Stores[0].Rules.Scope != s.Rules.Scope || c.Stores[0].Rules.ListPrice != s.Rules.ListPrice {
		t.Errorf("example store defaults differ")
	}
	var f DropFolder
	f.setDefaults()
	got := c.Sources.DropFolders[0]
	if !reflect.DeepEqual(got.Patterns, f.Patterns) || got.Mode != f.Mode || got.PollInterval != f.PollInterval ||
		got.QuietPeriod != f.QuietPeriod || got.Policy != f.Policy || got.Locale != f.Locale ||
		got.BarcodeCheck != f.BarcodeCheck || got.Encoding != f.Encoding || got.Delimiter != f.Delimiter {
		t.Errorf("example drop folder %+v differs from defaults %+v", got, f)
	}
	var q SQLSource
	q.setDefaults()
	sq := c.Sources.SQL[0]
	if sq.Mode != q.Mode || sq.Schedule != q.Schedule || sq.Missing != q.Missing || sq.Timeout != q.Timeout {
		t.Errorf("example sql source %+v differs from defaults %+v", sq, q)
	}
	if c.Stores[0].Credentials["api_key"].Value() != "k-canary-4711" {
		t.Errorf("env not expanded: %q", c.Stores[0].Credentials["api_key"].Value())
	}
	if c.Stores[0].Rules.MarkupPercent.BasisPoints != 1250 || c.Stores[0].Rules.Add.Kurus != 500 || c.Stores[0].Rules.MinPrice.Kurus != 4990 {
		t.Errorf("money fields: %+v", c.Stores[0].Rules)
	}
	if c.Stores[1].Active {
		t.Errorf("explicit active: false must win over the default")
	}
}

func TestMinimalConfigGetsDefaults(t *testing.T) {
	c, err := parse(t, "stores:\n  - name: ty\n    marketplace: testmarket\n")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Stores[0]
	if !s.Active || s.Schedule.Push != "*/5 * * * *" || s.Rules.Scope != connectors.ScopeStock|connectors.ScopePrice || !s.Orders.Fetch || s.Orders.Lookback.D() != 7*24*time.Hour {
		t.Errorf("store defaults not applied: %+v", s)
	}
	if c.DataDir != "/etc/syncagent/data" || c.Log.Dir != "/etc/syncagent/data/logs" {
		t.Errorf("derived paths: %s %s", c.DataDir, c.Log.Dir)
	}
	if c.Location == nil || c.Location.String() != "Europe/Istanbul" {
		t.Fatalf("location %v", c.Location)
	}
	_, off := time.Date(2026, 7, 1, 12, 0, 0, 0, c.Location).Zone()
	if off != 3*3600 {
		t.Errorf("Istanbul offset %d", off)
	}
}

func TestEmptyFileIsValid(t *testing.T) {
	if _, err := parse(t, ""); err != nil {
		t.Fatal(err)
	}
}

func TestRelativePathsFollowTheConfigFileNotTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "conf", "config.yaml")
	os.MkdirAll(filepath.Dir(file), 0o755)
	os.WriteFile(file, []byte("data_dir: state\nsources:\n  drop_folders:\n    - name: d\n      path: ../drop\n    - name: e\n      path: 'C:\\SyncAgent\\drop'\n"), 0o644)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(os.TempDir())
	c, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.DataDir) != filepath.Join(dir, "conf", "state") {
		t.Errorf("data_dir = %s", c.DataDir)
	}
	if string(c.Sources.DropFolders[0].Path) != filepath.Join(dir, "drop") {
		t.Errorf("path = %s", c.Sources.DropFolders[0].Path)
	}
	if !strings.HasPrefix(string(c.Sources.DropFolders[1].Path), `C:`) {
		t.Errorf("windows path rewritten: %s", c.Sources.DropFolders[1].Path)
	}
}

func TestErrorsNameFileLineColumnAndSuggest(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown top key", "data_dri: x\n", `config.yaml:1:1: unknown key "data_dri" in the top level; did you mean "data_dir"?`},
		{"unknown nested key", "stores:\n  - name: a\n    marketplace: testmarket\n    schedul:\n      push: x\n", `config.yaml:4:5: unknown key "schedul" in stores[0]; did you mean "schedule"?`},
		{"unknown deep key", "log:\n  levle: debug\n", `config.yaml:2:3: unknown key "levle" in log; did you mean "level"?`},
		{"no suggestion lists keys", "log:\n  zzzzzzzz: 1\n", `known keys: console, dir, level, max_files, max_size_mb`},
		{"wrong type int", "log:\n  max_files: ten\n", `config.yaml:2:14: log.max_files: expected a whole number, found "ten"`},
		{"wrong type bool", "stores:\n  - name: a\n    marketplace: testmarket\n    active: maybe\n", `config.yaml:4:13: stores[0].active: expected true or false, found "maybe"`},
		{"section expected", "log: loud\n", `config.yaml:1:6: log: expected a section`},
		{"list expected", "stores:\n  name: a\n", `config.yaml:2:3: stores: expected a list`},
		{"missing required", "stores:\n  - name: a\n", `config.yaml:2:5: stores[0]: required key "marketplace" is missing`},
		{"bad duration", "queue:\n  lease: soon\n", `config.yaml:2:10: queue.lease: expected a duration`},
		{"bad enum", "stores:\n  - name: a\n    marketplace: trendyl\n", `config.yaml:3:18: stores[0].marketplace: "trendyl" has no connector in this version (known: ` + strings.Join(connectors.Names(), ", ") + `); did you mean "trendyol"?`},
		{"bad cron", "stores:\n  - name: a\n    marketplace: testmarket\n    schedule:\n      push: every minute\n", `config.yaml:5:13: stores[0].schedule.push: "every minute" is not a valid schedule`},
		{"missing env", "stores:\n  - name: a\n    marketplace: testmarket\n    credentials:\n      api_key: ${NOPE_NOT_SET}\n", `config.yaml:5:16: environment variable NOPE_NOT_SET is not set`},
		{"duplicate store", "stores:\n  - name: a\n    marketplace: testmarket\n  - name: a\n    marketplace: testmarket\n", `config.yaml:4:11: stores[1].name: store name "a" is already used by stores[0].name`},
		{"duplicate key", "log:\n  level: info\n  level: debug\n", `config.yaml:3:3: log: key "level" appears twice (first on line 2)`},
		{"unknown sink", "stores:\n  - name: a\n    marketplace: testmarket\n    orders:\n      transfer: true\n      sink: erp\n", `stores[0].orders.sink: no sink named "erp"`},
		{"bad money", "stores:\n  - name: a\n    marketplace: testmarket\n    rules:\n      add: 1.249,90\n", `config.yaml:5:12: stores[0].rules.add: expected an amount such as 12.50`},
		{"bad scope", "stores:\n  - name: a\n    marketplace: testmarket\n    rules: {scope: prices}\n", `config.yaml:4:20: stores[0].rules.scope: "prices" is not one of all, stock, price, stock+price; did you mean "price"?`},
		{"bad rounding", "stores:\n  - name: a\n    marketplace: testmarket\n    rules: {rounding: 0.9}\n", `config.yaml:4:23: stores[0].rules.rounding: "0.9" must be none or an ending such as .90 or .99`},
		{"bad list price", "stores:\n  - name: a\n    marketplace: testmarket\n    rules: {list_price: psf}\n", `config.yaml:4:25: stores[0].rules.list_price: "psf" is not one of list, sale`},
		{"bad zone", "time_zone: Mars/Olympus\n", `config.yaml:1:12: time_zone: unknown time zone "Mars/Olympus"`},
		{"bad yaml", "log:\n  level: [\n", `config.yaml: not valid YAML`},
		{"incremental needs column", "sources:\n  sql:\n    - name: q\n      driver: postgres\n      dsn: x\n      query: select 1\n      mode: incremental\n", `incremental mode needs change_column`},
		{"bad column field", "sources:\n  drop_folders:\n    - name: d\n      path: x\n      columns:\n        skuu: Kod\n", `"skuu" is not one of sku, barcode`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, c.yaml)
			if err == nil {
				t.Fatalf("no error; want %s", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, c.want)
			}
		})
	}
}

func TestAllErrorsReportedTogether(t *testing.T) {
	_, err := parse(t, "logg: 1\nqueue:\n  leese: 1s\n")
	es, ok := err.(Errors)
	if !ok || len(es) != 2 {
		t.Fatalf("want 2 errors, got %v", err)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	path, _ := filepath.Abs("../examples/config.yaml")
	data, _ := os.ReadFile(path)
	c, err := Parse(data, path, mapEnv(exampleEnv))
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c), fmt.Sprintf(verb, c.Stores[0].Credentials))
	}
	j, _ := json.Marshal(c)
	outs = append(outs, string(j))
	var b strings.Builder
	log := zerolog.New(&b)
	log.Info().Interface("cfg", c).Interface("creds", c.Stores[0].Credentials).Stringer("key", c.Stores[0].Credentials["api_key"]).Msg("x")
	c.WriteSummary(&b)
	outs = append(outs, b.String())
	for _, o := range outs {
		if strings.Contains(o, "canary") {
			t.Fatalf("secret leaked: %s", o)
		}
	}
	if !strings.Contains(b.String(), "api_key=***") {
		t.Errorf("summary should show masked key: %s", b.String())
	}
}

func TestEnvEscapes(t *testing.T) {
	c, err := parse(t, "stores:\n  - name: a\n    marketplace: testmarket\n    credentials:\n      api_key: pre-${ERP_ORDERS_DSN}-$${LITERAL}\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Stores[0].Credentials["api_key"].Value(); got != "pre-postgres://erp-${LITERAL}" {
		t.Errorf("got %q", got)
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"schedule", "rules", "orders", "credentials"}
	for typo, want := range map[string]string{"schedul": "schedule", "rule": "rules", "credential": "credentials", "xyz": "", "Orders": "orders"} {
		if got := suggest(typo, known); got != want {
			t.Errorf("suggest(%q) = %q want %q", typo, got, want)
		}
	}
}
