package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const canary = "CANARY-s3cr3t-9f8e7d"

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func runCLI(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb lockedBuf
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	code := Main(ctx, env, args)
	return code, out.String(), errb.String()
}

// writeConfig writes a config holding the canary secret in every secret-bearing field.
func writeConfig(t *testing.T, extra string) string {
	t.Helper()
	t.Setenv("CANARY_KEY", canary) // ${CANARY_KEY} below
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	yaml := `log:
  level: debug
  console: never
stores:
  - name: ty
    marketplace: trendyol
    credentials:
      seller_id: "42"
      api_key: ${CANARY_KEY}
      api_secret: ${CANARY_KEY}
  - name: ps
    marketplace: pazarsync
    active: false
    rules:
      scope: stock
    credentials:
      client_id: ${CANARY_KEY}
      client_secret: ${CANARY_KEY}
sources:
  sql:
    - name: erp
      driver: postgres
      dsn: postgres://u:${CANARY_KEY}@127.0.0.1:1/erp
      query: SELECT 1
sinks:
  sql:
    - name: erp-orders
      driver: postgres
      dsn: postgres://u:${CANARY_KEY}@127.0.0.1:1/erp
      header: INSERT INTO o VALUES (:order_number)
      line: INSERT INTO l VALUES (:sku)
` + extra
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range commands {
		code, out, _ := runCLI(t, context.Background(), c.name, "--help")
		if code != exitOK || !strings.Contains(out, "Usage: syncagent "+c.name) {
			t.Errorf("%s --help: code %d out %q", c.name, code, out)
		}
	}
	if code, _, errOut := runCLI(t, context.Background(), "frobnicate"); code != exitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, context.Background(), "status", "--no-such-flag"); code != exitUsage {
		t.Errorf("bad flag: %d", code)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, context.Background(), "version")
	if code != 0 || !strings.HasPrefix(out, "syncagent dev (commit ") || !strings.Contains(out, "go1.") {
		t.Fatalf("%d %q", code, out)
	}
}

func TestCheckConfig(t *testing.T) {
	file := writeConfig(t, "")
	code, out, errOut := runCLI(t, context.Background(), "check-config", "--config", file)
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errOut)
	}
	for _, want := range []string{"ty  [trendyol, active]", "ps  [pazarsync, passive", "api_key=***", "erp  [sql postgres, snapshot", "config is valid"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, canary) {
		t.Fatal("check-config printed a secret")
	}
	bad := writeConfig(t, "unknwn: 1\n")
	code, _, errOut = runCLI(t, context.Background(), "check-config", "--config", bad)
	if code != exitConfig || !strings.Contains(errOut, "config.yaml:32:1: unknown key \"unknwn\"") || !strings.Contains(errOut, "NOT valid") {
		t.Fatalf("bad config: %d %s", code, errOut)
	}
	code, _, errOut = runCLI(t, context.Background(), "check-config", "--config", filepath.Join(t.TempDir(), "missing.yaml"))
	if code != exitConfig || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("missing config: %d %s", code, errOut)
	}
}

