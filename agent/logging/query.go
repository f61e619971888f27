package logging

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// Query is what `syncagent logs` asks for.
type Query struct {
	MinLevel  string    // debug, info, warn or error; "" shows every level
	Store     string    // only lines about this store
	Component string    // only lines from this component
	Since     time.Time // only lines at or after this moment; zero for all
	JSON      bool      // print the original JSON lines unchanged
	Follow    bool      // keep printing new lines until the context ends
	Color     bool      // highlight warnings and errors with ANSI colours
	// Location is the time zone lines are shown in, named by its offset (the config's
	// time_zone); nil shows each line's time with the offset it was written with.
	Location *time.Location
}

// levelRank orders the levels zerolog writes.
var levelRank = map[string]int{"trace": 0, "debug": 1, "info": 2, "warn": 3, "error": 4, "fatal": 5, "panic": 6}

// printer filters lines and writes them out, readable or as the original JSON.
type printer struct {
	q        Query
	minRank  int
	filtered bool // some filter is set, so JSON lines must be parsed even for --json
	w        *bufio.Writer
	rec      record
	buf      []byte
}

func newPrinter(q Query, w io.Writer) (*printer, error) {
	p := &printer{q: q, w: bufio.NewWriterSize(w, 64<<10)}
	if q.MinLevel != "" {
		r, ok := levelRank[strings.ToLower(q.MinLevel)]
		if !ok {
			return nil, fmt.Errorf("level %q: expected debug, info, warn or error", q.MinLevel)
		}
		p.minRank = r
	}
	p.filtered = q.MinLevel != "" || q.Store != "" || q.Component != "" || !q.Since.IsZero()
	return p, nil
}

// line prints one log line, given with its newline when it has one. A line that is not
// a JSON object is printed as is whatever the filters say: it cannot be judged, and
// hiding it could hide the one clue to what went wrong.
func (p *printer) line(l []byte) error {
	if len(l) == 0 {
		return nil
	}
	if p.q.JSON && !p.filtered {
		return p.raw(l)
	}
	if !parseRecord(l, &p.rec) {
		return p.raw(l)
	}
	if !p.keep(&p.rec) {
		return nil
	}
	if p.q.JSON {
		return p.raw(l)
	}
	p.buf = appendReadable(p.buf[:0], l, &p.rec, p.q.Color, p.q.Location)
	_, err := p.w.Write(p.buf)
	return err
}

func (p *printer) raw(l []byte) error {
	if _, err := p.w.Write(l); err != nil {
		return err
	}
	if l[len(l)-1] != '\n' {
		return p.w.WriteByte('\n')
	}
	return nil
}

// keep applies the filters. A line missing the field a filter looks at is dropped by a
// store or component filter, and kept by the level and time filters (it cannot be shown
// to be below the threshold or too old).
func (p *printer) keep(r *record) bool {
	if p.q.Store != "" && !strings.EqualFold(string(r.store), p.q.Store) {
		return false
	}
	if p.q.Component != "" && !strings.EqualFold(string(r.component), p.q.Component) {
		return false
	}
	if p.minRank > 0 && r.level != nil {
		if rank, ok := levelRank[string(r.level)]; ok && rank < p.minRank {
			return false
		}
	}
	if !p.q.Since.IsZero() && r.time != nil {
		if t, err := time.Parse(time.RFC3339Nano, string(r.time)); err == nil && t.Before(p.q.Since) {
			return false
		}
	}
	return true
}

// lines prints every line in data; a last line without its newline is printed too.
func (p *printer) lines(data []byte) error {
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		if err := p.line(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

func (p *printer) flush() error { return p.w.Flush() }
