package pazarsync

import (
	"context"
	"net/http"
	"strconv"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/pazarsync/api"
)

// maxPages stops a list that never ends (a server bug) from paging forever.
const maxPages = 10_000

// ReadBack pages through the product list (100 a page, oldest first so pages stay put
// while products are added) until every item is found or the list ends. PazarSync has
// no filter by a list of SKUs; its search matches names too and would need a request
// per item.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	out := make(map[string]connectors.Observed, len(items))
	want := make(map[string]bool, len(items))
	for _, it := range items {
		out[it.SKU] = connectors.Observed{}
		want[it.SKU] = true
	}
	missing := len(want)
	for page := 1; missing > 0 && page <= maxPages; page++ {
		var p api.ProductPage
		if _, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/v1/products",
			Query: map[string][]string{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(pageLimit)},
				"sort": {"created_at"}, "direction": {"asc"}}}, &p); err != nil {
			return nil, err
		}
		c.mu.Lock()
		for _, pr := range p.Data {
			if pr.ID != "" && pr.SKU != "" {
				c.idToSK[pr.ID] = pr.SKU
			}
		}
		c.mu.Unlock()
		for _, pr := range p.Data {
			if want[pr.SKU] && !out[pr.SKU].Found {
				out[pr.SKU] = connectors.Observed{Found: true, Qty: pr.Stock}
				missing--
			}
		}
		if len(p.Data) == 0 || page >= p.Meta.TotalPages {
			break
		}
	}
	return out, nil
}
