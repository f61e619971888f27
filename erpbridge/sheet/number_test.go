package sheet

import (
	"strings"
	"testing"

	"syncagent/connectors/money"
)

func TestPrice(t *testing.T) {
	const rejected = -1
	tests := []struct {
		in   string
		loc  locale
		xlsx bool
		want money.Kurus // rejected: any reason
		why  string      // substring of the reason
	}{
		{"1.249,90", localeAuto, false, 124990, ""},
		{"1,249.90", localeAuto, false, 124990, ""},
		{"1249.9", localeAuto, false, 124990, ""},
		{"1249,9", localeAuto, false, 124990, ""},
		{"1249", localeAuto, false, 124900, ""},
		{"₺1.249,90", localeAuto, false, 124990, ""},
		{"1.249,90 TL", localeAuto, false, 124990, ""},
		{"1.249,90TL", localeAuto, false, 124990, ""},
		{"tl 5", localeAuto, false, 500, ""},
		{"TRY 5,5", localeAuto, false, 550, ""},
		{"5 try", localeAuto, false, 500, ""},
		{"\u00a01.249,90\u00a0", localeAuto, false, 124990, ""},
		{"1.249.000", localeAuto, false, 124900000, ""},
		{"1,249,000.5", localeAuto, false, 124900050, ""},
		{".5", localeAuto, false, 50, ""},
		{",5", localeAuto, false, 50, ""},
		{"12.", localeAuto, false, 1200, ""},
		{"0", localeAuto, false, 0, ""},
		{"-0", localeAuto, false, 0, ""},
		{"0,125", localeAuto, false, rejected, "more than two decimals"},
		{"1249,900", localeAuto, false, 124990, ""}, // four integer digits: the comma can only be decimal
		{"12.500", localeAuto, false, rejected, "or 12.50 for the smaller amount"},

		// The 1000× trap: one separator followed by exactly three digits.
		{"1.249", localeAuto, false, rejected, "'1.249' is ambiguous: write 1249 or 1249,00"},
		{"1,249", localeAuto, false, rejected, "'1,249' is ambiguous: write 1249 or 1249.00"},
		{"1.249", localeTR, false, 124900, ""},
		{"1,249", localeTR, false, rejected, "more than two decimals"},
		{"1,249", localeEN, false, 124900, ""},
		{"1.249", localeEN, false, rejected, "more than two decimals"},
		{"1.249,9", localeTR, false, 124990, ""},
		{"1249.90", localeTR, false, 124990, ""}, // two digits after '.': only a decimal reading exists

		{"-5", localeAuto, false, rejected, "negative"},
		{"(12,50)", localeAuto, false, rejected, "negative"},
		{"−5", localeAuto, false, rejected, "negative"},
		{"1.24.9", localeAuto, false, rejected, "not a number"},
		{"1.249.90", localeAuto, false, rejected, "not a number"},
		{"1,249.90.1", localeAuto, false, rejected, "not a number"},
		{"12 adet", localeAuto, false, rejected, "not a number"},
		{"1 249,90", localeAuto, false, rejected, "not a number"},
		{"..", localeAuto, false, rejected, "not a number"},
		{"TL", localeAuto, false, rejected, "not a number"},
		{"1,5E+3", localeAuto, false, rejected, "scientific"},
		{"#N/A", localeAuto, false, rejected, "Excel error"},
		{"#değer!", localeAuto, false, rejected, "Excel error"},
		{"9999999999999999", localeAuto, false, rejected, "too large"},

		// Raw workbook numbers: '.' is the decimal point whatever the locale.
		{"1249.9", localeTR, true, 124990, ""},
		{"19.899999999999999", localeAuto, true, 1990, ""},
		{"2.2000000000000002", localeAuto, true, 220, ""},
		{"1499.8800000000001", localeAuto, true, 149988, ""},
		{"0.30000000000000004", localeAuto, true, 30, ""},
		{"1249.905", localeAuto, true, rejected, "more than two decimals"},
		{"3.3333333333333335", localeAuto, true, rejected, "more than two decimals"},
		{"1.2E+3", localeAuto, true, 120000, ""},
		{"1.23456789e+2", localeAuto, true, rejected, "more than two decimals"},
		{"5E-1", localeAuto, true, 50, ""},
		{"3.1415926535897903E-300", localeAuto, true, 0, ""},
		{"1E+300", localeAuto, true, rejected, "too large"},
		{"1.249", localeAuto, true, rejected, "ambiguous"},
		{"1.249", localeTR, true, rejected, "ambiguous"}, // text "1.249" and the number 1.249 look the same
		{"1.249", localeEN, true, rejected, "more than two decimals"},
		{"1.249,90", localeAuto, true, 124990, ""}, // text cell: read as people write
		{"-1249.9", localeAuto, true, rejected, "negative"},
	}
	for _, tc := range tests {
		got, reason := price(tc.in, tc.loc, tc.xlsx)
		if tc.want == rejected {
			if got != nil || !strings.Contains(reason, tc.why) {
				t.Errorf("price(%q, loc %d, xlsx %v) = %v, %q; want rejection containing %q", tc.in, tc.loc, tc.xlsx, got, reason, tc.why)
			}
			continue
		}
		if reason != "" || got == nil || *got != tc.want {
			t.Errorf("price(%q, loc %d, xlsx %v) = %v, %q; want %v", tc.in, tc.loc, tc.xlsx, got, reason, tc.want)
		}
	}
}

