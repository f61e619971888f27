package sheet

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestSerialTime(t *testing.T) {
	feb1 := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		raw      string
		date1904 bool
		want     time.Time
	}{
		{"45323", false, feb1},
		{" 45323 ", false, feb1},
		{"43861", true, feb1}, // the same day counted from 1904: 1462 days fewer
		{"45323.5", false, feb1.Add(12 * time.Hour)},
		{"45323.75", true, time.Date(2028, 2, 2, 18, 0, 0, 0, time.UTC)},
		{"61", false, time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)}, // after Excel's phantom 29 Feb 1900
	}
	for _, tc := range tests {
		got, err := SerialTime(tc.raw, tc.date1904)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("SerialTime(%q, %v) = %v, %v; want %v", tc.raw, tc.date1904, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "abc", "-1", "NaN", "Inf", "3000000", "1.249,5"} {
		if got, err := SerialTime(bad, false); err == nil {
			t.Errorf("SerialTime(%q) = %v; want an error", bad, got)
		}
	}
}

// The reason for reading raw values: excelize shows Excel's locale short date
// (built-in format 14) in US order. A date cell holding 1 February 2024 comes out
// as "02-01-24", which a Turkish reader takes for 2 January. Parse and SerialTime
// see the serial, 45323, and get the day right.
func TestShortDateIsReadRaw(t *testing.T) {
	book := datesBook(false).bytes()
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	shown, err := f.GetCellValue("Sayfa1", "A2")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.GetCellValue("Sayfa1", "A2", excelize.Options{RawCellValue: true})
	if err != nil || raw != "45323" {
		t.Fatalf("raw value %q, %v; want 45323", raw, err)
	}
	day, _ := SerialTime(raw, false)
	if day.Day() != 1 || day.Month() != time.February {
		t.Errorf("SerialTime(%s) = %v; want 1 February", raw, day)
	}
	t.Logf("excelize shows the id-14 date as %q; the raw serial reads as %s", shown, day.Format("2 January 2006"))

	_, rows, _, err := parseAll(t, book, Options{Name: "tarih.xlsx"})
	if err != nil || len(rows) == 0 || rows[0].SKU != "45323" {
		t.Fatalf("Parse: rows %+v err %v; want the SKU as the stored number 45323", rows, err)
	}
}
