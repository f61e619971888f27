package sheet

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// errPartEnds says the part's XML breaks off; excelize stops reading rows there, so
// the rest of the part is copied as it is.
var errPartEnds = errors.New("part ends in bad XML")

// cellRewriter copies one part of a workbook, replacing each cell that takes its text
// from the shared-string table with the same cell holding the text inline.
//
// It follows excelize v2.11.1's row reader (Rows.Next, Rows.Columns and
// xlsxC.cellXMLHandler) token for token: a <c> element is a cell when it comes after
// a <row> start tag and not after a </sheetData> with no <row> since, and a cell is
// read with the same calls on the same decoder. So every cell excelize would look up
// in the table is rewritten, and nothing else changes what excelize reads. Every
// part is rewritten this way, not only the sheet that will be read: finding that
// sheet's part would repeat excelize's workbook and relationship resolution, and a
// mistake there would silently empty every text cell.
type cellRewriter struct {
	src    *xmlSource
	dec    *xml.Decoder
	w      *bufio.Writer // nil: only find out whether the part has a cell to rewrite
	table  *sharedStrings
	done   int64 // input offset up to which the output is written
	inRows bool
}

// inlineCells copies the part from r to w and reports whether it rewrote a cell. With
// w nil it reads only up to the first cell it would rewrite. errNotInlined means the
// part holds a cell whose value could come out differently.
func inlineCells(ctx context.Context, r io.Reader, w *bufio.Writer, table *sharedStrings) (bool, error) {
	src := newXMLSource(r)
	cr := &cellRewriter{src: src, dec: xml.NewDecoder(src), w: w, table: table}
	return cr.run(ctx)
}

func (cr *cellRewriter) run(ctx context.Context) (changed bool, err error) {
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return changed, err
			}
		}
		start := cr.dec.InputOffset()
		tok, err := cr.dec.Token()
		if err != nil {
			if err := endOfXML(err, cr.src); err != nil {
				return changed, err
			}
			return changed, cr.finish()
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch {
			case el.Name.Local == "row":
				cr.inRows = true
			case el.Name.Local == "c" && cr.inRows:
				did, err := cr.cell(start, el)
				changed = changed || did
				switch {
				case did && cr.w == nil:
					return true, nil
				case errors.Is(err, errPartEnds):
					return changed, cr.finish()
				case err != nil:
					return changed, err
				}
			}
		case xml.EndElement:
			if el.Name.Local == "sheetData" {
				cr.inRows = false
			}
		}
		off := cr.dec.InputOffset()
		if cr.w == nil {
			cr.src.release(off)
		} else if off-cr.done >= 32<<10 {
			if _, err := cr.w.Write(cr.src.span(cr.done, off)); err != nil {
				return changed, err
			}
			cr.done = off
			cr.src.release(off)
		}
	}
}

func (cr *cellRewriter) finish() error {
	if cr.w == nil {
		return nil
	}
	return cr.src.copyRest(cr.w, cr.done)
}

// cell reads the cell whose start tag spans [start, InputOffset) and rewrites it if
// excelize would look its value up in the table.
func (cr *cellRewriter) cell(start int64, el xml.StartElement) (bool, error) {
	tagEnd := cr.dec.InputOffset()
	var c cellMirror
	if err := c.read(cr.dec, &el); err != nil {
		switch {
		case errors.Is(err, errNotInlined):
			return false, err
		case cr.src.ioErr() != nil:
			return false, cr.src.ioErr()
		case c.T == "s" && c.V != "":
			// excelize would look up the half-read cell in the table.
			return false, fmt.Errorf("%w: shared-string cell %q cannot be read: %v", errNotInlined, c.R, err)
		}
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return false, errPartEnds
		}
		return false, nil // excelize reads on after a cell with a bad attribute; so does the copy
	}
	if c.T != "s" || c.V == "" {
		return false, nil
	}
	if c.hasIS {
		return false, fmt.Errorf("%w: shared-string cell %q also holds an inline string", errNotInlined, c.R)
	}
	i, _ := strconv.Atoi(strings.TrimSpace(c.V)) // as excelize: text that is no number reads entry 0
	if i < 0 || i >= cr.table.len() {
		return false, nil // empty with the table or without it
	}
	if cr.w == nil {
		return true, nil
	}
	w := cr.w
	_, _ = w.Write(cr.src.span(cr.done, start))
	nameLen, err := retypeCell(w, cr.src.span(start, tagEnd))
	if err != nil {
		return false, err
	}
	for _, f := range c.fs {
		_, _ = w.Write(cr.src.span(f[0], f[1]))
	}
	if err := cr.table.writeInline(w, i); err != nil {
		return false, err
	}
	_, _ = w.WriteString("</")
	_, _ = w.Write(cr.src.span(start+1, start+1+int64(nameLen)))
	if err := w.WriteByte('>'); err != nil {
		return false, err
	}
	cr.done = cr.dec.InputOffset()
	cr.src.release(cr.done)
	return true, nil
}

