package giyimmodasim

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors/sim/simkit"
)

// handleListOrders serves GET /api/seller/orders: filters status (delivery),
// payment_status, date_from/date_to (Y-m-d, local days), search (code or customer
// name); newest first (assumed); no updated-since filter and no updated_at.
func (s *Server) handleListOrders(c *simkit.Call) simkit.Reply {
	page, perPage, all, rep := pageParams(c)
	if rep != nil {
		return *rep
	}
	q := c.R.URL.Query()
	status, pay := q.Get("status"), q.Get("payment_status")
	if status != "" && !slices.Contains(DeliveryStatuses, status) {
		return invalid(map[string][]string{"status": {"The selected status is invalid."}})
	}
	if pay != "" && pay != "paid" && pay != "unpaid" {
		return invalid(map[string][]string{"payment_status": {"The selected payment status is invalid."}})
	}
	var from, to time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"date_from", &from, 0}, {"date_to", &to, 1}} {
		if v := q.Get(f.name); v != "" {
			d, err := time.ParseInLocation("2006-01-02", v, istanbul)
			if err != nil {
				return invalid(map[string][]string{f.name: {"The " + strings.ReplaceAll(f.name, "_", " ") + " does not match the format Y-m-d."}})
			}
			*f.dst = d.AddDate(0, 0, f.add)
		}
	}
	search := strings.ToLower(q.Get("search"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*order
	for _, o := range s.st.orders.All() {
		switch {
		case o.otherSeller,
			status != "" && o.delivery != status,
			pay != "" && o.paymentStatus != pay,
			!from.IsZero() && o.date.Before(from),
			!to.IsZero() && !o.date.Before(to),
			search != "" && !strings.Contains(strings.ToLower(o.code), search) && !strings.Contains(strings.ToLower(o.customer.Name), search):
			continue
		}
		match = append(match, o)
	}
	sort.SliceStable(match, func(i, j int) bool {
		if !match[i].date.Equal(match[j].date) {
			return match[i].date.After(match[j].date)
		}
		return match[i].id > match[j].id
	})
	items := make([]map[string]any, 0, len(match))
	for _, o := range match {
		items = append(items, orderSummary(o))
	}
	return pageOf(items, page, perPage, all)
}

func (s *Server) orderFromPath(c *simkit.Call) (*order, *simkit.Reply) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	o := s.st.orders.Get(id)
	if err != nil || o == nil {
		r := fail(http.StatusNotFound, "Order not found.")
		return nil, &r
	}
	if o.otherSeller {
		r := fail(s.opt.ForeignStatus, "This order does not belong to you.")
		if s.opt.ForeignStatus == http.StatusNotFound {
			r = fail(http.StatusNotFound, "Order not found.")
		}
		return nil, &r
	}
	return o, nil
}

// handleGetOrder serves GET /api/seller/orders/{id}: the list fields plus the shipping
// address (a string holding JSON unless AddressObject), the coupon discount and the
// order_details lines (amounts as strings, per line unless UnitLinePrice).
func (s *Server) handleGetOrder(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, rep := s.orderFromPath(c)
	if rep != nil {
		return *rep
	}
	body := orderSummary(o)
	addr := map[string]any{"name": o.customer.Name, "email": o.customer.Email, "phone": o.customer.Phone,
		"address": o.customer.Address, "city": o.customer.City, "country": o.customer.Country,
		"postal_code": o.customer.PostalCode}
	if o.customer.TCIdentityNo != "" {
		addr["tc_identity_number"] = o.customer.TCIdentityNo
	}
	if s.opt.AddressObject {
		body["shipping_address"] = addr
	} else {
		enc, _ := json.Marshal(addr)
		body["shipping_address"] = string(enc)
	}
	body["tracking_code"] = nullable(o.trackingCode)
	body["invoice_url"] = nullable(o.invoiceURL)
	body["coupon_discount"] = o.coupon.String()
	lines := make([]map[string]any, 0, len(o.details))
	for _, d := range o.details {
		price, tax := d.price(), d.taxTotal()
		if s.opt.UnitLinePrice {
			price, tax = d.unitPrice, d.tax
		}
		lines = append(lines, map[string]any{
			"id": d.id, "order_id": o.id, "product_id": d.product.ID, "variation": d.variation,
			"quantity": d.quantity, "price": price.String(), "tax": tax.String(),
			"shipping_cost": d.shipping.String(), "delivery_status": d.status,
			"product": map[string]any{"id": d.product.ID, "name": d.product.Name, "sku": nullable(d.product.SKU)},
		})
	}
	if s.opt.LinesKey != "-" {
		body[s.opt.LinesKey] = lines
	}
	return simkit.JSON(http.StatusOK, okBody("", body))
}

