package sheet

import (
	"io"
	"slices"
)

// xmlSource feeds an encoding/xml Decoder and keeps every byte the decoder has read
// since the last release, so that the exact text of a run of tokens can be copied
// out: the decoder reports where tokens start and end (InputOffset), not their bytes.
// Because it is an io.ByteReader the decoder reads it directly, without a bufio
// layer of its own that would read ahead of the offsets.
type xmlSource struct {
	r    io.Reader
	buf  []byte
	base int64 // input offset of buf[0]
	pos  int   // index in buf of the next byte for the decoder
	keep int64 // input before this offset may be dropped
	err  error // first error from r, io.EOF included
}

func newXMLSource(r io.Reader) *xmlSource {
	return &xmlSource{r: r, buf: make([]byte, 0, 64<<10)}
}

func (s *xmlSource) ReadByte() (byte, error) {
	if s.pos == len(s.buf) && !s.fill() {
		return 0, s.err
	}
	b := s.buf[s.pos]
	s.pos++
	return b, nil
}

// Read makes xmlSource an io.Reader, which xml.NewDecoder takes; the decoder itself
// only calls ReadByte.
func (s *xmlSource) Read(p []byte) (int, error) {
	if s.pos == len(s.buf) && !s.fill() {
		return 0, s.err
	}
	n := copy(p, s.buf[s.pos:])
	s.pos += n
	return n, nil
}

func (s *xmlSource) fill() bool {
	for s.err == nil {
		if k := int(s.keep - s.base); len(s.buf) == cap(s.buf) && k > 0 {
			n := copy(s.buf, s.buf[k:])
			s.buf, s.pos, s.base = s.buf[:n], s.pos-k, s.keep
		}
		if len(s.buf) == cap(s.buf) {
			s.buf = slices.Grow(s.buf, max(len(s.buf), 64<<10))
		}
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.err = err
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// ioErr is the reader's failure, if any: a damaged stream rather than bad XML.
func (s *xmlSource) ioErr() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// span returns the input bytes [from, to), which must not have been released. The
// slice is valid until the next read or release.
func (s *xmlSource) span(from, to int64) []byte {
	return s.buf[from-s.base : to-s.base]
}

// release lets the input before offset upto go; it is dropped when the buffer is
// next full, so the buffer stays about as large as the longest run of tokens kept.
func (s *xmlSource) release(upto int64) {
	s.keep = max(s.keep, upto)
}

// copyRest writes the input from offset from to the end: what the decoder has read
// and what it has not.
func (s *xmlSource) copyRest(w io.Writer, from int64) error {
	if _, err := w.Write(s.buf[from-s.base:]); err != nil {
		return err
	}
	s.base, s.buf, s.pos = s.base+int64(len(s.buf)), s.buf[:0], 0
	s.keep = s.base
	if s.err != nil {
		return s.ioErr()
	}
	_, err := io.Copy(w, s.r)
	return err
}

// isSpaceByte is XML white space, as encoding/xml reads it.
func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func isXMLSpace(b []byte) bool {
	for _, c := range b {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}
