package demo

import (
	"fmt"
	"sort"
	"strings"

	"syncagent/connectors/money"
	"syncagent/connectors/sim/giyimmodasim"
	"syncagent/connectors/sim/pazarsyncsim"
	"syncagent/connectors/sim/trendyolsim"
)

// Demo credentials of the simulated stores; they exist only inside this process.
const (
	trendyolSeller = "123456"
	trendyolKey    = "demo-api-key"
	trendyolSecret = "demo-api-secret"
	pazarClient    = "demo-client"
	pazarSecret    = "demo-client-secret"
	giyimKey       = "sk_demo_key"
	giyimSecret    = "demo-api-secret"
)

// shown is what a simulated store shows for one SKU.
type shown struct {
	Qty              int64
	Price, ListPrice money.Kurus // 0: none
}

// market is one simulated store the demo watches.
type market struct {
	store   string // the store's name in the config
	label   string // "Trendyol"
	url     string
	rules   string // what the store's rules do, for the intro
	prices  bool   // the store takes prices
	list    bool   // the store has a list price
	view    func() map[string]shown
	closeFn func()
}

// markets are the three simulators, seeded with the catalogue at stock 0 and no price:
// everything the demo shows arriving was pushed by the agent.
type markets []*market

func startMarkets() (ms markets, err error) {
	defer func() {
		if err != nil {
			ms.close()
		}
	}()
	ty, err := trendyolsim.Start(trendyolsim.Options{SellerID: trendyolSeller, APIKey: trendyolKey, APISecret: trendyolSecret})
	if err != nil {
		return ms, err
	}
	bySKU := map[string]string{}
	for _, a := range catalogue {
		bySKU[a.Barcode] = a.SKU
		if err := ty.AddProduct(trendyolsim.Product{Barcode: a.Barcode, StockCode: a.SKU, Title: a.Name}); err != nil {
			ty.Close()
			return ms, err
		}
	}
	ms = append(ms, &market{
		store: "trendyol-demo", label: "Trendyol", url: ty.URL, prices: true, list: true,
		rules: "+10 % markup, prices end in .90",
		view: func() map[string]shown {
			out := map[string]shown{}
			for bc, p := range ty.Snapshot() {
				out[bySKU[bc]] = shown{Qty: p.Quantity, Price: p.SalePrice, ListPrice: p.ListPrice}
			}
			return out
		},
		closeFn: ty.Close,
	})

	ps, err := pazarsyncsim.Start(pazarsyncsim.Options{ClientID: pazarClient, ClientSecret: pazarSecret})
	if err != nil {
		return ms, err
	}
	for _, a := range catalogue {
		if _, err := ps.AddProduct(pazarsyncsim.Product{SKU: a.SKU, Name: a.Name, Price: a.Price}); err != nil {
			ps.Close()
			return ms, err
		}
	}
	ms = append(ms, &market{
		store: "pazarsync-demo", label: "PazarSync", url: ps.URL,
		rules: "stock only, 2 held back per item, at most 50 shown",
		view: func() map[string]shown {
			out := map[string]shown{}
			for sku, p := range ps.Snapshot() {
				out[sku] = shown{Qty: p.Stock}
			}
			return out
		},
		closeFn: ps.Close,
	})

	gm, err := giyimmodasim.Start(giyimmodasim.Options{APIKey: giyimKey, APISecret: giyimSecret})
	if err != nil {
		return ms, err
	}
	for _, a := range catalogue {
		if _, err := gm.AddProduct(giyimmodasim.Product{Name: a.Name, SKU: a.SKU, Barcode: a.Barcode}); err != nil {
			gm.Close()
			return ms, err
		}
	}
	ms = append(ms, &market{
		store: "giyimmoda-demo", label: "Giyim Moda", url: gm.URL, prices: true,
		rules: "+5.00 TRY per item, never below 99.90",
		view: func() map[string]shown {
			out := map[string]shown{}
			for _, p := range gm.Snapshot() {
				out[p.SKU] = shown{Qty: p.Stock, Price: p.UnitPrice}
			}
			return out
		},
		closeFn: gm.Close,
	})
	return ms, nil
}

func (ms markets) close() {
	for _, m := range ms {
		m.closeFn()
	}
}

// watcher remembers what each store showed last and describes what changed since.
type watcher struct {
	last map[string]map[string]shown // store → SKU → shown
}

func newWatcher(ms markets) *watcher {
	w := &watcher{last: map[string]map[string]shown{}}
	for _, m := range ms {
		w.last[m.store] = m.view()
	}
	return w
}

// changes returns one line per SKU whose shown values changed, in store and SKU order.
func (w *watcher) changes(ms markets) []string {
	var lines []string
	for _, m := range ms {
		now := m.view()
		prev := w.last[m.store]
		skus := make([]string, 0, len(now))
		for sku := range now {
			skus = append(skus, sku)
		}
		sort.Strings(skus)
		for _, sku := range skus {
			a, b := prev[sku], now[sku]
			if a == b {
				continue
			}
			var parts []string
			if a.Qty != b.Qty {
				parts = append(parts, fmt.Sprintf("stock %d → %d", a.Qty, b.Qty))
			}
			if m.prices && a.Price != b.Price {
				parts = append(parts, fmt.Sprintf("price %s → %s", price(a.Price), price(b.Price)))
			}
			if m.list && a.ListPrice != b.ListPrice {
				parts = append(parts, fmt.Sprintf("list price %s → %s", price(a.ListPrice), price(b.ListPrice)))
			}
			if len(parts) > 0 {
				lines = append(lines, fmt.Sprintf("%s: %s %s", m.store, sku, strings.Join(parts, ", ")))
			}
		}
		w.last[m.store] = now
	}
	return lines
}

func price(k money.Kurus) string {
	if k == 0 {
		return "—"
	}
	return k.String()
}
