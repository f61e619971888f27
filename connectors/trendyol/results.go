package trendyol

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/trendyol/api"
)

// retryReasons are failure reasons that pass by themselves, so the item is retried, not
// dead-lettered: the per-barcode limit of 30 price changes a minute ("Aynı barkod için
// dakikada 30'dan fazla fiyat güncellemesi yapılamaz.") and temporary conditions.
// Trendyol publishes no code list; the reasons are free text.
var retryReasons = regexp.MustCompile(`(?i)dakikada|per minute|tekrar deneyin|try again|geçici|temporar|too many`)

// CheckResults reads batch ref and gives each item its fate by barcode. Items the result
// does not show with a final state yet stay Pending. Trendyol keeps results for 4 hours;
// after that the answer is 404 and the error is Kind Expired.
func (c *Client) CheckResults(ctx context.Context, ref string, items []connectors.Item) (connectors.Outcomes, error) {
	var res api.BatchResult
	_, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: c.productPath("/batch-requests/" + url.PathEscape(ref)),
		Bucket: bucketResults}, &res)
	if err != nil {
		var ce *connectors.Error
		if errors.As(err, &ce) && ce.Status == http.StatusNotFound {
			return nil, &connectors.Error{Kind: connectors.Expired, Status: ce.Status, Err: err,
				Message: fmt.Sprintf("Trendyol no longer has the result of batch %s (results are kept for 4 hours); read back the items' state instead", ref)}
		}
		return nil, err
	}
	byBarcode := make(map[string]api.BatchResultItem, len(res.Items))
	for _, r := range res.Items {
		byBarcode[r.RequestItem.Barcode] = r
	}
	out := make(connectors.Outcomes, len(items))
	for _, it := range items {
		r, ok := byBarcode[it.Barcode]
		switch {
		case it.Barcode == "":
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: ReasonNoBarcode}
		case !ok:
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
		case r.Status == api.StatusSuccess:
			out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
		case r.Status == api.StatusFailed:
			out[it.SKU] = failed(r.FailureReasons)
		default: // no status yet, or IN_PROGRESS
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
		}
	}
	return out, nil
}

// failed maps an item's failure reasons to Retry when every one of them passes by
// itself, else to Rejected with all of them.
func failed(reasons []string) connectors.Outcome {
	text := strings.Join(reasons, "; ")
	if text == "" {
		return connectors.Outcome{Status: connectors.Rejected, Reason: "Trendyol marked the item FAILED without a reason"}
	}
	for _, r := range reasons {
		if !retryReasons.MatchString(r) {
			return connectors.Outcome{Status: connectors.Rejected, Reason: text}
		}
	}
	return connectors.Outcome{Status: connectors.Retry, Reason: text}
}

// ReadBack reads the current stock and prices of items from the approved-products
// list, 50 barcodes a request. The reply is nested (content items, each with variants);
// barcode, stock and prices are read from the variants. Items without a barcode, and
// barcodes Trendyol does not list, are reported not found.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	out := make(map[string]connectors.Observed, len(items))
	skus := map[string][]string{} // barcode → SKUs asking for it
	var barcodes []string
	for _, it := range items {
		out[it.SKU] = connectors.Observed{}
		if it.Barcode == "" {
			continue
		}
		if _, seen := skus[it.Barcode]; !seen {
			barcodes = append(barcodes, it.Barcode)
		}
		skus[it.Barcode] = append(skus[it.Barcode], it.SKU)
	}
	for len(barcodes) > 0 {
		chunk := barcodes[:min(readBarcodes, len(barcodes))]
		barcodes = barcodes[len(chunk):]
		if err := c.readApproved(ctx, map[string][]string{"barcodes": {strings.Join(chunk, ",")}}, func(v api.ApprovedVariant) {
			for _, sku := range skus[v.Barcode] {
				out[sku] = connectors.Observed{Found: true, Qty: v.Quantity, Price: v.SalePrice, ListPrice: v.ListPrice}
			}
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// approvedWindow is how far page and size reach in the approved-products list
// ((page+1)×size ≤ 10 000); past it only nextPageToken continues.
const approvedWindow = 10000

// readApproved pages through the approved products that filter selects, handing every
// variant to each. Pages are asked for by number while they lie inside the 10 000 window;
// nextPageToken is followed only past it. Trendyol sends a token on every page, the
// last one included, so a token alone never means there is more: totalPages says so. A
// chunk of 50 barcodes (at most 50 content items) is therefore one request.
func (c *Client) readApproved(ctx context.Context, filter map[string][]string, each func(api.ApprovedVariant)) error {
	query := func(extra ...string) map[string][]string {
		q := map[string][]string{"size": {strconv.Itoa(readBarcodes)}}
		for k, v := range filter {
			q[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			q[extra[i]] = []string{extra[i+1]}
		}
		return q
	}
	q := query("page", "0")
	for page := 0; page < maxApprovedPages; page++ {
		var p api.ApprovedPage
		if _, err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: c.productPath("/approved/inventory-and-price"),
			Query: q, Bucket: bucketRead}, &p); err != nil {
			return err
		}
		for _, ct := range p.Content {
			for _, v := range ct.Variants {
				each(v)
			}
		}
		next := page + 1
		more := next < p.TotalPages
		if p.TotalPages == 0 { // no count given: a full page may have more behind it
			more = len(p.Content) >= readBarcodes
		}
		if !more || len(p.Content) == 0 {
			return nil
		}
		switch {
		case (next+1)*readBarcodes <= approvedWindow:
			q = query("page", strconv.Itoa(next))
		case p.NextPageToken != "":
			q = query("nextPageToken", p.NextPageToken)
		default:
			return &connectors.Error{Kind: connectors.Permanent,
				Message: fmt.Sprintf("Trendyol's approved-products list has %d pages, but gave no nextPageToken to read past the first %d products", p.TotalPages, approvedWindow)}
		}
	}
	return &connectors.Error{Kind: connectors.Permanent, Message: fmt.Sprintf("Trendyol's approved-products list did not end after %d pages", maxApprovedPages)}
}

// maxApprovedPages stops a list that never ends (a server bug) from paging forever.
const maxApprovedPages = 10000
