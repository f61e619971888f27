package config

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"syncagent/connectors"
)

// WriteSummary prints what the agent will do with this config, for check-config. Secrets
// appear only as "***" (set) or "-" (not set).
func (c *Config) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "config:    %s\n", c.File)
	fmt.Fprintf(w, "data dir:  %s\n", c.DataDir)
	fmt.Fprintf(w, "logs:      %s (level %s, %d MB × %d files)\n", c.Log.Dir, c.Log.Level, c.Log.MaxSizeMB, c.Log.MaxFiles)
	fmt.Fprintf(w, "time zone: %s\n", c.TimeZone)

	fmt.Fprintf(w, "\nstores (%d):\n", len(c.Stores))
	for _, s := range c.Stores {
		state := "active"
		if !s.Active {
			state = "passive: nothing sent, nothing fetched"
		}
		mode := ""
		if s.TestMode {
			mode = ", test mode"
		}
		fmt.Fprintf(w, "  %s  [%s, %s%s]\n", s.Name, s.Marketplace, state, mode)
		if s.BaseURL != "" {
			fmt.Fprintf(w, "    base url:    %s\n", s.BaseURL)
		}
		if info, ok := connectors.Find(s.Marketplace); ok {
			f := info.Features.WithLimits(s.Connector().Limits)
			fmt.Fprintf(w, "    marketplace: %s: %s\n", info.Description, f.Describe())
			if s.TestMode && s.BaseURL == "" && info.TestHosts != "" {
				fmt.Fprintf(w, "    test mode:   %s\n", info.TestHosts)
			}
		}
		fmt.Fprintf(w, "    credentials: %s\n", s.Credentials.summary(s.Marketplace))
		if len(s.Settings) > 0 {
			keys := make([]string, 0, len(s.Settings))
			for k := range s.Settings {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, fmt.Sprintf("%s=%q", k, s.Settings[k]))
			}
			fmt.Fprintf(w, "    settings:    %s\n", strings.Join(parts, " "))
		}
		fmt.Fprintf(w, "    push:        %q, debounce %s, max delay %s\n", s.Schedule.Push, s.Schedule.Debounce, s.Schedule.MaxDelay)
		r := s.Rules
		wh := "all warehouses"
		if len(r.Warehouses) > 0 {
			wh = strings.Join(r.Warehouses, "+")
		}
		fmt.Fprintf(w, "    rules:       scope %s; stock from %s", r.Scope, wh)
		if r.StockBuffer > 0 {
			fmt.Fprintf(w, " minus %d", r.StockBuffer)
		}
		if r.StockCap > 0 {
			fmt.Fprintf(w, ", capped at %d", r.StockCap)
		}
		fmt.Fprintf(w, "; price from %q", r.PriceList)
		if r.MarkupPercent.BasisPoints != 0 {
			fmt.Fprintf(w, " +%s", r.MarkupPercent.BasisPoints)
		}
		if r.Add.Kurus != 0 {
			fmt.Fprintf(w, " +%s TRY", r.Add.Kurus)
		}
		if _, ok := r.Rounding.Ending(); ok {
			fmt.Fprintf(w, ", rounded up to %s", r.Rounding)
		}
		if r.MinPrice.Kurus > 0 {
			fmt.Fprintf(w, ", at least %s TRY", r.MinPrice.Kurus)
		}
		fmt.Fprintf(w, "; list price: %s\n", r.ListPrice)
		o := s.Orders
		if o.Fetch {
			transfer := "not transferred"
			if o.Transfer {
				transfer = "written to sink " + o.Sink
			}
			deduct := "no stock reservation"
			if o.DeductStock {
				deduct = "reserved from warehouse " + o.DefaultWarehouse
			}
			fmt.Fprintf(w, "    orders:      %q, %s, %s\n", s.Schedule.Orders, transfer, deduct)
		} else {
			fmt.Fprintf(w, "    orders:      not fetched\n")
		}
	}

	fmt.Fprintf(w, "\nsources (%d):\n", len(c.Sources.DropFolders)+len(c.Sources.SQL))
	for _, f := range c.Sources.DropFolders {
		fmt.Fprintf(w, "  %s  [drop folder, %s every %s] %s\n", f.Name, f.Mode, f.PollInterval, f.Path)
		fmt.Fprintf(w, "    files %s → warehouse %q, price list %q; policy %s, numbers %s\n",
			strings.Join(f.Patterns, " "), f.Warehouse, f.PriceList, f.Policy, f.Locale)
	}
	for _, s := range c.Sources.SQL {
		fmt.Fprintf(w, "  %s  [sql %s, %s, %q] dsn %s\n", s.Name, s.Driver, s.Mode, s.Schedule, s.DSN)
	}

	fmt.Fprintf(w, "\norder sinks (%d):\n", len(c.Sinks.Files)+len(c.Sinks.SQL))
	for _, s := range c.Sinks.Files {
		fmt.Fprintf(w, "  %s  [files, %s] %s\n", s.Name, s.Format, s.Dir)
	}
	for _, s := range c.Sinks.SQL {
		fmt.Fprintf(w, "  %s  [sql %s] dsn %s\n", s.Name, s.Driver, s.DSN)
	}
}

// summary shows the credential keys of a store in its marketplace's order, with the
// values of the options that are not secret (a seller id, a shop name).
func (c Credentials) summary(marketplace string) string {
	info, _ := connectors.Find(marketplace)
	var keys []string
	if info != nil {
		keys = info.OptionNames()
	} else {
		for k := range c {
			keys = append(keys, k)
		}
		sort.Strings(keys)
	}
	var parts []string
	for _, k := range keys {
		v, ok := c[k]
		if !ok || !v.IsSet() {
			continue
		}
		shown := "***"
		if o, ok := info.Option(k); info != nil && ok && !o.Secret {
			shown = v.Value()
		}
		parts = append(parts, k+"="+shown)
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, " ")
}
