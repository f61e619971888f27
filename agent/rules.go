package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/queue"
)

// StoreRules turn the ERP's view of an item into what one store shows. They implement
// queue.Rules, so the outbox computes every store's desired state inside the transaction
// that records a change.
//
// Decisions a merchant may ask about (also in docs/push.md):
//   - Scope picks what is pushed; what the marketplace cannot take (PazarSync has no price
//     endpoint) is never wanted either, so no row stays dirty for a value nobody can send.
//   - Quantity is unknown (not pushed) when the item has no stock reading for any of the
//     store's warehouses: a missing number is never sent as 0.
//   - A sale price of 0 or less in the ERP counts as "no price"; nothing is pushed rather
//     than a 0.
//   - The list price goes through the same markup, addition and rounding as the sale
//     price, so the discount a shopper sees keeps the ERP's proportion; min_price applies
//     to the sale price only, and the list price is then raised to at least the sale price
//     (marketplaces refuse a list price below the sale price). With no list price known,
//     the sale price is sent as the list price.
//   - A list price is only pushed together with a sale price.
type StoreRules struct {
	stock      bool // quantity pushed
	price      bool // sale price pushed
	list       bool // list price pushed (with the sale price)
	warehouses []string
	priceList  string
	listList   string // "" : the list price of priceList
	markup     money.BasisPoints
	add        money.Kurus
	ending     int64 // -1: no rounding
	minPrice   money.Kurus
	listMode   config.ListPriceMode
	buffer     int64
	cap        int64 // 0: no cap
}

var _ queue.Rules = (*StoreRules)(nil)

// NewStoreRules builds a store's rules from its config and its connector's features.
func NewStoreRules(r config.Rules, f connectors.Features) (*StoreRules, error) {
	ending, _ := r.Rounding.Ending() // -1 without rounding
	s := &StoreRules{
		warehouses: slices.Clone(r.Warehouses),
		priceList:  r.PriceList,
		listList:   r.ListPriceList,
		markup:     r.MarkupPercent.BasisPoints,
		add:        r.Add.Kurus,
		ending:     ending,
		minPrice:   r.MinPrice.Kurus,
		listMode:   r.ListPrice,
		buffer:     int64(max(r.StockBuffer, 0)),
	}
	if r.Scope.Kinds() == 0 {
		return nil, fmt.Errorf("rules.scope: %s asks for nothing to be pushed", r.Scope)
	}
	s.stock = r.Scope.Has(connectors.ScopeStock) && f.Updates.Has(connectors.ScopeStock)
	s.price = r.Scope.Has(connectors.ScopePrice) && f.Updates.Has(connectors.ScopePrice)
	s.list = s.price && f.ListPrice
	s.cap = int64(r.StockCap)
	if f.MaxStock > 0 && (s.cap == 0 || s.cap > f.MaxStock) {
		s.cap = f.MaxStock
	}
	return s, nil
}

// Desired implements queue.Rules. It is pure and allocation-light: Apply calls it for
// every store inside the write transaction.
func (s *StoreRules) Desired(it *queue.Item) queue.Desired {
	var d queue.Desired
	if s.stock {
		d.Qty = s.quantity(it)
	}
	if s.price {
		d.Price, d.ListPrice = s.prices(it)
		if !s.list {
			d.ListPrice = nil
		}
	}
	return d
}

func (s *StoreRules) quantity(it *queue.Item) *int64 {
	var sum int64
	known := false
	if len(s.warehouses) == 0 {
		for _, q := range it.Stock {
			sum += q
			known = true
		}
		for _, r := range it.Reserved {
			sum -= r
		}
	} else {
		for _, wh := range s.warehouses {
			if q, ok := it.Stock[wh]; ok {
				sum += q
				known = true
			}
			sum -= it.Reserved[wh]
		}
	}
	if !known {
		return nil
	}
	sum -= s.buffer
	sum = max(sum, 0)
	if s.cap > 0 {
		sum = min(sum, s.cap)
	}
	return &sum
}

// prices returns the sale and list price to push, or nils when the price list gives no
// usable sale price.
func (s *StoreRules) prices(it *queue.Item) (*money.Kurus, *money.Kurus) {
	pe, ok := it.Prices[s.priceList]
	if !ok || pe.Price == nil || *pe.Price <= 0 {
		return nil, nil
	}
	sale := s.adjust(*pe.Price)
	if sale < s.minPrice {
		sale = s.minPrice
	}
	list := sale
	if s.listMode != config.ListIsSale {
		if base, ok := s.listBase(it, pe); ok {
			list = max(s.adjust(base), sale)
		}
	}
	return &sale, &list
}

// listBase is the ERP's list price before the store's markup: the price of
// list_price_list (its list price when it holds only that), or the list price of the
// sale price list.
func (s *StoreRules) listBase(it *queue.Item, pe queue.PriceEntry) (money.Kurus, bool) {
	if s.listList != "" {
		le, ok := it.Prices[s.listList]
		if !ok {
			return 0, false
		}
		switch {
		case le.Price != nil && *le.Price > 0:
			return *le.Price, true
		case le.ListPrice != nil && *le.ListPrice > 0:
			return *le.ListPrice, true
		}
		return 0, false
	}
	if pe.ListPrice != nil && *pe.ListPrice > 0 {
		return *pe.ListPrice, true
	}
	return 0, false
}

// adjust applies markup, then the fixed addition, then the rounding ending.
func (s *StoreRules) adjust(k money.Kurus) money.Kurus {
	k = k.AddPercent(s.markup) + s.add
	if s.ending >= 0 {
		k = k.RoundUpToEnding(s.ending)
	}
	return k
}

// RulesFingerprint is a stable hash of everything a store's desired state depends on:
// the rules and the connector capabilities that shape them. When it differs from the one
// recorded with the outbox, the store's desired state is recomputed.
func RulesFingerprint(r config.Rules, caps connectors.Features) string {
	wh := slices.Clone(r.Warehouses)
	slices.Sort(wh)
	var b strings.Builder
	fmt.Fprintf(&b, "v1|scope=%s|wh=%q|pl=%q|lpl=%q|markup=%d|add=%d|round=%s|min=%d|list=%s|buffer=%d|cap=%d",
		r.Scope, wh, r.PriceList, r.ListPriceList, r.MarkupPercent.BasisPoints, r.Add.Kurus, r.Rounding,
		r.MinPrice.Kurus, r.ListPrice, r.StockBuffer, r.StockCap)
	fmt.Fprintf(&b, "|caps:stock=%t,price=%t,list=%t,max=%d", caps.Updates.Has(connectors.ScopeStock), caps.Updates.Has(connectors.ScopePrice), caps.ListPrice, caps.MaxStock)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:12])
}
