package dropfolder

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// ownerFile builds an owner file the way Office 2016 writes one: the length byte, the
// ANSI name padded with spaces to offset at, a 2-byte length and the UTF-16 name, then
// padding to size.
func ownerFile(t *testing.T, name string, at, size int) []byte {
	t.Helper()
	ansi, err := charmap.Windows1254.NewEncoder().String(name)
	if err != nil {
		t.Fatal(err)
	}
	u := utf16.Encode([]rune(name))
	b := []byte{byte(len(u))}
	b = append(b, ansi...)
	for len(b) < at {
		b = append(b, ' ')
	}
	b = append(b, byte(len(u)), byte(len(u)>>8))
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	for len(b) < size {
		b = append(b, ' ', 0)
	}
	return b[:max(size, len(b))]
}

func TestOwnerName(t *testing.T) {
	excel := ownerFile(t, "Ayşe Yılmaz", 55, 165)
	word := ownerFile(t, "Ömer Çelik", 54, 162)
	ansiOnly := append([]byte{5}, []byte("Mehmt")...)
	badUTF16 := ownerFile(t, "Ali Veli", 55, 165)
	badUTF16[55] = 40 // UTF-16 length disagrees with the ANSI one: use the ANSI copy
	for name, c := range map[string]struct {
		in   []byte
		want string
	}{
		"excel layout":           {excel, "Ayşe Yılmaz"},
		"word layout":            {word, "Ömer Çelik"},
		"ansi only":              {ansiOnly, "Mehmt"},
		"length mismatch":        {badUTF16, "Ali Veli"},
		"empty":                  {nil, ""},
		"zero length":            {[]byte{0, 'a', 'b'}, ""},
		"length past the end":    {[]byte{40, 'a', 'b'}, ""},
		"length above the limit": {append([]byte{60}, make([]byte, 200)...), ""},
		"control characters":     {[]byte{3, 1, 2, 3}, ""},
		"blank":                  {[]byte{3, ' ', ' ', ' '}, ""},
	} {
		if got := ownerName(c.in); got != c.want {
			t.Errorf("%s: ownerName = %q, want %q", name, got, c.want)
		}
	}
}

func TestExcelOwnerFindsOwnerFile(t *testing.T) {
	dir := t.TempDir()
	if got := excelOwner(dir, "stok.xlsx"); got != "" {
		t.Fatalf("owner without an owner file: %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "~$stok.xlsx"), ownerFile(t, "Zeynep", 55, 165), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := excelOwner(dir, "stok.xlsx"); got != "Zeynep" {
		t.Fatalf("owner = %q, want Zeynep", got)
	}
	// Word-style owner names drop the first two letters of a long name.
	if err := os.WriteFile(filepath.Join(dir, "~$yat-listesi.xlsx"), ownerFile(t, "Can", 54, 162), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := excelOwner(dir, "fiyat-listesi.xlsx"); got != "Can" {
		t.Fatalf("owner = %q, want Can", got)
	}
}
