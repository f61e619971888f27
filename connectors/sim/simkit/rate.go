package simkit

import (
	"strconv"
	"time"
)

// RetryAfterSeconds renders d as whole seconds, rounded up and at least 1: a client told
// "0" would retry at once into the same refusal.
func RetryAfterSeconds(d time.Duration) string {
	sec := int64((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return strconv.FormatInt(sec, 10)
}
