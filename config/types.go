package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"syncagent/connectors/money"
)

// Secret holds a password, API key or DSN. Every way of printing it (fmt verbs, JSON,
// text marshalling, zerolog) yields "***", so a config struct can be logged or dumped
// without leaking. Only Value returns the real text; call it at the point of use.
type Secret struct{ v string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: s} }

// Value returns the secret in clear text. Never log the result.
func (s Secret) Value() string { return s.v }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s.v != "" }

func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return "***"
}

// GoString keeps %#v from printing the field.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// Format makes every fmt verb print the masked form.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(s.String())) }

func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Secret) decodeScalar(_ *decoder, v string) error { s.v = v; return nil }

// Duration is a time.Duration written as "30s", "5m", "1h30m", or "7d" for days.
type Duration time.Duration

func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string {
	if d != 0 && time.Duration(d)%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", time.Duration(d)/(24*time.Hour))
	}
	return time.Duration(d).String()
}

func (d *Duration) decodeScalar(_ *decoder, v string) error {
	x, err := ParseDuration(v)
	if err != nil {
		return err
	}
	*d = Duration(x)
	return nil
}

// ParseDuration accepts Go durations plus a day suffix ("14d"), used by config values and
// command-line flags such as --since.
func ParseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && fmt.Sprint(days) == n {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	x, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("expected a duration such as 30s, 5m, 2h or 7d, found %q", v)
	}
	if x < 0 {
		return 0, fmt.Errorf("a duration cannot be negative: %q", v)
	}
	return x, nil
}

// Path is a file system path. A relative path in the file is resolved against the folder
// of the config file, never the working directory: a Windows service starts in System32.
type Path string

func (p *Path) decodeScalar(d *decoder, v string) error {
	if v == "" {
		*p = ""
		return nil
	}
	*p = Path(resolve(d.baseDir, v))
	return nil
}

func resolve(base, v string) string {
	v = filepath.FromSlash(v)
	if filepath.IsAbs(v) || isWindowsAbs(v) {
		return filepath.Clean(v)
	}
	return filepath.Join(base, v)
}

// isWindowsAbs recognises C:\ and \\server\share paths so a config written for Windows
// is not turned into nonsense when validated on Linux (check-config on a laptop).
func isWindowsAbs(v string) bool {
	if len(v) >= 3 && v[1] == ':' && (v[2] == '\\' || v[2] == '/') {
		return true
	}
	return strings.HasPrefix(v, `\\`)
}

func (p Path) String() string { return string(p) }

// Money is an amount in TRY written with a dot for decimals ("12.50"), kept as kuruş.
type Money struct{ money.Kurus }

func (m *Money) decodeScalar(_ *decoder, v string) error {
	k, err := money.Parse(v)
	if err != nil {
		return fmt.Errorf("expected an amount such as 12.50, found %q", v)
	}
	m.Kurus = k
	return nil
}

// Percent is a percentage such as 12.5 (kept in hundredths of a percent).
type Percent struct{ money.BasisPoints }

func (p *Percent) decodeScalar(_ *decoder, v string) error {
	bp, err := money.ParsePercent(v)
	if err != nil {
		return fmt.Errorf("expected a percentage such as 12.5, found %q", v)
	}
	p.BasisPoints = bp
	return nil
}
