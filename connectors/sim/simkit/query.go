package simkit

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// QueryInt reads an integer query parameter, def when it is absent.
func QueryInt(q url.Values, name string, def int) (int, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("query parameter %s=%q is not a whole number", name, v)
	}
	return n, nil
}

// QueryInt64 reads a 64-bit integer query parameter (epoch milliseconds); ok is false
// when it is absent.
func QueryInt64(q url.Values, name string) (n int64, ok bool, err error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return 0, false, nil
	}
	n, err = strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("query parameter %s=%q is not a whole number", name, v)
	}
	return n, true, nil
}

// RandomHex returns n random bytes as hex, for tokens and ids a client must treat as opaque.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
