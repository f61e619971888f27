// Package config loads the agent's one YAML file: strict decoding with line numbers,
// defaults in one place (defaults.go), ${ENV} expansion, masked secrets, and paths
// resolved against the file's own folder.
package config

import (
	"maps"
	"time"

	"syncagent/connectors"
)

// Config is the whole file. See examples/config.yaml for every key with its default.
type Config struct {
	DataDir  Path    `yaml:"data_dir"`  // SQLite store, logs, staging; default <config folder>/data
	TimeZone string  `yaml:"time_zone"` // schedules and order dates; default Europe/Istanbul
	Log      Log     `yaml:"log"`
	Queue    Queue   `yaml:"queue"`
	Stores   []Store `yaml:"stores"`
	Sources  Sources `yaml:"sources"`
	Sinks    Sinks   `yaml:"sinks"`

	// File is the absolute path of the loaded file; Location the parsed TimeZone.
	File     string         `yaml:"-"`
	Location *time.Location `yaml:"-"`

	pos map[string]Pos
}

// Log configures the agent's own log file.
type Log struct {
	Level     string `yaml:"level"`       // debug, info, warn, error
	Dir       Path   `yaml:"dir"`         // default <data_dir>/logs
	MaxSizeMB int    `yaml:"max_size_mb"` // rotate when the file passes this size
	MaxFiles  int    `yaml:"max_files"`   // rotated files kept beside the live one
	Console   string `yaml:"console"`     // auto (when run in a terminal), always, never
}

// Queue tunes the SQLite outbox.
type Queue struct {
	MaxAttempts      int      `yaml:"max_attempts"`      // push attempts before an item is dead-lettered
	RetryBase        Duration `yaml:"retry_base"`        // first retry delay; doubles per attempt, with jitter
	RetryMax         Duration `yaml:"retry_max"`         // longest retry delay
	Lease            Duration `yaml:"lease"`             // how long a claimed batch stays reserved for one push
	JournalRetention Duration `yaml:"journal_retention"` // how long the change journal and import records are kept
}

// Store is one marketplace account.
type Store struct {
	Name        string            `yaml:"name" cfg:"required"`
	Marketplace string            `yaml:"marketplace" cfg:"required"` // a registered connector's name (connectors.Names)
	Active      bool              `yaml:"active"`                     // passive: nothing is sent, nothing fetched
	TestMode    bool              `yaml:"test_mode"`                  // use the marketplace's sandbox base URL
	BaseURL     string            `yaml:"base_url"`                   // overrides the marketplace's URL (proxy, simulator)
	Credentials Credentials       `yaml:"credentials"`
	Settings    map[string]string `yaml:"settings"` // what the marketplace declares beyond credentials (connectors.RegInfo.Settings)
	Schedule    StoreSchedule     `yaml:"schedule"`
	Rules       Rules             `yaml:"rules"`
	Orders      StoreOrders       `yaml:"orders"`
	Limits      Limits            `yaml:"limits"`

	dataDir string // the config's data_dir, for the connector (set when the file is loaded)
}

// Credentials are a store's credential values by key. Which keys a store takes, which
// are required and which are secret is its marketplace's registration
// (connectors.RegInfo.Options); config checks them through it at load. Every value is
// a Secret, so nothing prints it by accident.
type Credentials map[string]Secret

// StoreSchedule says when the store is pushed to and read from.
type StoreSchedule struct {
	Push     string   `yaml:"push"`      // cron spec for a full push of dirty items
	Debounce Duration `yaml:"debounce"`  // push this long after changes stop arriving (0: schedule only)
	MaxDelay Duration `yaml:"max_delay"` // ...but at most this long after the first pending change, and no more often
	Orders   string   `yaml:"orders"`    // cron spec for fetching orders
}

