package dropfolder

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"syncagent/config"
	"syncagent/erpbridge/sheet"
)

// Policy says what a file with rejected rows does.
type Policy string

const (
	// Partial applies the good rows and reports the bad ones.
	Partial Policy = "partial"
	// AllOrNothing applies nothing when any row is rejected.
	AllOrNothing Policy = "all-or-nothing"
)

// Settings are one drop folder's settings, resolved from the config.
type Settings struct {
	Name         string        // source name: logs, health ("source:NAME"), import records
	Dir          string        // the watched folder
	Patterns     []string      // file name patterns taken from the folder (case-insensitive)
	Poll         bool          // list the folder on a timer only; no file events
	PollInterval time.Duration // full listing interval
	QuietPeriod  time.Duration // size and time unchanged this long before a file is taken
	Warehouse    string        // warehouse of quantities when the row names none
	PriceList    string        // price list of prices when the row names none
	Policy       Policy
	Parse        sheet.Options // how files are read; Name is set per file
	StagingDir   string        // private copies and parser temp files; emptied at start
	Location     *time.Location
	Now          func() time.Time // nil: time.Now
}

// FromConfig resolves the settings of drop folder f of cfg.
func FromConfig(cfg *config.Config, f config.DropFolder) Settings {
	cols := make(map[sheet.Field]string, len(f.Columns))
	for field, header := range f.Columns {
		cols[sheet.Field(field)] = header
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	return Settings{
		Name:         f.Name,
		Dir:          string(f.Path),
		Patterns:     append([]string(nil), f.Patterns...),
		Poll:         f.Mode == "poll",
		PollInterval: f.PollInterval.D(),
		QuietPeriod:  f.QuietPeriod.D(),
		Warehouse:    f.Warehouse,
		PriceList:    f.PriceList,
		Policy:       Policy(f.Policy),
		Parse: sheet.Options{
			Sheet:        f.Sheet,
			Columns:      cols,
			Locale:       f.Locale,
			Encoding:     f.Encoding,
			Delimiter:    f.Delimiter,
			BarcodeCheck: f.BarcodeCheck,
		},
		StagingDir: filepath.Join(string(cfg.DataDir), "staging", f.Name),
		Location:   loc,
	}
}

// check reports settings the agent cannot run with; config validation catches these
// first, so this guards programmatic use.
func (s *Settings) check() error {
	switch {
	case s.Name == "":
		return fmt.Errorf("drop folder: name is empty")
	case s.Dir == "":
		return fmt.Errorf("drop folder %s: path is empty", s.Name)
	case s.StagingDir == "":
		return fmt.Errorf("drop folder %s: staging folder is empty", s.Name)
	case s.Warehouse == "" || s.PriceList == "":
		return fmt.Errorf("drop folder %s: warehouse and price list cannot be empty", s.Name)
	case s.Policy != Partial && s.Policy != AllOrNothing:
		return fmt.Errorf("drop folder %s: policy %q is not %s or %s", s.Name, s.Policy, Partial, AllOrNothing)
	case len(s.Patterns) == 0:
		return fmt.Errorf("drop folder %s: no file name patterns", s.Name)
	}
	for _, p := range s.Patterns {
		if _, err := filepath.Match(strings.ToLower(p), "x"); err != nil {
			return fmt.Errorf("drop folder %s: pattern %q: %w", s.Name, p, err)
		}
	}
	return nil
}

func (s *Settings) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Settings) location() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.Local
}

// pollInterval and quiet give usable values even for hand-made Settings.
func (s *Settings) pollInterval() time.Duration {
	if s.PollInterval > 0 {
		return s.PollInterval
	}
	return 30 * time.Second
}

func (s *Settings) quiet() time.Duration {
	if s.QuietPeriod > 0 {
		return s.QuietPeriod
	}
	return 0
}
