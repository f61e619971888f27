package dropfolder

import "testing"

func TestCandidate(t *testing.T) {
	s := Settings{Patterns: []string{"*.xlsx", "*.CSV", "stok-*.txt"}}
	for name, want := range map[string]bool{
		"stok.xlsx":           true,
		"STOK.XLSX":           true,
		"fiyat.csv":           true,
		"Fiyat Listesi.Csv":   true,
		"stok-mart.txt":       true,
		"STOK-MART.TXT":       true,
		"notlar.txt":          false, // no pattern
		"stok.xlsx.pdf":       false,
		"~$stok.xlsx":         false, // Excel owner file
		"~WRL0001.tmp":        false,
		"yedek.csv.tmp":       false,
		".~lock.stok.csv#":    false,
		".gizli.csv":          false,
		"3F2A9C1B":            false, // Excel's temporary save
		"3f2a9c1b":            false,
		"3F2A9C1G.csv":        true, // not hex, and has an extension
		"stok.csv.report.txt": false,
		"":                    false,
	} {
		if got := s.candidate(name); got != want {
			t.Errorf("candidate(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestExcelTempName(t *testing.T) {
	for name, want := range map[string]bool{"0123ABCD": true, "abcdef01": true, "0123ABC": false, "0123ABCDE": false, "0123ABCG": false, "0123.BCD": false} {
		if got := excelTempName(name); got != want {
			t.Errorf("excelTempName(%q) = %v, want %v", name, got, want)
		}
	}
}
