package tsoft

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/order"
)

// The store's settings: section. T-Soft's reference is built from third-party clients,
// and every behaviour it marks UNCONFIRMED is one of these switches, with the default
// the one the verified client (or the safest reading) takes; docs/connectors.md and
// docs/tsoft.md name each with its assumption.
const (
	setHost          = "host"           // the shop's address (required)
	setTokenTTL      = "token_ttl"      // token life when expirationTime cannot be read
	setUpdateMode    = "update_mode"    // single: one product per updateProducts call; array: a JSON array
	setVariants      = "variants"       // off: variant codes are refused; on: subProduct methods
	setPrices        = "prices"         // selling: SellingPrice is the sale price; discounted: DiscountedPrice, SellingPrice the list price
	setOrdersMethod  = "orders_method"  // order/get (current) or order2/getOrders (older shops)
	setOrderStatuses = "order_statuses" // the shop's own status ids: "3=new, 4=processing"
	setProbeUpdate   = "probe_update"   // test-store checks the update permission with a no-op update
)

func oneOf(choices ...string) func(string) error {
	return func(v string) error {
		for _, c := range choices {
			if v == c {
				return nil
			}
		}
		return fmt.Errorf("is not one of %s", strings.Join(choices, ", "))
	}
}

var settingOptions = []connectors.Option{
	{Name: setHost, Required: true, Identity: true, Valid: validHost,
		Help: "the shop's own address, such as www.example.com or https://www.example.com; the web service answers at https://HOST/rest1"},
	{Name: setTokenTTL, Default: "1h", Valid: validTTL,
		Help: "how long a web-service token is used when T-Soft's expirationTime cannot be read (1m to 24h)"},
	{Name: setUpdateMode, Default: "single", Valid: oneOf("single", "array"),
		Help: "single: one product per product/updateProducts call, the form the verified client uses; array: several products in one call as a JSON array (not confirmed for T-Soft; try it on a test shop first)"},
	{Name: setVariants, Default: "off", Valid: oneOf("off", "on"),
		Help: "off: stock codes of variants (alt ürün) are refused; on: they are written through subProduct/updateSubProducts (the method is not confirmed for T-Soft)"},
	{Name: setPrices, Default: "selling", Valid: oneOf("selling", "discounted"),
		Help: "selling: the sale price goes to SellingPrice; discounted: the sale price goes to DiscountedPrice and the list price to SellingPrice"},
	{Name: setOrdersMethod, Default: "order/get", Valid: oneOf("order/get", "order2/getOrders"),
		Help: "the order list method: order/get, or order2/getOrders on older shops"},
	{Name: setOrderStatuses, Valid: validStatuses,
		Help: `the shop's own order status ids and what they mean, such as "2=awaiting, 3=new, 4=processing, 5=shipped, 6=delivered" (9 cancelled and 10 returned are fixed by T-Soft; other ids are read from the status text)`},
	{Name: setProbeUpdate, Default: "on", Valid: oneOf("on", "off"),
		Help: "on: test-store checks the product/updateProducts permission with an update of a product code that does not exist (it changes nothing); off: it checks reading only"},
}

// settings are a store's settings, read once by New.
type settings struct {
	host     string // https://host[:port]
	tokenTTL time.Duration
	array    bool
	variants bool
	discount bool
	order2   bool
	statuses map[string]order.Status
	probe    bool
}

func readSettings(m map[string]string) (settings, error) {
	var s settings
	var err error
	if s.host, err = normalizeHost(m[setHost]); err != nil {
		return s, fmt.Errorf("settings.%s: %w", setHost, err)
	}
	ttl := m[setTokenTTL]
	if ttl == "" {
		ttl = "1h"
	}
	if s.tokenTTL, err = time.ParseDuration(ttl); err != nil {
		return s, fmt.Errorf("settings.%s: %w", setTokenTTL, err)
	}
	s.array = m[setUpdateMode] == "array"
	s.variants = m[setVariants] == "on"
	s.discount = m[setPrices] == "discounted"
	s.order2 = m[setOrdersMethod] == "order2/getOrders"
	s.probe = m[setProbeUpdate] != "off"
	if s.statuses, err = parseStatuses(m[setOrderStatuses]); err != nil {
		return s, fmt.Errorf("settings.%s: %w", setOrderStatuses, err)
	}
	return s, nil
}

