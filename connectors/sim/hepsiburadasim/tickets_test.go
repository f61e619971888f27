package hepsiburadasim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"
)

// ticket posts a product-update document as the multipart file part.
func (c *client) ticket(doc any) answer {
	c.t.Helper()
	js, _ := json.Marshal(doc)
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, _ := w.CreateFormFile("file", "integrator-ticket-upload.json")
	_, _ = part.Write(js)
	_ = w.Close()
	req, _ := http.NewRequest("POST", c.base+"/ticket-api/api/integrator/import?version=1", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("User-Agent", c.ua)
	req.SetBasicAuth(c.user, c.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	_ = json.Unmarshal(a.raw, &a.body)
	return a
}

// TestTicketLifecycle: a document sent as the file part gets a tracking id; its items
// are IN_PROGRESS, then every field sent is APPROVED and applied; failures are 200 with
// success false, as mpop answers them.
func TestTicketLifecycle(t *testing.T) {
	s, clock, c := newSim(t, Options{TicketDelay: 10 * time.Second})
	ls := seed(t, s, 2, 5, 1000)
	if a := c.ticket(map[string]any{"merchantId": merchant, "items": []map[string]any{{"hbSku": ls[0].HBSku, "kdv": 10}}}).want(t, 200); a.body["success"] != false {
		t.Fatalf("a numeric kdv: %s", a.raw)
	}
	if a := c.ticket(map[string]any{"merchantId": "someone-else", "items": []map[string]any{{"hbSku": ls[0].HBSku}}}).want(t, 200); a.body["success"] != false {
		t.Fatalf("another merchant's document: %s", a.raw)
	}
	s.SetFaults(simkitFaults(ls[1].HBSku, "Marka onaylanmadı"))
	a := c.ticket(map[string]any{"merchantId": merchant, "items": []map[string]any{
		{"hbSku": ls[0].HBSku, "productName": "Yeni Ad", "productDescription": "<p>Açıklama</p>", "kdv": "10"},
		{"hbSku": ls[1].HBSku, "productName": "Başka"}}}).want(t, 200)
	id := a.body["data"].(map[string]any)["trackingId"].(string)
	st := c.do("GET", "/ticket-api/api/integrator/status/"+id+"?version=1&page=0&size=1000", nil).want(t, 200)
	items := st.body["data"].([]any)[0].(map[string]any)["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["productStatus"] != "UNCOMPLETED" {
		t.Fatalf("early status %s", st.raw)
	}
	clock.Advance(10 * time.Second)
	st = c.do("GET", "/ticket-api/api/integrator/status/"+id+"?version=1", nil).want(t, 200)
	items = st.body["data"].([]any)[0].(map[string]any)["items"].([]any)
	first, second := items[0].(map[string]any), items[1].(map[string]any)
	if first["productStatus"] != "COMPLETED" || len(first["updateResults"].([]any)) != 3 {
		t.Fatalf("first item %v", first)
	}
	for _, r := range first["updateResults"].([]any) {
		if r.(map[string]any)["fieldResult"] != "APPROVED" {
			t.Fatalf("first item %v", first)
		}
	}
	if r := second["updateResults"].([]any)[0].(map[string]any); r["fieldResult"] != "REJECTED" || r["rejectReason"] != "Marka onaylanmadı" {
		t.Fatalf("second item %v", second)
	}
	l, _ := s.Listing(sku(0))
	if l.Title != "Yeni Ad" || l.Description != "<p>Açıklama</p>" || l.VATRate != 10 {
		t.Fatalf("applied %+v", l)
	}
	if l, _ := s.Listing(sku(1)); l.Title == "Başka" {
		t.Fatal("a rejected item was applied")
	}
}
