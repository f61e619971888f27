package sheet

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
)

// sharedStrings is a workbook's shared-string table kept on disk. Each entry is
// stored as the XML that goes inside an inline string (<is>…</is>) and costs 4 bytes
// of memory, its end offset; excelize's own index of a table it has unpacked to disk
// costs about 40 bytes per string plus the growth of one big slice, which for a
// million-row list of unique SKUs is most of the process's memory.
type sharedStrings struct {
	file  *os.File
	ends  []uint32 // entry i is file[ends[i-1]:ends[i]] (from 0 for i = 0)
	cache blockCache
}

// An entry starts with its kind: entrySimple is the text of a lone <t> element, as
// written in the table (entities and all); entryRaw is the whole content of the <si>
// element (rich-text runs, phonetic hints), copied as written.
const (
	entrySimple = 's'
	entryRaw    = 'r'
)

// readSharedStrings reads the table the way excelize v2.11.1 reads one it has
// unpacked to disk (File.getFromStringItem): every <si> element of the part, at any
// depth and in any namespace, is the next entry; a syntax error ends the table. An
// entry is reproduced by letting excelize decode the same content as an inline
// string, so rich text, xml:space and _x000D_ escapes come out as they would have.
// errNotInlined means the part holds something that would not come out the same.
func readSharedStrings(ctx context.Context, r io.Reader, path string, sizeHint int64) (_ *sharedStrings, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	t := &sharedStrings{file: f}
	defer func() {
		if err != nil {
			_ = t.close()
		}
	}()
	src := newXMLSource(r)
	dec := xml.NewDecoder(src)
	w := bufio.NewWriterSize(f, 64<<10)
	var size int64
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		tok, err := dec.Token()
		if err != nil {
			if err := endOfXML(err, src); err != nil {
				return nil, err
			}
			break
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			src.release(dec.InputOffset())
			continue
		}
		if t.ends == nil && el.Name.Local == "sst" {
			t.ends = make([]uint32, 0, countHint(el, sizeHint))
		}
		if el.Name.Local != "si" {
			continue
		}
		kind, body, err := siContent(dec, src)
		if err != nil {
			return nil, err
		}
		size += 1 + int64(len(body))
		if size > math.MaxUint32 {
			return nil, fmt.Errorf("%w: shared strings over 4 GB", errNotInlined)
		}
		if err := w.WriteByte(kind); err != nil {
			return nil, err
		}
		if _, err := w.Write(body); err != nil {
			return nil, err
		}
		t.ends = append(t.ends, uint32(size))
		src.release(dec.InputOffset())
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	t.cache = blockCache{r: f, size: size, max: cacheBlocks}
	return t, nil
}

// endOfXML sorts out an error from the decoder: io.EOF and syntax errors end the part
// as they end excelize's reading of it (nil); a read error is returned; anything else
// (a declared encoding other than UTF-8) means the part is not rewritten.
func endOfXML(err error, src *xmlSource) error {
	if ioErr := src.ioErr(); ioErr != nil {
		return ioErr
	}
	var syn *xml.SyntaxError
	if err == io.EOF || errors.As(err, &syn) {
		return nil
	}
	return fmt.Errorf("%w: %v", errNotInlined, err)
}

// countHint sizes the offset slice from the table's uniqueCount, never beyond what
// the part's size allows (an entry takes at least 5 bytes, "<si/>").
func countHint(sst xml.StartElement, size int64) int {
	for _, a := range sst.Attr {
		if a.Name.Local == "uniqueCount" {
			if n, err := strconv.ParseInt(a.Value, 10, 64); err == nil && n > 0 {
				return int(min(n, size/5, 1<<26))
			}
		}
	}
	return 0
}

