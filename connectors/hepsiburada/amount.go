package hepsiburada

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"syncagent/connectors/money"
	"syncagent/connectors/order"
)

// amount reads an amount Hepsiburada sent as a JSON number (a .NET double: 120.5,
// 241.0, sometimes with an exponent such as 1.5E-05) exactly from its text: up to two
// decimals as they are, more decimals rounded half away from zero to the kuruş, never
// through a float. null and absent are zero.
func amount(raw json.RawMessage) (money.Kurus, error) {
	t := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if !strings.ContainsAny(t, "eE") {
		return order.Amount(t)
	}
	r, ok := new(big.Rat).SetString(t)
	if !ok {
		return 0, fmt.Errorf("amount %q: %w", t, money.ErrFormat)
	}
	r.Mul(r, big.NewRat(100, 1))
	neg := r.Sign() < 0
	r.Abs(r)
	// Round half away from zero: floor(r + 1/2).
	r.Add(r, big.NewRat(1, 2))
	k := new(big.Int).Quo(r.Num(), r.Denom())
	if !k.IsInt64() {
		return 0, fmt.Errorf("amount %q is too large", t)
	}
	v := money.Kurus(k.Int64())
	if neg {
		v = -v
	}
	return v, nil
}
