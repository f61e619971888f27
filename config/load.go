package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // Windows machines without Go have no zoneinfo; Europe/Istanbul must load anyway.

	"go.yaml.in/yaml/v3"

	"syncagent/connectors"
)

// Load reads, decodes and validates the config file at path. The error lists every
// problem found, each with the file, line and column.
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config file %s does not exist (pass --config FILE or set SYNCAGENT_CONFIG)", abs)
		}
		return nil, fmt.Errorf("cannot read config file: %w", err)
	}
	return Parse(data, abs, osEnv)
}

// Parse decodes and validates data as if it were the file at file (an absolute path; its
// folder anchors relative paths). env looks up ${NAME} references.
func Parse(data []byte, file string, env func(string) (string, bool)) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &Error{File: file, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	c := &Config{File: file}
	c.setDefaults()
	d := &decoder{file: file, baseDir: filepath.Dir(file), pos: map[string]Pos{}, env: env}
	if root.Kind != 0 {
		d.decode(&root, reflect.ValueOf(c).Elem(), "")
	}
	c.pos = d.pos
	if len(d.errs) == 0 {
		c.finish()
		d.errs = c.validate(d.errs)
	}
	if len(d.errs) > 0 {
		return nil, Errors(d.errs)
	}
	return c, nil
}

// finish fills the defaults that depend on other values.
func (c *Config) finish() {
	base := filepath.Dir(c.File)
	if c.DataDir == "" {
		c.DataDir = Path(filepath.Join(base, "data"))
	}
	if c.Log.Dir == "" {
		c.Log.Dir = Path(filepath.Join(string(c.DataDir), "logs"))
	}
	for i := range c.Stores {
		c.Stores[i].dataDir = string(c.DataDir)
		if o := &c.Stores[i].Orders; o.Release == ReleaseAuto {
			o.Release = ReleaseShipped
			if o.Transfer {
				o.Release = ReleaseERPReading
			}
		}
	}
	for i := range c.Sinks.Files {
		if c.Sinks.Files[i].CancelDir == "" {
			c.Sinks.Files[i].CancelDir = Path(filepath.Join(string(c.Sinks.Files[i].Dir), "cancelled"))
		}
	}
}

// DBPath is the SQLite store inside the data dir.
func (c *Config) DBPath() string { return filepath.Join(string(c.DataDir), "syncagent.db") }

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

type validator struct {
	c    *Config
	errs []error
}

