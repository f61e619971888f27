package giyimmoda

import (
	"context"

	"syncagent/connectors"
)

// ReadBack reads the whole product list afresh (which also renews the SKU → id map)
// and reports each item's stock and price. A SKU that matches several products is
// reported not found: which one the store shows cannot be told.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	cat, err := c.ids.get(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]connectors.Observed, len(items))
	for _, it := range items {
		es := cat.lookup(it.SKU, it.Barcode)
		if len(es) != 1 {
			out[it.SKU] = connectors.Observed{}
			continue
		}
		out[it.SKU] = connectors.Observed{Found: true, Qty: es[0].qty, Price: es[0].price}
	}
	return out, nil
}
