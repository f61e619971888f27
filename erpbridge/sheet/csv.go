package sheet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

const sampleSize = 64 << 10 // decoded bytes looked at to choose the delimiter

func parseCSV(ctx context.Context, src Source, o options, lim limits, fn func(Row) error, reject func(Problem) error) (Header, error) {
	h := Header{Format: "csv"}
	enc, err := detectEncoding(src, o)
	if err != nil {
		return h, fmt.Errorf("sheet: reading %s: %w", o.Name, err)
	}
	h.Encoding = enc.name
	br := bufio.NewReaderSize(enc.reader(src), sampleSize)
	sample, err := br.Peek(sampleSize)
	complete := err != nil // the whole file fits in the sample
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return h, fmt.Errorf("sheet: reading %s: %w", o.Name, err)
	}

	var text io.Reader = br
	if crOnly(sample) {
		// Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR.
		text = crToLF{br}
		sample = bytes.ReplaceAll(sample, []byte("\r"), []byte("\n"))
	}
	m := newMatcher(o.Columns)
	delim := o.delim
	lineOffset := 0
	if d, n, ok := sepLine(sample); ok {
		// Excel honours a first line "sep=;" and so do we; it is not a record.
		if delim == 0 {
			delim = d
		}
		if _, err := io.CopyN(io.Discard, text, int64(n)); err != nil {
			return h, fmt.Errorf("sheet: reading %s: %w", o.Name, err)
		}
		lineOffset = 1
	} else if delim == 0 {
		delim = sniffDelimiter(sample, complete, m)
	}
	h.Delimiter = delimName(delim)

	r := newRecordReader(text, byte(delim))
	r.line = lineOffset
	t := newTable(o, m, false, &h, lim, fn, reject)
	for n := 0; ; n++ {
		if n%lim.checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return h, err
			}
		}
		rec, line, problem, err := r.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return h, fmt.Errorf("sheet: reading %s: %w", o.Name, err)
		}
		if problem != "" {
			if err := reject(Problem{Line: line, Reason: problem}); err != nil {
				return h, err
			}
			continue
		}
		if err := t.feed(line, rec); err != nil {
			return h, err
		}
	}
	return h, t.finish()
}

// sepLine recognises Excel's "sep=;" first line and returns the delimiter and the
// line's length including its line break.
func sepLine(b []byte) (rune, int, bool) {
	if len(b) < 5 || !bytes.EqualFold(b[:4], []byte("sep=")) {
		return 0, 0, false
	}
	end := bytes.IndexByte(b, '\n')
	if end < 0 {
		end = len(b)
	} else {
		end++
	}
	line := bytes.TrimRight(b[4:end], "\r\n")
	switch string(line) {
	case ";", ",", "\t", "|":
		return rune(line[0]), end, true
	}
	return 0, 0, false
}

// sniffDelimiter picks ';', tab or ',' by reading the first records with each: the
// one that splits out a stock-code header cell wins; failing that, the one whose
// records most often share one field count (more than one field). Quotes are
// respected because the candidates are tried with the real record reader. Ties go
// to ';', the Turkish Excel default.
func sniffDelimiter(sample []byte, complete bool, m *matcher) rune {
	if !complete {
		if i := bytes.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i+1] // drop the record cut off by the sample's end
		}
	}
	type score struct{ header, agree, fields int }
	better := func(a, b score) bool {
		if a.header != b.header {
			return a.header > b.header
		}
		if a.agree != b.agree {
			return a.agree > b.agree
		}
		return a.fields > b.fields
	}
	best, bestScore := ';', score{}
	for _, d := range []rune{';', '\t', ','} {
		r := newRecordReader(bytes.NewReader(sample), byte(d))
		counts := make(map[int]int)
		var s score
		for i := 0; i < 50; i++ {
			rec, _, _, err := r.read()
			if err != nil {
				break
			}
			if blank(rec) {
				continue
			}
			counts[len(rec)]++
			if s.header == 0 && m.isHeader(rec) {
				s.header = 1
			}
		}
		for fields, n := range counts {
			if fields > 1 && (n > s.agree || n == s.agree && fields > s.fields) {
				s.agree, s.fields = n, fields
			}
		}
		if better(s, bestScore) {
			best, bestScore = d, s
		}
	}
	return best
}

// crOnly reports text whose lines end in CR alone: there is a CR and no LF.
func crOnly(sample []byte) bool {
	return bytes.IndexByte(sample, '\r') >= 0 && bytes.IndexByte(sample, '\n') < 0
}

// crToLF turns every CR into LF.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

func delimName(d rune) string {
	if d == '\t' {
		return "tab"
	}
	return string(d)
}
