package agent

import (
	"testing"

	"syncagent/config"
	"syncagent/connectors"
	"syncagent/connectors/money"
	"syncagent/queue"
)

func kp(s string) *money.Kurus {
	k, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return &k
}

func ip(v int64) *int64 { return &v }

// baseRules are the config defaults with nothing added.
func baseRules() config.Rules {
	return config.Rules{Scope: connectors.ScopeStock | connectors.ScopePrice, PriceList: "default", Rounding: config.NoRounding, ListPrice: config.ListFromPriceList}
}

var fullCaps = connectors.Features{Updates: connectors.ScopeStock | connectors.ScopePrice, ListPrice: true, MaxStock: 20000}

func pct(s string) config.Percent {
	bp, err := money.ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return config.Percent{BasisPoints: bp}
}

func amt(s string) config.Money { return config.Money{Kurus: *kp(s)} }

func item(stock map[string]int64, prices map[string]queue.PriceEntry, reserved map[string]int64) *queue.Item {
	if stock == nil {
		stock = map[string]int64{}
	}
	if prices == nil {
		prices = map[string]queue.PriceEntry{}
	}
	if reserved == nil {
		reserved = map[string]int64{}
	}
	return &queue.Item{SKU: "SKU-1", Barcode: "8690000000011", Stock: stock, Prices: prices, Reserved: reserved}
}

func pe(price, list string) queue.PriceEntry {
	var e queue.PriceEntry
	if price != "" {
		e.Price = kp(price)
	}
	if list != "" {
		e.ListPrice = kp(list)
	}
	return e
}

func show(d queue.Desired) string {
	q, p, l := "-", "-", "-"
	if d.Qty != nil {
		q = money.Kurus(*d.Qty * 100).String()
		q = q[:len(q)-3]
	}
	if d.Price != nil {
		p = d.Price.String()
	}
	if d.ListPrice != nil {
		l = d.ListPrice.String()
	}
	return "qty " + q + " price " + p + " list " + l
}

