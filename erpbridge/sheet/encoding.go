package sheet

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// textEncoding is how a CSV file's bytes become UTF-8.
type textEncoding struct {
	name string // reported in Header.Encoding
	skip int64  // byte-order mark to skip
	dec  func() transform.Transformer
}

var (
	encUTF8    = textEncoding{name: "utf-8"}
	encUTF8BOM = textEncoding{name: "utf-8-bom", skip: 3}
	enc1254    = textEncoding{name: "windows-1254", dec: func() transform.Transformer { return charmap.Windows1254.NewDecoder() }}
)

func encUTF16(bigEndian bool, skip int64) textEncoding {
	e := unicode.LittleEndian
	name := "utf-16le"
	if bigEndian {
		e, name = unicode.BigEndian, "utf-16be"
	}
	return textEncoding{name: name, skip: skip, dec: func() transform.Transformer {
		return unicode.UTF16(e, unicode.IgnoreBOM).NewDecoder()
	}}
}

// reader gives the file's text as UTF-8, without the byte-order mark.
func (e textEncoding) reader(src Source) io.Reader {
	r := io.Reader(io.NewSectionReader(src, e.skip, src.Size()-e.skip))
	if e.dec != nil {
		r = transform.NewReader(r, e.dec())
	}
	return r
}

// detectEncoding: a byte-order mark always wins (it is unambiguous); then the
// configured encoding; then, for "auto", UTF-16 without a mark (every other byte
// NUL), UTF-8 if the whole file is valid UTF-8, and otherwise Windows-1254, which is
// what Turkish Excel writes for "CSV (Comma delimited)".
func detectEncoding(src Source, o options) (textEncoding, error) {
	head, err := readHead(src)
	if err != nil {
		return textEncoding{}, err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return encUTF8BOM, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return encUTF16(false, 2), nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return encUTF16(true, 2), nil
	}
	switch o.Encoding {
	case "utf-8":
		return encUTF8, nil
	case "windows-1254":
		return enc1254, nil
	case "utf-16":
		be, _ := utf16Guess(head)
		return encUTF16(be, 0), nil
	}
	if be, ok := utf16Guess(head); ok {
		return encUTF16(be, 0), nil
	}
	valid, err := validUTF8(src)
	if err != nil {
		return textEncoding{}, err
	}
	if valid {
		return encUTF8, nil
	}
	return enc1254, nil
}

// utf16Guess recognises UTF-16 text without a byte-order mark: mostly ASCII, so one
// byte of each pair is NUL. ok is false when the sample does not look like that.
func utf16Guess(b []byte) (bigEndian, ok bool) {
	b = b[:len(b)&^1]
	if len(b) < 8 {
		return false, false
	}
	even, odd := 0, 0
	for i := 0; i < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := len(b) / 2
	switch {
	case odd*10 >= pairs*7 && even*10 < pairs:
		return false, true
	case even*10 >= pairs*7 && odd*10 < pairs:
		return true, true
	}
	return false, false
}

// validUTF8 checks the whole file in blocks, carrying a rune split across a block
// boundary into the next block.
func validUTF8(src Source) (bool, error) {
	const block = 256 << 10
	buf := make([]byte, block+utf8.UTFMax)
	carry := 0
	size := src.Size()
	for off := int64(0); off < size; {
		n, err := src.ReadAt(buf[carry:carry+int(min(block, size-off))], off)
		if err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		if n == 0 {
			break
		}
		off += int64(n)
		b := buf[:carry+n]
		cut := len(b)
		if off < size {
			cut = incompleteTail(b)
		}
		if !utf8.Valid(b[:cut]) {
			return false, nil
		}
		carry = copy(buf, b[cut:])
	}
	return carry == 0, nil
}

// incompleteTail returns where a trailing, not yet complete UTF-8 sequence starts
// (len(b) when the block ends on a rune boundary).
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}
