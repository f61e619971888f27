package ikas

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"syncagent/connectors"
	"syncagent/connectors/ikas/api"
)

const (
	// missRefresh: an item whose SKU is not in the map makes the map read the products
	// changed since, unless that SKU was already missed by a read this recently (a SKU
	// that is simply not on ikas must not cost a read on every push).
	missRefresh = time.Minute
	maxPages    = 10_000
)

// listDoc reads products changed at or after a moment, oldest change first.
const listDoc = `query listProduct($updatedAt: DateFilterInput, $pagination: PaginationInput) {
  listProduct(updatedAt: $updatedAt, sort: "updatedAt", pagination: $pagination) {
    count hasNext page limit
    data { id name updatedAt variants { id sku barcodeList deleted prices { sellPrice discountPrice buyPrice priceListId } stocks { stockLocationId stockCount } } }
  }
}`

// byIDDoc reads products by id (read-back, verification).
const byIDDoc = `query listProduct($id: StringFilterInput, $pagination: PaginationInput) {
  listProduct(id: $id, pagination: $pagination) {
    count hasNext page limit
    data { id name updatedAt variants { id sku barcodeList deleted prices { sellPrice discountPrice buyPrice priceListId } stocks { stockLocationId stockCount } } }
  }
}`

// variantInfo is what the map knows of one variant.
type variantInfo struct {
	productID, variantID, sku, product string
	barcodes                           []string
	price                              *api.Price // the default price list's object (nil: none)
}

// idMap is the SKU → (product id, variant id) map of the store, read from listProduct
// and kept up to date by reading the products changed since the newest change seen.
type idMap struct {
	c *Client

	mu        sync.Mutex
	byVariant map[string]*variantInfo
	byProduct map[string][]string // product id → its variant ids
	bySKU     map[string][]*variantInfo
	byBarcode map[string][]*variantInfo
	built     time.Time // last full read (zero: none)
	refreshed time.Time // last read of any kind
	newest    int64     // newest updatedAt seen (epoch ms)
	noSKU     map[string]bool
	missedAt  map[string]time.Time // SKU → the read that did not find it
	sf        singleflight.Group
}

func newIDMap(c *Client) *idMap {
	m := &idMap{c: c, noSKU: map[string]bool{}, missedAt: map[string]time.Time{}}
	m.reset()
	return m
}

func (m *idMap) reset() {
	m.byVariant, m.byProduct = map[string]*variantInfo{}, map[string][]string{}
	m.bySKU, m.byBarcode = map[string][]*variantInfo{}, map[string][]*variantInfo{}
	m.built, m.refreshed, m.newest = time.Time{}, time.Time{}, 0
}

