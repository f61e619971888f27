package sqlpoll

import (
	"syncagent/erpbridge/erpdb"
)

// sinceName is the one parameter of incremental queries, in the same :name form the SQL
// order sinks use and translated per driver by erpdb.Bind, so that one query text reads
// the same in every preset. Other :names are left as written.
const sinceName = "since"

// boundQuery is a query with :since translated for one driver.
type boundQuery struct {
	erpdb.Statement
	probe string // the query with :since replaced by NULL: returns no rows, but its columns
	uses  int    // occurrences of :since
}

func isSince(name string) bool { return name == sinceName }

func bindSince(driver, query string) boundQuery {
	bq := boundQuery{Statement: erpdb.Bind(driver, query, isSince)}
	bq.probe = erpdb.Replace(driver, query, func(name string) (string, bool) {
		if !isSince(name) {
			return "", false
		}
		bq.uses++
		return "NULL", true
	})
	return bq
}

// args returns the query's arguments for the mark value v.
func (b boundQuery) args(v any) []any {
	return b.Args(func(string) any { return v })
}
