package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"syncagent/config"
)

func TestNewWritesJSONLinesWithConventions(t *testing.T) {
	dir := t.TempDir()
	log, f, err := New(Options{Dir: dir, Level: "info", MaxSizeMB: 1, MaxFiles: 2})
	if err != nil {
		t.Fatal(err)
	}
	pusher := Store(Component(log, "pusher"), "trendyol-main")
	pusher.Debug().Msg("details nobody asked for")
	pusher.Warn().Err(errors.New("HTTP 503")).Int("attempt", 3).Msg("stock push failed; retrying in 40s")
	must(t, f.Close())

	b, _ := os.ReadFile(f.Path())
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("want only the warning at level info, got %d lines:\n%s", len(lines), b)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &v); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"level": "warn", "component": "pusher", "store": "trendyol-main", "error": "HTTP 503", "attempt": 3.0, "message": "stock push failed; retrying in 40s"}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %v, want %v", k, v[k], w)
		}
	}
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$`)
	if s, _ := v["time"].(string); !stamp.MatchString(s) {
		t.Errorf("time %q is not RFC 3339 with milliseconds", v["time"])
	}
}

func TestNewConsoleGetsReadableLines(t *testing.T) {
	var console bytes.Buffer
	log, f, err := New(Options{Dir: t.TempDir(), Level: "debug", MaxSizeMB: 1, MaxFiles: 2, Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	imp := Component(log, "importer")
	imp.Info().Str("file", "stok listesi.csv").Int("rows", 412).Msg("imported")
	got := console.String()
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d(:\d\d)? INF importer: imported file="stok listesi.csv" rows=412\n$`).MatchString(got) {
		t.Errorf("console line %q", got)
	}
	if b, _ := os.ReadFile(f.Path()); !json.Valid(bytes.TrimSpace(b)) {
		t.Errorf("file line is not JSON: %s", b)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Dir: t.TempDir(), Level: "verbose", MaxSizeMB: 1, MaxFiles: 1},
		{Dir: t.TempDir(), Level: "info", MaxSizeMB: 0, MaxFiles: 1},
		{Dir: t.TempDir(), Level: "info", MaxSizeMB: 1, MaxFiles: 0},
		{Dir: "", Level: "info", MaxSizeMB: 1, MaxFiles: 1},
	} {
		if _, f, err := New(o); err == nil {
			f.Close()
			t.Errorf("%+v accepted", o)
		}
	}
}

// A canary secret logged every way zerolog allows never reaches the file or console.
func TestSecretNeverReachesTheLog(t *testing.T) {
	const canary = "k-canary-4711-do-not-log"
	creds := config.Credentials{"seller_id": config.NewSecret("12345"), "api_key": config.NewSecret(canary), "api_secret": config.NewSecret(canary)}
	var console bytes.Buffer
	log, f, err := New(Options{Dir: t.TempDir(), Level: "debug", MaxSizeMB: 1, MaxFiles: 2, Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	l := Component(log, "config")
	l.Info().Interface("creds", creds).Msg("interface")
	l.Info().Any("creds", &creds).Msg("any pointer")
	l.Info().Stringer("key", creds["api_key"]).Msg("stringer")
	l.Info().Str("key", fmt.Sprint(creds["api_key"])).Str("v", fmt.Sprintf("%v %+v %#v %s %q", creds, creds, creds, creds["api_key"], creds["api_key"])).Msg("fmt")
	l.Info().Fields(map[string]any{"key": creds["api_key"]}).Msg("fields")
	l.Error().Err(fmt.Errorf("login with %v failed", creds["api_key"])).Msg("error")
	must(t, f.Close())
	b, _ := os.ReadFile(f.Path())
	for name, out := range map[string]string{"file": string(b), "console": console.String()} {
		if strings.Contains(out, canary) {
			t.Errorf("secret leaked to the %s:\n%s", name, out)
		}
		if strings.Count(out, "***") < 6 {
			t.Errorf("%s does not show the masked form where the secret was logged:\n%s", name, out)
		}
	}
}

func TestToWriterLogsIntoABuffer(t *testing.T) {
	var buf bytes.Buffer
	l := Component(ToWriter(&buf), "orders")
	l.Debug().Msg("seen")
	var v map[string]any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil || v["component"] != "orders" || v["level"] != "debug" || v["time"] == nil {
		t.Errorf("line %s (%v)", buf.Bytes(), err)
	}
	if zerolog.TimeFieldFormat != zerolog.TimeFormatUnix && zerolog.TimeFieldFormat != "2006-01-02T15:04:05Z07:00" {
		t.Errorf("global zerolog.TimeFieldFormat changed to %q", zerolog.TimeFieldFormat)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(nil) {
		t.Error("a regular file or nil counted as a terminal")
	}
}
