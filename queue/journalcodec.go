package queue

import "strings"

// A journal row holds every field one change altered (see migrations/001_init.sql):
// records "field\x1fold\x1fnew" joined by \x1e. Names cannot hold the separators
// (validName); values that do, which no real barcode or number does, have them replaced
// by spaces, since the journal is for reading, not for replaying.

func encodeJournal(diffs []FieldDiff) string {
	var b strings.Builder
	for i, d := range diffs {
		if i > 0 {
			b.WriteString(recSep)
		}
		b.WriteString(d.Field)
		b.WriteString(unitSep)
		b.WriteString(journalValue(d.Old))
		b.WriteString(unitSep)
		b.WriteString(journalValue(d.New))
	}
	return b.String()
}

func journalValue(v string) string {
	if !strings.ContainsAny(v, recSep+unitSep) {
		return v
	}
	return strings.NewReplacer(recSep, " ", unitSep, " ").Replace(v)
}

// decodeJournal splits a row's changes; a malformed record is returned whole as the
// field, so nothing recorded is hidden.
func decodeJournal(s string) [][3]string {
	var out [][3]string
	for _, rec := range strings.Split(s, recSep) {
		f := strings.SplitN(rec, unitSep, 3)
		for len(f) < 3 {
			f = append(f, "")
		}
		out = append(out, [3]string{f[0], f[1], f[2]})
	}
	return out
}
