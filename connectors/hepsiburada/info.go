package hepsiburada

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/hepsiburada/api"
	"syncagent/connectors/httpx"
)

// Product information goes through the catalog's update tickets
// (mpop/ticket-api, product-update reference): a JSON document sent as the `file` part
// of a multipart request, with only the fields to change per hbSku, answered with a
// tracking id; the ticket's status gives each field a result. Title, description and
// VAT ("kdv", a string) are sent; brand and the on-sale flag are not: the document's
// name for brand is not shown in the reference's sample, and selling or not is a
// listing's activate/deactivate, not product information.
const ticketPath = "/ticket-api/api/integrator"

// UpdateInfo sends the information of items in one ticket and returns them Pending under
// "t:<trackingId>"; items without a listing, or asking for a field Hepsiburada's ticket
// does not take here, are Rejected unsent.
func (c *Client) UpdateInfo(ctx context.Context, items []connectors.Item) (connectors.Outcomes, error) {
	if len(items) > c.features.MaxInfoBatch {
		return nil, &connectors.Error{Kind: connectors.Permanent,
			Message: fmt.Sprintf("an information update of %d items is more than the %d a Hepsiburada ticket takes here", len(items), c.features.MaxInfoBatch)}
	}
	out := make(connectors.Outcomes, len(items))
	var skus []string
	for _, it := range items {
		if _, dup := out[it.SKU]; dup {
			return nil, &connectors.Error{Kind: connectors.Permanent, Message: fmt.Sprintf("SKU %q appears twice in one information update", it.SKU)}
		}
		switch {
		case it.Info.Brand != nil || it.Info.Active != nil:
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected,
				Reason: "Hepsiburada's product update ticket takes title, description and VAT here; brand and on-sale were not sent"}
		case it.Info.Empty():
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		default:
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending}
			skus = append(skus, it.SKU)
		}
	}
	if len(skus) == 0 {
		return out, nil
	}
	if err := c.skus.ensure(ctx, skus); err != nil {
		return nil, err
	}
	doc := api.TicketDocument{MerchantID: c.merchant}
	var sent []string
	for _, it := range items {
		if out[it.SKU].Status != connectors.Pending {
			continue
		}
		l, ok := c.skus.lookup(it.SKU)
		if !ok || l.hbSku == "" {
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: fmt.Sprintf(reasonNoList, it.SKU, c.skus.readTime().Format("15:04:05"))}
			continue
		}
		ti := api.TicketItem{HBSku: l.hbSku, ProductName: it.Info.Title, ProductDescription: it.Info.Description}
		if v := it.Info.VATRate; v != nil {
			s := strconv.Itoa(*v)
			ti.KDV = &s
		}
		doc.Items = append(doc.Items, ti)
		sent = append(sent, it.SKU)
	}
	if len(sent) == 0 {
		return out, nil
	}
	body, ctype, err := ticketBody(doc)
	if err != nil {
		return nil, &connectors.Error{Kind: connectors.Permanent, Err: err, Message: "the product update ticket could not be encoded"}
	}
	var reply api.TicketImportReply
	if _, err := c.catalog.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: ticketPath + "/import",
		Query: url.Values{"version": {"1"}}, Body: body, ContentType: ctype, Bucket: bucket}, &reply); err != nil {
		return nil, err
	}
	if reply.Data.TrackingID == "" {
		return nil, &connectors.Error{Kind: connectors.Unknown,
			Message: "Hepsiburada's catalog accepted the product update but sent no tracking id; its outcome must be read back"}
	}
	for _, sku := range sent {
		out[sku] = connectors.Outcome{Status: connectors.Pending, Ref: "t:" + reply.Data.TrackingID}
	}
	return out, nil
}

// ticketBody is the multipart request: the document as the file part.
func ticketBody(doc api.TicketDocument) ([]byte, string, error) {
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="integrator-ticket-upload.json"`)
	h.Set("Content-Type", "application/json")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(js); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

// checkTicket reads a ticket's status, every page, and gives each item its fate by its
// hbSku: confirmed when every field it sent was approved, rejected with the reasons when
// one was not, pending while one is in progress (or the item is not listed yet).
func (c *Client) checkTicket(ctx context.Context, id string, items []connectors.Item) (connectors.Outcomes, error) {
	byHB := map[string]api.TicketStatusItem{}
	for page := 0; page < 1000; page++ {
		var p api.TicketStatusPage
		_, err := c.catalog.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: ticketPath + "/status/" + url.PathEscape(id),
			Query: url.Values{"version": {"1"}, "page": {strconv.Itoa(page)}, "size": {strconv.Itoa(maxInfo)}}, Bucket: bucket}, &p)
		if err != nil {
			var ce *connectors.Error
			if errors.As(err, &ce) && ce.Kind == connectors.Permanent {
				return nil, &connectors.Error{Kind: connectors.Expired, Err: err,
					Message: fmt.Sprintf("Hepsiburada's catalog no longer answers for ticket %s; reading back instead", id)}
			}
			return nil, err
		}
		n := 0
		for _, d := range p.Data {
			for _, it := range d.Items {
				byHB[it.HBSku] = it
				n++
			}
		}
		if p.Last || n == 0 || page+1 >= p.TotalPages {
			break
		}
	}
	out := make(connectors.Outcomes, len(items))
	for _, it := range items {
		l, _ := c.skus.lookup(it.SKU)
		r, ok := byHB[l.hbSku]
		if !ok || l.hbSku == "" {
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending, Ref: "t:" + id}
			continue
		}
		out[it.SKU] = ticketOutcome(r, "t:"+id)
	}
	return out, nil
}

func ticketOutcome(r api.TicketStatusItem, ref string) connectors.Outcome {
	var rejected []string
	pending := len(r.UpdateResults) == 0 && r.ProductStatus != "COMPLETED"
	for _, f := range r.UpdateResults {
		switch f.FieldResult {
		case "APPROVED":
		case "IN_PROGRESS", "":
			pending = true
		default: // REJECTED, PARTIAL_APPROVED
			why := f.RejectReason
			if why == "" {
				why = r.Message
			}
			rejected = append(rejected, fmt.Sprintf("%s %s: %s", f.FieldName, strings.ToLower(f.FieldResult), why))
		}
	}
	switch {
	case len(rejected) > 0:
		return connectors.Outcome{Status: connectors.Rejected, Reason: "Hepsiburada's catalog refused the product update: " + strings.Join(rejected, "; ")}
	case pending:
		return connectors.Outcome{Status: connectors.Pending, Ref: ref}
	}
	return connectors.Outcome{Status: connectors.Confirmed}
}
