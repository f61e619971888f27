package giyimmoda

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"syncagent/connectors"
	"syncagent/connectors/giyimmoda/api"
	"syncagent/connectors/httpx"
	"syncagent/connectors/money"
)

const (
	// mapTTL: the SKU → id map is rebuilt at least this often, so products renamed or
	// re-keyed in the panel are picked up.
	mapTTL = 30 * time.Minute
	// missRefresh: an item whose SKU is not in the map triggers a rebuild, unless the
	// map is younger than this (a SKU that is simply not on Giyim Moda must not cost a
	// full list scan on every push).
	missRefresh = time.Minute
	maxPages    = 10_000
)

// entry is what the list says about one product.
type entry struct {
	id    int64
	rows  int // product_stocks rows; more than one means variants
	qty   *int64
	price *money.Kurus
}

// catalogue is one full read of the product list, indexed by SKU and by barcode.
type catalogue struct {
	bySKU, byBarcode map[string][]entry
	loaded           time.Time
}

// lookup finds the products of an item: by SKU first, then by barcode. Several
// products under one key are returned all, for the caller to refuse.
func (c *catalogue) lookup(sku, barcode string) []entry {
	if e := c.bySKU[strings.TrimSpace(sku)]; len(e) > 0 {
		return e
	}
	if barcode = strings.TrimSpace(barcode); barcode != "" {
		return c.byBarcode[barcode]
	}
	return nil
}

// idMap keeps the latest catalogue; concurrent rebuilds share one scan.
type idMap struct {
	http  *httpx.Client
	clock httpx.Clock

	mu  sync.Mutex
	cat *catalogue
	sf  singleflight.Group
}

func newIDMap(c *httpx.Client, clock httpx.Clock) *idMap { return &idMap{http: c, clock: clock} }

// get returns a catalogue read no longer than maxAge ago, reading the list when the
// one in hand is older (maxAge 0: always read).
func (m *idMap) get(ctx context.Context, maxAge time.Duration) (*catalogue, error) {
	m.mu.Lock()
	cat := m.cat
	m.mu.Unlock()
	if cat != nil && maxAge > 0 && m.clock.Now().Sub(cat.loaded) < maxAge {
		return cat, nil
	}
	ch := m.sf.DoChan("scan", func() (any, error) {
		cat, err := m.scan(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.cat = cat
		m.mu.Unlock()
		return cat, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*catalogue), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// invalidate makes the next get read the list: an id in the map turned out stale.
func (m *idMap) invalidate() {
	m.mu.Lock()
	m.cat = nil
	m.mu.Unlock()
}

// scan reads every page of the product list.
func (m *idMap) scan(ctx context.Context) (*catalogue, error) {
	cat := &catalogue{bySKU: map[string][]entry{}, byBarcode: map[string][]entry{}, loaded: m.clock.Now()}
	for page := 1; page <= maxPages; page++ {
		var env api.Envelope
		req := &httpx.Request{Method: http.MethodGet, Path: listPath,
			Query: map[string][]string{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(pageSize)}}}
		resp, err := m.http.DoJSON(ctx, req, &env)
		if err != nil {
			return nil, err
		}
		var products []api.Product
		if err := json.Unmarshal(env.Data, &products); err != nil {
			return nil, m.http.Unreadable(req, resp, err)
		}
		for _, p := range products {
			id, err := p.ID.Int()
			if err != nil {
				continue
			}
			e := entry{id: id, rows: len(p.Stocks)}
			if p.CurrentStock != nil {
				if q, err := p.CurrentStock.Int(); err == nil {
					e.qty = &q
				}
			}
			if k, err := p.UnitPrice.Kurus(); err == nil {
				e.price = &k
			}
			if p.SKU != nil && strings.TrimSpace(*p.SKU) != "" {
				k := strings.TrimSpace(*p.SKU)
				cat.bySKU[k] = append(cat.bySKU[k], e)
			}
			if p.Barcode != nil && strings.TrimSpace(*p.Barcode) != "" {
				k := strings.TrimSpace(*p.Barcode)
				cat.byBarcode[k] = append(cat.byBarcode[k], e)
			}
		}
		pg := env.Pagination
		if pg == nil || len(products) == 0 {
			return cat, nil
		}
		cur, err1 := pg.CurrentPage.Int()
		last, err2 := pg.LastPage.Int()
		if err1 != nil || err2 != nil || cur >= last {
			return cat, nil
		}
	}
	return nil, &connectors.Error{Kind: connectors.Permanent, Message: "Giyim Moda's product list did not end after 10000 pages"}
}
