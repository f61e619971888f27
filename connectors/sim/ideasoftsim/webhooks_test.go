package ideasoftsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// receiver is an HTTPS webhook endpoint that records deliveries and answers status.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
	delay  time.Duration
}

type received struct {
	topic string
	body  []byte
	sig   string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: 200}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Get("X-Ideashop-Topic"), b, req.Header.Get("X-Ideashop-Hmac-Sha256")})
		status, delay := r.status, r.delay
		r.mu.Unlock()
		time.Sleep(delay)
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) take() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func (s *tsim) subscribe(token, topic, address string) reply {
	s.t.Helper()
	b, _ := json.Marshal(map[string]any{"topic": topic, "address": address, "status": 1})
	return s.call("POST", "/admin-api/client_webhooks", "application/json", string(b), token)
}

// Deliveries are signed with the client secret, carry only the changed fields on
// updates, may come twice, and go to HTTPS addresses only.
func TestWebhookDeliveries(t *testing.T) {
	rcv := newReceiver(t)
	s := newSim(t, Options{WebhookClient: rcv.Client()})
	tk := s.login()
	if r := s.subscribe(tk.AccessToken, "order/create", "http://example.com/hook"); r.status != 422 {
		t.Fatalf("an http address: %d", r.status)
	}
	if r := s.subscribe(tk.AccessToken, "orders", rcv.URL); r.status != 422 {
		t.Fatalf("a topic without an action: %d", r.status)
	}
	for _, topic := range []string{"order/create", "order/update", "product/update"} {
		if r := s.subscribe(tk.AccessToken, topic, rcv.URL); r.status != 201 {
			t.Fatalf("%s: %d %s", topic, r.status, r.body)
		}
	}
	if r := s.call("GET", "/admin-api/client_webhooks", "", "", tk.AccessToken); r.status != 200 || r.header.Get("Total_count") != "3" {
		t.Fatalf("list: %d %v", r.status, r.header)
	}
	p := s.seed(Product{SKU: "A", Name: "Kupa", Stock: Units(5), Price1: 1000})[0]
	s.call("PUT", "/admin-api/products/"+itoa64(p.ID), "application/json", `{"stockAmount":4,"name":"Kupa"}`, tk.AccessToken)
	o, err := s.AddOrder(Order{Items: []OrderItem{{SKU: "A", Quantity: Units(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	s.DuplicateNextWebhooks(1)
	if err := s.CancelOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	if n := s.DeliverWebhooks(); n != 5 {
		t.Fatalf("%d delivered, want 5 (PUT, order stock, order, cancellation, restock)", n)
	}
	got := rcv.take()
	topics := map[string]int{}
	for _, g := range got {
		topics[g.topic]++
		if g.sig != Sign(g.body, testSecret) {
			t.Fatalf("%s: signature %q does not match the body", g.topic, g.sig)
		}
	}
	if topics["product/update"] != 4 || topics["order/create"] != 1 || topics["order/update"] != 1 || len(got) != 6 {
		t.Fatalf("deliveries by topic %v (of %d)", topics, len(got))
	}
	var first map[string]any
	json.Unmarshal(got[0].body, &first)
	if _, named := first["name"]; named || first["stockAmount"] == nil || first["id"] == nil || len(first) != 3 {
		t.Fatalf("a product update event carries more than the changed fields: %s", got[0].body)
	}
}

// A receiver that fails (or answers after the client's timeout) gets the delivery again
// after the retry gap; one given up too often loses its subscription.
func TestWebhookRetriesAndRemoval(t *testing.T) {
	rcv := newReceiver(t)
	client := rcv.Client()
	client.Timeout = 200 * time.Millisecond
	s := newSim(t, Options{WebhookClient: client, WebhookAttempts: 2, WebhookRemoveAfter: 2})
	tk := s.login()
	s.subscribe(tk.AccessToken, "order/create", rcv.URL)
	s.seed(Product{SKU: "A", Stock: Units(9), Price1: 1000})
	rcv.mu.Lock()
	rcv.status = 500
	rcv.mu.Unlock()
	s.AddOrder(Order{Items: []OrderItem{{SKU: "A", Quantity: Units(1)}}})
	if s.DeliverWebhooks() != 0 || s.PendingWebhooks() != 1 {
		t.Fatal("a failed delivery was not kept for a retry")
	}
	if s.DeliverWebhooks() != 0 || len(rcv.take()) != 1 {
		t.Fatal("the retry went before its gap")
	}
	s.clock.Advance(time.Minute)
	rcv.mu.Lock()
	rcv.status, rcv.delay = 200, 400*time.Millisecond // answers after the 200 ms timeout
	rcv.mu.Unlock()
	if s.DeliverWebhooks() != 0 || s.PendingWebhooks() != 0 {
		t.Fatal("a late answer counted, or the delivery was not given up after 2 attempts")
	}
	s.AddOrder(Order{Items: []OrderItem{{SKU: "A", Quantity: Units(1)}}})
	s.DeliverWebhooks()
	s.clock.Advance(time.Minute)
	s.DeliverWebhooks()
	if r := s.call("GET", "/admin-api/client_webhooks", "", "", tk.AccessToken); string(r.body) != "[]" {
		t.Fatalf("the subscription was not removed after 2 deliveries were given up: %s", r.body)
	}
	rcv.mu.Lock()
	rcv.delay = 0
	rcv.mu.Unlock()
	s.AddOrder(Order{Items: []OrderItem{{SKU: "A", Quantity: Units(1)}}})
	if s.DeliverWebhooks() != 0 || s.PendingWebhooks() != 0 {
		t.Fatal("a removed subscription still gets deliveries")
	}
}
