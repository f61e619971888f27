package logging

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"
)

// Field names every line uses; see the package comment.
const (
	FieldComponent = "component"
	FieldStore     = "store"
	FieldError     = "error"
)

// TimeLayout is how "time" is written: RFC 3339 with milliseconds, offset kept.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Options configures New. It mirrors config.Log, with the console decided by the caller
// (run in a terminal or not) rather than by the file.
type Options struct {
	Dir          string // log folder; created if missing
	Level        string // debug, info, warn or error; "" means info
	MaxSizeMB    int    // rotate when the live file would pass this size
	MaxFiles     int    // rotated files kept
	Console      io.Writer
	ConsoleColor bool // ANSI colours on the console; for terminals only
}

// New opens the log file and returns a logger writing JSON lines to it and, when
// Options.Console is set, readable lines to the console as well. Close the File when
// the agent stops; set File.OnError to forward write failures to the system log.
func New(o Options) (zerolog.Logger, *File, error) {
	level, err := parseLevel(o.Level)
	if err != nil {
		return zerolog.Nop(), nil, err
	}
	if o.MaxSizeMB < 1 || o.MaxFiles < 1 {
		return zerolog.Nop(), nil, fmt.Errorf("logging: max size (%d MB) and max files (%d) must be at least 1", o.MaxSizeMB, o.MaxFiles)
	}
	f, err := OpenFile(FileOptions{Dir: o.Dir, MaxSize: int64(o.MaxSizeMB) << 20, MaxFiles: o.MaxFiles})
	if err != nil {
		return zerolog.Nop(), nil, err
	}
	var w io.Writer = f
	if o.Console != nil {
		w = tee{file: f, console: NewConsoleWriter(o.Console, o.ConsoleColor)}
	}
	return newLogger(w).Level(level), f, nil
}

// ToWriter returns a logger that writes the same JSON lines as New, at debug level, to
// w. Tests use it with a bytes.Buffer to see what a component logged.
func ToWriter(w io.Writer) zerolog.Logger {
	return newLogger(w).Level(zerolog.DebugLevel)
}

// Component derives the logger a part of the agent uses for all its lines.
func Component(l zerolog.Logger, name string) zerolog.Logger {
	return l.With().Str(FieldComponent, name).Logger()
}

// Store derives a logger for lines about one store.
func Store(l zerolog.Logger, name string) zerolog.Logger {
	return l.With().Str(FieldStore, name).Logger()
}

// IsTerminal reports whether f is an interactive terminal, to decide console "auto".
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(int(f.Fd()))
}

func newLogger(w io.Writer) zerolog.Logger {
	return zerolog.New(w).Hook(clock{})
}

// parseLevel accepts the levels config allows.
func parseLevel(s string) (zerolog.Level, error) {
	switch s {
	case "":
		return zerolog.InfoLevel, nil
	case "debug":
		return zerolog.DebugLevel, nil
	case "info":
		return zerolog.InfoLevel, nil
	case "warn":
		return zerolog.WarnLevel, nil
	case "error":
		return zerolog.ErrorLevel, nil
	}
	return zerolog.NoLevel, fmt.Errorf("logging: level %q: expected debug, info, warn or error", s)
}

// clock stamps each line with TimeLayout. zerolog's Timestamp() would need the global
// zerolog.TimeFieldFormat changed, which every other user of zerolog in the process
// would then share.
type clock struct{}

func (clock) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	var b [40]byte
	buf := append(b[:0], '"')
	buf = time.Now().AppendFormat(buf, TimeLayout)
	buf = append(buf, '"')
	e.RawJSON(zerolog.TimestampFieldName, buf)
}

// tee writes each line to the file, then to the console. Only the file's result counts:
// a console that went away (closed terminal) must not make zerolog report failures.
type tee struct {
	file    *File
	console io.Writer
}

func (t tee) Write(p []byte) (int, error) {
	n, err := t.file.Write(p)
	_, _ = t.console.Write(p)
	return n, err
}

// ConsoleWriter turns the JSON lines a logger writes into readable lines on w, in the
// same layout as `syncagent logs`.
type ConsoleWriter struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	buf   []byte
	rec   record
}

// NewConsoleWriter returns a ConsoleWriter; color adds ANSI colours.
func NewConsoleWriter(w io.Writer, color bool) *ConsoleWriter {
	return &ConsoleWriter{w: w, color: color}
}

// Write formats one JSON line. Loggers call it from many goroutines.
func (c *ConsoleWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = appendReadable(c.buf[:0], p, &c.rec, c.color, nil)
	if _, err := c.w.Write(c.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
