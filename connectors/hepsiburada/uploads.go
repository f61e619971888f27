package hepsiburada

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
)

// Hepsiburada lets a merchant have 5 uploads pending or processing; a 6th is refused
// inside a 200. The connector counts its own uploads from the submit until their result
// is final, and does not send what would be refused: such a push is "wait" (Kind
// RetryAfter), not a failure of its items.
const (
	// slotMaxAge: an upload whose result nobody read for this long no longer counts
	// (its result was reconciled another way, or the agent gave up on it).
	slotMaxAge = 30 * time.Minute
	// assumedProcessing is how long an upload is expected to process until one was
	// seen finishing (the reference gives no figure).
	assumedProcessing = 60 * time.Second
	minWait, maxWait  = 5 * time.Second, time.Minute
)

// uploadSlots counts the uploads in flight and remembers each one's rows in order, so
// an error's elementNo maps back to a SKU. Safe for concurrent use.
type uploadSlots struct {
	mu      sync.Mutex
	limit   int
	clock   httpx.Clock
	since   map[string]time.Time // upload id (or reservation) → when it was sent
	rows    map[string][]string  // upload id → SKUs in row order
	seq     int
	typical time.Duration // the last processing time seen
}

func newUploadSlots(limit int, clock httpx.Clock) *uploadSlots {
	return &uploadSlots{limit: limit, clock: clock, since: map[string]time.Time{}, rows: map[string][]string{}, typical: assumedProcessing}
}

func (u *uploadSlots) expireLocked(now time.Time) {
	for id, at := range u.since {
		if now.Sub(at) > slotMaxAge {
			delete(u.since, id)
			delete(u.rows, id)
		}
	}
}

// reserve takes n slots for uploads about to be sent and returns their keys, or how long
// to wait when fewer than n are free.
func (u *uploadSlots) reserve(n int) ([]string, time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := u.clock.Now()
	u.expireLocked(now)
	if len(u.since)+n > u.limit {
		return nil, u.waitLocked(now)
	}
	keys := make([]string, n)
	for i := range keys {
		u.seq++
		keys[i] = "reserved-" + strconv.Itoa(u.seq)
		u.since[keys[i]] = now
	}
	return keys, 0
}

// waitLocked estimates when the oldest upload finishes: its send plus the last
// processing time seen, within minWait and maxWait.
func (u *uploadSlots) waitLocked(now time.Time) time.Duration {
	var oldest time.Time
	for _, at := range u.since {
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	return min(max(oldest.Add(u.typical).Sub(now), minWait), maxWait)
}

// wait is waitLocked for a refusal the marketplace made itself.
func (u *uploadSlots) wait() time.Duration {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.waitLocked(u.clock.Now())
}

// bind turns a reservation into the upload it became.
func (u *uploadSlots) bind(key, id string, skus []string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	at := u.since[key]
	delete(u.since, key)
	u.since[id] = at
	u.rows[id] = skus
}

// release frees a reservation (nothing was sent) or a finished upload. A finished
// upload's time teaches the processing time.
func (u *uploadSlots) release(key string, finished bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if at, ok := u.since[key]; ok && finished {
		u.typical = max(u.clock.Now().Sub(at), time.Second)
	}
	delete(u.since, key)
	delete(u.rows, key)
}

// rowsOf returns the remembered row order of an upload (nil: not remembered).
func (u *uploadSlots) rowsOf(id string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.rows[id]
}

func (u *uploadSlots) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.expireLocked(u.clock.Now())
	return len(u.since)
}

// rowsHash fingerprints an upload's row order; it goes into the Ref, so after a restart
// (when the order is no longer remembered) a rebuilt order is used only if it matches.
func rowsHash(skus []string) string {
	h := fnv.New32a()
	for _, s := range skus {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%08x", h.Sum32())
}

// lostGrace is how long a submit whose answer was lost may still show its values: the
// upload it may have created is processing meanwhile (60 s assumed). Until then the
// items are reconciled by reading the listings, never sent again.
const lostGrace = 10 * time.Minute

// sentValues are the fields one row carried.
type sentValues struct {
	at    time.Time
	qty   *int64
	price *money.Kurus
}

func (v sentValues) same(qty *int64, price *money.Kurus) bool {
	return eqPtr(v.qty, qty) && eqPtr(v.price, price)
}

func eqPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// lostSubmits remembers the rows of submits whose answer was lost (a timeout after the
// request went out): the upload may exist and apply them, so a push of the same values
// reads the listings instead of uploading again. Safe for concurrent use.
type lostSubmits struct {
	mu    sync.Mutex
	bySKU map[string]sentValues
}

func newLostSubmits() *lostSubmits { return &lostSubmits{bySKU: map[string]sentValues{}} }

func (l *lostSubmits) record(rows []row, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range rows {
		l.bySKU[r.sku] = sentValues{at: at, qty: r.qty, price: r.price}
	}
}

// pending returns what a lost submit sent for sku, when it may still apply.
func (l *lostSubmits) pending(sku string, now time.Time) (sentValues, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.bySKU[sku]
	if ok && now.Sub(v.at) >= lostGrace {
		delete(l.bySKU, sku)
		return sentValues{}, false
	}
	return v, ok
}

func (l *lostSubmits) forget(sku string) {
	l.mu.Lock()
	delete(l.bySKU, sku)
	l.mu.Unlock()
}

func (l *lostSubmits) get(sku string) (sentValues, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.bySKU[sku]
	return v, ok
}

// Refs. One push becomes one upload ("i:<id>:<hash>"), or in split mode a stock and a
// price upload ("s:<id>:<hash>|p:<id>:<hash>"); items awaiting the listings after a lost
// submit get "r:<unix ns of the submit>"; product-information tickets "t:<trackingId>".
type refPart struct {
	kind string // i, s, p
	id   string
	hash string
}

func (p refPart) String() string { return p.kind + ":" + p.id + ":" + p.hash }

func joinParts(parts []refPart) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.String()
	}
	return strings.Join(s, "|")
}

func parseParts(ref string) ([]refPart, bool) {
	var out []refPart
	for _, s := range strings.Split(ref, "|") {
		f := strings.Split(s, ":")
		if len(f) != 3 || f[1] == "" || (f[0] != "i" && f[0] != "s" && f[0] != "p") {
			return nil, false
		}
		out = append(out, refPart{kind: f[0], id: f[1], hash: f[2]})
	}
	return out, len(out) > 0
}

// uploadPath is where an upload kind is sent and read back.
func uploadPath(kind string) string {
	switch kind {
	case "s":
		return "/stock-uploads"
	case "p":
		return "/price-uploads"
	}
	return "/inventory-uploads"
}
