package ideasoft

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"syncagent/connectors"
	"syncagent/connectors/httpx"
	"syncagent/connectors/ideasoft/api"
	"syncagent/connectors/money"
	"syncagent/connectors/order"
)

const (
	// mapTTL: the SKU → product map is read again at least this often, so products added
	// or re-keyed in the panel are found.
	mapTTL = 30 * time.Minute
	// missRefresh: a SKU not in the map reads the list again, unless the map is younger
	// than this (a SKU that is not on the shop must not cost a full scan every push).
	missRefresh = time.Minute
	maxPages    = 100_000
)

// entry is what the agent knows of one IdeaSoft product (a main product or a variant).
type entry struct {
	id          int64
	sku         string
	barcode     string
	name        string
	qty         *int64
	price1      *money.Kurus // as IdeaSoft holds it (net when taxIncluded is 0)
	taxIncluded bool
	tax         int
	currency    string
	active      bool
	variants    int   // child products: the stock lives on them
	parent      int64 // a variant's main product
}

// entryOf reads a product of the list or of a PUT's reply.
func entryOf(p *api.Product) (entry, error) {
	e := entry{id: p.ID, sku: strings.TrimSpace(p.SKU), barcode: strings.TrimSpace(p.Barcode), name: p.Name,
		taxIncluded: true, tax: 0, currency: "TL", active: true, variants: len(p.Children)}
	if p.ID == 0 {
		return e, fmt.Errorf("a product without id")
	}
	if len(p.StockAmount) > 0 && string(p.StockAmount) != "null" {
		k, err := order.Amount(string(p.StockAmount))
		if err != nil {
			return e, fmt.Errorf("product %d stockAmount: %w", p.ID, err)
		}
		q := int64(k / 100) // whole units; a fraction (2.5 kg) is not a unit the agent can sell
		e.qty = &q
	}
	if len(p.Price1) > 0 && string(p.Price1) != "null" {
		k, err := order.Amount(string(p.Price1))
		if err != nil {
			return e, fmt.Errorf("product %d price1: %w", p.ID, err)
		}
		e.price1 = &k
	}
	if p.Parent != nil {
		e.parent = p.Parent.ID
	}
	if p.TaxIncluded != nil {
		e.taxIncluded = *p.TaxIncluded != 0
	}
	if p.Tax != nil {
		e.tax = *p.Tax
	}
	if p.Status != nil {
		e.active = *p.Status != 0
	}
	if p.Currency != nil {
		switch {
		case p.Currency.Abbr != "":
			e.currency = p.Currency.Abbr
		case p.Currency.Label != "":
			e.currency = p.Currency.Label
		}
	}
	return e, nil
}

// lira reports whether the product is priced in Turkish lira, the agent's prices.
func (e *entry) lira() bool {
	switch strings.ToUpper(e.currency) {
	case "TL", "TRY", "₺":
		return true
	}
	return false
}

// gross is the product's price with VAT, as the ERP's prices are: price1 itself, or
// price1 plus tax when IdeaSoft keeps it net (taxIncluded 0), rounded to the kuruş.
func (e *entry) gross() *money.Kurus {
	if e.price1 == nil {
		return nil
	}
	if e.taxIncluded {
		return e.price1
	}
	t := money.Kurus(e.tax)
	g := (*e.price1*(100+t) + 50) / 100
	return &g
}

// net is the price1 to send for a price with VAT.
func (e *entry) net(gross money.Kurus) money.Kurus {
	if e.taxIncluded {
		return gross
	}
	t := money.Kurus(e.tax)
	return (gross*100 + (100+t)/2) / (100 + t)
}

func (e *entry) observed() connectors.Observed {
	ob := connectors.Observed{Found: true, Qty: e.qty, Price: e.gross()}
	name, active, vat := e.name, e.active, e.tax
	ob.Info = connectors.Info{Title: &name, Active: &active, VATRate: &vat}
	return ob
}

// catalogue is one full read of the product list, by SKU and by barcode.
type catalogue struct {
	bySKU     map[string]*entry
	byBarcode map[string][]*entry
	loaded    time.Time // when the whole list was read
	maxID     int64
}

// lookup finds an item's product: by SKU (unique on IdeaSoft), else by barcode. The
// caller holds idMap.mu (find).
func (c *catalogue) lookup(sku, barcode string) []*entry {
	if e := c.bySKU[strings.TrimSpace(sku)]; e != nil {
		return []*entry{e}
	}
	if barcode = strings.TrimSpace(barcode); barcode != "" {
		return c.byBarcode[barcode]
	}
	return nil
}

