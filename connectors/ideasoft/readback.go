package ideasoft

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/ideasoft/api"
)

// ReadBack reads the items' products as IdeaSoft shows them now: their ids from the SKU
// map, then the list filtered by ids, 100 a request. Prices are given with VAT, as
// pushed.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	out := make(map[string]connectors.Observed, len(items))
	for _, it := range items {
		out[it.SKU] = connectors.Observed{}
	}
	if len(items) == 0 {
		return out, nil
	}
	cat, err := c.ids.resolve(ctx, items)
	if err != nil {
		return nil, err
	}
	skus := map[int64][]string{}
	var ids []int64
	for _, it := range items {
		es := c.ids.find(cat, it.SKU, it.Barcode)
		if len(es) != 1 {
			continue
		}
		if len(skus[es[0].id]) == 0 {
			ids = append(ids, es[0].id)
		}
		skus[es[0].id] = append(skus[es[0].id], it.SKU)
	}
	stale := false
	for start := 0; start < len(ids); start += pageLimit {
		chunk := ids[start:min(start+pageLimit, len(ids))]
		parts := make([]string, len(chunk))
		for i, id := range chunk {
			parts[i] = strconv.FormatInt(id, 10)
		}
		var page []api.Product
		if _, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: adminPath + "/products",
			Query: url.Values{"ids": {strings.Join(parts, ",")}, "limit": {strconv.Itoa(pageLimit)}}}, &page); err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for i := range page {
			e, err := entryOf(&page[i])
			if err != nil {
				continue
			}
			seen[e.id] = true
			c.ids.update(e)
			for _, sku := range skus[e.id] {
				out[sku] = e.observed()
			}
		}
		for _, id := range chunk {
			stale = stale || !seen[id]
		}
	}
	if stale {
		c.ids.invalidate() // a product of the map is gone
	}
	return out, nil
}
