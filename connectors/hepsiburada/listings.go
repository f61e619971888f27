package hepsiburada

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/hepsiburada/api"
	"syncagent/connectors/httpx"
)

// The SKU map is read whole from the listings (paged) and read again when it is older
// than mapMaxAge, or when a push names a SKU it lacks and it is older than mapMissAge.
const (
	mapMaxAge  = 30 * time.Minute
	mapMissAge = time.Minute
	// readChunk merchant SKUs go into one merchantSkuList query of a read-back.
	readChunk = 50
)

// listingInfo is what the map keeps of one listing.
type listingInfo struct {
	hbSku   string
	fbh     bool     // fulfilled by Hepsiburada: its stock is Hepsiburada's business
	locked  bool     // isLocked
	reasons []string // lockReasons
}

// skuMap maps the merchant's SKUs to Hepsiburada's listings. Safe for concurrent use; one
// full read runs at a time, and pushes that need it wait for it.
type skuMap struct {
	c       *Client
	reading sync.Mutex // held by the one full read in progress

	mu     sync.Mutex
	bySKU  map[string]listingInfo
	readAt time.Time
}

func newSKUMap(c *Client) *skuMap { return &skuMap{c: c, bySKU: map[string]listingInfo{}} }

// ensure makes the map fit for a push of skus: read whole when it was never read or is
// old, or when one of skus is missing and the map is not brand new.
func (m *skuMap) ensure(ctx context.Context, skus []string) error {
	stale := func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		age := m.c.clock.Now().Sub(m.readAt)
		if m.readAt.IsZero() || age > mapMaxAge {
			return true
		}
		if age <= mapMissAge {
			return false
		}
		for _, s := range skus {
			if _, ok := m.bySKU[s]; !ok {
				return true
			}
		}
		return false
	}
	if !stale() {
		return nil
	}
	m.reading.Lock()
	defer m.reading.Unlock()
	if !stale() { // another push read it meanwhile
		return nil
	}
	return m.readAll(ctx)
}

// readAll pages through every listing of the merchant and replaces the map.
func (m *skuMap) readAll(ctx context.Context) error {
	page := m.c.set.listingPage
	fresh := map[string]listingInfo{}
	started := m.c.clock.Now()
	for offset := 0; ; {
		var p api.ListingsPage
		q := map[string][]string{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(page)}}
		if _, err := m.c.listing.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: m.c.listingsPath(""), Query: q, Bucket: bucket}, &p); err != nil {
			return err
		}
		for _, l := range p.Listings {
			if l.MerchantSku != "" {
				fresh[l.MerchantSku] = infoOf(l)
			}
		}
		offset += len(p.Listings)
		if len(p.Listings) == 0 || offset >= p.TotalCount {
			break
		}
	}
	m.mu.Lock()
	m.bySKU, m.readAt = fresh, started
	m.mu.Unlock()
	m.c.log.Debug().Int("listings", len(fresh)).Msg("Hepsiburada listings read into the SKU map")
	return nil
}

func infoOf(l api.Listing) listingInfo {
	return listingInfo{hbSku: l.HepsiburadaSku, fbh: l.IsFulfilledByHB, locked: l.IsLocked, reasons: append([]string(nil), l.LockReasons...)}
}

func (m *skuMap) lookup(sku string) (listingInfo, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.bySKU[sku]
	return l, ok
}

// note takes in a listing read on the way (a read-back, an unlock).
func (m *skuMap) note(l api.Listing) {
	if l.MerchantSku == "" {
		return
	}
	m.mu.Lock()
	m.bySKU[l.MerchantSku] = infoOf(l)
	m.mu.Unlock()
}

// locked records a lock learned from an upload result.
func (m *skuMap) locked(sku, reason string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.bySKU[sku]
	l.locked = true
	for _, r := range l.reasons {
		if r == reason {
			return
		}
	}
	l.reasons = append(l.reasons, reason)
	m.bySKU[sku] = l
}

// counts are the map's fulfilled-by-Hepsiburada and locked listings, sorted, for Report.
func (m *skuMap) counts() (fbh, locked []string, reasons map[string][]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	reasons = map[string][]string{}
	for sku, l := range m.bySKU {
		if l.fbh {
			fbh = append(fbh, sku)
		}
		if l.locked {
			locked = append(locked, sku)
			reasons[sku] = l.reasons
		}
	}
	sort.Strings(fbh)
	sort.Strings(locked)
	return fbh, locked, reasons
}

// readListings reads the listings of skus by merchantSkuList, readChunk at a time, and
// calls each for every listing found (also noting it in the map).
func (c *Client) readListings(ctx context.Context, skus []string, each func(api.Listing)) error {
	size := min(readChunk, c.set.listingPage)
	for len(skus) > 0 {
		chunk := skus[:min(size, len(skus))]
		skus = skus[len(chunk):]
		for offset := 0; ; {
			var p api.ListingsPage
			q := map[string][]string{"merchantSkuList": {strings.Join(chunk, ",")}, "offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(size)}}
			if _, err := c.listing.DoJSON(ctx, &httpx.Request{Method: http.MethodGet, Path: c.listingsPath(""), Query: q, Bucket: bucket}, &p); err != nil {
				return err
			}
			for _, l := range p.Listings {
				c.skus.note(l)
				each(l)
			}
			offset += len(p.Listings)
			if len(p.Listings) == 0 || offset >= p.TotalCount {
				break
			}
		}
	}
	return nil
}

// ReadBack reads the current stock and price of items from the listings, 50 SKUs a
// request. A listing fulfilled by Hepsiburada shows Hepsiburada's own stock.
func (c *Client) ReadBack(ctx context.Context, items []connectors.Item) (map[string]connectors.Observed, error) {
	out := make(map[string]connectors.Observed, len(items))
	var skus []string
	for _, it := range items {
		if _, seen := out[it.SKU]; !seen {
			skus = append(skus, it.SKU)
		}
		out[it.SKU] = connectors.Observed{}
	}
	var bad error
	err := c.readListings(ctx, skus, func(l api.Listing) {
		if _, asked := out[l.MerchantSku]; !asked {
			return
		}
		ob := connectors.Observed{Found: true, Qty: l.AvailableStock}
		if len(l.Price) > 0 && string(l.Price) != "null" {
			p, err := amount(l.Price)
			if err != nil {
				bad = err
				return
			}
			ob.Price = &p
		}
		out[l.MerchantSku] = ob
	})
	if err != nil {
		return nil, err
	}
	if bad != nil {
		return nil, &connectors.Error{Kind: connectors.Transient, Err: bad, Message: "Hepsiburada sent a listing price the agent cannot read"}
	}
	return out, nil
}
