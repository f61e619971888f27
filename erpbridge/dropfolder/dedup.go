package dropfolder

import (
	"hash/maphash"
	"sort"

	"syncagent/queue"
)

// keyHash identifies (SKU, warehouse, price list) by two independent 64-bit hashes.
// Keeping 16 bytes per row instead of the strings keeps a million-row file's duplicate
// tracking near 30 MB; two seeded hashes make a false match (about 2^-128 per pair)
// far less likely than a disk error.
type keyHash [2]uint64

// dedup remembers, per key, the line of the last valid row that had it.
type dedup struct {
	s1, s2 maphash.Seed
	last   map[keyHash]int32
}

func newDedup() *dedup {
	return &dedup{s1: maphash.MakeSeed(), s2: maphash.MakeSeed(), last: make(map[keyHash]int32)}
}

func (d *dedup) key(sku, warehouse, priceList string) keyHash {
	var h1, h2 maphash.Hash
	h1.SetSeed(d.s1)
	h2.SetSeed(d.s2)
	for _, h := range []*maphash.Hash{&h1, &h2} {
		_, _ = h.WriteString(sku)
		_ = h.WriteByte(0)
		_, _ = h.WriteString(warehouse)
		_ = h.WriteByte(0)
		_, _ = h.WriteString(priceList)
	}
	return keyHash{h1.Sum64(), h2.Sum64()}
}

// add records line for k and returns the line it replaces, if any.
func (d *dedup) add(k keyHash, line int32) (int32, bool) {
	prev, seen := d.last[k]
	d.last[k] = line
	return prev, seen
}

// chunk collects up to chunkSize changes for one ApplyTx call. A row replaced by a later
// row of the same chunk is dropped before the chunk is applied, so it never reaches the
// queue.
type chunk struct {
	changes []queue.ItemChange
	lines   []int32 // file line of each change, ascending
	dropped []bool
	live    int
}

const chunkSize = 1000

func newChunk() *chunk {
	return &chunk{
		changes: make([]queue.ItemChange, 0, chunkSize),
		lines:   make([]int32, 0, chunkSize),
		dropped: make([]bool, 0, chunkSize),
	}
}

func (c *chunk) add(line int32, ch queue.ItemChange) {
	c.changes = append(c.changes, ch)
	c.lines = append(c.lines, line)
	c.dropped = append(c.dropped, false)
	c.live++
}

func (c *chunk) full() bool { return len(c.changes) >= chunkSize }

// drop removes the change of line if it is in this chunk.
func (c *chunk) drop(line int32) bool {
	i := sort.Search(len(c.lines), func(i int) bool { return c.lines[i] >= line })
	if i == len(c.lines) || c.lines[i] != line || c.dropped[i] {
		return false
	}
	c.dropped[i] = true
	c.live--
	return true
}

// take returns the live changes in file order (into buf) and empties the chunk.
func (c *chunk) take(buf []queue.ItemChange) []queue.ItemChange {
	buf = buf[:0]
	for i, ch := range c.changes {
		if !c.dropped[i] {
			buf = append(buf, ch)
		}
	}
	clear(c.changes)
	c.changes, c.lines, c.dropped, c.live = c.changes[:0], c.lines[:0], c.dropped[:0], 0
	return buf
}
