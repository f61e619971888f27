package hepsiburada

import (
	"encoding/json"
	"testing"

	"syncagent/connectors/money"
)

// TestAmountIsExact: Money amounts are read from their JSON text, never through a float:
// .NET doubles with one, two or many decimals, and exponents.
func TestAmountIsExact(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want money.Kurus
	}{
		{"120.5", 12050}, {"241.0", 24100}, {"0.1", 10}, {"33.333333333333336", 3333}, {"33.335", 3334},
		{"-0.005", -1}, {"1.5E-02", 2}, {"1.2345e+3", 123450}, {"null", 0}, {"", 0}, {`"19.99"`, 1999},
		{"99999999.99", 9999999999},
	} {
		got, err := amount(json.RawMessage(tc.raw))
		if err != nil || got != tc.want {
			t.Errorf("amount(%s) = %v, %v; want %v", tc.raw, got, err, tc.want)
		}
	}
	for _, bad := range []string{"abc", "1e", "12,50"} {
		if _, err := amount(json.RawMessage(bad)); err == nil {
			t.Errorf("amount(%s) was accepted", bad)
		}
	}
}
