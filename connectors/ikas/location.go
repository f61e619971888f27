package ikas

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"syncagent/connectors"
	"syncagent/connectors/ikas/api"
)

const locationsDoc = `query listStockLocation { listStockLocation { id name } }`

// stockLocation resolves settings.location (a name or an id; none: the store's only
// location) to the id stock is written to, once. The agent's outbox holds one quantity
// per store and SKU, so a store writes to exactly one ikas location; a merchant with
// several locations configures one store per location.
func (c *Client) stockLocation(ctx context.Context) (string, error) {
	c.locMu.Lock()
	defer c.locMu.Unlock()
	if c.location != "" {
		return c.location, nil
	}
	var out struct {
		List []api.StockLocation `json:"listStockLocation"`
	}
	if _, err := c.call(ctx, "listStockLocation", locationsDoc, nil, false, &out); err != nil {
		return "", err
	}
	id, err := pickLocation(out.List, c.locWant, c.shop)
	if err != nil {
		return "", err
	}
	c.location = id
	return id, nil
}

func pickLocation(list []api.StockLocation, want, shop string) (string, error) {
	var names []string
	for _, l := range list {
		names = append(names, fmt.Sprintf("%q (id %s)", l.Name, l.ID))
	}
	all := strings.Join(names, ", ")
	fail := func(msg string) error {
		// Status 200: the list came back fine; the setting names nothing in it. The store
		// stops until the config is fixed (nothing would succeed).
		return &connectors.Error{Kind: connectors.Permanent, Status: http.StatusOK, Message: msg}
	}
	if len(list) == 0 {
		return "", fail(fmt.Sprintf("ikas store %s has no stock location; add one in the ikas panel (Envanter › Stok Lokasyonları)", shop))
	}
	if want == "" {
		if len(list) == 1 {
			return list[0].ID, nil
		}
		return "", fail(fmt.Sprintf("ikas store %s has %d stock locations: %s; set settings.location to the one this store's quantities go to (one store per location)", shop, len(list), all))
	}
	var match []api.StockLocation
	for _, l := range list {
		if l.ID == want || strings.EqualFold(strings.TrimSpace(l.Name), want) {
			match = append(match, l)
		}
	}
	switch len(match) {
	case 1:
		return match[0].ID, nil
	case 0:
		return "", fail(fmt.Sprintf("settings.location %q is not a stock location of ikas store %s; its locations are %s", want, shop, all))
	}
	return "", fail(fmt.Sprintf("settings.location %q names %d stock locations of ikas store %s (%s); give the id instead", want, len(match), shop, all))
}
