package queue

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"syncagent/connectors/money"
)

// Source says where a change came from, for the journal and reports.
type Source struct {
	Kind string // file, sql, order, manual
	Ref  string // file name, or source name
	Row  int    // row in the file; 0 when it does not apply
}

// ItemChange is one reading of one item: a row of a stock list, a row of an SQL poll.
// Only the fields that are set are changed; the rest of the item is kept.
type ItemChange struct {
	SKU       string
	Barcode   string       // "" keeps the known barcode
	Warehouse string       // the warehouse Qty belongs to (required with Qty)
	Qty       *int64       // nil: quantity not given
	PriceList string       // the price list Price and ListPrice belong to (required with either)
	Price     *money.Kurus // nil: not given
	ListPrice *money.Kurus // nil: not given
	Source    Source
}

// Item is the ERP's view of one item, the input of a store's rules.
type Item struct {
	SKU     string
	Barcode string
	Stock   map[string]int64      // warehouse → quantity
	Prices  map[string]PriceEntry // price list → prices
	// Reserved is stock held by imported orders that the ERP does not show yet
	// (warehouse → quantity); rules subtract it.
	Reserved map[string]int64
}

// PriceEntry is one price list's prices for an item (nil: not given by any source).
type PriceEntry struct {
	Price     *money.Kurus
	ListPrice *money.Kurus
}

// Desired is what a store should show for an item. A nil field is not pushed.
type Desired struct {
	Qty       *int64
	Price     *money.Kurus
	ListPrice *money.Kurus
}

// Rules compute a store's desired values from the ERP's view of an item. They must be pure
// (same item, same result) and fast: Apply calls them inside the write transaction.
type Rules interface {
	Desired(it *Item) Desired
}

// RulesFunc adapts a function to Rules.
type RulesFunc func(it *Item) Desired

func (f RulesFunc) Desired(it *Item) Desired { return f(it) }

// FieldDiff is one value that changed (or would change, in a dry run).
type FieldDiff struct {
	SKU    string
	Field  string // qty:<warehouse>, price:<list>, list_price:<list>, barcode
	Old    string // "" when there was no value
	New    string
	Source Source

	change int // index of the change in its batch; groups a change's fields in the journal
}

// ApplyResult counts what Apply did. Changed[i] tells whether changes[i] changed anything.
type ApplyResult struct {
	Applied   int // changes that altered at least one value
	Unchanged int // changes whose values were already known
	Changed   []bool
	Diffs     []FieldDiff // every field changed, in order
}

// SetStores replaces the active stores and their rules. Passive stores are simply absent:
// Apply computes no desired state for them. It does not recompute existing rows; call
// RecomputeStore for a store whose rules changed.
func (s *Store) SetStores(rules map[string]Rules) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = make(map[string]Rules, len(rules))
	for k, v := range rules {
		s.rules[k] = v
	}
}

func (s *Store) storeRules() map[string]Rules {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rules
}

// Apply commits changes in one transaction. See ApplyTx.
func (s *Store) Apply(ctx context.Context, changes []ItemChange) (ApplyResult, error) {
	var res ApplyResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.ApplyTx(ctx, tx, changes)
		return err
	})
	return res, err
}

