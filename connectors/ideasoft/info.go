package ideasoft

import (
	"context"
	"fmt"
	"strings"

	"syncagent/connectors"
)

const (
	reasonInfoField = "IdeaSoft's connector does not send %s (only the title, VAT rate and on-sale status)"
	reasonVATRate   = "VAT rate %d%% is not a percentage; the value was not sent"
	reasonEmptyName = "an empty title; the value was not sent"
	reasonVariant   = "product %d is a variant; IdeaSoft names it by its main product and option, so the title goes to the main product's SKU"
)

// UpdateInfo sends product information through the same PUT as stock and price: the
// title as name, the VAT rate as tax, on sale as status. It is synchronous: Confirmed
// from the reply, or Rejected with IdeaSoft's words.
func (c *Client) UpdateInfo(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	out, err := checkBatch(items, c.features.MaxInfoBatch, "product information update")
	if err != nil {
		return nil, err
	}
	var todo []connectors.Item
	for _, it := range items {
		in, conf := it.Info, it.ConfInfo
		var bad []string
		if in.Description != nil {
			bad = append(bad, "descriptions")
		}
		if in.Brand != nil {
			bad = append(bad, "brands")
		}
		switch {
		case len(bad) > 0:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonInfoField, strings.Join(bad, " or "))}
		case in.VATRate != nil && (*in.VATRate < 0 || *in.VATRate > 100):
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonVATRate, *in.VATRate)}
		case in.Title != nil && strings.TrimSpace(*in.Title) == "":
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reasonEmptyName}
		case !differs(in.Title, conf.Title) && !differs(in.VATRate, conf.VATRate) && !differs(in.Active, conf.Active):
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		default:
			todo = append(todo, it)
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	ups, err := c.plan(ctx, todo, out, func(u *update) *connectors.Outcome {
		in, conf := u.it.Info, u.it.ConfInfo
		if differs(in.Title, conf.Title) {
			if u.e.parent != 0 {
				return &connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonVariant, u.e.id)}
			}
			u.info.Title = in.Title
			u.body["name"] = *in.Title
		}
		if differs(in.VATRate, conf.VATRate) {
			u.info.VATRate = in.VATRate
			u.body["tax"] = *in.VATRate
		}
		if differs(in.Active, conf.Active) {
			u.info.Active = in.Active
			u.body["status"] = flag(*in.Active)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.apply(ctx, ups, out)
}
