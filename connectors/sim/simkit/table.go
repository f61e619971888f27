package simkit

import "errors"

// Errors of the simulators' seeding and order hooks (AddProduct, AddOrder, status
// setters, cancels), wrapped with what was refused.
var (
	ErrExists     = errors.New("already exists")
	ErrNotFound   = errors.New("not found")
	ErrOutOfStock = errors.New("not enough stock")
	ErrInvalid    = errors.New("invalid request")
	ErrState      = errors.New("not allowed in this status")
)

// Table holds one kind of record of a simulator's state (products, orders, packages,
// batches): found by key, listed in the order added, which is the order a marketplace's
// lists default to. The zero value is empty and ready. Not safe for concurrent use: it
// lives in a state that one mutex guards.
type Table[K comparable, V any] struct {
	byKey map[K]*V
	keys  []K
	all   []*V
}

// Add stores v under k; it reports false, storing nothing, when k is taken.
func (t *Table[K, V]) Add(k K, v *V) bool {
	if _, taken := t.byKey[k]; taken {
		return false
	}
	if t.byKey == nil {
		t.byKey = map[K]*V{}
	}
	t.byKey[k] = v
	t.keys = append(t.keys, k)
	t.all = append(t.all, v)
	return true
}

// Get returns the record stored under k, nil when there is none.
func (t *Table[K, V]) Get(k K) *V { return t.byKey[k] }

// All returns the records in the order added. The slice is the table's own: read it,
// do not append to it.
func (t *Table[K, V]) All() []*V { return t.all }

// Len is the number of records.
func (t *Table[K, V]) Len() int { return len(t.all) }

// Keep calls keep for every record in order and drops those it answers false for; the
// order of the rest is unchanged. Time-driven state uses it to finish and forget
// records as the clock passes (Trendyol's batch results).
func (t *Table[K, V]) Keep(keep func(*V) bool) {
	n := 0
	for i, v := range t.all {
		if !keep(v) {
			delete(t.byKey, t.keys[i])
			continue
		}
		t.keys[n], t.all[n] = t.keys[i], v
		n++
	}
	clear(t.keys[n:])
	clear(t.all[n:])
	t.keys, t.all = t.keys[:n], t.all[:n]
}

// Snapshot copies every record of t through view, keyed as in t: the read-back hooks
// hand tests copies, never the records the handlers change.
func Snapshot[K comparable, V, R any](t *Table[K, V], view func(*V) R) map[K]R {
	out := make(map[K]R, len(t.all))
	for i, v := range t.all {
		out[t.keys[i]] = view(v)
	}
	return out
}

// Page returns the part of list from offset, at most size long: empty, never nil, past
// the end, so that a reply lists [] rather than null.
func Page[T any](list []T, offset, size int) []T {
	if offset < 0 || offset >= len(list) || size <= 0 {
		return []T{}
	}
	return list[offset:min(offset+size, len(list))]
}
