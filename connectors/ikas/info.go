package ikas

import (
	"context"
	"fmt"

	"syncagent/connectors"
	"syncagent/connectors/ikas/api"
)

const updateProductDoc = `mutation updateProduct($input: UpdateProductInput!) { updateProduct(input: $input) { id updatedAt } }`

// UpdateInfo sends title, description and brand with updateProduct, one product a call,
// only the fields that changed (ikas keeps the omitted ones). Information is the
// product's, shared by its variants: a second SKU of the same product with other
// information in one call is refused.
func (c *Client) UpdateInfo(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxInfoBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("an information update of %d items is more than %d; claim at most Features().MaxInfoBatch", len(items), c.features.MaxInfoBatch)}
	}
	out := make(connectors.Outcomes, len(items))
	type work struct {
		in   api.UpdateProductInput
		skus []string
	}
	var todo []*work
	byProduct := map[string]*work{}
	if err := c.ids.findAll(ctx, items); err != nil {
		return nil, err
	}
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, &connectors.Error{Kind: connectors.Permanent, Message: fmt.Sprintf("SKU %q appears twice in one update", it.SKU)}
		}
		in, empty := infoInput(it)
		if empty {
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
			continue
		}
		vs := c.ids.lookup(it.SKU, it.Barcode)
		if len(vs) != 1 {
			reason := ReasonNoVariant
			if len(vs) > 1 {
				reason = fmt.Sprintf(reasonAmbiguous, len(vs), "information is per product")
			}
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
			continue
		}
		in.ID = vs[0].productID
		if w := byProduct[in.ID]; w != nil {
			if !sameInfo(w.in, in) {
				out[it.SKU] = connectors.Outcome{Status: connectors.Rejected,
					Reason: fmt.Sprintf("SKU %s is another variant of the same ikas product %s with other information; information is per product", w.skus[0], in.ID)}
				continue
			}
			w.skus = append(w.skus, it.SKU)
			continue
		}
		w := &work{in: in, skus: []string{it.SKU}}
		byProduct[in.ID] = w
		todo = append(todo, w)
	}
	for i, w := range todo {
		_, err := c.call(ctx, "updateProduct", updateProductDoc, map[string]any{"input": w.in}, true, nil)
		var st connectors.Outcome
		switch kind := connectors.KindOf(err); {
		case err == nil:
			st = connectors.Outcome{Status: connectors.Confirmed}
		case kind == connectors.Permanent:
			st = connectors.Outcome{Status: connectors.Rejected, Reason: err.Error()}
		case i == 0 && kind != connectors.Unknown:
			return nil, err
		default:
			for _, rest := range todo[i:] {
				for _, sku := range rest.skus {
					out[sku] = connectors.Outcome{Status: connectors.Retry, Reason: err.Error()}
				}
			}
			return out, nil
		}
		for _, sku := range w.skus {
			out[sku] = st
		}
	}
	return out, nil
}

// infoInput is the changed information of an item; empty when nothing differs from what
// was confirmed.
func infoInput(it connectors.Item) (api.UpdateProductInput, bool) {
	var in api.UpdateProductInput
	diff := func(v, conf *string) *string {
		if v == nil || (conf != nil && *conf == *v) {
			return nil
		}
		return v
	}
	in.Name = diff(it.Info.Title, it.ConfInfo.Title)
	in.Description = diff(it.Info.Description, it.ConfInfo.Description)
	if b := diff(it.Info.Brand, it.ConfInfo.Brand); b != nil {
		in.Brand = &api.BrandInput{Name: *b}
	}
	return in, in.Name == nil && in.Description == nil && in.Brand == nil
}

func sameInfo(a, b api.UpdateProductInput) bool {
	eq := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return eq(a.Name, b.Name) && eq(a.Description, b.Description) && (a.Brand == nil) == (b.Brand == nil) &&
		(a.Brand == nil || a.Brand.Name == b.Brand.Name)
}