// Rules turn the ERP's view of an item into what this store shows.
type Rules struct {
	Scope         connectors.Scope `yaml:"scope"`           // all, stock, price, stock+price
	Warehouses    []string         `yaml:"warehouses"`      // warehouses summed into the quantity; empty: all
	PriceList     string           `yaml:"price_list"`      // price list giving the sale price
	ListPriceList string           `yaml:"list_price_list"` // price list giving the list (struck-through) price; default: the list price of price_list
	MarkupPercent Percent          `yaml:"markup_percent"`  // added to the sale price, then
	Add           Money            `yaml:"add"`             // a fixed amount added, then
	Rounding      Rounding         `yaml:"rounding"`        // none, or an ending such as .90 or .99 (rounded up)
	MinPrice      Money            `yaml:"min_price"`       // a lower sale price is raised to this
	ListPrice     ListPriceMode    `yaml:"list_price"`      // list price sent: "list" (from the price list, never below sale) or "sale" (same as sale price)
	StockBuffer   int              `yaml:"stock_buffer"`    // subtracted from the quantity (floor 0)
	StockCap      int              `yaml:"stock_cap"`       // highest quantity sent (0: the marketplace's own limit)
}

// StoreOrders configures order import and write-back for a store.
type StoreOrders struct {
	Fetch            bool     `yaml:"fetch"`             // import orders from this store
	Transfer         bool     `yaml:"transfer"`          // write imported orders to the ERP through Sink
	Sink             string   `yaml:"sink"`              // name of a file or SQL sink
	DeductStock      bool     `yaml:"deduct_stock"`      // reserve ordered quantities against every store's stock
	DefaultWarehouse string   `yaml:"default_warehouse"` // warehouse an order's stock is taken from
	CargoFirm        string   `yaml:"cargo_firm"`        // passed to the sink
	Lookback         Duration `yaml:"lookback"`          // how far back the first fetch reaches
	// Release says what, besides a cancellation, ends a reservation (docs/orders.md):
	// erp_reading (written to the ERP, then an ERP reading taken after the write shows the
	// SKU), shipped (the marketplace reported it shipped, then such a reading), or auto
	// (erp_reading when transfer is on, else shipped; resolved at load).
	Release Release `yaml:"release"`
	// ReleaseAfter, when set, releases a reservation held longer than this whatever else
	// happened (a safety valve for an ERP that is never read again); 0: never.
	ReleaseAfter Duration `yaml:"release_after"`
}

// Limits override a marketplace's documented limits (never raise them without the marketplace's word).
type Limits struct {
	Requests  int      `yaml:"requests"`   // requests allowed per Per
	Per       Duration `yaml:"per"`        // window of Requests
	BatchSize int      `yaml:"batch_size"` // items per request
	Timeout   Duration `yaml:"timeout"`    // one HTTP exchange
}

// Sources are where ERP stock and prices come from.
type Sources struct {
	DropFolders []DropFolder `yaml:"drop_folders"`
	SQL         []SQLSource  `yaml:"sql"`
}

// DropFolder is a folder watched for CSV/Excel stock and price lists.
type DropFolder struct {
	Name         string            `yaml:"name" cfg:"required"`
	Path         Path              `yaml:"path" cfg:"required"`
	Patterns     []string          `yaml:"patterns"`      // file name patterns taken from the folder
	Mode         string            `yaml:"mode"`          // watch (events plus rescans) or poll (network shares)
	PollInterval Duration          `yaml:"poll_interval"` // rescan interval
	QuietPeriod  Duration          `yaml:"quiet_period"`  // size and time unchanged this long before a file is taken
	Warehouse    string            `yaml:"warehouse"`     // warehouse the quantities belong to, unless a column says
	PriceList    string            `yaml:"price_list"`    // price list the prices belong to, unless a column says
	Policy       string            `yaml:"policy"`        // partial (apply good rows) or all-or-nothing
	Locale       string            `yaml:"locale"`        // number format: auto, tr (1.249,90) or en (1,249.90)
	Sheet        string            `yaml:"sheet"`         // Excel sheet name; default the first
	Columns      map[string]string `yaml:"columns"`       // field → header, overriding the built-in aliases
	BarcodeCheck string            `yaml:"barcode_check"` // EAN check digit: warn, reject or off
	Encoding     string            `yaml:"encoding"`      // CSV: auto, utf-8, utf-16, windows-1254
	Delimiter    string            `yaml:"delimiter"`     // CSV: auto, ";", ",", "tab"
}