var errBadTag = fmt.Errorf("%w: unexpected cell start tag", errNotInlined)

// retypeCell writes a cell's start tag with every attribute whose local name is t set
// to inlineStr (excelize takes the last such attribute, whatever its prefix, as the
// cell type; the rest of the tag stays as written) and returns the length of the
// element name, for the end tag.
func retypeCell(w *bufio.Writer, tag []byte) (int, error) {
	if len(tag) < 3 || tag[0] != '<' || tag[len(tag)-1] != '>' || tag[len(tag)-2] == '/' {
		return 0, errBadTag
	}
	i := 1
	for i < len(tag) && !isSpaceByte(tag[i]) && tag[i] != '>' && tag[i] != '/' {
		i++
	}
	nameLen, last := i-1, 0
	skipSpace := func() {
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
	}
	for {
		skipSpace()
		if i >= len(tag)-1 {
			break
		}
		a := i
		for i < len(tag) && tag[i] != '=' && !isSpaceByte(tag[i]) {
			i++
		}
		attr := tag[a:i]
		skipSpace()
		if i >= len(tag) || tag[i] != '=' {
			return 0, errBadTag
		}
		i++
		skipSpace()
		if i >= len(tag) || (tag[i] != '"' && tag[i] != '\'') {
			return 0, errBadTag
		}
		end := bytes.IndexByte(tag[i+1:], tag[i])
		if end < 0 {
			return 0, errBadTag
		}
		end += i + 1
		if k := bytes.LastIndexByte(attr, ':'); string(attr[k+1:]) == "t" {
			_, _ = w.Write(tag[last : i+1])
			_, _ = w.WriteString("inlineStr")
			last = end
		}
		i = end + 1
	}
	_, err := w.Write(tag[last:])
	return nameLen, err
}

// cellMirror is what excelize v2.11.1 reads from a <c> element while streaming rows
// (xlsxC.cellXMLHandler), read the same way so that both stop at the same token on
// malformed input.
type cellMirror struct {
	R, T  string
	S     int
	V     string
	F     *formulaMirror
	fs    [][2]int64 // input spans of the <f> elements, kept in a rewritten cell
	hasIS bool
}

// formulaMirror has the field types of excelize's xlsxF: its attributes decide where
// decoding a malformed <f> fails.
type formulaMirror struct {
	Content string `xml:",chardata"`
	T       string `xml:"t,attr,omitempty"`
	Aca     bool   `xml:"aca,attr,omitempty"`
	Ref     string `xml:"ref,attr,omitempty"`
	Dt2D    bool   `xml:"dt2D,attr,omitempty"`
	Dtr     bool   `xml:"dtr,attr,omitempty"`
	Del1    bool   `xml:"del1,attr,omitempty"`
	Del2    bool   `xml:"del2,attr,omitempty"`
	R1      string `xml:"r1,attr,omitempty"`
	R2      string `xml:"r2,attr,omitempty"`
	Ca      bool   `xml:"ca,attr,omitempty"`
	Si      *int   `xml:"si,attr"`
	Bx      bool   `xml:"bx,attr,omitempty"`
}

func (c *cellMirror) read(d *xml.Decoder, start *xml.StartElement) error {
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "r":
			c.R = a.Value
		case "s":
			v, err := strconv.ParseInt(a.Value, 10, 64)
			if err != nil {
				return err
			}
			if math.MinInt <= v && v <= math.MaxInt {
				c.S = int(v)
			}
		case "t":
			c.T = a.Value
		}
	}
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "v":
				err = decodeText(d, &c.V)
			case "f":
				if err = d.DecodeElement(&c.F, &el); err == nil {
					c.fs = append(c.fs, [2]int64{off, d.InputOffset()})
				}
			case "is":
				c.hasIS = true
				err = skipInlineString(d)
			}
			if err != nil {
				return err
			}
		case xml.EndElement:
			if el == start.End() {
				return nil
			}
		}
	}
}

// decodeText does what d.DecodeElement(v, start) does for a string, without the
// reflection: the text directly inside the element, nested elements skipped, and v
// left as it was on an error.
func decodeText(d *xml.Decoder, v *string) error {
	var text []byte
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if err := d.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			*v = string(text)
			return nil
		case xml.CharData:
			text = append(text, el...)
		}
	}
}

// skipInlineString consumes an <is> element. excelize decodes it with types this
// package does not copy, and may stop half-way; what follows would then reach its
// row reader, so elements that steer that reader are refused.
func skipInlineString(d *xml.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if steersReader(el.Name.Local) {
				return fmt.Errorf("%w: <%s> inside an inline string", errNotInlined, el.Name.Local)
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}
