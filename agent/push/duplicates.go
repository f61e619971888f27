package push

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/money"
)

// recentRequests remembers the requests sent within the marketplace's duplicate window
// (Trendyol refuses a byte-identical request within 15 minutes) by a fingerprint of what
// they carried. It lives in memory only: after a restart, the outbox's rows awaiting
// reconciliation keep a lost request from being repeated too soon.
type recentRequests struct {
	window time.Duration // 0: the marketplace has no such rule, nothing is remembered
	sent   map[string]time.Time
}

func newRecentRequests(window time.Duration) *recentRequests {
	return &recentRequests{window: window, sent: map[string]time.Time{}}
}

// key fingerprints a request, or "" when the marketplace has no duplicate window.
func (r *recentRequests) key(items []connectors.Item) string {
	if r.window <= 0 {
		return ""
	}
	return requestKey(items)
}

// sentAt returns when the request of key went within the window before now.
func (r *recentRequests) sentAt(key string, now time.Time) (time.Time, bool) {
	for k, at := range r.sent {
		if now.Sub(at) >= r.window {
			delete(r.sent, k)
		}
	}
	at, ok := r.sent[key]
	return at, ok
}

// note records that the request of key went at at (nothing for key "").
func (r *recentRequests) note(key string, at time.Time) {
	if key != "" {
		r.sent[key] = at
	}
}

// requestKey fingerprints what a request carries (items sorted by SKU, so equal sets give
// equal keys): two pushes with the same key build byte-identical bodies.
func requestKey(items []connectors.Item) string {
	h := sha256.New()
	var buf [8]byte
	num := func(v *int64) {
		if v == nil {
			h.Write([]byte{0})
			return
		}
		binary.LittleEndian.PutUint64(buf[:], uint64(*v))
		h.Write([]byte{1})
		h.Write(buf[:])
	}
	kur := func(k *money.Kurus) {
		if k == nil {
			num(nil)
			return
		}
		v := int64(*k)
		num(&v)
	}
	for _, it := range items {
		h.Write([]byte(it.SKU))
		h.Write([]byte{0})
		h.Write([]byte(it.Barcode))
		h.Write([]byte{0})
		num(it.Qty)
		kur(it.Price)
		kur(it.ListPrice)
		num(it.ConfQty)
		kur(it.ConfPrice)
		kur(it.ConfListPrice)
	}
	return string(h.Sum(nil))
}

// mayHaveArrived reports whether a failed request may have reached the marketplace with
// its body (so an identical body could be refused as a repeat).
func mayHaveArrived(err error) bool {
	switch connectors.KindOf(err) {
	case connectors.Unknown, connectors.Permanent:
		return true
	}
	return false
}
