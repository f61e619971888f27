package sheet

import "testing"

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		code    string
		ok      bool
		applies bool
	}{
		{"4006381333931", true, true},  // EAN-13
		{"4006381333932", false, true}, // EAN-13, last digit off by one
		{"96385074", true, true},       // EAN-8
		{"96385075", false, true},
		{"036000291452", true, true}, // UPC-A
		{"036000291453", false, true},
		{"00012345600012", true, true}, // GTIN-14
		{"8690000000012", true, true},
		{"12345", false, false},
		{"ABC1234567890", false, false},
		{"", false, false},
	}
	for _, tc := range tests {
		ok, applies, _ := checkDigit(tc.code)
		if ok != tc.ok || applies != tc.applies {
			t.Errorf("checkDigit(%q) = %v, %v; want %v, %v", tc.code, ok, applies, tc.ok, tc.applies)
		}
	}
	if _, _, want := checkDigit("4006381333930"); want != '1' {
		t.Errorf("expected check digit for 400638133393 = %c; want 1", want)
	}
}

func TestCodeText(t *testing.T) {
	tests := []struct {
		in   string
		xlsx bool
		want string
		sci  bool
	}{
		{"  000123 ", false, "000123", false},
		{"123.0", true, "123", false},
		{"123.0", false, "123.0", false}, // CSV text is kept as written
		{"123.50", true, "123.50", false},
		{"12.000", true, "12", false},
		{".0", true, ".0", false},
		{"8,68E+12", false, "8,68E+12", true},
		{"8.68E+12", true, "8.68E+12", true},
		{"12E5", false, "12E5", false},
		{"ABC-1", true, "ABC-1", false},
		{"bad\xffbyte", false, "bad\uFFFDbyte", false},
	}
	for _, tc := range tests {
		got, sci := codeText(tc.in, tc.xlsx)
		if got != tc.want || sci != tc.sci {
			t.Errorf("codeText(%q, %v) = %q, %v; want %q, %v", tc.in, tc.xlsx, got, sci, tc.want, tc.sci)
		}
	}
}
