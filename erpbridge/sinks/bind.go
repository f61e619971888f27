package sinks

import (
	"fmt"
	"strings"

	"syncagent/erpbridge/erpdb"
)

// bind translates a configured statement's :name parameters for driver (erpdb.Bind) and
// refuses names that the statement cannot be given, so a misspelt name is a start-up
// error that names it, not an ERP error at the first order.
func bind(driver, query string, allowed map[string]bool) (erpdb.Statement, error) {
	var unknown []string
	for _, p := range erpdb.Params(driver, query) {
		if !allowed[p.Name] {
			unknown = append(unknown, ":"+p.Name)
		}
	}
	if len(unknown) > 0 {
		return erpdb.Statement{}, fmt.Errorf("unknown parameter %s (docs/orders.md lists the parameters)", strings.Join(unknown, ", "))
	}
	return erpdb.Bind(driver, query, nil), nil
}

// args returns the arguments of st from the values in ps (later sets win).
func args(st *erpdb.Statement, ps ...params) []any {
	return st.Args(func(name string) any {
		var v any
		for _, p := range ps {
			if x, ok := p.lookup(name); ok {
				v = x
			}
		}
		return v
	})
}

func nameSet(lists ...[]string) map[string]bool {
	out := map[string]bool{}
	for _, l := range lists {
		for _, n := range l {
			out[n] = true
		}
	}
	return out
}
