package n11

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/connectors/n11/api"
	"syncagent/connectors/order"
)

// ReadBack reads what n11 shows for items from the product list (product-query). It
// reads the list's first page of 250 unfiltered, which also tells how many pages the
// catalogue has; when paging through the rest costs no more requests than asking for
// the missing items one stockCode at a time, it pages, else it asks per stockCode.
// Items still missing after paging are asked for by stockCode too (the list may have
// moved while it was paged).
//
// An item is reported not found only when n11 answered a non-empty list in the same
// read: n11 is reported to answer an empty page when it throttles, and "not found" makes
// the agent dead-letter an item as not listed. An empty list where products are expected
// is a Transient error instead.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	out := make(map[string]connectors.Observed, len(items))
	want := make(map[string]bool, len(items))
	for _, it := range items {
		out[it.SKU] = connectors.Observed{}
		if it.SKU != "" {
			want[it.SKU] = true
		}
	}
	missing := len(want)
	take := func(rows []api.Product) error {
		for _, p := range rows {
			if !want[p.StockCode] || out[p.StockCode].Found {
				continue
			}
			ob, err := observed(p)
			if err != nil {
				return &connectors.Error{Kind: connectors.Permanent, Err: err,
					Message: fmt.Sprintf("n11 listed SKU %s with values the agent cannot read", p.StockCode)}
			}
			out[p.StockCode] = ob
			missing--
		}
		return nil
	}
	first, err := c.productPage(ctx, 0, queryMax, "")
	if err != nil {
		return nil, err
	}
	if len(first.Content) == 0 {
		return nil, throttledList("the product list")
	}
	if err := take(first.Content); err != nil {
		return nil, err
	}
	if pages := first.TotalPages; missing > 0 && pages-1 <= missing {
		for page := 1; page < pages && missing > 0; page++ {
			p, err := c.productPage(ctx, page, queryMax, "")
			if err != nil {
				return nil, err
			}
			if len(p.Content) == 0 {
				return nil, throttledList(fmt.Sprintf("page %d of %d of the product list", page+1, pages))
			}
			if err := take(p.Content); err != nil {
				return nil, err
			}
		}
	}
	if missing == 0 {
		return out, nil
	}
	var misses int
	for _, it := range items {
		if it.SKU == "" || out[it.SKU].Found {
			continue
		}
		p, err := c.productPage(ctx, 0, 1, it.SKU)
		if err != nil {
			return nil, err
		}
		if len(p.Content) == 0 {
			misses++
		}
		if err := take(p.Content); err != nil {
			return nil, err
		}
	}
	if misses > 0 {
		// Empty answers by stockCode count as "not found" only when the list still
		// answers non-empty after them.
		p, err := c.productPage(ctx, 0, 1, "")
		if err != nil {
			return nil, err
		}
		if len(p.Content) == 0 {
			return nil, throttledList("the product list")
		}
	}
	return out, nil
}

func throttledList(what string) error {
	return &connectors.Error{Kind: connectors.Transient,
		Message: fmt.Sprintf("n11 answered %s empty where products are listed; it may be throttling this account (n11 answers an empty page when over its limit), so nothing is taken as missing; reading again later", what)}
}

// productPage reads one page of the product list, filtered by stockCode when given.
func (c *Client) productPage(ctx context.Context, page, size int, stockCode string) (api.ProductPage, error) {
	q := map[string][]string{"page": {strconv.Itoa(page)}, "size": {strconv.Itoa(size)}}
	if stockCode != "" {
		q["stockCode"] = []string{stockCode}
	}
	var p api.ProductPage
	err := c.get(ctx, pathProductQuery, q, &p)
	return p, err
}

// observed is what one product row shows, exactly.
func observed(p api.Product) (connectors.Observed, error) {
	ob := connectors.Observed{Found: true}
	if raw := strings.TrimSpace(string(p.Quantity)); raw != "" && raw != "null" {
		k, err := order.Amount(raw)
		if err != nil || k%100 != 0 {
			return ob, fmt.Errorf("quantity %s", raw)
		}
		q := int64(k / 100)
		ob.Qty = &q
	}
	for _, f := range []struct {
		raw []byte
		dst **money.Kurus
	}{{p.SalePrice, &ob.Price}, {p.ListPrice, &ob.ListPrice}} {
		if raw := strings.TrimSpace(string(f.raw)); raw != "" && raw != "null" {
			k, err := order.Amount(raw)
			if err != nil {
				return ob, fmt.Errorf("price %s", raw)
			}
			*f.dst = &k
		}
	}
	if p.Title != "" {
		t := p.Title
		ob.Info.Title = &t
	}
	if p.Description != "" {
		d := p.Description
		ob.Info.Description = &d
	}
	if raw := strings.TrimSpace(string(p.VatRate)); raw != "" && raw != "null" {
		if k, err := order.Amount(raw); err == nil && k%100 == 0 {
			v := int(k / 100)
			ob.Info.VATRate = &v
		}
	}
	if p.Status != "" {
		active := strings.EqualFold(p.Status, "Active")
		ob.Info.Active = &active
	}
	return ob, nil
}