// ApplyTx records changes in the ERP view, journals every value that differs, and
// recomputes the desired state of the touched items for every active store. A value equal
// to the known one changes nothing and makes no outbox row dirty; many changes to one SKU
// leave one outbox row holding the latest desired value.
func (s *Store) ApplyTx(ctx context.Context, tx *sql.Tx, changes []ItemChange) (ApplyResult, error) {
	res := ApplyResult{Changed: make([]bool, len(changes))}
	if len(changes) == 0 {
		return res, nil
	}
	for i, c := range changes {
		if err := c.validate(); err != nil {
			return res, fmt.Errorf("change %d: %w", i, err)
		}
	}
	skus := uniqueSKUs(changes)
	items, err := loadItems(ctx, tx, skus)
	if err != nil {
		return res, err
	}
	now := s.nowMS()
	touched := map[string]bool{}
	for i, c := range changes {
		it := items[c.SKU]
		diffs := it.apply(c)
		if len(diffs) == 0 {
			res.Unchanged++
			continue
		}
		res.Applied++
		res.Changed[i] = true
		touched[c.SKU] = true
		it.exists = true
		for k := range diffs {
			diffs[k].change = i
		}
		res.Diffs = append(res.Diffs, diffs...)
	}
	if len(touched) == 0 {
		return res, nil
	}
	order := make([]string, 0, len(touched))
	for _, sku := range skus {
		if touched[sku] {
			order = append(order, sku)
		}
	}
	if err := writeItems(ctx, tx, items, order, res.Diffs, now); err != nil {
		return res, err
	}
	if err := s.recompute(ctx, tx, order, items, s.storeRules(), now); err != nil {
		return res, err
	}
	return res, nil
}

func (c *ItemChange) validate() error {
	if strings.TrimSpace(c.SKU) == "" {
		return fmt.Errorf("empty SKU")
	}
	if !validName(c.Warehouse) || !validName(c.PriceList) {
		return fmt.Errorf("SKU %q: warehouse or price list name holds a control character", c.SKU)
	}
	if c.Qty != nil {
		if c.Warehouse == "" {
			return fmt.Errorf("SKU %q: quantity without a warehouse", c.SKU)
		}
		if *c.Qty < 0 {
			return fmt.Errorf("SKU %q: negative quantity %d", c.SKU, *c.Qty)
		}
	}
	if (c.Price != nil || c.ListPrice != nil) && c.PriceList == "" {
		return fmt.Errorf("SKU %q: price without a price list", c.SKU)
	}
	return nil
}

func uniqueSKUs(changes []ItemChange) []string {
	seen := make(map[string]bool, len(changes))
	out := make([]string, 0, len(changes))
	for _, c := range changes {
		if !seen[c.SKU] {
			seen[c.SKU] = true
			out = append(out, c.SKU)
		}
	}
	return out
}

// itemState is an Item plus what is needed to write it back.
type itemState struct {
	Item
	exists bool
}

// apply changes the in-memory item and returns the fields that changed.
func (it *itemState) apply(c ItemChange) []FieldDiff {
	var diffs []FieldDiff
	add := func(field, old, new string) {
		diffs = append(diffs, FieldDiff{SKU: c.SKU, Field: field, Old: old, New: new, Source: c.Source})
	}
	if c.Barcode != "" && c.Barcode != it.Barcode {
		add("barcode", it.Barcode, c.Barcode)
		it.Barcode = c.Barcode
	}
	if c.Qty != nil {
		old, had := it.Stock[c.Warehouse]
		if !had || old != *c.Qty {
			add("qty:"+c.Warehouse, optInt(old, had), strconv.FormatInt(*c.Qty, 10))
			it.Stock[c.Warehouse] = *c.Qty
		}
	}
	if c.Price != nil || c.ListPrice != nil {
		pe := it.Prices[c.PriceList]
		if c.Price != nil && !eqKurus(pe.Price, c.Price) {
			add("price:"+c.PriceList, optKurus(pe.Price), c.Price.String())
			v := *c.Price
			pe.Price = &v
		}
		if c.ListPrice != nil && !eqKurus(pe.ListPrice, c.ListPrice) {
			add("list_price:"+c.PriceList, optKurus(pe.ListPrice), c.ListPrice.String())
			v := *c.ListPrice
			pe.ListPrice = &v
		}
		it.Prices[c.PriceList] = pe
	}
	return diffs
}

func eqKurus(a, b *money.Kurus) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func optInt(v int64, ok bool) string {
	if !ok {
		return ""
	}
	return strconv.FormatInt(v, 10)
}

func optKurus(k *money.Kurus) string {
	if k == nil {
		return ""
	}
	return k.String()
}
