package pazarsync

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/pazarsync/api"
)

// maxPages stops a list that never ends (a server bug) from paging forever.
const maxPages = 10_000

// searchMax is the largest read-back done by one search per item; more items are read
// from a scan of the whole list. A daily budget makes the choice matter: a store of
// 10 000 SKUs is 100 list pages, while the few items of a lost answer cost one request
// each.
const searchMax = 10

// ReadBack reads the current stock of items: up to searchMax items by one search each
// (search matches names too, so the results are filtered to the exact SKU), more by
// paging through the product list (100 a page, oldest first so pages stay put while
// products are added) until every item is found or the list ends. PazarSync has no
// filter by a list of SKUs.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	out := make(map[string]connectors.Observed, len(items))
	want := make(map[string]bool, len(items))
	for _, it := range items {
		out[it.SKU] = connectors.Observed{}
		want[it.SKU] = true
	}
	if len(want) <= searchMax {
		for sku := range want {
			if err := c.scan(ctx, url.Values{"search": {sku}}, map[string]bool{sku: true}, out); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if err := c.scan(ctx, url.Values{"sort": {"created_at"}, "direction": {"asc"}}, want, out); err != nil {
		return nil, err
	}
	return out, nil
}

// scan pages through the product list with filter until every SKU of want is in out or
// the list ends, learning product ids on the way.
func (c *Client) scan(ctx context.Context, filter url.Values, want map[string]bool, out map[string]connectors.Observed) error {
	missing := len(want)
	for page := 1; missing > 0 && page <= maxPages; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(pageLimit)}}
		for k, v := range filter {
			q[k] = v
		}
		var p api.ProductPage
		if _, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/v1/products", Query: q}, &p); err != nil {
			return err
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
	return nil
}
