package logging

import (
	"bytes"
	"encoding/json"
)

// record is one log line taken apart: the fields every line is expected to carry, and
// the rest in their original order. Values point into the line unless a string had to
// be unescaped.
type record struct {
	time, level, component, store, message []byte // string values; nil when absent
	fields                                 []field
}

// field is any other key with its raw JSON value.
type field struct {
	key []byte
	val []byte
}

// parseRecord fills r from a line holding one JSON object and reports false for
// anything else (garbage, a torn line, a JSON array), which callers print as is.
func parseRecord(line []byte, r *record) bool {
	*r = record{fields: r.fields[:0]}
	line = bytes.TrimRight(line, "\r\n")
	if !json.Valid(line) {
		return false
	}
	i := skipSpace(line, 0)
	if line[i] != '{' {
		return false
	}
	i = skipSpace(line, i+1)
	for i < len(line) && line[i] != '}' {
		kEnd := scanString(line, i)
		key := unquote(line[i:kEnd])
		i = skipSpace(line, kEnd) + 1 // past ':'
		i = skipSpace(line, i)
		vEnd := scanValue(line, i)
		val := line[i:vEnd]
		if !r.known(key, val) {
			r.fields = append(r.fields, field{key: key, val: val})
		}
		i = skipSpace(line, vEnd)
		if line[i] == ',' {
			i = skipSpace(line, i+1)
		}
	}
	return true
}

// known stores the first string value of a well-known key. A repeated key or a
// non-string value stays an ordinary field, so nothing on the line is hidden.
func (r *record) known(key, val []byte) bool {
	if len(val) == 0 || val[0] != '"' {
		return false
	}
	var dst *[]byte
	switch string(key) {
	case "time":
		dst = &r.time
	case "level":
		dst = &r.level
	case FieldComponent:
		dst = &r.component
	case FieldStore:
		dst = &r.store
	case "message":
		dst = &r.message
	default:
		return false
	}
	if *dst != nil {
		return false
	}
	*dst = unquote(val)
	if *dst == nil {
		*dst = []byte{}
	}
	return true
}

// The scanners below walk JSON that json.Valid has accepted, so they only need to find
// where each token ends.

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the index just past the string starting at b[i] == '"'.
func scanString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// scanValue returns the index just past the value starting at b[i].
func scanValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return scanString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); {
			switch b[j] {
			case '"':
				j = scanString(b, j)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
			j++
		}
		return len(b)
	}
	j := i
	for ; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
	}
	return j
}

// unquote returns the text of a JSON string token, unescaping only when needed.
func unquote(tok []byte) []byte {
	inner := tok[1 : len(tok)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	var s string
	if json.Unmarshal(tok, &s) != nil {
		return inner
	}
	return []byte(s)
}