func validHost(v string) error { _, err := normalizeHost(v); return err }

// normalizeHost accepts "www.example.com", "https://www.example.com", with a trailing
// slash or "/rest1", and returns "https://www.example.com". Plain http is refused: the
// web-service password and token would cross the internet readable.
func normalizeHost(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errors.New("is empty")
	}
	raw := v
	if !strings.Contains(v, "://") {
		raw = "https://" + v
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("is not a web address")
	}
	switch {
	case u.Scheme != "https":
		return "", errors.New("must be an https address: the web-service password must not travel unencrypted")
	case u.User != nil:
		return "", errors.New("must not hold a user name or password")
	case u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("must be the shop's address only, without ? or #")
	}
	if p := strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/rest1"); strings.Trim(p, "/") != "" {
		return "", fmt.Errorf("must be the shop's address without a path (the web service is always at /rest1), not %q", u.Path)
	}
	host := u.Hostname()
	if host == "" || (net.ParseIP(host) == nil && !validHostname(host)) {
		return "", fmt.Errorf("%q is not a host name", host)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("port %q is not a port number", port)
		}
	}
	return "https://" + strings.ToLower(u.Host), nil
}

// validHostname checks a DNS name with at least one dot: labels of letters, digits and
// hyphens (punycode for Turkish letters, which a browser shows as ş, ğ, …).
func validHostname(h string) bool {
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i] | 0x20
			if !(c >= 'a' && c <= 'z' || l[i] >= '0' && l[i] <= '9' || l[i] == '-') {
				return false
			}
		}
	}
	return true
}

func validTTL(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return errors.New("is not a duration such as 30m or 1h")
	}
	if d < time.Minute || d > 24*time.Hour {
		return errors.New("must be between 1m and 24h")
	}
	return nil
}

// statusWords are the values order_statuses may map an id to.
var statusWords = map[string]order.Status{
	"awaiting": order.Awaiting, "new": order.New, "processing": order.Processing, "shipped": order.Shipped,
	"delivered": order.Delivered, "returned": order.Returned, "cancelled": order.Cancelled,
}

func validStatuses(v string) error { _, err := parseStatuses(v); return err }

// parseStatuses reads "2=awaiting, 3=new" (commas or semicolons). T-Soft fixes 9
// (cancelled) and 10 (returned); mapping them otherwise is refused.
func parseStatuses(v string) (map[string]order.Status, error) {
	out := map[string]order.Status{}
	if strings.TrimSpace(v) == "" {
		return out, nil
	}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		id, word, ok := strings.Cut(strings.TrimSpace(part), "=")
		id, word = strings.TrimSpace(id), strings.ToLower(strings.TrimSpace(word))
		if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
			return nil, fmt.Errorf("%q is not ID=STATUS with a numeric status id", strings.TrimSpace(part))
		}
		st, known := statusWords[word]
		if !known {
			words := make([]string, 0, len(statusWords))
			for w := range statusWords {
				words = append(words, w)
			}
			sort.Strings(words)
			return nil, fmt.Errorf("%q: %q is not one of %s", strings.TrimSpace(part), word, strings.Join(words, ", "))
		}
		id = strings.TrimLeft(id, "0")
		if fixed, isFixed := fixedStatuses[id]; isFixed && fixed != st {
			return nil, fmt.Errorf("status %s is %s in every T-Soft shop and cannot be mapped to %s", id, fixed, st)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("status %s is mapped twice", id)
		}
		out[id] = st
	}
	return out, nil
}
