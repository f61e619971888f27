package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxRecord bounds one CSV record. A quote that is never closed would otherwise pull
// the rest of the file into one value; past this size the reader gives up on the
// record, reports it, and resumes at the next line.
const maxRecord = 1 << 20

// recordReader splits delimited text into records. It is encoding/csv's grammar
// (RFC 4180 quoting, doubled quotes, line breaks inside quotes) with two differences
// that matter for files people make by hand or ERPs export:
//   - a quote inside an unquoted value is kept as text (24" monitor), and a lone
//     quote inside a quoted value too, as long as the value stays on one line;
//   - a quoted value that is never closed, or that runs over several lines and holds
//     a lone quote, is reported instead of silently swallowing the records after it
//     (encoding/csv with LazyQuotes returns such a value without error).
type recordReader struct {
	br    *bufio.Reader
	comma byte
	line  int // lines consumed so far

	raw    []byte // the current physical line
	long   bool   // raw was cut at maxRecord
	field  []byte // the record's field text, concatenated
	ends   []int
	fields []string
}

func newRecordReader(r io.Reader, comma byte) *recordReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &recordReader{br: br, comma: comma}
}

// read returns the next record, the line it starts on and, when its quoting is
// broken, a reason to reject it. fields is valid until the next call.
func (r *recordReader) read() (fields []string, line int, problem string, err error) {
	if err := r.nextLine(); err != nil {
		return nil, 0, "", err
	}
	line = r.line
	if r.long {
		problem = fmt.Sprintf("the line is longer than %d KB, so its end was not read; check that the file is a stock list", maxRecord>>10)
	}
	r.field, r.ends = r.field[:0], r.ends[:0]
	pos := 0
	for {
		// One field starts at raw[pos].
		start := pos
		for start < len(r.raw) && r.raw[start] == ' ' && r.comma != ' ' {
			start++
		}
		if start < len(r.raw) && r.raw[start] == '"' {
			var ok bool
			pos, problem, ok = r.quoted(start+1, line)
			if !ok {
				return r.finish(), line, problem, nil
			}
		} else {
			i := bytes.IndexByte(r.raw[pos:], r.comma)
			if i < 0 {
				r.field = append(r.field, trimEOL(r.raw[pos:])...)
				r.ends = append(r.ends, len(r.field))
				return r.finish(), line, problem, nil
			}
			r.field = append(r.field, r.raw[pos:pos+i]...)
			pos += i
		}
		r.ends = append(r.ends, len(r.field))
		if pos >= len(r.raw) || r.raw[pos] != r.comma {
			return r.finish(), line, problem, nil
		}
		pos++ // past the delimiter
	}
}

// quoted reads a quoted value whose text starts at raw[pos], following it over line
// breaks. It returns the position after the closing quote, or ok=false when the
// record ended inside the value (end of file, or the value grew past maxRecord).
func (r *recordReader) quoted(pos, line int) (next int, problem string, ok bool) {
	lone := false
	multiline := false
	for {
		i := bytes.IndexByte(r.raw[pos:], '"')
		if i < 0 {
			// The line ends inside the quotes: the value continues on the next line,
			// with its line break as "\n" whatever the file uses.
			r.field = append(r.field, trimEOL(r.raw[pos:])...)
			r.field = append(r.field, '\n')
			if len(r.field) > maxRecord {
				r.ends = append(r.ends, len(r.field))
				return 0, fmt.Sprintf("a quoted value that starts on this line is not closed within %d KB (up to line %d); check the quote characters (\")", maxRecord>>10, r.line), false
			}
			if err := r.nextLine(); err != nil {
				r.field = bytes.TrimSuffix(r.field, []byte("\n"))
				r.ends = append(r.ends, len(r.field))
				return 0, fmt.Sprintf("a quoted value that starts on this line is never closed, so everything up to the end of the file (line %d) was read as one value; check the quote characters (\")", r.line), false
			}
			multiline = true
			pos = 0
			continue
		}
		r.field = append(r.field, r.raw[pos:pos+i]...)
		pos += i + 1
		switch {
		case pos < len(r.raw) && r.raw[pos] == '"': // doubled quote
			r.field = append(r.field, '"')
			pos++
		case pos >= len(r.raw) || r.raw[pos] == r.comma || r.raw[pos] == '\n' || r.raw[pos] == '\r' && (pos+1 == len(r.raw) || r.raw[pos+1] == '\n'):
			if lone && multiline {
				problem = fmt.Sprintf("quotes are unbalanced in a value that runs from line %d to line %d, so those lines were read as one value; check the quote characters (\")", line, r.line)
			}
			return pos, problem, true
		default: // a lone quote inside the value: keep it as text
			r.field = append(r.field, '"')
			lone = true
		}
	}
}

func (r *recordReader) finish() []string {
	s := string(r.field) // one allocation per record; fields are slices of it
	r.fields = r.fields[:0]
	prev := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, s[prev:e])
		prev = e
	}
	return r.fields
}

// nextLine reads one physical line (with its line break) into raw.
func (r *recordReader) nextLine() error {
	r.raw = r.raw[:0]
	r.long = false
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.raw = append(r.raw, chunk...)
		switch {
		case err == nil:
			r.line++
			return nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(r.raw) > maxRecord {
				// A single line this long is no stock list row: stop growing, skip
				// to the line's end, and let read report it.
				r.raw = r.raw[:maxRecord]
				r.long = true
			}
			continue
		case errors.Is(err, io.EOF):
			if len(r.raw) == 0 {
				return io.EOF
			}
			r.line++
			return nil
		default:
			return err
		}
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
