package config

import (
	"strings"
	"testing"
)

func TestOrderReleaseRule(t *testing.T) {
	c, err := parse(t, "sinks:\n  files:\n    - name: f\n      dir: x\nstores:\n  - name: a\n    marketplace: testmarket\n    orders: {transfer: true, sink: f}\n  - name: b\n    marketplace: testmarket\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Stores[0].Orders.Release != ReleaseERPReading || c.Stores[1].Orders.Release != ReleaseShipped || c.Stores[0].Orders.ReleaseAfter != 0 {
		t.Fatalf("auto resolved to %q and %q", c.Stores[0].Orders.Release, c.Stores[1].Orders.Release)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"orders: {release: erp_reading}", "erp_reading waits for the order to be written to the ERP, but transfer is off"},
		{"orders: {release: erp_readng}", `did you mean "erp_reading"?`},
		{"orders: {default_warehouse: ''}", "default_warehouse (the warehouse ordered units are taken from) cannot be empty"},
		{"orders: {release_after: 10m}", "release_after: 10m0s is shorter than an hour"},
	} {
		_, err := parse(t, "stores:\n  - name: a\n    marketplace: testmarket\n    "+tc.yaml+"\n")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.yaml, err, tc.want)
		}
	}
	if _, err := parse(t, "stores:\n  - name: a\n    marketplace: testmarket\n    orders: {deduct_stock: false, default_warehouse: '', release_after: 7d}\n"); err != nil {
		t.Fatal(err)
	}
}
