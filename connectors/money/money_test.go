package money

import (
	"encoding/json"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Kurus
		ok   bool
	}{
		{"1249.90", 124990, true}, {"1249.9", 124990, true}, {"0.05", 5, true}, {".5", 50, true},
		{"12", 1200, true}, {"-3.10", -310, true}, {"1.2500", 125, true}, {"  7 ", 700, true},
		{"1.249,90", 0, false}, {"1.234", 0, false}, {"", 0, false}, {"abc", 0, false},
		{"1e3", 0, false}, {"1.", 100, true}, {"-", 0, false}, {"9999999999999999", 0, false},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	if got, err := ParseWith("1249,90", ','); err != nil || got != 124990 {
		t.Errorf("ParseWith comma = %v %v", got, err)
	}
}

func TestStringAndJSON(t *testing.T) {
	for k, want := range map[Kurus]string{124990: "1249.90", 5: "0.05", -310: "-3.10", 0: "0.00"} {
		if k.String() != want {
			t.Errorf("%d.String() = %s want %s", int64(k), k.String(), want)
		}
	}
	var v struct{ P Kurus }
	if err := json.Unmarshal([]byte(`{"P":"29452.50"}`), &v); err != nil || v.P != 2945250 {
		t.Fatalf("unmarshal string: %v %v", v.P, err)
	}
	if err := json.Unmarshal([]byte(`{"P":112.85}`), &v); err != nil || v.P != 11285 {
		t.Fatalf("unmarshal number: %v %v", v.P, err)
	}
	b, _ := json.Marshal(struct{ P Kurus }{11285})
	if string(b) != `{"P":112.85}` {
		t.Fatalf("marshal: %s", b)
	}
}

func TestPercentAndRounding(t *testing.T) {
	p, err := ParsePercent("12,5")
	if err != nil || p != 1250 {
		t.Fatalf("ParsePercent = %v %v", p, err)
	}
	// 1249.90 * 1.125 = 1406.1375 → 1406.14
	if got := Kurus(124990).AddPercent(1250); got != 140614 {
		t.Errorf("AddPercent = %v", got)
	}
	// 0.01 * 1.5 = 0.015 → 0.02 (half away from zero)
	if got := Kurus(1).AddPercent(5000); got != 2 {
		t.Errorf("AddPercent half = %v", got)
	}
	if got := Kurus(-1).AddPercent(5000); got != -2 {
		t.Errorf("AddPercent negative half = %v", got)
	}
	for in, want := range map[Kurus]Kurus{124312: 124390, 124395: 124490, 124390: 124390, 0: 90} {
		if got := in.RoundUpToEnding(90); got != want {
			t.Errorf("RoundUpToEnding(%v) = %v want %v", in, got, want)
		}
	}
}
