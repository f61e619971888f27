package config

import (
	"time"

	"syncagent/connectors"
)

// Every default lives here. examples/config.yaml documents them and a test checks that the
// example and these functions agree.

const (
	DefaultTimeZone  = "Europe/Istanbul"
	DefaultWarehouse = "default"
	DefaultPriceList = "default"
)

func (c *Config) setDefaults() {
	c.TimeZone = DefaultTimeZone
	c.Log.setDefaults()
	c.Queue.setDefaults()
}

func (l *Log) setDefaults() {
	l.Level = "info"
	l.MaxSizeMB = 20
	l.MaxFiles = 10
	l.Console = "auto"
}

func (q *Queue) setDefaults() {
	q.MaxAttempts = 8
	q.RetryBase = Duration(30 * time.Second)
	q.RetryMax = Duration(time.Hour)
	q.Lease = Duration(5 * time.Minute)
	q.JournalRetention = Duration(30 * 24 * time.Hour)
}

func (s *Store) setDefaults() {
	s.Active = true
	s.Schedule.setDefaults()
	s.Rules.setDefaults()
	s.Orders.setDefaults()
}

func (s *StoreSchedule) setDefaults() {
	s.Push = "*/5 * * * *"
	s.Debounce = Duration(5 * time.Second)
	s.MaxDelay = Duration(30 * time.Second)
	s.Orders = "*/5 * * * *"
}

func (r *Rules) setDefaults() {
	r.Scope = connectors.ScopeStock | connectors.ScopePrice
	r.PriceList = DefaultPriceList
	r.Rounding = NoRounding
	r.ListPrice = ListFromPriceList
}

func (o *StoreOrders) setDefaults() {
	o.Fetch = true
	o.DeductStock = true
	o.DefaultWarehouse = DefaultWarehouse
	o.Lookback = Duration(7 * 24 * time.Hour)
	o.Release = ReleaseAuto
}

func (d *DropFolder) setDefaults() {
	d.Patterns = []string{"*.xlsx", "*.xlsm", "*.csv", "*.txt"}
	d.Mode = "watch"
	d.PollInterval = Duration(30 * time.Second)
	d.QuietPeriod = Duration(2 * time.Second)
	d.Warehouse = DefaultWarehouse
	d.PriceList = DefaultPriceList
	d.Policy = "partial"
	d.Locale = "auto"
	d.BarcodeCheck = "warn"
	d.Encoding = "auto"
	d.Delimiter = "auto"
}

func (s *SQLSource) setDefaults() {
	s.Mode = Snapshot
	s.Schedule = "@every 1m"
	s.Warehouse = DefaultWarehouse
	s.PriceList = DefaultPriceList
	s.Missing = MissingIgnore
	s.Timeout = Duration(30 * time.Second)
}

func (f *FileSink) setDefaults() { f.Format = "csv" }

func (s *SQLSink) setDefaults() { s.Timeout = Duration(30 * time.Second) }