// fresh makes the map no older than maxAge: a full read when there is none (or it is
// older than MapRebuild), else a read of the products changed since the newest change
// seen (less the order overlap, for changes committed out of order).
func (m *idMap) fresh(ctx context.Context, maxAge time.Duration) error {
	m.mu.Lock()
	now := m.c.clock.Now()
	full := m.built.IsZero() || now.Sub(m.built) >= m.c.tune.MapRebuild
	ok := !full && now.Sub(m.refreshed) < maxAge
	from := m.newest - m.c.tune.Overlap.Milliseconds()
	m.mu.Unlock()
	if ok {
		return nil
	}
	if full {
		from = 0
	}
	ch := m.sf.DoChan(fmt.Sprint(full), func() (any, error) {
		return nil, m.read(context.WithoutCancel(ctx), full, max(from, 0))
	})
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// findAll makes the map no older than MapMaxAge and, when it misses one of the items
// and that SKU was not missed by a read within missRefresh, reads the products changed
// since once more.
func (m *idMap) findAll(ctx context.Context, items []connectors.Item) error {
	if err := m.fresh(ctx, m.c.tune.MapMaxAge); err != nil {
		return err
	}
	var missing []string
	stale := false
	now := m.c.clock.Now()
	for _, it := range items {
		if len(m.lookup(it.SKU, it.Barcode)) == 0 {
			missing = append(missing, it.SKU)
			m.mu.Lock()
			at, ok := m.missedAt[it.SKU]
			m.mu.Unlock()
			stale = stale || !ok || now.Sub(at) >= missRefresh
		}
	}
	if !stale {
		return nil
	}
	if err := m.fresh(ctx, 0); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, at := range m.missedAt {
		if now.Sub(at) >= missRefresh {
			delete(m.missedAt, k)
		}
	}
	for _, sku := range missing {
		if len(m.bySKU[sku]) == 0 {
			m.missedAt[sku] = now
		}
	}
	return nil
}

// invalidate makes the next fresh read everything: an id in the map turned out stale.
func (m *idMap) invalidate() {
	m.mu.Lock()
	m.built = time.Time{}
	m.mu.Unlock()
}

// read pages through the products changed at or after from, oldest first. Each page
// after the first starts at the newest change of the one before (page 1 again), so a
// product changed while the pages are read moves to the end and is read there, and no
// product slides into a page already read; a page of one single moment goes on to the
// next page number.
func (m *idMap) read(ctx context.Context, full bool, from int64) error {
	start := m.c.clock.Now()
	seen := map[string]*api.Product{}
	var order []string
	cursor, page := from, 1
	for calls := 0; ; calls++ {
		if calls >= maxPages {
			return fmt.Errorf("ikas's product list did not end after %d pages", maxPages)
		}
		var out struct {
			List api.Page[api.Product] `json:"listProduct"`
		}
		c := cursor
		vars := map[string]any{"updatedAt": api.DateFilter{Gte: &c}, "pagination": api.PaginationInput{Page: page, Limit: pageLimit}}
		if _, err := m.c.call(ctx, "listProduct", listDoc, vars, false, &out); err != nil {
			return err
		}
		last := cursor
		for i := range out.List.Data {
			p := out.List.Data[i]
			if _, dup := seen[p.ID]; !dup {
				order = append(order, p.ID)
			}
			seen[p.ID] = &p
			if p.UpdatedAt != nil && *p.UpdatedAt > last {
				last = *p.UpdatedAt
			}
		}
		if !out.List.HasNext || len(out.List.Data) == 0 {
			break
		}
		if last > cursor {
			cursor, page = last, 1
		} else {
			page++
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if full {
		m.reset()
		m.built = start
	}
	m.refreshed = start
	var missing []string
	for _, id := range order {
		p := seen[id]
		m.putLocked(p, &missing)
		if p.UpdatedAt != nil && *p.UpdatedAt > m.newest {
			m.newest = *p.UpdatedAt
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		shown := missing
		if len(shown) > 5 {
			shown = append(shown[:5:5], fmt.Sprintf("and %d more", len(missing)-5))
		}
		m.c.log.Warn().Int("variants", len(missing)).
			Msgf("%d ikas variants of store %s have no SKU and cannot be matched to the ERP (%s); give them the ERP's stock code in the ikas panel (reported once per variant)",
				len(missing), m.c.store, strings.Join(shown, "; "))
	}
	return nil
}

// putLocked replaces what the map knows of a product with p.
func (m *idMap) putLocked(p *api.Product, missing *[]string) {
	for _, vid := range m.byProduct[p.ID] {
		old := m.byVariant[vid]
		delete(m.byVariant, vid)
		m.bySKU[old.sku] = drop(m.bySKU[old.sku], old)
		for _, b := range old.barcodes {
			m.byBarcode[b] = drop(m.byBarcode[b], old)
		}
	}
	delete(m.byProduct, p.ID)
	if p.Deleted {
		return
	}
	for _, v := range p.Variants {
		if v.Deleted {
			continue
		}
		vi := &variantInfo{productID: p.ID, variantID: v.ID, product: p.Name, price: defaultPrice(v.Prices)}
		if v.SKU != nil {
			vi.sku = strings.TrimSpace(*v.SKU)
		}
		for _, b := range v.BarcodeList {
			if b = strings.TrimSpace(b); b != "" {
				vi.barcodes = append(vi.barcodes, b)
				m.byBarcode[b] = append(m.byBarcode[b], vi)
			}
		}
		m.byVariant[v.ID] = vi
		m.byProduct[p.ID] = append(m.byProduct[p.ID], v.ID)
		if vi.sku != "" {
			m.bySKU[vi.sku] = append(m.bySKU[vi.sku], vi)
		} else if !m.noSKU[v.ID] {
			m.noSKU[v.ID] = true
			*missing = append(*missing, fmt.Sprintf("%q variant %s", p.Name, v.ID))
		}
	}
}

func drop(list []*variantInfo, v *variantInfo) []*variantInfo {
	out := list[:0]
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

func defaultPrice(ps []api.Price) *api.Price {
	for i := range ps {
		if ps[i].PriceListID == nil || *ps[i].PriceListID == "" {
			p := ps[i]
			return &p
		}
	}
	return nil
}

// lookup finds the variants of an item: by SKU, then by barcode.
func (m *idMap) lookup(sku, barcode string) []*variantInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v := m.bySKU[strings.TrimSpace(sku)]; len(v) > 0 {
		return append([]*variantInfo(nil), v...)
	}
	if b := strings.TrimSpace(barcode); b != "" {
		return append([]*variantInfo(nil), m.byBarcode[b]...)
	}
	return nil
}

// variant returns what the map knows of a variant id.
func (m *idMap) variant(id string) (variantInfo, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.byVariant[id]
	if !ok {
		return variantInfo{}, false
	}
	return *v, true
}

// age is how long ago the map was last read.
func (m *idMap) age() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refreshed.IsZero() {
		return time.Duration(1<<63 - 1)
	}
	return m.c.clock.Now().Sub(m.refreshed)
}

// setPrice records a price object ikas confirmed, so the next push sends back what ikas
// holds.
func (m *idMap) setPrice(variantID string, p api.Price) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.byVariant[variantID]; ok {
		v.price = &p
	}
}

// readProducts reads products by id, 200 a call (read-back and verification), and
// updates the map's price objects with what it read.
func (m *idMap) readProducts(ctx context.Context, ids []string) (map[string]api.Variant, error) {
	out := map[string]api.Variant{}
	for start := 0; start < len(ids); start += pageLimit {
		part := ids[start:min(start+pageLimit, len(ids))]
		var r struct {
			List api.Page[api.Product] `json:"listProduct"`
		}
		vars := map[string]any{"id": api.StringFilter{In: part}, "pagination": api.PaginationInput{Page: 1, Limit: pageLimit}}
		if _, err := m.c.call(ctx, "listProduct", byIDDoc, vars, false, &r); err != nil {
			return nil, err
		}
		for _, p := range r.List.Data {
			for _, v := range p.Variants {
				out[v.ID] = v
				if dp := defaultPrice(v.Prices); dp != nil {
					m.setPrice(v.ID, *dp)
				}
			}
		}
	}
	return out, nil
}