// SQLSource polls the ERP's database.
type SQLSource struct {
	Name         string     `yaml:"name" cfg:"required"`
	Driver       string     `yaml:"driver" cfg:"required"` // postgres, mysql, sqlserver, sqlite3
	DSN          Secret     `yaml:"dsn" cfg:"required"`
	Query        string     `yaml:"query" cfg:"required"`
	Mode         SourceMode `yaml:"mode"`          // snapshot or incremental
	ChangeColumn string     `yaml:"change_column"` // incremental: column holding a growing value (rowversion, updated_at, id)
	Schedule     string     `yaml:"schedule"`      // cron spec
	Warehouse    string     `yaml:"warehouse"`     // when the query returns no warehouse column
	PriceList    string     `yaml:"price_list"`    // when the query returns no price_list column
	Missing      Missing    `yaml:"missing"`       // SKUs that disappear from a snapshot: ignore or zero
	Timeout      Duration   `yaml:"timeout"`       // statement timeout
}

// Sinks are where orders are written back to the ERP.
type Sinks struct {
	Files []FileSink `yaml:"files"`
	SQL   []SQLSink  `yaml:"sql"`
}

// FileSink writes one file per order into a folder the ERP imports from.
type FileSink struct {
	Name      string `yaml:"name" cfg:"required"`
	Dir       Path   `yaml:"dir" cfg:"required"`
	Format    string `yaml:"format"`     // csv, xlsx, json
	CancelDir Path   `yaml:"cancel_dir"` // cancellations; default <dir>/cancelled
}

// SQLSink runs configured statements per order in one transaction against the ERP database.
type SQLSink struct {
	Name   string `yaml:"name" cfg:"required"`
	Driver string `yaml:"driver" cfg:"required"`
	DSN    Secret `yaml:"dsn" cfg:"required"`
	Exists string `yaml:"exists"` // optional: returns a row when the order is already in the ERP
	Header string `yaml:"header" cfg:"required"`
	Line   string `yaml:"line" cfg:"required"`
	Cancel string `yaml:"cancel"` // optional: records a cancellation, once per export
	// CancelLine optionally runs once per cancelled SKU of an export (with the line parameters).
	CancelLine string   `yaml:"cancel_line"`
	Timeout    Duration `yaml:"timeout"`
}

// Pos returns where the value at a field path ("stores[0].rules.scope") stands in the file.
func (c *Config) Pos(path string) (Pos, bool) {
	p, ok := c.pos[path]
	return p, ok
}

// Connector is what the store's connector is told: the marketplace-facing settings.
func (s *Store) Connector() connectors.Store {
	cred := make(connectors.Credentials, len(s.Credentials))
	for k, v := range s.Credentials {
		cred[k] = v.Value()
	}
	return connectors.Store{
		Name: s.Name, Marketplace: s.Marketplace, TestMode: s.TestMode, BaseURL: s.BaseURL,
		Credentials: cred, Settings: maps.Clone(s.Settings), Scope: s.Rules.Scope, Orders: s.Orders.Fetch,
		Limits: connectors.Limits{Requests: s.Limits.Requests, Per: s.Limits.Per.D(),
			BatchSize: s.Limits.BatchSize, Timeout: s.Limits.Timeout.D()},
		DataDir: s.dataDir,
	}
}

// Store returns the store with the given name.
func (c *Config) Store(name string) (*Store, bool) {
	for i := range c.Stores {
		if c.Stores[i].Name == name {
			return &c.Stores[i], true
		}
	}
	return nil, false
}
