package ideasoftsim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"syncagent/connectors/sim/simkit"
)

// topicRE is the shape of IdeaSoft's 41 webhook topics (product/update, order/create, …).
var topicRE = regexp.MustCompile(`^[a-z_]+/(create|update|delete)$`)

func subscriptionJSON(sub *subscription) map[string]any {
	return map[string]any{"id": sub.id, "topic": sub.topic, "address": sub.address, "status": flag(sub.active)}
}

// handleAddWebhook serves POST /admin-api/client_webhooks {topic, address (HTTPS only), status}.
func (s *Server) handleAddWebhook(c *simkit.Call) simkit.Reply {
	var req struct {
		Topic   string          `json:"topic"`
		Address string          `json:"address"`
		Status  json.RawMessage `json:"status"`
	}
	if json.Unmarshal(c.Body, &req) != nil {
		return fail(400, "the body is not a JSON object")
	}
	errs := map[string][]string{}
	if !topicRE.MatchString(req.Topic) {
		errs["topic"] = append(errs["topic"], "This value is not a valid topic.")
	}
	if !strings.HasPrefix(req.Address, "https://") || len(req.Address) <= len("https://") {
		errs["address"] = append(errs["address"], "The address must be an HTTPS URL.")
	}
	active := true
	if !simkit.Absent(req.Status) {
		n, err := simkit.Integer(req.Status)
		if err != nil || (n != 0 && n != 1) {
			errs["status"] = append(errs["status"], "This value is not valid.")
		}
		active = n == 1
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.nextSub++
	sub := &subscription{id: s.st.nextSub, topic: req.Topic, address: req.Address, active: active}
	s.st.subs.Add(sub.id, sub)
	return simkit.JSON(http.StatusCreated, subscriptionJSON(sub))
}

// handleListWebhooks serves GET /admin-api/client_webhooks: the subscriptions left (one
// removed after failed deliveries is gone from it).
func (s *Server) handleListWebhooks(c *simkit.Call) simkit.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, sub := range s.st.subs.All() {
		out = append(out, subscriptionJSON(sub))
	}
	return listReply(out, len(out))
}

// handleDeleteWebhook serves DELETE /admin-api/client_webhooks/{id}.
func (s *Server) handleDeleteWebhook(c *simkit.Call) simkit.Reply {
	id, _ := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.subs.Get(id) == nil {
		return fail(404, "Webhook not found")
	}
	s.st.subs.Keep(func(sub *subscription) bool { return sub.id != id })
	return simkit.Reply{Status: http.StatusNoContent}
}

// Sign is what IdeaSoft puts in X-Ideashop-Hmac-Sha256: Base64(HMAC-SHA256(body, client secret)).
func Sign(body []byte, clientSecret string) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// DeliverWebhooks sends every delivery that is due on the simulator's clock: a POST of
// the event's JSON with X-Ideashop-Topic and X-Ideashop-Hmac-Sha256. Only a 200 within
// the client's timeout (10 s) counts; a failed delivery is tried again
// WebhookRetryGap later, up to WebhookAttempts times, then given up, and a subscription
// whose deliveries were given up WebhookRemoveAfter times in a row is removed. It
// returns how many were delivered.
func (s *Server) DeliverWebhooks() int {
	s.mu.Lock()
	now := s.Now()
	type job struct {
		d       *delivery
		address string
		times   int
	}
	var jobs []job
	for _, d := range s.st.deliveries {
		if sub := s.st.subs.Get(d.sub); sub != nil && !d.due.After(now) {
			times := 1
			if s.st.dupNext > 0 {
				s.st.dupNext--
				times = 2
			}
			jobs = append(jobs, job{d, sub.address, times})
		}
	}
	s.mu.Unlock()

	ok, attempted := map[*delivery]bool{}, map[*delivery]bool{}
	for _, j := range jobs {
		attempted[j.d] = true
		for i := 0; i < j.times; i++ {
			req, err := http.NewRequest(http.MethodPost, j.address, bytes.NewReader(j.d.body))
			if err != nil {
				continue
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Ideashop-Topic", j.d.topic)
			req.Header.Set("X-Ideashop-Hmac-Sha256", Sign(j.d.body, s.opt.ClientSecret))
			resp, err := s.opt.WebhookClient.Do(req)
			if err == nil {
				resp.Body.Close()
				ok[j.d] = ok[j.d] || resp.StatusCode == http.StatusOK
			}
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	delivered := 0
	keep := s.st.deliveries[:0]
	for _, d := range s.st.deliveries {
		sub := s.st.subs.Get(d.sub)
		switch {
		case sub == nil:
			continue // the subscription is gone
		case !attempted[d]:
			keep = append(keep, d)
		case ok[d]:
			delivered++
			sub.givenUp = 0
		default:
			d.attempts++
			if d.attempts < s.opt.WebhookAttempts {
				d.due = now.Add(s.opt.WebhookRetryGap)
				keep = append(keep, d)
				continue
			}
			sub.givenUp++
			if sub.givenUp >= s.opt.WebhookRemoveAfter {
				id := sub.id
				s.st.subs.Keep(func(x *subscription) bool { return x.id != id })
			}
		}
	}
	s.st.deliveries = keep
	return delivered
}

// DuplicateNextWebhooks makes the next n deliveries go out twice, as IdeaSoft may send an
// event again.
func (s *Server) DuplicateNextWebhooks(n int) {
	s.mu.Lock()
	s.st.dupNext = n
	s.mu.Unlock()
}

// PendingWebhooks counts the deliveries waiting (due or retrying).
func (s *Server) PendingWebhooks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.deliveries)
}

// watchingLocked reports whether any active subscription wants topic, so events are
// built only when someone listens.
func (s *Server) watchingLocked(topic string) bool {
	for _, sub := range s.st.subs.All() {
		if sub.active && sub.topic == topic {
			return true
		}
	}
	return false
}

// productChangedLocked queues a product/update event with the fields that changed since
// before (a productJSON taken before the change; nil when nobody listens).
func (s *Server) productChangedLocked(p *Product, before map[string]any) {
	if before == nil {
		return
	}
	ev := changedFields(before, s.productJSON(p), productEventKeys...)
	if len(ev) > 2 {
		s.emitLocked("product/update", ev, s.Now())
	}
}

// beforeLocked is the product as an update event compares it, when anyone listens.
func (s *Server) beforeLocked(p *Product) map[string]any {
	if !s.watchingLocked("product/update") {
		return nil
	}
	return s.productJSON(p)
}

// orderChangedLocked queues an order/update event with the status fields that changed.
func (s *Server) orderChangedLocked(o *order, status, payment string) {
	ev := map[string]any{"id": o.id, "updatedAt": stamp(o.updated)}
	if status != o.status {
		ev["status"] = o.status
	}
	if payment != o.payment {
		ev["paymentStatus"] = o.payment
	}
	if len(ev) > 2 {
		s.emitLocked("order/update", ev, s.Now())
	}
}