// siContent reads one <si> element after its start tag and returns the entry to
// store. Elements that steer excelize's readers (si, c, row, sheetData) inside it are
// refused: if excelize stopped decoding the entry half-way, they would be read as
// table entries or cells.
func siContent(dec *xml.Decoder, src *xmlSource) (kind byte, body []byte, err error) {
	from := dec.InputOffset()
	simple, seenT := true, false
	textFrom, textTo := int64(-1), int64(-1)
	for depth := 0; ; {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			if ioErr := src.ioErr(); ioErr != nil {
				return 0, nil, ioErr
			}
			// excelize would keep the part of the entry before the error.
			return 0, nil, fmt.Errorf("%w: shared string ends in bad XML: %v", errNotInlined, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if steersReader(el.Name.Local) {
				return 0, nil, fmt.Errorf("%w: <%s> inside a shared string", errNotInlined, el.Name.Local)
			}
			if depth == 0 && el.Name.Local == "t" && !seenT {
				seenT, textFrom = true, dec.InputOffset()
			} else {
				simple = false
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				if simple && seenT {
					return entrySimple, src.span(textFrom, textTo), nil
				}
				return entryRaw, src.span(from, off), nil
			}
			depth--
			if depth == 0 && seenT && textTo < 0 {
				textTo = off
			}
		case xml.CharData:
			if depth == 0 && !isXMLSpace(el) {
				simple = false
			}
		default: // comments, processing instructions, directives
			simple = false
		}
	}
}

func steersReader(local string) bool {
	return local == "si" || local == "c" || local == "row" || local == "sheetData"
}

func (t *sharedStrings) len() int { return len(t.ends) }

// writeInline writes entry i as an inline string, <is>…</is>.
func (t *sharedStrings) writeInline(w *bufio.Writer, i int) error {
	from := uint32(0)
	if i > 0 {
		from = t.ends[i-1]
	}
	b, err := t.cache.read(int64(from), int64(t.ends[i]))
	if err != nil {
		return fmt.Errorf("reading shared string %d: %w", i, err)
	}
	if b[0] == entrySimple {
		_, _ = w.WriteString(`<is><t xml:space="preserve">`)
		_, _ = w.Write(b[1:])
		_, err = w.WriteString(`</t></is>`)
		return err
	}
	_, _ = w.WriteString(`<is>`)
	_, _ = w.Write(b[1:])
	_, err = w.WriteString(`</is>`)
	return err
}

func (t *sharedStrings) close() error {
	err := t.file.Close()
	if rerr := os.Remove(t.file.Name()); err == nil {
		err = rerr
	}
	return err
}

// blockCache reads the entries file in 32 KB blocks and keeps the most recently used
// 8 MB. Excel numbers shared strings in order of first use, so a sheet read top to
// bottom asks for new strings nearly in file order, plus a few repeated ones (a
// warehouse name) that stay cached.
type blockCache struct {
	r       io.ReaderAt
	size    int64
	max     int // blocks kept
	blocks  []cachedBlock
	where   map[int64]int // block number → index in blocks
	tick    uint64
	scratch []byte
}

type cachedBlock struct {
	n    int64
	used uint64
	data []byte
}

const (
	cacheBlock  = 32 << 10
	cacheBlocks = 256
)

// read returns the bytes [from, to); the slice is valid until the next read.
func (c *blockCache) read(from, to int64) ([]byte, error) {
	n := from / cacheBlock
	if (to-1)/cacheBlock != n {
		c.scratch = slices.Grow(c.scratch[:0], int(to-from))[:to-from]
		if _, err := c.r.ReadAt(c.scratch, from); err != nil {
			return nil, err
		}
		return c.scratch, nil
	}
	b, err := c.block(n)
	if err != nil {
		return nil, err
	}
	off := from - n*cacheBlock
	return b[off : off+to-from], nil
}

func (c *blockCache) block(n int64) ([]byte, error) {
	c.tick++
	if i, ok := c.where[n]; ok {
		c.blocks[i].used = c.tick
		return c.blocks[i].data, nil
	}
	if c.where == nil {
		c.where = make(map[int64]int)
	}
	i := len(c.blocks)
	if i < c.max {
		c.blocks = append(c.blocks, cachedBlock{data: make([]byte, cacheBlock)})
	} else {
		i = 0
		for j := range c.blocks {
			if c.blocks[j].used < c.blocks[i].used {
				i = j
			}
		}
		delete(c.where, c.blocks[i].n)
	}
	b := &c.blocks[i]
	want := min(cacheBlock, c.size-n*cacheBlock)
	if got, err := c.r.ReadAt(b.data[:want], n*cacheBlock); int64(got) < want {
		return nil, err
	}
	b.n, b.used = n, c.tick
	c.where[n] = i
	return b.data[:want], nil
}
