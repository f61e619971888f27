package logging

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"syncagent/config/localtime"
)

// ANSI colours for the console and `syncagent logs` on a terminal.
const (
	ansiReset  = "\x1b[0m"
	ansiFaint  = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiBold   = "\x1b[1;31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
)

// appendReadable appends line as one readable line:
//
//	2026-11-23 10:15:00.123 +03 WRN pusher trendyol-main: stock push failed; retrying in 40s attempt=3 error="HTTP 503"
//
// time (in loc, to the millisecond, with the zone named; nil loc: the line's own
// offset), level, component, store (when present), message, then the remaining fields as
// key=value in their original order; text values are quoted unless they are one plain
// word. A line that is not a JSON object is appended as is.
func appendReadable(dst, line []byte, r *record, color bool, loc *time.Location) []byte {
	if !parseRecord(line, r) {
		dst = append(dst, bytes.TrimRight(line, "\n")...)
		return append(dst, '\n')
	}
	lvl, lvlColor, msgColor := levelStyle(r.level)
	if !color {
		lvlColor, msgColor = "", ""
	}
	faintLine := color && lvlColor == ansiFaint
	if faintLine {
		dst = append(dst, ansiFaint...)
	}
	if r.time != nil {
		if t, err := time.Parse(time.RFC3339Nano, string(r.time)); err == nil {
			dst = localtime.AppendMilli(dst, t, loc)
		} else {
			dst = appendText(dst, r.time)
		}
		dst = append(dst, ' ')
	}
	dst = appendStyled(dst, lvlColor, lvl, faintLine)
	dst = append(dst, ' ')
	if r.component != nil {
		dst = appendText(dst, r.component)
	} else {
		dst = append(dst, '-')
	}
	if r.store != nil {
		dst = append(dst, ' ')
		dst = appendText(dst, r.store)
	}
	if len(r.message) > 0 {
		dst = append(dst, ':', ' ')
		colored := msgColor != "" && !faintLine
		if colored {
			dst = append(dst, msgColor...)
		}
		dst = appendText(dst, r.message)
		if colored {
			dst = append(dst, ansiReset...)
		}
	}
	for _, f := range r.fields {
		dst = append(dst, ' ')
		dst = appendValue(dst, f.key)
		dst = append(dst, '=')
		if len(f.val) > 0 && f.val[0] == '"' {
			dst = appendValue(dst, unquote(f.val))
		} else {
			dst = append(dst, f.val...) // numbers, true/false/null, nested JSON: already escaped
		}
	}
	if faintLine {
		dst = append(dst, ansiReset...)
	}
	return append(dst, '\n')
}

func appendStyled(dst []byte, style, s string, inFaint bool) []byte {
	if style == "" || inFaint {
		return append(dst, s...)
	}
	dst = append(dst, style...)
	dst = append(dst, s...)
	return append(dst, ansiReset...)
}

// levelStyle gives the short level name and the colours for the level and message.
func levelStyle(level []byte) (name, lvlColor, msgColor string) {
	switch string(level) {
	case "trace":
		return "TRC", ansiFaint, ""
	case "debug":
		return "DBG", ansiFaint, ""
	case "info":
		return "INF", ansiGreen, ""
	case "warn":
		return "WRN", ansiYellow, ansiYellow
	case "error":
		return "ERR", ansiBold, ansiRed
	case "fatal":
		return "FTL", ansiBold, ansiRed
	case "panic":
		return "PNC", ansiBold, ansiRed
	case "":
		return "---", "", ""
	}
	return string(bytes.ToUpper(level)), "", ""
}

// appendValue writes s bare when it is one plain word and quoted otherwise, so a
// reader can tell where foreign text (a file name, a marketplace reply) begins and ends.
func appendValue(dst, s []byte) []byte {
	if plainWord(s) {
		return append(dst, s...)
	}
	return strconv.AppendQuote(dst, string(s))
}

func plainWord(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		s = s[n:]
		switch {
		case r == utf8.RuneError:
			return false
		case unicode.IsLetter(r), unicode.IsDigit(r):
		case r < utf8.RuneSelf && strings.IndexByte(`._-/:@+%,\`, byte(r)) >= 0:
		default:
			return false
		}
	}
	return true
}

// appendText writes s as is, except that control characters and invalid bytes are
// escaped: a message stays on one line and cannot drive the terminal.
func appendText(dst, s []byte) []byte {
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, `\x`...)
			dst = append(dst, hexDigit(s[0]>>4), hexDigit(s[0]&15))
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r == '\t':
			dst = append(dst, `\t`...)
		case unicode.IsControl(r):
			dst = append(dst, `\u`...)
			dst = append(dst, hexDigit(byte(r>>12)&15), hexDigit(byte(r>>8)&15), hexDigit(byte(r>>4)&15), hexDigit(byte(r)&15))
		default:
			dst = append(dst, s[:n]...)
		}
		s = s[n:]
	}
	return dst
}

func hexDigit(b byte) byte { return "0123456789abcdef"[b] }
