// Package localtime is the one way syncagent shows a time to people: in the configured
// time zone (config time_zone) with the zone named by its offset, so a time read off
// `status`, `logs` or an import report means the same thing on every machine, whatever
// the clock of the PC that prints it is set to:
//
//	2026-11-23 02:27:05 +03      Format
//	2026-11-23 02:27:05.123 +03  AppendMilli (log lines)
//	02:27 +03                    Short, for a time of the same day
//
// It imports nothing of syncagent, so every layer (the CLI, the log printer, the drop
// folder's reports) can use it.
package localtime

import (
	"strconv"
	"time"
)

const (
	dateTime      = "2006-01-02 15:04:05"
	dateTimeMilli = "2006-01-02 15:04:05.000"
	shortDay      = "2006-01-02 15:04"
	shortTime     = "15:04"
)

// Format is t in loc to the second, with the zone: "2026-11-23 02:27:05 +03". A nil loc
// keeps t's own zone.
func Format(t time.Time, loc *time.Location) string {
	return string(appendLayout(nil, t, loc, dateTime))
}

// AppendMilli appends t in loc to the millisecond, with the zone:
// "2026-11-23 02:27:05.123 +03". A nil loc keeps t's own zone.
func AppendMilli(dst []byte, t time.Time, loc *time.Location) []byte {
	return appendLayout(dst, t, loc, dateTimeMilli)
}

// Short is t in loc to the minute, with the zone: "02:27 +03" when t falls on the same
// day as now there, else with its date ("2026-11-22 23:50 +03").
func Short(t, now time.Time, loc *time.Location) string {
	t, now = in(t, loc), in(now, loc)
	layout := shortDay
	y, m, d := t.Date()
	if ny, nm, nd := now.Date(); y == ny && m == nm && d == nd {
		layout = shortTime
	}
	return string(appendLayout(nil, t, nil, layout))
}

// Zone names the offset of loc at t: "+03", "-05", "+05:30", "+00".
func Zone(t time.Time, loc *time.Location) string {
	return string(appendZone(nil, in(t, loc)))
}

func in(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		return t
	}
	return t.In(loc)
}

func appendLayout(dst []byte, t time.Time, loc *time.Location, layout string) []byte {
	t = in(t, loc)
	dst = t.AppendFormat(dst, layout)
	dst = append(dst, ' ')
	return appendZone(dst, t)
}

// appendZone writes the offset as hours, with minutes only when there are some: the
// zone abbreviations of the tz database are ambiguous (IST, CST) or are this number anyway
// (Europe/Istanbul's is "+03").
func appendZone(dst []byte, t time.Time) []byte {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m := off/3600, off%3600/60
	dst = append(dst, sign)
	if h < 10 {
		dst = append(dst, '0')
	}
	dst = strconv.AppendInt(dst, int64(h), 10)
	if m != 0 {
		dst = append(dst, ':')
		if m < 10 {
			dst = append(dst, '0')
		}
		dst = strconv.AppendInt(dst, int64(m), 10)
	}
	return dst
}