func TestStoreRulesDesired(t *testing.T) {
	twoWh := map[string]int64{"MERKEZ": 10, "DEPO2": 5, "IADE": 100}
	std := map[string]queue.PriceEntry{"default": pe("100.00", "120.00")}
	tests := []struct {
		name  string
		rules func(r *config.Rules)
		caps  *connectors.Features
		item  *queue.Item
		want  string
	}{
		{"defaults: all warehouses, prices as given", nil, nil,
			item(twoWh, std, nil), "qty 115 price 100.00 list 120.00"},
		{"scope stock: no price", func(r *config.Rules) { r.Scope = connectors.ScopeStock }, nil,
			item(twoWh, std, nil), "qty 115 price - list -"},
		{"scope price: no quantity", func(r *config.Rules) { r.Scope = connectors.ScopePrice }, nil,
			item(twoWh, std, nil), "qty - price 100.00 list 120.00"},
		{"scope all is stock and price", func(r *config.Rules) { r.Scope = connectors.ScopeAll }, nil,
			item(twoWh, std, nil), "qty 115 price 100.00 list 120.00"},
		{"named warehouses only", func(r *config.Rules) { r.Warehouses = []string{"MERKEZ", "DEPO2"} }, nil,
			item(twoWh, std, nil), "qty 15 price 100.00 list 120.00"},
		{"warehouse without a reading counts as nothing", func(r *config.Rules) { r.Warehouses = []string{"MERKEZ", "YOK"} }, nil,
			item(twoWh, std, nil), "qty 10 price 100.00 list 120.00"},
		{"no reading in any named warehouse: quantity not pushed", func(r *config.Rules) { r.Warehouses = []string{"YOK"} }, nil,
			item(twoWh, std, nil), "qty - price 100.00 list 120.00"},
		{"no stock at all: quantity not pushed, never 0", nil, nil,
			item(nil, std, nil), "qty - price 100.00 list 120.00"},
		{"reservations of the named warehouses are subtracted", func(r *config.Rules) { r.Warehouses = []string{"MERKEZ", "DEPO2"} }, nil,
			item(twoWh, std, map[string]int64{"MERKEZ": 3, "IADE": 50}), "qty 12 price 100.00 list 120.00"},
		{"reservations of every warehouse when none are named", nil, nil,
			item(twoWh, std, map[string]int64{"MERKEZ": 3, "BASKA": 2}), "qty 110 price 100.00 list 120.00"},
		{"buffer subtracted", func(r *config.Rules) { r.StockBuffer = 2 }, nil,
			item(map[string]int64{"A": 7}, std, nil), "qty 5 price 100.00 list 120.00"},
		{"buffer floors at 0", func(r *config.Rules) { r.StockBuffer = 9 }, nil,
			item(map[string]int64{"A": 7}, std, nil), "qty 0 price 100.00 list 120.00"},
		{"reservation larger than stock floors at 0", nil, nil,
			item(map[string]int64{"A": 1}, std, map[string]int64{"A": 4}), "qty 0 price 100.00 list 120.00"},
		{"stock cap", func(r *config.Rules) { r.StockCap = 50 }, nil,
			item(map[string]int64{"A": 70}, std, nil), "qty 50 price 100.00 list 120.00"},
		{"marketplace maximum when no cap", nil, nil,
			item(map[string]int64{"A": 25000}, std, nil), "qty 20000 price 100.00 list 120.00"},
		{"cap above the marketplace maximum is lowered to it", func(r *config.Rules) { r.StockCap = 30000 }, nil,
			item(map[string]int64{"A": 25000}, std, nil), "qty 20000 price 100.00 list 120.00"},
		{"buffer then cap", func(r *config.Rules) { r.StockBuffer = 5; r.StockCap = 50 }, nil,
			item(map[string]int64{"A": 52}, std, map[string]int64{"A": 1}), "qty 46 price 100.00 list 120.00"},
		{"no maximum and no cap: unlimited", nil, &connectors.Features{Updates: connectors.ScopeStock | connectors.ScopePrice, ListPrice: true},
			item(map[string]int64{"A": 25000}, std, nil), "qty 25000 price 100.00 list 120.00"},
		{"markup on sale and list", func(r *config.Rules) { r.MarkupPercent = pct("12.5") }, nil,
			item(nil, std, nil), "qty - price 112.50 list 135.00"},
		{"markup rounds half up to a kuruş", func(r *config.Rules) { r.MarkupPercent = pct("10") }, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("0.25", "")}, nil), "qty - price 0.28 list 0.28"},
		{"markup then add", func(r *config.Rules) { r.MarkupPercent = pct("10"); r.Add = amt("5.00") }, nil,
			item(nil, std, nil), "qty - price 115.00 list 137.00"},
		{"markup, add, then rounding up to .90", func(r *config.Rules) {
			r.MarkupPercent = pct("12.5")
			r.Add = amt("5.00")
			r.Rounding = 90
		}, nil, item(nil, map[string]queue.PriceEntry{"default": pe("1104.99", "1299.00")}, nil),
			"qty - price 1248.90 list 1466.90"},
		{"rounding keeps an exact ending", func(r *config.Rules) { r.Rounding = 99 }, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("149.99", "")}, nil), "qty - price 149.99 list 149.99"},
		{"rounding past the ending goes to the next lira", func(r *config.Rules) { r.Rounding = 90 }, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("149.95", "")}, nil), "qty - price 150.90 list 150.90"},
		{"negative markup (discount)", func(r *config.Rules) { r.MarkupPercent = pct("-10") }, nil,
			item(nil, std, nil), "qty - price 90.00 list 108.00"},
		{"min price raises the sale price, list stays above", func(r *config.Rules) { r.MinPrice = amt("110.00") }, nil,
			item(nil, std, nil), "qty - price 110.00 list 120.00"},
		{"min price above the list price raises the list price too", func(r *config.Rules) { r.MinPrice = amt("130.00") }, nil,
			item(nil, std, nil), "qty - price 130.00 list 130.00"},
		{"min price after markup and rounding", func(r *config.Rules) {
			r.MarkupPercent = pct("10")
			r.Rounding = 90
			r.MinPrice = amt("49.90")
		}, nil, item(nil, map[string]queue.PriceEntry{"default": pe("20.00", "")}, nil), "qty - price 49.90 list 49.90"},
		{"list price below sale is raised to sale", nil, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("100.00", "90.00")}, nil), "qty - price 100.00 list 100.00"},
		{"no list price known: sale price sent as list", nil, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("100.00", "")}, nil), "qty - price 100.00 list 100.00"},
		{"list_price sale: list equals sale", func(r *config.Rules) { r.ListPrice = config.ListIsSale; r.MarkupPercent = pct("10") }, nil,
			item(nil, std, nil), "qty - price 110.00 list 110.00"},
		{"list_price_list: its price, marked up like the sale price", func(r *config.Rules) {
			r.ListPriceList = "PSF"
			r.MarkupPercent = pct("10")
		}, nil, item(nil, map[string]queue.PriceEntry{"default": pe("100.00", "500.00"), "PSF": pe("150.00", "")}, nil),
			"qty - price 110.00 list 165.00"},
		{"list_price_list holding only a list price", func(r *config.Rules) { r.ListPriceList = "PSF" }, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("100.00", ""), "PSF": pe("", "140.00")}, nil),
			"qty - price 100.00 list 140.00"},
		{"list_price_list missing for the item: sale sent as list", func(r *config.Rules) { r.ListPriceList = "PSF" }, nil,
			item(nil, std, nil), "qty - price 100.00 list 100.00"},
		{"other price list", func(r *config.Rules) { r.PriceList = "TRENDYOL" }, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("100.00", ""), "TRENDYOL": pe("119.90", "139.90")}, nil),
			"qty - price 119.90 list 139.90"},
		{"no price in the store's list: no price, never 0", func(r *config.Rules) { r.PriceList = "TRENDYOL" }, nil,
			item(map[string]int64{"A": 1}, std, nil), "qty 1 price - list -"},
		{"only a list price in the list: no price", nil, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("", "120.00")}, nil), "qty - price - list -"},
		{"zero price in the ERP: no price", func(r *config.Rules) { r.MinPrice = amt("10.00") }, nil,
			item(nil, map[string]queue.PriceEntry{"default": pe("0", "")}, nil), "qty - price - list -"},
		{"marketplace without prices: scope all pushes stock only", func(r *config.Rules) { r.Scope = connectors.ScopeAll },
			&connectors.Features{Updates: connectors.ScopeStock}, item(twoWh, std, nil), "qty 115 price - list -"},
		{"marketplace without a list price: sale only", nil,
			&connectors.Features{Updates: connectors.ScopeStock | connectors.ScopePrice}, item(twoWh, std, nil), "qty 115 price 100.00 list -"},
		{"marketplace without stock: scope stock pushes nothing", func(r *config.Rules) { r.Scope = connectors.ScopeStock },
			&connectors.Features{Updates: connectors.ScopePrice}, item(twoWh, std, nil), "qty - price - list -"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := baseRules()
			if tc.rules != nil {
				tc.rules(&r)
			}
			caps := fullCaps
			if tc.caps != nil {
				caps = *tc.caps
			}
			sr, err := NewStoreRules(r, caps)
			if err != nil {
				t.Fatal(err)
			}
			if got := show(sr.Desired(tc.item)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestStoreRulesRefuseAScopeOfNothing: config parses the rule words (scope, rounding,
// list_price) into types and refuses bad ones with their line; what is left for the
// rules to refuse is a scope that asks for nothing.
func TestStoreRulesRefuseAScopeOfNothing(t *testing.T) {
	r := baseRules()
	r.Scope = 0
	if _, err := NewStoreRules(r, fullCaps); err == nil {
		t.Errorf("rules %+v accepted", r)
	}
}

func TestRulesFingerprint(t *testing.T) {
	base := RulesFingerprint(baseRules(), fullCaps)
	// The fingerprints of the string-typed rules, before scope, rounding and list_price
	// were typed: an upgrade must not recompute every store's desired state.
	if base != "ea827d7d52cfcdc8147750f3" {
		t.Errorf("the base fingerprint changed: %s", base)
	}
	all := baseRules()
	all.Scope, all.Rounding, all.ListPrice = connectors.ScopeAll, 90, config.ListIsSale
	if fp := RulesFingerprint(all, fullCaps); fp != "7372856f8d12efff75be3448" {
		t.Errorf("the fingerprint of scope all, .90, list sale changed: %s", fp)
	}
	if again := RulesFingerprint(baseRules(), fullCaps); again != base {
		t.Fatalf("fingerprint not stable: %s vs %s", base, again)
	}
	wh1, wh2 := baseRules(), baseRules()
	wh1.Warehouses = []string{"A", "B"}
	wh2.Warehouses = []string{"B", "A"}
	if RulesFingerprint(wh1, fullCaps) != RulesFingerprint(wh2, fullCaps) {
		t.Error("warehouse order changed the fingerprint; the quantity does not depend on it")
	}
	changes := map[string]func(r *config.Rules, c *connectors.Features){
		"scope":           func(r *config.Rules, _ *connectors.Features) { r.Scope = connectors.ScopeStock },
		"warehouses":      func(r *config.Rules, _ *connectors.Features) { r.Warehouses = []string{"A"} },
		"price_list":      func(r *config.Rules, _ *connectors.Features) { r.PriceList = "X" },
		"list_price_list": func(r *config.Rules, _ *connectors.Features) { r.ListPriceList = "X" },
		"markup":          func(r *config.Rules, _ *connectors.Features) { r.MarkupPercent = pct("1") },
		"add":             func(r *config.Rules, _ *connectors.Features) { r.Add = amt("0.01") },
		"rounding":        func(r *config.Rules, _ *connectors.Features) { r.Rounding = 90 },
		"min_price":       func(r *config.Rules, _ *connectors.Features) { r.MinPrice = amt("1") },
		"list_price":      func(r *config.Rules, _ *connectors.Features) { r.ListPrice = config.ListIsSale },
		"stock_buffer":    func(r *config.Rules, _ *connectors.Features) { r.StockBuffer = 1 },
		"stock_cap":       func(r *config.Rules, _ *connectors.Features) { r.StockCap = 1 },
		"caps max stock":  func(_ *config.Rules, c *connectors.Features) { c.MaxStock = 1 },
		"caps price":      func(_ *config.Rules, c *connectors.Features) { c.Updates = connectors.ScopeStock },
	}
	seen := map[string]string{base: "base"}
	for name, mut := range changes {
		r, c := baseRules(), fullCaps
		mut(&r, &c)
		fp := RulesFingerprint(r, c)
		if prev, dup := seen[fp]; dup {
			t.Errorf("changing %s gives the same fingerprint as %s", name, prev)
		}
		seen[fp] = name
	}
}
