package sheet

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// SerialTime converts a raw date cell (an Excel serial such as "45323") to a time.
// Workbooks are read with raw values because excelize renders Excel's locale short
// date (built-in format 14) in US order, so 1 February 2024 would come out as
// "02-01-24" and be read back as 2 January by anyone in Turkey. date1904 is
// Header.Date1904: workbooks made on old Macs count days from 1904, 1462 days later.
func SerialTime(raw string, date1904 bool) (time.Time, error) {
	v, err := strconv.ParseFloat(trimCell(raw), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return time.Time{}, fmt.Errorf("sheet: %q is not an Excel date serial", raw)
	}
	// 2958465 is 9999-12-31, the last day Excel can show.
	if v < 0 || v > 2958465.99999 {
		return time.Time{}, fmt.Errorf("sheet: %q is outside Excel's date range", raw)
	}
	return excelize.ExcelDateToTime(v, date1904)
}
