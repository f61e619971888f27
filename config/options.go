package config

import (
	"fmt"
	"strings"
)

// The option values below are parsed once, here, into types; the rest of the agent
// switches on them and never reads the words again.

// Rounding is rules.rounding: none, or an ending such as .90 that prices are rounded up
// to (12.34 → 12.90).
type Rounding int16

// NoRounding leaves prices as the rules computed them.
const NoRounding Rounding = -1

// Ending returns the kuruş a rounded price ends in, and whether there is rounding.
func (r Rounding) Ending() (int64, bool) { return int64(r), r >= 0 }

func (r Rounding) String() string {
	if r < 0 {
		return "none"
	}
	return fmt.Sprintf(".%02d", int(r))
}

// ParseRounding reads a rounding rule: "none" (or "") or a dot and two digits.
func ParseRounding(s string) (Rounding, error) {
	if s == "" || s == "none" {
		return NoRounding, nil
	}
	if len(s) == 3 && s[0] == '.' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' {
		return Rounding(int(s[1]-'0')*10 + int(s[2]-'0')), nil
	}
	return 0, fmt.Errorf("%q must be none or an ending such as .90 or .99", s)
}

func (r *Rounding) decodeScalar(_ *decoder, v string) error {
	x, err := ParseRounding(v)
	if err != nil {
		return err
	}
	*r = x
	return nil
}

// ListPriceMode is rules.list_price: which list (struck-through) price a store is sent.
type ListPriceMode int

const (
	// ListFromPriceList: the list price from the price lists, never below the sale price.
	ListFromPriceList ListPriceMode = iota
	// ListIsSale: the sale price is sent as the list price (no struck-through price).
	ListIsSale
)

var listPriceNames = []string{"list", "sale"}

func (m ListPriceMode) String() string { return listPriceNames[m] }

func (m *ListPriceMode) decodeScalar(_ *decoder, v string) error {
	i, err := enum(v, listPriceNames)
	*m = ListPriceMode(i)
	return err
}

// Release is orders.release: what, besides a cancellation, ends an order's reservation
// (docs/orders.md).
type Release int

const (
	// ReleaseAuto becomes ReleaseERPReading when the store's orders are transferred to
	// the ERP, else ReleaseShipped; Load resolves it, so the agent never sees it.
	ReleaseAuto Release = iota
	// ReleaseERPReading: written to the ERP, then an ERP reading taken after the write
	// shows the SKU.
	ReleaseERPReading
	// ReleaseShipped: the marketplace reported the order shipped, then such a reading.
	ReleaseShipped
)

var releaseNames = []string{"auto", "erp_reading", "shipped"}

func (r Release) String() string { return releaseNames[r] }

func (r *Release) decodeScalar(_ *decoder, v string) error {
	i, err := enum(v, releaseNames)
	*r = Release(i)
	return err
}

// enum finds v among names, or says which it may be with the nearest as a suggestion.
func enum(v string, names []string) (int, error) {
	for i, n := range names {
		if v == n {
			return i, nil
		}
	}
	msg := fmt.Sprintf("%q is not one of %s", v, strings.Join(names, ", "))
	if s := suggest(v, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return 0, fmt.Errorf("%s", msg)
}

// SourceMode is sources.sql[].mode: how an ERP query is read.
type SourceMode int

const (
	// Snapshot: every reading returns the whole stock list; what differs from the last
	// reading changes, and rows that disappear follow Missing.
	Snapshot SourceMode = iota
	// Incremental: a reading returns the rows changed since change_column's last value.
	Incremental
)

var sourceModeNames = []string{"snapshot", "incremental"}

func (m SourceMode) String() string { return sourceModeNames[m] }

func (m *SourceMode) decodeScalar(_ *decoder, v string) error {
	i, err := enum(v, sourceModeNames)
	*m = SourceMode(i)
	return err
}

// Missing is sources.sql[].missing: what a snapshot does with an item that disappears.
type Missing int

const (
	MissingIgnore Missing = iota // keep the last known values
	MissingZero                  // set its quantities to 0
)

var missingNames = []string{"ignore", "zero"}

func (m Missing) String() string { return missingNames[m] }

func (m *Missing) decodeScalar(_ *decoder, v string) error {
	i, err := enum(v, missingNames)
	*m = Missing(i)
	return err
}