func TestQuantity(t *testing.T) {
	const rejected = -1
	tests := []struct {
		in   string
		loc  locale
		xlsx bool
		want int64
		why  string
	}{
		{"12", localeAuto, false, 12, ""},
		{"12,0", localeAuto, false, 12, ""},
		{"12.0", localeAuto, false, 12, ""},
		{"12,00", localeAuto, false, 12, ""},
		{"0", localeAuto, false, 0, ""},
		{"-0", localeAuto, false, 0, ""},
		{"1.000.000", localeAuto, false, 1000000, ""},
		{"1.000", localeTR, false, 1000, ""},
		{"1,000", localeEN, false, 1000, ""},
		{"1.000", localeEN, false, 1, ""},
		{"007", localeAuto, false, 7, ""},
		{"12.5", localeAuto, false, rejected, "not a whole number"},
		{"-3", localeAuto, false, rejected, "negative"},
		{"1.000", localeAuto, false, rejected, "'1.000' is ambiguous: write 1000 or 1"},
		{"1.249", localeAuto, false, rejected, "'1.249' is ambiguous: write 1249 ("},
		{"abc", localeAuto, false, rejected, "not a number"},
		{"9999999999999999", localeAuto, false, rejected, "too large"},
		{"25", localeAuto, true, 25, ""},
		{"2.9999999999999996", localeAuto, true, 3, ""},
		{"2.5", localeAuto, true, rejected, "not a whole number"},
		{"1E+3", localeAuto, true, 1000, ""},
	}
	for _, tc := range tests {
		got, reason := quantity(tc.in, tc.loc, tc.xlsx)
		if tc.want == rejected {
			if got != nil || !strings.Contains(reason, tc.why) {
				t.Errorf("quantity(%q, loc %d) = %v, %q; want rejection containing %q", tc.in, tc.loc, got, reason, tc.why)
			}
			continue
		}
		if reason != "" || got == nil || *got != tc.want {
			t.Errorf("quantity(%q, loc %d) = %v, %q; want %d", tc.in, tc.loc, got, reason, tc.want)
		}
	}
}

func TestEmptyCellsAreNil(t *testing.T) {
	for _, in := range []string{"", "  ", "\x00", "\u00a0"} {
		if p, reason := price(in, localeAuto, false); p != nil || reason != "" {
			t.Errorf("price(%q) = %v, %q; want nil, no reason", in, p, reason)
		}
		if q, reason := quantity(in, localeAuto, true); q != nil || reason != "" {
			t.Errorf("quantity(%q) = %v, %q; want nil, no reason", in, q, reason)
		}
	}
}

func TestRoundTolerance(t *testing.T) {
	tests := []struct {
		frac   string
		places int
		want   string // "" = refused
		ints   string
	}{
		{"5", 2, "50", "1"},
		{"899999999999999", 2, "90", "1"},
		{"99999999999", 2, "00", "2"}, // carries into the integer part
		{"0000000001", 2, "00", "1"},
		{"0000001", 2, "", ""}, // 1e-7: too far from a kuruş
		{"8999999", 2, "", ""}, // 0.0000001 short of a kuruş: still too far
		{"9999999999", 0, "", "2"},
		{"999999999", 0, "", ""}, // exactly 1e-9 short of a whole unit: not less than 1e-9
	}
	for _, tc := range tests {
		got, ok := num{ints: "1", frac: tc.frac}.round(tc.places)
		if tc.ints == "" {
			if ok {
				t.Errorf("round(1.%s, %d) = %+v; want refusal", tc.frac, tc.places, got)
			}
			continue
		}
		if !ok || got.frac != tc.want || got.ints != tc.ints {
			t.Errorf("round(1.%s, %d) = %+v, %v; want %s.%s", tc.frac, tc.places, got, ok, tc.ints, tc.want)
		}
	}
}

func TestParseExcelNumber(t *testing.T) {
	tests := []struct {
		in, want string // want in num.plain('.') form; "" = not Excel syntax
	}{
		{"1249.9", "1249.9"},
		{"-3", "-3"},
		{"1.23E+3", "1230"},
		{"1.5e-2", "0.015"},
		{"8.68E+12", "8680000000000"},
		{"123.0", "123.0"},
		{"1,5", ""},
		{"1.", ""},
		{".5", ""},
		{"1e", ""},
		{"1E+", ""},
		{"--1", ""},
		{"1.2.3", ""},
	}
	for _, tc := range tests {
		n, ok := parseExcelNumber(tc.in)
		switch {
		case tc.want == "" && ok:
			t.Errorf("parseExcelNumber(%q) = %+v; want not Excel syntax", tc.in, n)
		case tc.want != "" && (!ok || n.plain('.') != tc.want):
			t.Errorf("parseExcelNumber(%q) = %q, %v; want %q", tc.in, n.plain('.'), ok, tc.want)
		}
	}
}

func TestIsScientific(t *testing.T) {
	for s, want := range map[string]bool{
		"8,68E+12": true, "8.68E+12": true, "1E+15": true, "1.23457E-05": true, "1,2e+3": true,
		"12E5": false, "E+12": false, "8,68E": false, "ABC-E+1": false, "8,E+12": false, "1E+1x": false,
	} {
		if got := isScientific(s); got != want {
			t.Errorf("isScientific(%q) = %v; want %v", s, got, want)
		}
	}
}
