package erpdb

// SkipQuoted returns the index just past the quoted run starting at i. A doubled closing
// quote continues the run (SQL's escape); in MySQL a backslash escapes inside strings.
func SkipQuoted(q string, i int, driver string) int {
	closeq := q[i]
	if closeq == '[' {
		closeq = ']'
	}
	j := i + 1
	for j < len(q) {
		switch {
		case q[j] == '\\' && driver == "mysql" && closeq != '`':
			j += 2
		case q[j] == closeq && j+1 < len(q) && q[j+1] == closeq:
			j += 2
		case q[j] == closeq:
			return j + 1
		default:
			j++
		}
	}
	return len(q)
}