// idMap keeps the latest catalogue; concurrent reads of the list share one scan. Its
// mutex guards the catalogues' maps and entries: replies update them while pushes of
// other goroutines read them.
type idMap struct {
	c   *Client
	mu  sync.Mutex
	cat *catalogue
	sf  singleflight.Group
}

// find returns copies of an item's products in cat.
func (m *idMap) find(cat *catalogue, sku, barcode string) []entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	es := cat.lookup(sku, barcode)
	out := make([]entry, len(es))
	for i, e := range es {
		out[i] = *e
	}
	return out
}

func newIDMap(c *Client) *idMap { return &idMap{c: c} }

// get returns a catalogue read no longer than maxAge ago (0: read it now).
func (m *idMap) get(ctx context.Context, maxAge time.Duration) (*catalogue, error) {
	m.mu.Lock()
	cat := m.cat
	m.mu.Unlock()
	if cat != nil && maxAge > 0 && m.c.clock.Now().Sub(cat.loaded) < maxAge {
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

// resolve finds the products of items: from a catalogue younger than mapTTL; when one is
// missing, from the products added since (sinceId the highest id known: usually one
// request), and from a whole new read when the catalogue is older than missRefresh
// (a SKU changed in the panel).
func (m *idMap) resolve(ctx context.Context, items []connectors.Item) (*catalogue, error) {
	cat, err := m.get(ctx, mapTTL)
	if err != nil {
		return nil, err
	}
	missing := func(cat *catalogue) bool {
		for _, it := range items {
			if len(m.find(cat, it.SKU, it.Barcode)) == 0 {
				return true
			}
		}
		return false
	}
	if !missing(cat) {
		return cat, nil
	}
	if m.c.clock.Now().Sub(cat.loaded) >= missRefresh {
		return m.get(ctx, 0)
	}
	ch := m.sf.DoChan("top-up", func() (any, error) {
		top, err := m.scanFrom(context.WithoutCancel(ctx), cat)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		if m.cat == cat {
			m.cat = top
		}
		m.mu.Unlock()
		return top, nil
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

// invalidate makes the next get read the list: an id turned out stale.
func (m *idMap) invalidate() {
	m.mu.Lock()
	m.cat = nil
	m.mu.Unlock()
}

// update records what a reply said of one product.
func (m *idMap) update(e entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cat == nil {
		return
	}
	if old := m.cat.bySKU[e.sku]; old != nil && old.id == e.id {
		*old = e
	}
}

// scan reads the whole product list.
func (m *idMap) scan(ctx context.Context) (*catalogue, error) { return m.scanFrom(ctx, nil) }

// scanFrom reads the product list, oldest id first, 100 a page, each page from the last
// id of the one before (sinceId), so pages stay put while products are added: all of
// it, or (base given) the products added after base's highest id, into a copy of base.
func (m *idMap) scanFrom(ctx context.Context, base *catalogue) (*catalogue, error) {
	cat := &catalogue{bySKU: map[string]*entry{}, byBarcode: map[string][]*entry{}, loaded: m.c.clock.Now()}
	var since int64
	if base != nil {
		m.mu.Lock()
		for k, v := range base.bySKU {
			e := *v
			cat.bySKU[k] = &e
		}
		for k, v := range base.byBarcode {
			for _, e := range v {
				if c := cat.bySKU[e.sku]; c != nil && c.id == e.id {
					cat.byBarcode[k] = append(cat.byBarcode[k], c)
				} else {
					cp := *e
					cat.byBarcode[k] = append(cat.byBarcode[k], &cp)
				}
			}
		}
		cat.loaded, cat.maxID, since = base.loaded, base.maxID, base.maxID
		m.mu.Unlock()
	}
	for range maxPages {
		var page []api.Product
		req := &httpx.Request{Method: http.MethodGet, Path: adminPath + "/products", Query: url.Values{
			"limit": {strconv.Itoa(pageLimit)}, "sort": {"id"}, "sinceId": {strconv.FormatInt(since, 10)}}}
		if _, err := m.c.http.DoJSON(ctx, req, &page); err != nil {
			return nil, err
		}
		for i := range page {
			e, err := entryOf(&page[i])
			if err != nil {
				m.c.log.Warn().Err(err).Msg("IdeaSoft product skipped in the SKU map")
				continue
			}
			since = max(since, e.id)
			cat.maxID = max(cat.maxID, e.id)
			if e.sku != "" {
				cat.bySKU[e.sku] = &e
			}
			if e.barcode != "" {
				cat.byBarcode[e.barcode] = append(cat.byBarcode[e.barcode], &e)
			}
		}
		if len(page) < pageLimit {
			return cat, nil
		}
	}
	return nil, &connectors.Error{Kind: connectors.Permanent, Message: "IdeaSoft's product list did not end"}
}