// TestRunStatusLogsAndNoSecretAnywhere runs the agent, reads its status while it runs,
// stops it, prints its logs, and checks the canary secret appears in no output, no log
// line and not in the database file.
func TestRunStatusLogsAndNoSecretAnywhere(t *testing.T) {
	file := writeConfig(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var runOut, runErr string
	go func() {
		var code int
		code, runOut, runErr = runCLI(t, ctx, "run", "--config", file)
		done <- code
	}()
	dbPath := filepath.Join(filepath.Dir(file), "data", "syncagent.db")
	deadline := time.Now().Add(10 * time.Second)
	var status string
	for {
		code, out, errOut := runCLI(t, context.Background(), "status", "--config", file)
		if code == exitOK {
			status = out
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never worked while the agent ran: %s", errOut)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []string{"STORE", "ty", "trendyol", "active", "ps", "passive", "SOURCES", "erp", "RECENT IMPORTS"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("run exited %d: %s", code, runErr)
	}
	code, logs, errOut := runCLI(t, context.Background(), "logs", "--config", file)
	if code != exitOK || !strings.Contains(logs, "syncagent starting") || !strings.Contains(logs, "stopped") {
		t.Fatalf("logs: %d %s %s", code, logs, errOut)
	}
	code, jsonLogs, _ := runCLI(t, context.Background(), "logs", "--config", file, "--json", "--component", "agent")
	if code != exitOK || !strings.Contains(jsonLogs, `"component":"agent"`) {
		t.Fatalf("json logs: %s", jsonLogs)
	}
	var files []string
	filepath.Walk(filepath.Dir(file), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && p != file {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 2 {
		t.Fatalf("expected a database and a log file, found %v", files)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(canary)) {
			t.Fatalf("secret found in %s", f)
		}
	}
	for _, o := range []string{runOut, runErr, status, logs, jsonLogs} {
		if strings.Contains(o, canary) {
			t.Fatal("secret in command output")
		}
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Fatal(err)
	}
}

func TestParseAcceptsFlagsAfterArguments(t *testing.T) {
	c := &command{name: "x"}
	env := &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	fs := flags(c, env)
	cfg := fs.String("config", "", "")
	dry := fs.Bool("dry-run", false, "")
	pos, code := parse(fs, []string{"a.xlsx", "--config", "c.yaml", "b.csv", "--dry-run"})
	if code >= 0 || strings.Join(pos, ",") != "a.xlsx,b.csv" || *cfg != "c.yaml" || !*dry {
		t.Fatalf("%v %d %q %v", pos, code, *cfg, *dry)
	}
}

func TestSinceParsing(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.Local)
	if got, _ := parseSince("90m", now, nil); !got.Equal(now.Add(-90 * time.Minute)) {
		t.Error(got)
	}
	if got, _ := parseSince("2d", now, nil); !got.Equal(now.Add(-48 * time.Hour)) {
		t.Error(got)
	}
	if got, _ := parseSince("2026-11-23T10:00", now, nil); got.Hour() != 10 {
		t.Error(got)
	}
	// An absolute time means the zone the lines are shown in: the config's.
	ist, _ := time.LoadLocation("Europe/Istanbul")
	if got, _ := parseSince("2026-11-23T10:00", now, ist); !got.Equal(time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("10:00 in Istanbul: %v", got)
	}
	if _, err := parseSince("yesterday", now, nil); err == nil {
		t.Error("accepted nonsense")
	}
}

// TestSIGTERMStopsTheProcessGracefully runs `run` in a child process (this test binary)
// and checks SIGTERM makes it exit 0 with its stop logged, within the 10 s a service
// manager allows.
func TestSIGTERMStopsTheProcessGracefully(t *testing.T) {
	if os.Getenv("SYNCAGENT_CLI_CHILD") != "" {
		return
	}
	file := writeConfig(t, "")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIChild$")
	cmd.Env = append(os.Environ(), "SYNCAGENT_CLI_CHILD="+file, "CANARY_KEY="+canary)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(filepath.Dir(file), "data", "logs", "syncagent.log")
	waitUntil(t, func() bool { b, _ := os.ReadFile(logFile); return bytes.Contains(b, []byte("agent started")) })
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("child exited with %v: %s", err, out.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("not stopped 10 s after SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(sent).Round(time.Millisecond))
	b, _ := os.ReadFile(logFile)
	if !bytes.Contains(b, []byte(`"message":"stopped"`)) {
		t.Fatalf("no stop line in the log:\n%s", b)
	}
}

func TestCLIChild(t *testing.T) {
	file := os.Getenv("SYNCAGENT_CLI_CHILD")
	if file == "" {
		t.Skip("child of TestSIGTERMStopsTheProcessGracefully only")
	}
	env := &Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(Main(context.Background(), env, []string{"run", "--config", file}))
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestAConfigErrorIsExit78ForEveryCommand: a PazarSync store left on the default scope
// (stock+price) passed config loading once and failed inside the agent, so `run` exited
// 1, which a service manager restarts every 5 s forever. Now the registry refuses it
// while the file loads: every command that reads the config exits 78 (EX_CONFIG, which
// the systemd unit does not restart) and names the file, line and column.
func TestAConfigErrorIsExit78ForEveryCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	yaml := "log:\n  console: never\nstores:\n  - name: ps\n    marketplace: pazarsync\n    credentials:\n      client_id: id\n      client_secret: secret\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.csv"), []byte("Stok Kodu;Miktar\nA;1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := file + `:4:5: stores[0].rules.scope: "stock+price" asks for prices, but PazarSync's API has no way to update prices`
	for _, args := range [][]string{
		{"run", "--config", file},
		{"check-config", "--config", file},
		{"status", "--config", file},
		{"test-store", "ps", "--config", file},
		{"import", filepath.Join(dir, "x.csv"), "--config", file},
		{"check-source", "erp", "--config", file},
		{"orders", "--config", file},
		{"logs", "--config", file},
		{"dead-letters", "--config", file},
		{"retry", "ps", "--all", "--config", file},
		{"push-now", "ps", "--config", file},
		{"resync", "ps", "--config", file},
	} {
		code, _, errOut := runCLI(t, context.Background(), args...)
		if code != 78 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr:\n%s", args[0], code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "syncagent.db")); err == nil {
		t.Error("run created the agent's database despite the config error")
	}
}