// handleOrderStatus serves PUT /api/seller/orders/{id}/status {"delivery_status",
// "tracking_code"}: every line gets the same status. A cancelled order cannot move.
func (s *Server) handleOrderStatus(c *simkit.Call) simkit.Reply {
	var req struct {
		DeliveryStatus string `json:"delivery_status"`
		TrackingCode   string `json:"tracking_code"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		return fail(http.StatusBadRequest, "Invalid JSON body.")
	}
	switch {
	case req.DeliveryStatus == "":
		return invalid(map[string][]string{"delivery_status": {"The delivery status field is required."}})
	case !slices.Contains(DeliveryStatuses, req.DeliveryStatus):
		return invalid(map[string][]string{"delivery_status": {"The selected delivery status is invalid."}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, rep := s.orderFromPath(c)
	if rep != nil {
		return *rep
	}
	if o.delivery == "cancelled" && req.DeliveryStatus != "cancelled" {
		return invalid(map[string][]string{"delivery_status": {"A cancelled order cannot change its status."}})
	}
	s.setDelivery(o, req.DeliveryStatus, req.TrackingCode)
	return simkit.JSON(http.StatusOK, okBody("Order status updated successfully", orderSummary(o)))
}

// handleCancel serves POST /api/seller/orders/{id}/cancel: the order and its lines
// become cancelled and their stock comes back; a second cancel is refused.
func (s *Server) handleCancel(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, rep := s.orderFromPath(c)
	if rep != nil {
		return *rep
	}
	if o.delivery == "cancelled" {
		return invalid(map[string][]string{"order": {"The order is already cancelled."}})
	}
	s.setDelivery(o, "cancelled", "")
	return simkit.JSON(http.StatusOK, okBody("Order cancelled successfully", orderSummary(o)))
}

// handleInvoice serves POST /api/seller/orders/{id}/upload-invoice (multipart field invoice_file).
func (s *Server) handleInvoice(c *simkit.Call) simkit.Reply {
	mt, _, _ := mime.ParseMediaType(c.R.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return invalid(map[string][]string{"invoice_file": {"The invoice file field is required."}})
	}
	c.R.Body = http.MaxBytesReader(nil, readCloser(c.Body), simkit.MaxBody)
	if err := c.R.ParseMultipartForm(8 << 20); err != nil {
		return invalid(map[string][]string{"invoice_file": {"The invoice file could not be read."}})
	}
	defer c.R.MultipartForm.RemoveAll()
	f, hdr, err := c.R.FormFile("invoice_file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			return invalid(map[string][]string{"invoice_file": {"The invoice file field is required."}})
		}
		return invalid(map[string][]string{"invoice_file": {"The invoice file could not be read."}})
	}
	f.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, rep := s.orderFromPath(c)
	if rep != nil {
		return *rep
	}
	s.st.nextFile++
	o.invoiceURL = s.URL + "/storage/uploads/all/" + idString(s.st.nextFile) + "-" + hdr.Filename
	return simkit.JSON(http.StatusOK, okBody("Invoice uploaded successfully", map[string]any{
		"order_id": o.id, "invoice_file_id": s.st.nextFile, "invoice_url": o.invoiceURL,
	}))
}

type bytesReadCloser struct{ *strings.Reader }

func (bytesReadCloser) Close() error { return nil }

// readCloser gives the already-read body back to net/http's multipart parser.
func readCloser(b []byte) bytesReadCloser { return bytesReadCloser{strings.NewReader(string(b))} }
