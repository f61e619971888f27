package ikas

import (
	"context"

	"syncagent/connectors"
	"syncagent/connectors/ikas/api"
)

// ReadBack reads the items' products afresh by id (200 a call) and reports the
// quantity at the store's stock location and the prices of the default price list, as
// the connector pushes them.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	loc := ""
	if c.scope.Has(connectors.ScopeStock) || c.scope == 0 {
		var err error
		if loc, err = c.stockLocation(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.ids.findAll(ctx, items); err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	found := map[string]*variantInfo{}
	for _, it := range items {
		vs := c.ids.lookup(it.SKU, it.Barcode)
		if len(vs) != 1 {
			continue
		}
		found[it.SKU] = vs[0]
		if !seen[vs[0].productID] {
			seen[vs[0].productID] = true
			ids = append(ids, vs[0].productID)
		}
	}
	got, err := c.ids.readProducts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]connectors.Observed, len(items))
	for _, it := range items {
		vi, ok := found[it.SKU]
		if !ok {
			out[it.SKU] = connectors.Observed{}
			continue
		}
		v, ok := got[vi.variantID]
		if !ok {
			out[it.SKU] = connectors.Observed{}
			continue
		}
		out[it.SKU] = c.observed(v, loc)
	}
	return out, nil
}

func (c *Client) observed(v api.Variant, loc string) connectors.Observed {
	ob := connectors.Observed{Found: true}
	if loc != "" {
		ob.Qty = stockAt(v, loc)
	}
	dp := defaultPrice(v.Prices)
	if dp == nil {
		return ob
	}
	sell, err := kurus(dp.SellPrice)
	if err != nil {
		return ob
	}
	ob.Price = &sell
	if !c.manage {
		return ob
	}
	list := sell
	ob.ListPrice = &list
	if dp.DiscountPrice != nil {
		if d, err := kurus(*dp.DiscountPrice); err == nil && d < sell {
			ob.Price = &d
		}
	}
	return ob
}
