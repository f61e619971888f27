package n11

import (
	"context"
	"fmt"

	"syncagent/connectors"
	"syncagent/connectors/n11/api"
)

// Reasons for information refused before anything is sent.
const (
	reasonTitle = "n11's product-update task has no documented title field, so the title is not sent; change it in n11's Seller Office"
	reasonBrand = "only n11 can change a product's brand (colour and size too); change it through n11"
	reasonVAT   = "VAT rate %d%% is not one n11 takes (0, 1, 10, 20); the value was not sent"
)

// UpdateInfo sends product information of existing listings in one product-update task:
// the description (HTML allowed), the VAT rate, and on sale or not (status Active or
// Suspended), each only when it differs from what n11 last confirmed. The task is
// confirmed like a stock and price task (CheckResults reads its details); n11 may refuse
// to change catalogue products, which comes back as the item's FAIL with n11's reason.
func (c *Client) UpdateInfo(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxInfoBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("an information update of %d items is more than n11's task maximum of %d; claim at most Features().MaxInfoBatch", len(items), c.features.MaxInfoBatch)}
	}
	out, wire, sent, err := prepare(items, infoItem)
	if err != nil || len(wire) == 0 {
		return out, err
	}
	body := api.TaskRequest[api.ProductUpdateItem]{Payload: api.TaskPayload[api.ProductUpdateItem]{Integrator: c.integrator, SKUs: wire}}
	if err := c.submit(ctx, pathProductUpd, "product information", body, sent, out); err != nil {
		return nil, err
	}
	return out, nil
}

// infoItem builds the product-update item of it with the fields that differ from the
// confirmed ones, nil when none does, or the reason it cannot be sent.
func infoItem(it connectors.Item) (*api.ProductUpdateItem, string) {
	if it.SKU == "" {
		return nil, reasonNoSKU
	}
	in, conf := it.Info, it.ConfInfo
	if in.Title != nil && (conf.Title == nil || *conf.Title != *in.Title) {
		return nil, reasonTitle
	}
	if in.Brand != nil && (conf.Brand == nil || *conf.Brand != *in.Brand) {
		return nil, reasonBrand
	}
	w := api.ProductUpdateItem{StockCode: it.SKU}
	send := false
	if in.Description != nil && (conf.Description == nil || *conf.Description != *in.Description) {
		w.Description, send = in.Description, true
	}
	if in.VATRate != nil && (conf.VATRate == nil || *conf.VATRate != *in.VATRate) {
		switch *in.VATRate {
		case 0, 1, 10, 20:
		default:
			return nil, fmt.Sprintf(reasonVAT, *in.VATRate)
		}
		w.VatRate, send = in.VATRate, true
	}
	if in.Active != nil && (conf.Active == nil || *conf.Active != *in.Active) {
		w.Status, send = "Suspended", true
		if *in.Active {
			w.Status = "Active"
		}
	}
	if !send {
		return nil, ""
	}
	return &w, ""
}
