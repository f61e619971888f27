// Package instance keeps one agent per data folder. The agent that starts takes an
// exclusive operating-system lock on the file syncagent.lock in its data folder and
// holds it for the life of the process; a second agent on the same folder (a `run`
// beside the installed service, a second service with the same config) is refused with
// a message that names the one running. The lock is the kernel's (flock on Unix,
// LockFileEx on Windows), not the file's existence, so a crash, a kill -9 or a power cut
// leaves no stale lock behind: the operating system releases it with the process.
//
// The file also says who holds it (PID, start time, service or foreground, host,
// config), for the refusal and for `syncagent status`, which probes the lock without
// taking it for more than a moment (Probe). Commands that only read (status, logs,
// orders, import --dry-run) never need the lock.
package instance

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"syncagent/config/localtime"
)

// FileName is the lock file in the data folder.
const FileName = "syncagent.lock"

// How an agent runs, as the lock file and `status` say it.
const (
	ModeForeground = "foreground" // syncagent run, in a terminal or under another supervisor
	ModeService    = "service"    // the installed service (Windows SCM, systemd)
)

// acquireFor is how long Acquire keeps trying a lock that is taken: a `status` probing
// it holds it for a moment, which must not make an agent refuse to start.
const acquireFor = 1500 * time.Millisecond

// Info describes the agent holding (or last holding) a data folder.
type Info struct {
	PID     int
	Mode    string // ModeService or ModeForeground
	Started time.Time
	Host    string
	Config  string // the config file it runs with
}

// Describe says who the agent is in plain words: "PID 1234, the service, started
// 2026-11-23 02:27:05 +03, config /etc/syncagent/config.yaml".
func (i Info) Describe(loc *time.Location) string {
	var parts []string
	if i.PID > 0 {
		parts = append(parts, "PID "+strconv.Itoa(i.PID))
	}
	switch i.Mode {
	case ModeService:
		parts = append(parts, "the service")
	case ModeForeground:
		parts = append(parts, "run in the foreground")
	case "":
	default:
		parts = append(parts, i.Mode)
	}
	if i.Host != "" {
		if h, err := os.Hostname(); err != nil || !strings.EqualFold(h, i.Host) {
			parts = append(parts, "on "+i.Host)
		}
	}
	if !i.Started.IsZero() {
		parts = append(parts, "started "+localtime.Format(i.Started, loc))
	}
	if i.Config != "" {
		parts = append(parts, "config "+i.Config)
	}
	if len(parts) == 0 {
		return "its details could not be read"
	}
	return strings.Join(parts, ", ")
}

// HeldError is Acquire's answer when another agent holds the data folder.
type HeldError struct {
	Dir    string
	Holder Info
	Loc    *time.Location // for the start time in the message
}

func (e *HeldError) Error() string {
	stop := "stop it first"
	switch e.Holder.Mode {
	case ModeService:
		stop = "stop it first (syncagent stop, as administrator/root)"
	case ModeForeground:
		stop = "stop it first (Ctrl-C in its terminal"
		if e.Holder.PID > 0 {
			stop += ", or end process " + strconv.Itoa(e.Holder.PID)
		}
		stop += ")"
	}
	return fmt.Sprintf("another syncagent is already running on the data folder %s (%s); only one agent may work on a data folder: %s, or give this config another data_dir",
		e.Dir, e.Holder.Describe(e.Loc), stop)
}

// Lock is a held data folder. Release it when the agent ends; a process that dies holds
// it no more.
type Lock struct {
	f    *os.File
	dir  string
	info Info
}

// Acquire takes the data folder dir for the agent described by me, creating the folder
// when needed. When another agent holds it, the error is a *HeldError naming that agent
// (loc is the zone its start time is shown in).
func Acquire(dir string, me Info, loc *time.Location) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir %s cannot be created: %w (check that the folder's parent exists and the agent's user may write there)", dir, unwrap(err))
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("cannot open the lock file %s: %w (the agent's user needs write permission on the data folder)", path, unwrap(err))
	}
	deadline := time.Now().Add(acquireFor)
	for {
		ok, err := tryLock(f, true)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("cannot lock %s: %w", path, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			holder, _ := readInfo(f)
			f.Close()
			return nil, &HeldError{Dir: dir, Holder: holder, Loc: loc}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := writeInfo(f, me); err != nil {
		unlock(f)
		f.Close()
		return nil, fmt.Errorf("writing the lock file %s: %w", path, err)
	}
	return &Lock{f: f, dir: dir, info: me}, nil
}

// Info is the agent the lock was taken for.
func (l *Lock) Info() Info { return l.info }

// Dir is the data folder held.
func (l *Lock) Dir() string { return l.dir }

// Release gives the data folder up. The file keeps naming the last holder.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// State is what Probe found.
type State struct {
	// Held: an agent holds the data folder now.
	Held bool
	// Info is what the lock file says: the holder when Held, else the last agent that
	// held it (zero when no agent ever ran here).
	Info Info
}

// Probe tells whether an agent holds the data folder dir, without disturbing it: it
// takes a shared lock for a moment (an agent starting meanwhile retries). A folder
// without a lock file has never had an agent.
func Probe(dir string) (State, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("cannot read the lock file %s: %w", path, unwrap(err))
	}
	defer f.Close()
	free, err := tryLock(f, false)
	if err != nil {
		return State{}, fmt.Errorf("cannot probe the lock file %s: %w", path, err)
	}
	if free {
		unlock(f)
	}
	info, _ := readInfo(f)
	return State{Held: !free, Info: info}, nil
}

// The file's text: one "key: value" a line, readable by people too.
func writeInfo(f *os.File, i Info) error {
	var b bytes.Buffer
	b.WriteString("# the syncagent working on this data folder; the operating system's lock on this file is held while it runs\n")
	fmt.Fprintf(&b, "pid: %d\nmode: %s\nstarted: %s\nhost: %s\nconfig: %s\n",
		i.PID, i.Mode, i.Started.Format(time.RFC3339Nano), i.Host, i.Config)
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(b.Bytes(), 0); err != nil {
		return err
	}
	return f.Sync()
}

func readInfo(f *os.File) (Info, error) {
	var i Info
	sc := bufio.NewScanner(io.NewSectionReader(f, 0, 64<<10))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "pid":
			i.PID, _ = strconv.Atoi(v)
		case "mode":
			i.Mode = v
		case "started":
			i.Started, _ = time.Parse(time.RFC3339Nano, v)
		case "host":
			i.Host = v
		case "config":
			i.Config = v
		}
	}
	return i, sc.Err()
}

func unwrap(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
