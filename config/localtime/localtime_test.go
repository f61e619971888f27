package localtime

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func TestFormatNamesTheConfiguredZone(t *testing.T) {
	ist, err := time.LoadLocation("Europe/Istanbul")
	if err != nil {
		t.Fatal(err)
	}
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	ny, _ := time.LoadLocation("America/New_York")
	// 23:27:05.123 UTC is 02:27 the next day in Istanbul.
	at := time.Date(2026, 11, 22, 23, 27, 5, 123e6, time.UTC)
	for _, c := range []struct {
		loc         *time.Location
		full, milli string
	}{
		{ist, "2026-11-23 02:27:05 +03", "2026-11-23 02:27:05.123 +03"},
		{kolkata, "2026-11-23 04:57:05 +05:30", "2026-11-23 04:57:05.123 +05:30"},
		{ny, "2026-11-22 18:27:05 -05", "2026-11-22 18:27:05.123 -05"},
		{time.UTC, "2026-11-22 23:27:05 +00", "2026-11-22 23:27:05.123 +00"},
		{nil, "2026-11-22 23:27:05 +00", "2026-11-22 23:27:05.123 +00"}, // t's own zone
	} {
		if got := Format(at, c.loc); got != c.full {
			t.Errorf("Format in %v = %q, want %q", c.loc, got, c.full)
		}
		if got := string(AppendMilli([]byte("x "), at, c.loc)); got != "x "+c.milli {
			t.Errorf("AppendMilli in %v = %q, want %q", c.loc, got, c.milli)
		}
	}
	// The day is the zone's day: in Istanbul 02:27 on the 23rd is the same day as 10:00
	// on the 23rd there, though in UTC they fall on different dates.
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	if got := Short(at, now, ist); got != "02:27 +03" {
		t.Errorf("Short same day = %q", got)
	}
	if got := Short(at, now, time.UTC); got != "2026-11-22 23:27 +00" {
		t.Errorf("Short other day = %q", got)
	}
	if got := Zone(at, ist); got != "+03" {
		t.Errorf("Zone = %q", got)
	}
}
