package tsoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/tsoft/api"
)

// ReadBack reads products by their codes, 50 codes a call (product/get's ProductCode
// takes a pipe-separated list); with variants on, codes that are no main product are
// read from their main product's sub-product list.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	out := make(map[string]connectors.Observed, len(items))
	codes := make([]string, 0, len(items))
	for _, it := range items {
		if _, seen := out[it.SKU]; !seen {
			out[it.SKU] = connectors.Observed{}
			codes = append(codes, it.SKU)
		}
	}
	rows, err := c.readProducts(ctx, codes)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, code := range codes {
		if r, ok := rows[code]; ok {
			out[code] = c.observed(r.Stock, r.SellingPrice, r.DiscountedPrice)
		} else {
			missing = append(missing, code)
		}
	}
	if c.variants == nil || len(missing) == 0 {
		return out, nil
	}
	vars, err := c.variantsFor(ctx, missing)
	if err != nil {
		return nil, err
	}
	byMain := map[string][]string{}
	var mains []string
	for _, code := range missing {
		if v, ok := vars[code]; ok {
			if len(byMain[v.mainCode]) == 0 {
				mains = append(mains, v.mainCode)
			}
			byMain[v.mainCode] = append(byMain[v.mainCode], code)
		}
	}
	for _, main := range mains {
		want := map[string]bool{}
		for _, code := range byMain[main] {
			want[code] = true
		}
		for page, start := 0, 0; page < maxPages; page++ {
			subs, total, err := c.subProducts(ctx, main, start)
			if err != nil {
				return nil, err
			}
			for _, s := range subs {
				if code := s.SubProductCode.String(); want[code] {
					out[code] = c.observed(s.Stock, s.SellingPrice, "")
				}
			}
			start += len(subs)
			if len(subs) < pageLimit || (total >= 0 && start >= total) {
				break
			}
		}
	}
	return out, nil
}

// variantsFor returns the variant list, read again when one of codes is in neither it
// nor the main products and the list is older than missRefresh.
func (c *Client) variantsFor(ctx context.Context, codes []string) (map[string]variant, error) {
	vars, err := c.variants.get(ctx, mapTTL)
	if err != nil {
		return nil, err
	}
	for _, code := range codes {
		if _, ok := vars[code]; !ok {
			return c.variants.get(ctx, missRefresh)
		}
	}
	return vars, nil
}

// readProducts reads the main products of codes by product/get's ProductCode filter.
// A reply holding a product that was not asked for means the shop ignored the filter,
// and read-back by code cannot work: that is an error, not a list of misses.
func (c *Client) readProducts(ctx context.Context, codes []string) (map[string]api.Product, error) {
	out := make(map[string]api.Product, len(codes))
	for i := 0; i < len(codes); i += codesPerRead {
		chunk := codes[i:min(i+codesPerRead, len(codes))]
		asked := make(map[string]bool, len(chunk))
		var filter []string
		for _, code := range chunk {
			if strings.Contains(code, "|") {
				continue // cannot be asked for by the pipe-separated filter; it is not found
			}
			asked[code] = true
			filter = append(filter, code)
		}
		if len(filter) == 0 {
			continue
		}
		env, err := c.do(ctx, call{method: "product/get", form: formOf("ProductCode", strings.Join(filter, "|"),
			"start", "0", "limit", strconv.Itoa(len(filter)), "orderby", "ProductId ASC")})
		if err != nil {
			return nil, listError(err)
		}
		raws, err := dataRows(env.Data)
		if err != nil {
			return nil, unreadableList("product/get", err)
		}
		for _, raw := range raws {
			var p api.Product
			if err := json.Unmarshal(raw, &p); err != nil {
				return nil, unreadableList("product/get", err)
			}
			code := p.ProductCode.String()
			if !asked[code] {
				return nil, &connectors.Error{Kind: connectors.Permanent, Message: fmt.Sprintf(
					"T-Soft's product/get answered a filter by ProductCode with product %q, which was not asked for; the shop ignores the filter, so products cannot be read back by code", code)}
			}
			out[code] = p
		}
	}
	return out, nil
}

// observed is what a row shows, in the price fields the store's settings push. A value
// that cannot be read exactly is left unknown (nil) rather than guessed.
func (c *Client) observed(stock, selling, discounted api.Value) connectors.Observed {
	ob := connectors.Observed{Found: true}
	if q, err := whole(stock); err == nil {
		ob.Qty = &q
	} else {
		c.log.Debug().Str("stock", stock.String()).Err(err).Msg("T-Soft shows a stock that is not a whole number; it counts as unknown")
	}
	sell, errS := price(selling)
	if !c.set.discount {
		if errS == nil {
			ob.Price = &sell
		}
		return ob
	}
	if errS == nil {
		ob.ListPrice = &sell
	}
	switch d, err := price(discounted); {
	case err == nil && d > 0:
		ob.Price = &d
	case (err == nil || strings.TrimSpace(discounted.String()) == "") && errS == nil:
		ob.Price = &sell // no discount (0 or none): the shop sells at SellingPrice
	}
	return ob
}

// listError turns a refusal of a list call into the agent's error.
func listError(err error) error {
	var r *refusal
	if errors.As(err, &r) {
		return r.asError()
	}
	return err
}

func unreadableList(method string, err error) error {
	return &connectors.Error{Kind: connectors.Transient, Err: err, Message: fmt.Sprintf("T-Soft's %s reply could not be read", method)}
}
