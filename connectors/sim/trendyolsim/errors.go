package trendyolsim

import (
	"net/http"
	"time"

	"syncagent/connectors/sim/simkit"
)

// errorBody carries both error shapes seen for Trendyol: the OpenAPI's {"error",
// "message"} and the {"errors":[{"key","message","errorCode"}]} that community clients
// report for 400s. Which one applies where is UNCONFIRMED, so a connector may read
// either; the Turkish duplicate-request text is in "message" and in errors[0].message.
func errorBody(status int, key, msg string) map[string]any {
	return map[string]any{
		"timestamp": time.Now().UnixMilli(),
		"status":    status,
		"error":     key,
		"message":   msg,
		"errors":    []map[string]any{{"key": key, "message": msg, "errorCode": key}},
	}
}

func errKey(status int) string {
	switch status {
	case 404:
		return "not.found"
	case 405:
		return "method.not.allowed"
	case 413:
		return "payload.too.large"
	case 429:
		return "too.many.requests"
	case 400:
		return "bad.request"
	}
	if status >= 500 {
		return "service.unavailable"
	}
	return "error"
}

func badRequest(key, msg string) simkit.Reply {
	return simkit.JSON(http.StatusBadRequest, errorBody(400, key, msg))
}

// badItems answers a request whose items break a rule with one error per item.
func badItems(errs []map[string]any) simkit.Reply {
	b := errorBody(400, "validation.error", "invalid request items")
	b["errors"] = errs
	return simkit.JSON(http.StatusBadRequest, b)
}