func (v *validator) at(path, format string, args ...any) {
	p := v.c.pos[path]
	for p.Line == 0 && path != "" { // fall back to the nearest enclosing section
		if i := strings.LastIndexAny(path, ".["); i >= 0 {
			path = path[:i]
		} else {
			path = ""
		}
		p = v.c.pos[path]
	}
	v.errs = append(v.errs, &Error{File: v.c.File, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) oneOf(path, val string, allowed ...string) {
	if _, err := enum(val, allowed); err != nil {
		v.at(path, "%s: %v", path, err)
	}
}

func (v *validator) cron(path, spec string) {
	if spec == "" {
		return
	}
	if _, err := CronParser.Parse(spec); err != nil {
		v.at(path, "%s: %q is not a valid schedule (%v); examples: \"*/5 * * * *\", \"@every 30s\", \"0 30 9 * * *\" (with seconds)", path, spec, err)
	}
}

func (v *validator) name(path, kind, n string, seen map[string]string) {
	if !nameRE.MatchString(n) {
		v.at(path, "%s: %s name %q may hold only letters, digits, '-', '_' and '.' (it is used in file names and logs)", path, kind, n)
		return
	}
	if prev, dup := seen[n]; dup {
		v.at(path, "%s: %s name %q is already used by %s", path, kind, n, prev)
		return
	}
	seen[n] = path
}

// marketplace checks a store's marketplace-specific part through the connector
// registry (credentials, scope, test mode, the marketplace's own rules), so run,
// install, the service, import, check-config and demo all refuse the same stores.
func (v *validator) marketplace(p string, s *Store) {
	cs := s.Connector()
	for _, err := range connectors.Check(&cs) {
		var fe *connectors.FieldError
		if !errors.As(err, &fe) {
			v.at(p, "%s: %v", p, err)
			continue
		}
		msg := fe.Msg
		if m := suggest(fe.Got, fe.Choices); len(fe.Choices) > 0 && m != "" {
			msg += fmt.Sprintf("; did you mean %q?", m)
		}
		v.at(p+"."+fe.Key, "%s.%s: %s", p, fe.Key, msg)
	}
}

func (c *Config) validate(errs []error) []error {
	v := &validator{c: c, errs: errs}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		v.at("time_zone", "time_zone: unknown time zone %q (use a name such as Europe/Istanbul)", c.TimeZone)
	}
	c.Location = loc
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.console", c.Log.Console, "auto", "always", "never")
	if c.Log.MaxSizeMB < 1 {
		v.at("log.max_size_mb", "log.max_size_mb must be at least 1")
	}
	if c.Log.MaxFiles < 1 {
		v.at("log.max_files", "log.max_files must be at least 1")
	}
	if c.Queue.MaxAttempts < 1 {
		v.at("queue.max_attempts", "queue.max_attempts must be at least 1")
	}
	for _, f := range []struct {
		p string
		d Duration
	}{{"queue.retry_base", c.Queue.RetryBase}, {"queue.retry_max", c.Queue.RetryMax}, {"queue.lease", c.Queue.Lease}, {"queue.journal_retention", c.Queue.JournalRetention}} {
		if f.d <= 0 {
			v.at(f.p, "%s must be longer than 0", f.p)
		}
	}

	sinks := map[string]string{}
	for i, s := range c.Sinks.Files {
		p := fmt.Sprintf("sinks.files[%d]", i)
		v.name(p+".name", "sink", s.Name, sinks)
		v.oneOf(p+".format", s.Format, "csv", "xlsx", "json")
	}
	for i, s := range c.Sinks.SQL {
		p := fmt.Sprintf("sinks.sql[%d]", i)
		v.name(p+".name", "sink", s.Name, sinks)
		v.oneOf(p+".driver", s.Driver, SQLDrivers...)
	}

	stores := map[string]string{}
	for i := range c.Stores {
		s := &c.Stores[i]
		p := fmt.Sprintf("stores[%d]", i)
		v.name(p+".name", "store", s.Name, stores)
		v.cron(p+".schedule.push", s.Schedule.Push)
		v.cron(p+".schedule.orders", s.Schedule.Orders)
		if s.BaseURL != "" && !strings.HasPrefix(s.BaseURL, "http://") && !strings.HasPrefix(s.BaseURL, "https://") {
			v.at(p+".base_url", "%s.base_url: %q must start with https:// or http://", p, s.BaseURL)
		}
		r := &s.Rules
		if r.StockBuffer < 0 {
			v.at(p+".rules.stock_buffer", "%s.rules.stock_buffer cannot be negative", p)
		}
		if r.StockCap < 0 {
			v.at(p+".rules.stock_cap", "%s.rules.stock_cap cannot be negative", p)
		}
		if r.MinPrice.Kurus < 0 {
			v.at(p+".rules.min_price", "%s.rules.min_price cannot be negative", p)
		}
		if r.PriceList == "" {
			v.at(p+".rules.price_list", "%s.rules.price_list cannot be empty", p)
		}
		o := &s.Orders
		if o.Transfer {
			if o.Sink == "" {
				v.at(p+".orders.sink", "%s.orders: transfer is on but no sink is named (add sink: NAME from sinks)", p)
			} else if _, ok := sinks[o.Sink]; !ok {
				v.at(p+".orders.sink", "%s.orders.sink: no sink named %q%s", p, o.Sink, didYouMean(o.Sink, sinks))
			}
		}
		if o.Release == ReleaseERPReading && !o.Transfer {
			v.at(p+".orders.release", "%s.orders.release: erp_reading waits for the order to be written to the ERP, but transfer is off; use release: shipped (or turn transfer on)", p)
		}
		if o.DeductStock && strings.TrimSpace(o.DefaultWarehouse) == "" {
			v.at(p+".orders.default_warehouse", "%s.orders: deduct_stock is on, so default_warehouse (the warehouse ordered units are taken from) cannot be empty", p)
		}
		if o.ReleaseAfter > 0 && o.ReleaseAfter.D() < time.Hour {
			v.at(p+".orders.release_after", "%s.orders.release_after: %s is shorter than an hour; a reservation released that early lets the stores sell units the ERP does not show yet (0 turns the valve off)", p, o.ReleaseAfter)
		}
		l := &s.Limits
		if l.Requests < 0 || l.BatchSize < 0 {
			v.at(p+".limits", "%s.limits: values cannot be negative", p)
		}
		if l.Requests > 0 && l.Per <= 0 {
			v.at(p+".limits.per", "%s.limits: requests is set, so per (the window, e.g. 10s) is required", p)
		}
		v.marketplace(p, s)
	}

	sources := map[string]string{}
	folders := map[string]string{}
	for i := range c.Sources.DropFolders {
		f := &c.Sources.DropFolders[i]
		p := fmt.Sprintf("sources.drop_folders[%d]", i)
		v.name(p+".name", "source", f.Name, sources)
		if prev, dup := folders[strings.ToLower(string(f.Path))]; dup {
			v.at(p+".path", "%s.path: %s is already watched by %s", p, f.Path, prev)
		}
		folders[strings.ToLower(string(f.Path))] = p
		v.oneOf(p+".mode", f.Mode, "watch", "poll")
		v.oneOf(p+".policy", f.Policy, "partial", "all-or-nothing")
		v.oneOf(p+".locale", f.Locale, "auto", "tr", "en")
		v.oneOf(p+".barcode_check", f.BarcodeCheck, "warn", "reject", "off")
		v.oneOf(p+".encoding", f.Encoding, "auto", "utf-8", "utf-16", "windows-1254")
		v.oneOf(p+".delimiter", f.Delimiter, "auto", ";", ",", "tab")
		if f.PollInterval <= 0 {
			v.at(p+".poll_interval", "%s.poll_interval must be longer than 0", p)
		}
		if len(f.Patterns) == 0 {
			v.at(p+".patterns", "%s.patterns: at least one pattern such as *.xlsx is needed", p)
		}
		for j, pat := range f.Patterns {
			if _, err := filepath.Match(pat, "x"); err != nil {
				v.at(fmt.Sprintf("%s.patterns[%d]", p, j), "%s.patterns: %q is not a valid pattern", p, pat)
			}
		}
		for field := range f.Columns {
			v.oneOf(p+".columns."+field, field, ColumnFields...)
		}
		if f.Warehouse == "" || f.PriceList == "" {
			v.at(p, "%s: warehouse and price_list cannot be empty", p)
		}
	}
	for i := range c.Sources.SQL {
		s := &c.Sources.SQL[i]
		p := fmt.Sprintf("sources.sql[%d]", i)
		v.name(p+".name", "source", s.Name, sources)
		v.oneOf(p+".driver", s.Driver, SQLDrivers...)
		v.cron(p+".schedule", s.Schedule)
		if s.Mode == Incremental && s.ChangeColumn == "" {
			v.at(p+".change_column", "%s: incremental mode needs change_column (the column holding a rowversion, updated_at or growing id)", p)
		}
		if s.Timeout <= 0 {
			v.at(p+".timeout", "%s.timeout must be longer than 0", p)
		}
	}
	return v.errs
}

// SQLDrivers are the database drivers sources and sinks may name.
var SQLDrivers = []string{"postgres", "mysql", "sqlserver", "sqlite3"}

// ColumnFields are the fields a drop folder's columns mapping may name.
var ColumnFields = []string{"sku", "barcode", "quantity", "price", "list_price", "warehouse", "price_list"}

func didYouMean(s string, known map[string]string) string {
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	if m := suggest(s, names); m != "" {
		return fmt.Sprintf("; did you mean %q?", m)
	}
	return ""
}
