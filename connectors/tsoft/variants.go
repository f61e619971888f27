package tsoft

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"syncagent/connectors/tsoft/api"
)

// Variants ("alt ürün") have their own stock code (SubProductCode) under a main product.
// T-Soft documents no method to write a variant's stock or price; the verified client
// refuses variants on purpose. With settings.variants: on, the connector assumes the
// method subProduct/updateSubProducts with {"SubProductCode", "Stock", "SellingPrice"},
// and tells variant codes from main product codes by the list of every sub-product
// (subProduct/getSubProducts without a MainProduct filter, as the verified client reads
// it).
const subUpdateMethod = "subProduct/updateSubProducts"

const (
	// mapTTL: the variant list is read again at least this often, so variants added in
	// the panel are found.
	mapTTL = 30 * time.Minute
	// missRefresh: a code T-Soft does not know as a main product makes the list be read
	// again, unless it is younger than this.
	missRefresh = time.Minute
	maxPages    = 10_000
)

// variant is what the list says about one sub-product.
type variant struct {
	code, mainCode string
}

// variantMap keeps the latest variant list; concurrent reads share one scan.
type variantMap struct {
	c *Client

	mu     sync.Mutex
	byCode map[string]variant
	loaded time.Time
	sf     singleflight.Group
}

func newVariantMap(c *Client) *variantMap { return &variantMap{c: c} }

// get returns the variants by code, read no longer than maxAge ago.
func (m *variantMap) get(ctx context.Context, maxAge time.Duration) (map[string]variant, error) {
	m.mu.Lock()
	byCode, loaded := m.byCode, m.loaded
	m.mu.Unlock()
	if byCode != nil && m.c.clock.Now().Sub(loaded) < maxAge {
		return byCode, nil
	}
	ch := m.sf.DoChan("scan", func() (any, error) {
		start := m.c.clock.Now()
		got, err := m.scan(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.byCode, m.loaded = got, start
		m.mu.Unlock()
		return got, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(map[string]variant), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// scan reads every sub-product, 500 a page.
func (m *variantMap) scan(ctx context.Context) (map[string]variant, error) {
	out := map[string]variant{}
	for page, start := 0, 0; page < maxPages; page++ {
		rows, total, err := m.c.subProducts(ctx, "", start)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if code := r.SubProductCode.String(); code != "" {
				out[code] = variant{code: code, mainCode: r.MainProductCode.String()}
			}
		}
		start += len(rows)
		if len(rows) < pageLimit || (total >= 0 && start >= total) {
			break
		}
	}
	return out, nil
}

// subProducts reads one page of subProduct/getSubProducts, of one main product or of
// all; total is summary.totalRecordCount (-1 when absent).
func (c *Client) subProducts(ctx context.Context, mainCode string, start int) ([]api.SubProduct, int, error) {
	form := formOf("orderby", "SubProductId ASC", "start", strconv.Itoa(start), "limit", strconv.Itoa(pageLimit))
	if mainCode != "" {
		form.Set("MainProductCode", mainCode)
	}
	env, err := c.do(ctx, call{method: "subProduct/getSubProducts", form: form})
	if err != nil {
		return nil, 0, listError(err)
	}
	raws, err := dataRows(env.Data)
	if err != nil {
		return nil, 0, unreadableList("subProduct/getSubProducts", err)
	}
	rows := make([]api.SubProduct, 0, len(raws))
	for _, raw := range raws {
		var r api.SubProduct
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, 0, unreadableList("subProduct/getSubProducts", err)
		}
		rows = append(rows, r)
	}
	return rows, totalOf(env), nil
}

func totalOf(env *api.Envelope) int {
	if env.Summary == nil {
		return -1
	}
	n, err := strconv.Atoi(env.Summary.TotalRecordCount.String())
	if err != nil {
		return -1
	}
	return n
}
